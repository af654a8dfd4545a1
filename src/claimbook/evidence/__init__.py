"""The evidence layer: the evidence table (`table`), GRADE grading (`grading`: grade(); `rules`:
the rules file; `domains`: one small rule per GRADE domain), the graded Review, what changed
between two reviews, the review's status and the charts. Pure readers: nothing here writes a
file.

May import: the core modules, claimbook.pubmed, claimbook.article and claimbook.claims.
"""
