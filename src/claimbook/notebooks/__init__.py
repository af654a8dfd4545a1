"""The notebooks layer: builds a review's .ipynb files (overview, one per topic, the claim
template, the workbench notebook) and executes them. It writes notebook files only, and holds
no widget or display code (that is claimbook.jupyter, which runs inside the kernel).

May import: the core modules, claimbook.pubmed, claimbook.article and claimbook.claims.
"""
