"""The edits of a claim's evidence: cite a paper, uncite it, change a citation's fields, or
screen a paper out (exclude). Each one is a change handed to the write path
(claim_files.edit_claim); changing the evidence of a signed-off claim returns it to draft, as a
sign-off vouches for the evidence as it was.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from claimbook.claims.schema import Claim
from claimbook.claims.validate import ClaimContext
from claimbook.edit.claim_files import context_of, edit_claim, folder_of, refuse, typed
from claimbook.edit.papers import fetch_paper, parse_ident, parsed
from claimbook.edit.round_trip import block_list, folded, line_of, set_after
from claimbook.folder import PathLike, ReviewFolder
from claimbook.ids import citation_key
from claimbook.pubmed.seam import Eutils

__all__ = ["CITATION_FIELDS", "cite", "exclude", "uncite", "update_citation"]

CITATION_FIELDS = ("stance", "design", "n", "finding", "note")


def _key_of(entry: dict) -> str:
    return citation_key(entry.get("pmid"), entry.get("doi"), entry.get("url"))


def _keys(ident: str, context: ClaimContext) -> set[str]:
    """Every key the paper may be cited under in a claim: its PMID, its DOI, its record's key."""
    pmid, doi = parse_ident(ident)
    keys = {citation_key(pmid, doi)}
    rec = context.snapshot.find(pmid, doi)
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


def _paper_entry(pmid: str | None, doi: str | None) -> CommentedMap:
    entry = CommentedMap()
    if pmid:
        entry["pmid"] = DoubleQuotedScalarString(pmid)
    else:
        entry["doi"] = doi
    return entry


def update_citation(
    project: PathLike | ReviewFolder, claim_id: str, ident: str, **changes: Any
) -> Claim:
    """Change a citation's stance, design, n, finding or note (None/"" removes n or note)."""
    unknown = sorted(set(changes) - set(CITATION_FIELDS))
    if unknown:
        raise ValueError(f"cannot change {', '.join(unknown)}; fields: {CITATION_FIELDS}")
    typed(folder_of(project).claims, **changes)
    parsed(ident, folder_of(project))

    def change(doc: CommentedMap, context: ClaimContext, path: Path, root: CommentedMap) -> None:
        entry = doc["evidence"][_cited(doc, ident, context, path, claim_id)]
        for field, value in changes.items():
            _set_field(entry, field, value)
        if changes:
            _return_to_draft(root)

    return edit_claim(project, claim_id, change)


def cite(
    project: PathLike | ReviewFolder,
    claim_id: str,
    ident: str,
    *,
    stance: str,
    design: str,
    finding: str,
    n: int | None = None,
    note: str | None = None,
    offline: bool = False,
    client: Eutils | None = None,
) -> Claim:
    """Cite a paper (PMID or DOI) for a claim; an excluded paper is taken off the excluded
    list. A paper the snapshot lacks is fetched from PubMed (refused offline) and stored in the
    snapshot together with the claim edit: a refused cite changes neither."""
    folder = folder_of(project)
    typed(folder.claims, stance=stance, design=design, finding=finding, note=note)
    pmid, doi = parsed(ident, folder)
    context = context_of(folder)
    staged = None
    if context.snapshot.find(pmid, doi) is None:
        staged = fetch_paper(folder, ident, offline=offline, client=client)
        pmid, doi = staged.record.pmid, (None if staged.record.pmid else staged.record.doi)
        context = staged.context(context)

    def change(doc: CommentedMap, ctx: ClaimContext, path: Path, root: CommentedMap) -> None:
        if _find(doc, "evidence", ident, ctx) is not None:
            raise refuse(
                path, "evidence", f"{ident} is already cited; change it instead",
                line_of(doc, "evidence"),
            )  # fmt: skip
        gone = _find(doc, "excluded", ident, ctx)
        if gone is not None:
            del doc["excluded"][gone]
        entry = _paper_entry(pmid, doi)
        for field, value in (("stance", stance), ("design", design), ("n", n),
                             ("finding", finding), ("note", note)):  # fmt: skip
            _set_field(entry, field, value)
        block_list(doc, "evidence").append(entry)
        _return_to_draft(root)

    return edit_claim(folder, claim_id, change, context, staged=staged)


def uncite(project: PathLike | ReviewFolder, claim_id: str, ident: str) -> Claim:
    """Remove a citation from a claim (a reviewed claim must keep at least one)."""
    parsed(ident, folder_of(project))

    def change(doc: CommentedMap, context: ClaimContext, path: Path, root: CommentedMap) -> None:
        del doc["evidence"][_cited(doc, ident, context, path, claim_id)]
        _return_to_draft(root)

    return edit_claim(project, claim_id, change)


def exclude(project: PathLike | ReviewFolder, claim_id: str, ident: str, reason: str) -> Claim:
    """Screen a paper out of a claim, with the reason; a cited paper stops being cited."""
    folder = folder_of(project)
    typed(folder.claims, reason=reason)
    pmid, doi = parsed(ident, folder)

    def change(doc: CommentedMap, context: ClaimContext, path: Path, root: CommentedMap) -> None:
        if _find(doc, "excluded", ident, context) is not None:
            raise refuse(path, "excluded", f"{ident} is already excluded", line_of(doc, "excluded"))
        i = _find(doc, "evidence", ident, context)
        if i is not None:
            del doc["evidence"][i]
            _return_to_draft(root)
        entry = _paper_entry(pmid, doi)
        entry["reason"] = folded(reason)
        block_list(doc, "excluded").append(entry)

    return edit_claim(folder, claim_id, change)
