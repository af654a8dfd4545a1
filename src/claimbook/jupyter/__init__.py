"""The Jupyter layer: what runs inside a notebook's kernel — display helpers for a review
(`show`, `show_claim`) and the workbench app (ipywidgets).

May import: every layer below it (core, pubmed, article, claims, evidence, notebooks, edit);
never claimbook.report or claimbook.cli. Notebooks import its names from the top level:
``from claimbook import show_claim, Workbench``.
"""
