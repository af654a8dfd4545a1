"""Write the review notebooks' cells (maintainers). Run `claimbook notebooks` afterwards to
execute them in place; the committed notebooks carry their outputs and nbval checks them.

    python tools/build_notebooks.py
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

SETUP = """\
%matplotlib inline
from claimbook.review import load_review
from claimbook.display import show, show_claim
from claimbook import plots
import pandas as pd

pd.set_option("display.max_colwidth", 120)
review = load_review()  # the claims/ and data/ folders of this project, validated"""

TOPICS = {
    "10-dehydration": (
        "Dehydration, electrolytes and sports drinks",
        ["dehydration"],
        """The article's opening move is to dismiss the classic explanation of cramps — losing
water and salt — as an old myth. This notebook walks the claims about dehydration,
electrolytes, sports drinks and athletes, with the research on both sides.""",
    ),
    "20-neuromuscular": (
        "Neuromuscular fatigue, risk factors and red flags",
        ["neuromuscular", "risk-factors", "red-flags", "nature"],
        """The article's central claim is that cramps are a neuromuscular problem caused by
fatigue. This notebook walks that claim and the related ones: cramps are local, they come
back, age and health conditions raise the risk, some cramps need a doctor, and what a cramp
is in the first place.""",
    ),
    "30-stretching": (
        "Stretching and the reverse myotatic reflex",
        ["stretching"],
        """The article grants that stretching relieves a cramp, explains it by the reverse
myotatic reflex (Golgi tendon organ inhibition), and says it cannot prevent the next one.""",
    ),
    "40-massage": (
        "What massage does for cramps",
        ["massage"],
        """The article's conclusion — and its sales pitch — is that massage fixes the root cause
of cramps. This notebook checks each mechanism and benefit it claims for massage.""",
    ),
}


def _nb(cells: list) -> nbformat.NotebookNode:
    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i:02d}"  # stable ids: rebuilding does not churn the diff
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def overview() -> nbformat.NotebookNode:
    return _nb(
        [
            new_markdown_cell("""\
# claimbook · Muscle cramps: the article against the research

This notebook is the overview of claimbook's review of a promotional article on muscle cramps
published by a massage centre. Each factual claim of the article is a record in `claims/`,
tied to the papers that support it and to those that contradict it; the papers are in the
snapshot `data/pubmed/`. Everything below runs offline from that snapshot."""),
            new_code_cell(SETUP),
            new_markdown_cell("## The article"),
            new_code_cell("""\
a = review.article
print(a.title)
print("Publisher:", a.publisher)
print("What it is:", a.kind)
print("Reviewed:", a.reviewed, "| Snapshot:", review.snapshot_summary())"""),
            new_markdown_cell("## All claims"),
            new_code_cell("""\
pd.DataFrame(
    [{"id": c.id, "topic": c.topic, "title": c.title, "claim": c.claim} for c in review.claims]
).set_index("id")"""),
            new_markdown_cell(
                "## Verdicts\n\nOne row per claim; the rationale names the citations "
                "that decided it."
            ),
            new_code_cell("""\
cols = ["claim_id", "title", "verdict", "certainty", "supports", "contradicts", "mixed", "context"]
review.verdicts[cols].set_index("claim_id")"""),
            new_code_cell("show(plots.verdict_overview(review.verdicts))"),
            new_markdown_cell(
                "## The evidence map\n\nWhich kinds of study bear on each claim: "
                "strongest designs on the left; colour and shape give the stance."
            ),
            new_code_cell("show(plots.evidence_map(review.table))"),
            new_code_cell("show(plots.stance_bars(review.table))"),
            new_markdown_cell("""\
## How the grading works

Every citation carries a **stance** towards the claim *as the article makes it* (supports,
contradicts, mixed, context) and a **study design**. The design comes from PubMed's
publication types where PubMed states one, else from the claim record; a disagreement
between the two is shown in the evidence table's `design_note` column.

1. Each citation gets a **weight** from its design (meta-analyses and systematic reviews
   weigh most, case reports least), scaled down for small primary studies.
2. Supporting citations add their weight *for* the claim, contradicting ones *against* it;
   mixed ones add half to each side; context adds nothing. **Retracted papers never count.**
3. The **verdict** follows the share of weight for the claim: *supported* at 75% or more,
   *contradicted* at 25% or less, *contested* in between, and *insufficient* when there is
   too little weighted evidence altogether.
4. The **certainty** (GRADE's words: high, moderate, low, very low) starts from the best
   design on the deciding side and drops a level for inconsistency or small studies; a
   contested verdict is at most *low*.

The rules are data, not code: `src/claimbook/rules/grading.yaml`, shown here."""),
            new_code_cell("""\
pd.DataFrame({d: r.model_dump() for d, r in review.rules.designs.items()}).T.sort_values(
    "rank", ascending=False
)"""),
            new_markdown_cell("## Where the evidence is thin"),
            new_code_cell("""\
thin = review.verdicts[
    review.verdicts["verdict"].eq("insufficient")
    | review.verdicts["certainty"].isin(["low", "very low"])
]
thin[["claim_id", "title", "verdict", "certainty", "rationale"]].set_index("claim_id")"""),
            new_markdown_cell("""\
These claims rest on small, indirect or low-ranked studies, so their verdicts are the least
firm in this review: read them as "what the little research there is suggests", not as
settled. In particular, no trial has tested massage for preventing everyday cramps, and the
reflex explanation of how stretching stops a cramp has never been recorded directly in a
spontaneous human cramp."""),
        ]
    )


def topic_notebook(title: str, topics: list[str], intro: str) -> nbformat.NotebookNode:
    return _nb(
        [
            new_markdown_cell(f"# {title}\n\n{intro}"),
            new_code_cell(SETUP),
            new_code_cell(f"""\
claims = [c for c in review.claims if c.topic in {topics!r}]
review.verdicts[review.verdicts["claim_id"].isin([c.id for c in claims])][
    ["claim_id", "title", "verdict", "certainty"]
].set_index("claim_id")"""),
            new_code_cell("show(plots.stance_bars(review.table, [c.id for c in claims]))"),
            new_markdown_cell(
                "## Claim by claim\n\nFor each claim: the article's words, the verdict "
                "and why, the evidence (strongest designs first), the evidence over "
                "time, and what a practitioner can tell a client."
            ),
            new_code_cell("""\
for c in claims:
    show_claim(review, c.id)"""),
        ]
    )


def claim_notebook() -> nbformat.NotebookNode:
    params = new_code_cell('claim_id = "C01"  # papermill parameter')
    params.metadata["tags"] = ["parameters"]
    return _nb(
        [
            new_markdown_cell(
                "# One claim\n\nRender for any claim with `claimbook notebooks --claim C03`."
            ),
            params,
            new_code_cell(SETUP),
            new_code_cell("show_claim(review, claim_id)"),
            new_markdown_cell("## Everything PubMed (or the curated record) says about each paper"),
            new_code_cell("""\
review.table[review.table["claim_id"] == claim_id][
    ["key", "title", "journal", "year", "design_claimed", "design_pubmed", "design_note", "source"]
].set_index("key")"""),
        ]
    )


def main() -> None:
    NOTEBOOKS.mkdir(exist_ok=True)
    nbformat.write(overview(), NOTEBOOKS / "00-overview.ipynb")
    for name, (title, topics, intro) in TOPICS.items():
        nbformat.write(topic_notebook(title, topics, intro), NOTEBOOKS / f"{name}.ipynb")
    nbformat.write(claim_notebook(), NOTEBOOKS / "claim.ipynb")


if __name__ == "__main__":
    main()
