"""The edits of a claim's evidence: cite a paper, uncite it, change a citation's fields, or
screen a paper out (exclude). Each one is a change handed to the write path
(claim_files.edit_claim); changing the evidence of a signed-off claim returns it to draft, as a
sign-off vouches for the evidence as it was.

A paper's design and n belong to the study, not to one claim: they are its appraisal in
papers.yaml, used by every claim citing it. A cite of an appraised paper reuses its appraisal
(a design that disagrees is refused); changing a citation's design or n changes the paper's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from claimbook.claims.appraisal import paper_label
from claimbook.claims.schema import STUDY_FIELDS, Claim
from claimbook.claims.validate import ClaimContext
from claimbook.edit.appraisals import (
    PapersDoc,
    move_study_fields,
    paper_entry,
    set_study,
    study_value,
)
from claimbook.edit.claim_files import context_of, edit_claim, folder_of, refuse, typed
from claimbook.edit.papers import (
    NOT_IN_PUBMED,
    PaperDetails,
    StagedPaper,
    claim_texts,
    fetch_paper,
    looks_unrelated,
    paper_ref,
    parsed_ref,
    unrelated_message,
)
from claimbook.edit.round_trip import block_list, folded, line_of, set_after
from claimbook.folder import PathLike, ReviewFolder
from claimbook.ids import citation_key
from claimbook.pubmed.seam import Eutils

__all__ = ["CITATION_FIELDS", "cite", "exclude", "uncite", "update_citation"]

CITATION_FIELDS = ("stance", "design", "n", "finding", "note")
PAPER_FIELDS = ("design", "n")  # of those, the ones that are the paper's appraisal


def _key_of(entry: dict) -> str:
    return citation_key(entry.get("pmid"), entry.get("doi"), entry.get("url"))


def _keys(ident: str, context: ClaimContext) -> set[str]:
    """Every key the paper may be cited under in a claim: its PMID, its DOI, its address, its
    record's key."""
    ref = paper_ref(ident)
    keys = {ref.key}
    rec = context.snapshot.find(ref.pmid, ref.doi, ref.url)
    if rec is not None:
        keys |= {rec.key} | ({"doi:" + rec.doi.lower()} if rec.doi else set())
    return keys


def _find(doc: CommentedMap, section: str, ident: str, context: ClaimContext) -> int | None:
    """The index of the paper `ident` in the list `section` (evidence, excluded), or None."""
    keys = _keys(ident, context)
    for i, entry in enumerate(doc.get(section) or []):
        if isinstance(entry, dict) and _key_of(entry) in keys:
            return i
    return None


def _cited(doc: CommentedMap, ident: str, context: ClaimContext, path: Path, claim_id: str) -> int:
    """The index of the citation of `ident` in the evidence; refused when it is not cited."""
    i = _find(doc, "evidence", ident, context)
    if i is None:
        raise refuse(
            path, "evidence", f"{ident} is not cited by {claim_id}", line_of(doc, "evidence")
        )
    return i


def _return_to_draft(doc: CommentedMap) -> None:
    """A signed-off claim whose evidence changes is no longer signed off."""
    if "signoff" in doc:
        del doc["signoff"]
        set_after(doc, "status", "draft", ("topic", "title", "slug", "id"))


def _set_field(entry: CommentedMap, field: str, value: Any) -> None:
    """Set one citation field in its usual place; an empty n or note is removed."""
    if value in (None, "") and field in ("n", "note"):
        entry.pop(field, None)
        return
    if field in ("finding", "note"):
        value = folded(str(value))
    before = ("pmid", "doi", "url", *CITATION_FIELDS[: CITATION_FIELDS.index(field)])
    set_after(entry, field, value, before)


def _elsewhere(context: ClaimContext, keys: set[str]) -> dict[str, Any]:
    """The study fields claim files give the paper on its citations (the older format), first
    given first: its appraisal when papers.yaml has none."""
    found: dict[str, Any] = {}
    for claim, _ in context.others:
        for unit in claim.units():
            for cit in unit.evidence:
                if cit.key in keys:
                    for name, value in cit.study().items():
                        found.setdefault(name, value)
    return found


def _reuse(papers: PapersDoc, keys: set[str], given: dict[str, Any], label: str) -> None:
    """Cite an appraised paper: what was given must agree with its appraisal; what it lacks
    (an n) is added to it (only then is papers.yaml's round-trip document loaded)."""
    i, entry, line = papers.peek(keys)
    lacking = {}
    for name, value in given.items():
        if name not in entry:
            lacking[name] = value
        elif entry[name] != value:
            raise refuse(
                papers.path, f"papers[{i}].{name}",
                f"{label} is appraised as {name} {entry[name]} here, for every claim citing it; "
                f"the {name} given ({value}) disagrees: leave it out to reuse the appraisal, or "
                f"change the paper's {name} here first",
                line,
            )  # fmt: skip
    if lacking:
        editable = papers.find(keys)
        for name, value in lacking.items():
            set_study(editable, name, study_value(name, value))


def _appraise_new(
    papers: PapersDoc,
    context: ClaimContext,
    keys: set[str],
    ids: tuple,
    given: dict[str, Any],
    record: Any = None,
) -> CommentedMap | None:
    """Cite a paper papers.yaml does not appraise: reuse the appraisal older claim files give
    it, else add its entry (a design is needed); the entry added, if one was."""
    label = paper_label(min(keys))
    old = _elsewhere(context, keys)
    if old:
        for name, value in given.items():
            if name in old and old[name] != value:
                raise refuse(
                    context.papers_path or papers.path, name,
                    f"{label} is appraised as {name} {old[name]} where other claims cite it; "
                    f"the {name} given ({value}) disagrees: leave it out to reuse the appraisal",
                )  # fmt: skip
        return None
    if "design" not in given:
        raise refuse(
            papers.path, "design",
            f"{label} has no appraisal yet: give its design (and n) to appraise it once for "
            f"every claim that cites it{_suggested(record)}",
        )  # fmt: skip
    entry = papers.add(*ids)
    for name, value in given.items():
        set_study(entry, name, study_value(name, value))
    return entry


def _suggested(record: Any) -> str:
    """'; PubMed indexes it as Randomized Controlled Trial (--design rct?)': what PubMed's
    record suggests, for the reviewer to confirm (never applied without it)."""
    from claimbook.pubmed.designs import suggest_design, suggest_n

    if record is None:
        return ""
    bits = []
    if (d := suggest_design(record.publication_types, record.mesh_terms)) is not None:
        bits.append(f"{d.rule} (design {d.value}?)")
    if (n := suggest_n(record.abstract)) is not None:
        bits.append(f"{n.rule} (n {n.value}?)")
    return "; " + "; ".join(bits) if bits else ""


def _mark_not_in_pubmed(entry: CommentedMap) -> None:
    """Say on the entry's first line that PubMed lacks the paper (its details were typed)."""
    entry.yaml_add_eol_comment(
        f"{NOT_IN_PUBMED}: its details typed by the reviewer", next(iter(entry))
    )


def _staged_for_cite(
    folder: ReviewFolder, context: ClaimContext, ident: str, offline: bool,
    client: Eutils | None, details: PaperDetails | None,
) -> StagedPaper | None:  # fmt: skip
    """The paper to store with the cite, when the snapshot lacks it (fetched, or typed)."""
    ref = parsed_ref(ident, folder.snapshot)
    if context.snapshot.find(ref.pmid, ref.doi, ref.url) is not None:
        return None
    return fetch_paper(folder, ident, offline=offline, client=client, details=details)


def _refuse_unrelated(record: Any, path: Path, doc: CommentedMap, root: CommentedMap) -> None:
    """Refuse to cite a paper that shares no word with the claim (`looks_unrelated`)."""
    if record is not None and looks_unrelated(record, claim_texts(root, doc)):
        raise refuse(
            path, "paper",
            f"{unrelated_message(record)} Its title and MeSH headings share no word with the "
            "claim, its title or its query: check the PMID, or confirm with --anyway",
            line_of(doc, "evidence"),
        )  # fmt: skip


def update_citation(
    project: PathLike | ReviewFolder, claim_id: str, ident: str, **changes: Any
) -> Claim:
    """Change a citation's stance, finding or note (None/"" removes the note), or its paper's
    design or n (None/"" removes n): those are the paper's appraisal in papers.yaml, so the
    change holds for every claim citing it."""
    unknown = sorted(set(changes) - set(CITATION_FIELDS))
    if unknown:
        raise ValueError(f"cannot change {', '.join(unknown)}; fields: {CITATION_FIELDS}")
    typed(folder_of(project).claims, **changes)
    parsed_ref(ident, folder_of(project))
    study = {k: v for k, v in changes.items() if k in PAPER_FIELDS}
    taken: dict[str, Any] = {}  # the study fields taken off the citation (the older format)
    ids: list[Any] = []

    def change(doc: CommentedMap, context: ClaimContext, path: Path, root: CommentedMap) -> None:
        entry = doc["evidence"][_cited(doc, ident, context, path, claim_id)]
        for field, value in changes.items():
            if field not in study:
                _set_field(entry, field, value)
        if study:
            ids.extend(entry.get(k) for k in ("pmid", "doi", "url"))
            taken.update(move_study_fields(entry, None))
        if changes:
            _return_to_draft(root)

    def papers_change(papers: PapersDoc, context: ClaimContext) -> None:
        keys = _keys(ident, context)
        paper = papers.find(keys)
        if paper is None:
            paper = papers.add(*ids)
            for name, value in {**_elsewhere(context, keys), **taken}.items():
                set_study(paper, name, study_value(name, value))
        for name in STUDY_FIELDS:
            if name in taken and name not in paper:
                set_study(paper, name, study_value(name, taken[name]))
        for name, value in study.items():
            set_study(paper, name, None if value == "" else value)

    return edit_claim(project, claim_id, change, papers_change=papers_change if study else None)


def cite(
    project: PathLike | ReviewFolder,
    claim_id: str,
    ident: str,
    *,
    stance: str,
    finding: str,
    design: str | None = None,
    n: int | None = None,
    note: str | None = None,
    offline: bool = False,
    client: Eutils | None = None,
    details: PaperDetails | None = None,
    check_related: bool = False,
) -> Claim:
    """Cite a paper (PMID, DOI, PubMed or doi.org address, or the address of a source PubMed
    lacks) for a claim; an excluded paper is taken off the excluded list. A paper the snapshot
    lacks is fetched from PubMed (refused offline; a DOI is resolved to its PMID) and stored in
    the snapshot together with the claim edit: a refused cite changes neither. A paper PubMed
    lacks needs the `details` the reviewer typed, and is marked "not in PubMed" in the claim
    file, papers.yaml and the snapshot. `check_related`: refuse a paper whose title and MeSH
    share no word with the claim (`papers.looks_unrelated`) — what the CLI and the workbench
    do unless the reviewer confirms.

    The paper's design and n are its appraisal (papers.yaml), shared by every claim citing
    it: an appraised paper's is reused (a `design` or `n` that disagrees is refused); a paper
    not yet appraised needs a `design`, and gets its entry in papers.yaml with this cite."""
    folder = folder_of(project)
    typed(folder.claims, stance=stance, design=design, finding=finding, note=note)
    ref = parsed_ref(ident, folder)
    context = context_of(folder)
    staged = _staged_for_cite(folder, context, ident, offline, client, details)
    record = context.snapshot.find(ref.pmid, ref.doi, ref.url)
    if staged is not None:
        record = staged.record
        context = staged.context(context)
    pmid, doi, url = record.pmid, (None if record.pmid else record.doi), record.url
    typed_in = staged is not None and staged.raw is None

    def change(doc: CommentedMap, ctx: ClaimContext, path: Path, root: CommentedMap) -> None:
        if _find(doc, "evidence", ident, ctx) is not None:
            raise refuse(
                path, "evidence", f"{ident} is already cited; change it instead",
                line_of(doc, "evidence"),
            )  # fmt: skip
        if check_related:
            _refuse_unrelated(record, path, doc, root)
        gone = _find(doc, "excluded", ident, ctx)
        if gone is not None:
            del doc["excluded"][gone]
        entry = paper_entry(pmid, doi, url)
        for field, value in (("stance", stance), ("finding", finding), ("note", note)):
            _set_field(entry, field, value)
        if typed_in:
            _mark_not_in_pubmed(entry)
        block_list(doc, "evidence").append(entry)
        _return_to_draft(root)

    given = {k: v for k, v in (("design", design), ("n", n)) if v is not None}

    def papers_change(papers: PapersDoc, ctx: ClaimContext) -> None:
        keys = _keys(ident, ctx) | {citation_key(pmid, doi, url)}
        if papers.peek(keys) is not None:
            _reuse(papers, keys, given, paper_label(citation_key(pmid, doi, url)))
        else:
            added = _appraise_new(papers, ctx, keys, (pmid, doi, url), given, record)
            if typed_in and added is not None:
                _mark_not_in_pubmed(added)

    return edit_claim(folder, claim_id, change, context, staged=staged, papers_change=papers_change)


def uncite(project: PathLike | ReviewFolder, claim_id: str, ident: str) -> Claim:
    """Remove a citation from a claim (a reviewed claim must keep at least one)."""
    parsed_ref(ident, folder_of(project))

    def change(doc: CommentedMap, context: ClaimContext, path: Path, root: CommentedMap) -> None:
        del doc["evidence"][_cited(doc, ident, context, path, claim_id)]
        _return_to_draft(root)

    return edit_claim(project, claim_id, change)


def exclude(project: PathLike | ReviewFolder, claim_id: str, ident: str, reason: str) -> Claim:
    """Screen a paper out of a claim, with the reason; a cited paper stops being cited."""
    folder = folder_of(project)
    typed(folder.claims, reason=reason)
    ref = parsed_ref(ident, folder)

    def change(doc: CommentedMap, context: ClaimContext, path: Path, root: CommentedMap) -> None:
        if _find(doc, "excluded", ident, context) is not None:
            raise refuse(path, "excluded", f"{ident} is already excluded", line_of(doc, "excluded"))
        i = _find(doc, "evidence", ident, context)
        if i is not None:
            del doc["evidence"][i]
            _return_to_draft(root)
        entry = paper_entry(ref.pmid, ref.doi, ref.url)
        entry["reason"] = folded(reason)
        block_list(doc, "excluded").append(entry)

    return edit_claim(folder, claim_id, change)
