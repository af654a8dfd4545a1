"""The workbench's HTML: pure functions, data in, an HTML string out.

Every string from the review (titles, quotes, findings, names, reasons) is escaped; the only
links are PubMed's and doi.org's, through `claimbook.ids.safe_url`. There is no inline style:
each element carries a `cb-` class that `workbench.css` (package data, put into the app once
by `stylesheet()`) styles; the verdict colours come from claimbook.vocab.
"""

from __future__ import annotations

import html
from importlib.resources import files
from pathlib import Path
from typing import Any

from claimbook.claims.schema import Claim
from claimbook.evidence.review import Review
from claimbook.evidence.table import surname
from claimbook.folder import shown_path
from claimbook.ids import doi_url, pubmed_url, safe_url
from claimbook.pubmed.designs import design_from_pubmed
from claimbook.pubmed.store import PaperRecord
from claimbook.vocab import STANCES, VERDICT_COLOURS, verdict_sentence

AUTHORS_SHOWN = 6


def esc(text: object) -> str:
    """`text` escaped for HTML (attribute values included)."""
    return html.escape(str(text), quote=True)


def stylesheet() -> str:
    """The workbench's CSS: `workbench.css`, then one border colour per verdict word of vocab
    (so a new word is coloured without touching the file)."""
    css = files("claimbook.jupyter").joinpath("workbench.css").read_text(encoding="utf-8")
    colours = "\n".join(
        f".cb-verdict-box.cb-v-{word} {{ border-left-color: {colour}; }}"
        for word, colour in VERDICT_COLOURS.items()
    )
    return f"{css}\n{colours}\n"


def message(text: str, kind: str) -> str:
    """The one-line status: `kind` 'error' (red) or 'ok' (green)."""
    return f'<div class="cb-{kind}">{esc(text)}</div>'


def heading(title: str, hint: str) -> str:
    return f'<h4 class="cb-heading">{esc(title)} <span class="cb-hint">· {esc(hint)}</span></h4>'


def note(text_html: str, *classes: str) -> str:
    """A grey note; `text_html` is HTML already (escape what goes into it)."""
    css = " ".join(("cb-note", *classes))
    return f'<div class="{css}">{text_html}</div>'


def loading(claim_id: str | None) -> str:
    return note(f"Loading {esc(claim_id)}…") if claim_id else ""


def header(review: Review | None, root: Path) -> str:
    """The review's title, its size and drafts, and where edits go."""
    if review is None:
        return f"<h3>claimbook workbench</h3><div>{esc(root)}</div>"
    a = review.article
    n = len(review.claims)
    drafts = sum(c.is_draft for c in review.claims)
    waiting = f" ({drafts} draft{'s' if drafts != 1 else ''})" if drafts else ""
    return f"<h3>claimbook workbench · {esc(a.title)}</h3>" + note(
        f"{esc(a.publisher)} · {n} claims{waiting} · snapshot: "
        f"{esc(review.snapshot_summary())} · every change is saved to the claim's "
        "file in <code>claims/</code>"
    )


def claim_state(c: Claim) -> str:
    """Signed off (by whom, when), draft, or reviewed and not signed off."""
    signed = getattr(c, "signoff", None)
    if signed is not None:
        why = f": {esc(signed.note)}" if signed.note else ""
        return (
            f'<span class="cb-state cb-signed-off"><b>Signed off</b> by '
            f"{esc(signed.reviewer)} on {esc(signed.date)}{why}</span>"
        )
    if c.is_draft:
        return '<span class="cb-state cb-draft"><b>Draft</b>: not yet reviewed</span>'
    return (
        f'<span class="cb-state cb-reviewed"><b>Reviewed</b> {esc(c.reviewed)}; not signed '
        "off yet</span>"
    )


def claim_text(c: Claim, root: Path) -> str:
    """The claim: its id and title, state, file, the article's quotes, the plain claim and
    its PubMed query."""
    quotes = "".join(
        f'<blockquote class="cb-quote">“{esc(q.text)}”<br><i>— {esc(q.section)}</i></blockquote>'
        for q in c.quotes
    )
    where = esc(shown_path(c.path, root)) if c.path else ""
    query = f"<div><b>PubMed query:</b> <code>{esc(c.query)}</code></div>" if c.query else ""
    return (
        f"<h3>{esc(c.id)} · {esc(c.title)}</h3>"
        f"<div>{claim_state(c)} · <code>{where}</code></div>"
        f"<div><b>What the article says</b></div>{quotes}"
        f"<div><b>The claim, plainly:</b> {esc(c.claim)}</div>{query}"
    )


def verdict(c: Claim, v: Any) -> str:
    """The live verdict: its label (the word with its certainty, in GRADE's informative words),
    certainty, sentence, why, and the citations by stance."""
    counts = " · ".join(f"{int(v[s])} {s}" for s in STANCES)
    retracted = f" · {int(v['retracted'])} retracted" if int(v["retracted"]) else ""
    word = v["verdict"] if v["verdict"] in VERDICT_COLOURS else "unknown"
    return (
        f'<div class="cb-verdict-box cb-v-{esc(word)}">'
        f'<div><b>Verdict: <span class="cb-verdict-word">{esc(v["label"])}</span></b>'
        f' · certainty: <span class="cb-certainty">{esc(v["certainty"])}</span></div>'
        f"<div>{esc(verdict_sentence(v['verdict'], v['certainty'], c.is_draft))}</div>"
        f'<div><i>Why:</i> <span class="cb-rationale">{esc(v["rationale"])}</span></div>'
        + note(f"{counts}{retracted}")
        + "</div>"
    )


EVIDENCE_HEADER = (
    '<div class="cb-evidence-header"><span class="cb-col-paper">paper</span>'
    '<span class="cb-col-stance">stance</span><span class="cb-col-design">design</span>'
    '<span class="cb-col-n">n</span><span>finding · note</span></div>'
)
NO_EVIDENCE = note("No citations yet: cite a paper below.")
# Design and n are the paper's appraisal (papers.yaml), shared by every claim that cites it.
APPRAISAL_NOTE = note(
    "Design and n belong to the paper: a change here changes its appraisal in "
    "claims/papers.yaml, for every claim that cites it.",
    "cb-appraisal-note",
)


def excluded(c: Claim) -> str:
    """The papers screened out of the claim, with their reasons (folded)."""
    if not c.excluded:
        return ""
    items = "".join(
        f"<li>{esc(f'PMID {x.pmid}' if x.pmid else f'DOI {x.doi}')}: {esc(x.reason)}</li>"
        for x in c.excluded
    )
    return (
        f"<details><summary>Excluded papers ({len(c.excluded)})</summary><ul>{items}</ul></details>"
    )


def paper_label(cit: Any, rec: PaperRecord | None, design_note: Any) -> str:
    """A citation's paper: first author and year, its link, retracted, PubMed's design."""
    who = surname(rec.first_author) if rec else "?"
    year = f" {rec.year}" if rec and rec.year else ""
    if cit.pmid:
        ident, href = f"PMID {cit.pmid}", pubmed_url(cit.pmid)
    elif cit.doi:
        ident, href = f"DOI {cit.doi}", doi_url(cit.doi)
    else:
        ident, href = "not in PubMed (cited by URL: edit its YAML file)", cit.url
    title = esc(rec.title) if rec else ""
    extra = ""
    if rec and rec.retracted:
        extra += '<div class="cb-retracted"><b>retracted</b></div>'
    if rec and rec.in_pubmed is False and not cit.url:  # by DOI, its details typed
        extra += note("not in PubMed", "cb-not-in-pubmed")
    if isinstance(design_note, str) and design_note:
        extra += note(esc(design_note), "cb-design-note")
    href = safe_url(href)  # only http(s) and doi: links, whatever the record holds
    link = (
        f'<a href="{esc(href)}" target="_blank" rel="noopener">{esc(ident)}</a>'
        if href
        else esc(ident)
    )
    return f'<div title="{title}"><b>{esc(who)}{esc(year)}</b><br>{link}{extra}</div>'


def remove_question(ident: str) -> str:
    return f"Remove the citation of {esc(ident)}?&nbsp;"


def record(rec: PaperRecord, in_snapshot: bool) -> str:
    """A looked-up paper: title, authors, journal, ids, where it comes from, abstract."""
    authors = ", ".join(rec.authors[:AUTHORS_SHOWN]) + (
        " et al." if len(rec.authors) > AUTHORS_SHOWN else ""
    )
    ids = " · ".join(
        x
        for x in (
            f"PMID {rec.pmid}" if rec.pmid else "",
            f"DOI {rec.doi}" if rec.doi else "",
            ", ".join(rec.publication_types),
        )
        if x
    )
    where = (
        "in the snapshot"
        if in_snapshot
        else "from PubMed (stored in the snapshot when you cite it)"
    )
    retracted = '<div class="cb-retracted"><b>Retracted.</b></div>' if rec.retracted else ""
    abstract = (
        f"<details><summary>Abstract</summary><div>{esc(rec.abstract)}</div></details>"
        if rec.abstract
        else note("No abstract in the record.")
    )
    return (
        '<div class="cb-record-box">'
        f'<div class="cb-record-title"><b>{esc(rec.title)}</b></div>'
        f"<div>{esc(authors or 'No authors listed')}</div>"
        f"<div>{esc(rec.journal or '')} {esc(rec.year or '')}</div>"
        + note(f"{esc(ids)} · {where}")
        + f"{retracted}{abstract}</div>"
    )


def queue_empty(claim_id: str) -> str:
    return note(
        f"No saved search hits: run <code>claimbook search {esc(claim_id)} --save</code> to "
        "fill the queue.",
        "cb-queue-empty",
    )


def queue_head(hits: int, about: str, shown: int) -> str:
    """'3 hits to screen (saved search of ...): ...'; `shown`: how many rows are drawn."""
    more = f"; the first {shown} are shown" if hits > shown else ""
    return note(
        f"{hits} hit{'s' if hits != 1 else ''} to screen"
        f"{' (' + esc(about) + ')' if about else ''}{more}: look one up to cite it, or exclude "
        "it with a reason."
    )


def hit_label(hit: PaperRecord) -> str:
    """A saved search hit: PMID (or DOI), year, PubMed's design, title."""
    design = design_from_pubmed(hit.publication_types, hit.mesh_terms)
    first = f"PMID {hit.pmid}" if hit.pmid else hit.doi
    bits = " · ".join(str(x) for x in (first, hit.year, design) if x)
    return f"<div><b>{esc(bits)}</b> {esc(hit.title or '')}</div>"
