"""The evidence layer: the evidence table, GRADE grading under the rules file, the graded
Review, what changed between two reviews, the review's status and the charts. Pure readers:
nothing here writes a file.

May import: the core modules, claimbook.pubmed, claimbook.article and claimbook.claims.
"""
