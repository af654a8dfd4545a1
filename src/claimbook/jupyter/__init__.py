"""The Jupyter layer: what runs inside a notebook's kernel — display helpers for a review
(`show`, `show_claim`) and the workbench app (ipywidgets).

The workbench is built in parts, lowest first: `session` (ReviewSession: state and actions,
no widget; its values in `session_types`), `views` (pure HTML; `workbench.css` its one
stylesheet), `controls` (the message line and the view guard), `rows`, `panels`,
`cite_panel`, `conflicts_panel` and `full_text_panel` (widgets that observe the session), and
`workbench` (the app composing them).

May import: every layer below it (core, pubmed, article, claims, evidence, notebooks, edit);
never claimbook.report or claimbook.cli. Notebooks import its names from the top level:
``from claimbook import show_claim, Workbench``.
"""
