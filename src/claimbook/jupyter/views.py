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
from typing import TYPE_CHECKING, Any

from claimbook.claims.schema import Claim
from claimbook.evidence.names import surname
from claimbook.folder import shown_path
from claimbook.ids import doi_url, pubmed_url, safe_url
from claimbook.pubmed.designs import design_from_pubmed
from claimbook.pubmed.store import PaperRecord
from claimbook.vocab import STANCES, VERDICT_COLOURS, verdict_sentence

if TYPE_CHECKING:  # pandas, imported only once the review is read
    from claimbook.evidence.review import Review

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


def message(text: str, kind: str, detail: str = "") -> str:
    """The one-line status: `kind` 'error' (red) or 'ok' (green); `detail` (where, in the
    files) folded under it, shown on click."""
    where = (
        f'<details class="cb-where"><summary>Where</summary><pre>{esc(detail)}</pre></details>'
        if detail
        else ""
    )
    return f'<div class="cb-{kind}">{esc(text)}{where}</div>'


CANDIDATE_CHARS = 110  # of a candidate sentence, in the picker


def candidate_label(c: Any) -> str:
    """A candidate sentence in the picker: its section and its start."""
    text = c.text if len(c.text) <= CANDIDATE_CHARS else c.text[: CANDIDATE_CHARS - 1] + "…"
    return f"{c.section[:40]} · {text}" if c.section else text


def candidates_hint(n: int, has_text: bool) -> str:
    """Above the candidate picker: how many sentences are offered."""
    if not has_text:
        return note(
            "The article's text file cannot be read (text_file in claims/article.yaml), so "
            "quotes cannot be checked and no sentences are offered."
        )
    if not n:
        return note("Every sentence the finder offers is quoted by a claim already; type a quote.")
    return note(
        f"{n} sentence{'s' if n != 1 else ''} of the article make checkable claims that no "
        "claim quotes yet: pick one, or type a quote (it must be the article's exact words)."
    )


def field_label(text: str) -> str:
    return f'<div class="cb-field-label">{esc(text)}</div>'


SPLIT_NOTE = (
    '<div class="cb-note">A claim that says two things (an effect and its cause, say) is '
    "split into parts, each graded on its own: what the claim has now becomes part a, the "
    "new part gets its own title, wording and quote. The claim is a draft again.</div>"
)


def heading(title: str, hint: str) -> str:
    return f'<h4 class="cb-heading">{esc(title)} <span class="cb-hint">· {esc(hint)}</span></h4>'


def note(text_html: str, *classes: str) -> str:
    """A grey note; `text_html` is HTML already (escape what goes into it)."""
    css = " ".join(("cb-note", *classes))
    return f'<div class="{css}">{text_html}</div>'


def loading(claim_id: str | None) -> str:
    return note(f"Loading {esc(claim_id)}…") if claim_id else ""


def reading_review() -> str:
    """What the claim area says while the app reads its review, before any claim is shown."""
    return note("Reading the review and grading its claims…")


def no_claim(review: Review | None) -> str:
    """What the claim area says when no claim is shown: why, and what to do."""
    if review is None:
        return note("The review could not be read: the message above says why. Fix it, then "
                    "press Reload from disk.", "cb-no-claim")  # fmt: skip
    if not review.claims:
        return note("This review has no claims yet. Start the first one from a sentence of the "
                    "article, under <b>New claim</b> below.", "cb-no-claim")  # fmt: skip
    return note("Pick a claim above.", "cb-no-claim")


def header(review: Review | None, root: Path) -> str:
    """The review's title, its size and drafts, and where edits go."""
    if review is None:
        return f"<h3>claimbook workbench</h3><div>{esc(root)}</div>"
    a = review.article
    n = len(review.claims)
    drafts = sum(c.is_draft for c in review.claims)
    waiting = f" ({drafts} draft{'s' if drafts != 1 else ''})" if drafts else ""
    claims = f"{n} claim{'s' if n != 1 else ''}{waiting}" if n else "no claims yet"
    return f"<h3>claimbook workbench · {esc(a.title)}</h3>" + note(
        f"{esc(a.publisher)} · {claims} · {esc(snapshot_words(review))} · every change is "
        "saved to the claim's file in <code>claims/</code>"
    )


def snapshot_words(review: Review) -> str:
    """The snapshot in words: 'no papers stored yet', or how many and up to when."""
    if not len(review.snapshot):
        return "no papers stored yet (citing a paper stores its record)"
    latest = review.snapshot.latest_date()
    papers = f"{len(review.snapshot)} paper record{'s' if len(review.snapshot) != 1 else ''}"
    return f"{papers} stored" + (f", the latest from {latest}" if latest else "")


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
    query = (
        f"<div><b>PubMed query:</b> <code>{esc(c.query)}</code></div>"
        if c.query
        else note("No PubMed query yet: write one under <b>The claim</b> below (a claim needs "
                  "one to be signed off).", "cb-no-query")
    )  # fmt: skip
    return (
        f"<h3>{esc(c.id)} · {esc(c.title)}</h3>"
        f"<div>{claim_state(c)} · <code>{where}</code></div>"
        f"<div><b>What the article says</b></div>{quotes}"
        f"<div><b>The claim, plainly:</b> {esc(c.claim)}</div>{query}"
    )


def verdict(c: Claim, v: Any, as_context: int = 0) -> str:
    """The live verdict: its label (the word with its certainty, in GRADE's informative words),
    certainty, sentence, why, and the stances given to its citations; `as_context` of them are
    narrative reviews or guidelines given another stance, which the grading counts as context
    (said, so the counts and the lists of the why agree)."""
    counts = "Stances given: " + " · ".join(f"{int(v[s])} {s}" for s in STANCES)
    retracted = f" · {int(v['retracted'])} retracted" if int(v["retracted"]) else ""
    if as_context == 1:
        read_as_context = ". 1 of them is a narrative review or guideline, read as context"
        read_as_context += " whatever its stance."
    elif as_context:
        read_as_context = f". {as_context} of them are narrative reviews or guidelines, read"
        read_as_context += " as context whatever their stance."
    else:
        read_as_context = ""
    word = v["verdict"] if v["verdict"] in VERDICT_COLOURS else "unknown"
    return (
        f'<div class="cb-verdict-box cb-v-{esc(word)}">'
        f'<div><b>Verdict: <span class="cb-verdict-word">{esc(v["label"])}</span></b>'
        f' · certainty: <span class="cb-certainty">{esc(v["certainty"])}</span></div>'
        f"<div>{esc(draft_sentence(c) or verdict_sentence(v['verdict'], v['certainty']))}</div>"
        f'<div><i>Why:</i> <span class="cb-rationale">{esc(v["rationale"])}</span></div>'
        + note(f"{counts}{retracted}{read_as_context}")
        + "</div>"
    )


def draft_sentence(c: Claim) -> str:
    """What a draft's verdict line says: nothing gathered yet, or graded from the papers cited
    so far ('' for a claim that is not a draft)."""
    if not c.is_draft:
        return ""
    if not c.evidence:
        return "Draft: no paper is cited yet, so there is no verdict; cite the first below."
    n = len(c.evidence)
    return (
        f"Draft: graded from the {n} paper{'s' if n != 1 else ''} cited so far; sign it off once "
        "its evidence is complete and checked."
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


def paper_parts(cit: Any, rec: PaperRecord | None, design_note: Any) -> dict[str, Any]:
    """A citation's paper as data (first author, year, its id and link, retracted, not in
    PubMed, PubMed's design): what `paper_label` writes as HTML and the evidence table draws
    in the browser as text. The link is only ever an http(s) one (`safe_url`)."""
    if cit.pmid:
        ident, href = f"PMID {cit.pmid}", pubmed_url(cit.pmid)
    elif cit.doi:
        ident, href = f"DOI {cit.doi}", doi_url(cit.doi)
    else:
        ident, href = "not in PubMed (cited by URL: edit its YAML file)", cit.url
    return {
        "who": surname(rec.first_author) if rec else "?",
        "year": str(rec.year) if rec and rec.year else "",
        "ident": ident,
        "href": safe_url(href) or "",  # only http(s) and doi: links, whatever the record holds
        "title": rec.title if rec and rec.title else "",
        "retracted": bool(rec and rec.retracted),
        "not_in_pubmed": bool(rec and rec.in_pubmed is False and not cit.url),
        "design_note": design_note if isinstance(design_note, str) else "",
    }


def paper_label(cit: Any, rec: PaperRecord | None, design_note: Any) -> str:
    """A citation's paper: first author and year, its link, retracted, PubMed's design."""
    p = paper_parts(cit, rec, design_note)
    extra = '<div class="cb-retracted"><b>retracted</b></div>' if p["retracted"] else ""
    if p["not_in_pubmed"]:  # by DOI, its details typed
        extra += note("not in PubMed", "cb-not-in-pubmed")
    if p["design_note"]:
        extra += note(esc(p["design_note"]), "cb-design-note")
    link = (
        f'<a href="{esc(p["href"])}" target="_blank" rel="noopener">{esc(p["ident"])}</a>'
        if p["href"]
        else esc(p["ident"])
    )
    year = f" {p['year']}" if p["year"] else ""
    return (
        f'<div title="{esc(p["title"])}"><b>{esc(p["who"])}{esc(year)}</b><br>{link}{extra}</div>'
    )


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


def queue_empty(claim: Any, searched: bool = False, queue: Any = None) -> str:
    """Why the queue is empty: no query yet, no search saved yet, or everything screened."""
    if not getattr(claim, "query", None):
        text = "No PubMed query yet, so nothing to screen: write the claim's query first."
    elif not searched:
        text = (
            "No saved search yet: <b>Search PubMed</b> runs the claim's query and saves its hits."
        )
    else:
        hint = f" {esc(queue.hint)}" if queue is not None and queue.hint else ""
        text = f"Every saved hit is screened ({esc(queue.about) if queue else ''}).{hint}"
    return note(text, "cb-queue-empty")


def queue_head(hits: int, queue: Any, shown: int) -> str:
    """'3 hits to screen (saved search of ...), ranked by ...; the stopping hint'; `shown`:
    how many rows are drawn."""
    more = f"; the first {shown} are shown" if hits > shown else ""
    hidden = (  # no count: how many votes are hidden would tell what the other did
        " Other reviewers' votes stay hidden until every reviewer has screened every hit "
        "(blind screening)."
        if queue.blind
        else ""
    )
    hint = f" {esc(queue.hint)}" if queue.hint else ""
    return note(
        f"{hits} hit{'s' if hits != 1 else ''} to screen ({esc(queue.about)}){more}; "
        f'<span class="cb-queue-reason">{esc(queue.ranked.reason)}</span>.'
        f'<span class="cb-stopping-hint">{hint}</span>{esc(hidden)} Vote include or exclude, '
        "look a paper up to cite it, or exclude it from the claim with a reason.",
        "cb-queue-head",
    )


def others_votes(votes: list[str] | None) -> str:
    """The other reviewers' votes on a hit, once they may be seen."""
    if not votes:
        return ""
    return f'<span class="cb-others-votes">{esc("; ".join(votes))}</span>'


def hit_label(hit: PaperRecord) -> str:
    """A saved search hit: PMID (or DOI), year, PubMed's design, title."""
    design = design_from_pubmed(hit.publication_types, hit.mesh_terms)
    first = f"PMID {hit.pmid}" if hit.pmid else hit.doi
    bits = " · ".join(str(x) for x in (first, hit.year, design) if x)
    return f"<div><b>{esc(bits)}</b> {esc(hit.title or '')}</div>"
