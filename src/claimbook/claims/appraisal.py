"""Each paper appraised once: `papers.yaml` read with its lines, and the one appraisal of every
cited paper put together from it (and, in older claim files, from the study fields written on
each citation), every disagreement a problem naming both places.

After `appraise`, every citation carries its paper's study fields (design, n, risk_of_bias ...),
so what reads `citation.design` reads the paper's appraisal, the same in every claim.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimbook.claims.schema import (
    PAPERS_FILE,
    STUDY_FIELDS,
    Citation,
    Claim,
    PaperAppraisal,
    PaperBook,
)
from claimbook.claims.yaml_lines import (
    Located,
    field_name,
    parse_file,
    parse_quickly,
    parse_remembered,
)
from claimbook.errors import Problem
from claimbook.vocab import DOMAIN_LABELS, rob_tool

__all__ = [
    "OLD_FORMAT_NOTICE",
    "Appraisals",
    "Place",
    "appraise",
    "citation_places",
    "load_papers",
    "paper_label",
]

OLD_FORMAT_NOTICE = (
    "claims/ stores study appraisals on citations; run `claimbook migrate --project DIR` to "
    "keep one appraisal per paper in claims/papers.yaml"
)


@dataclass(frozen=True)
class Place:
    """Where study fields of a paper are written: an entry of papers.yaml (("papers", 3)) or a
    citation of a claim file (("evidence", 2), ("parts", 0, "evidence", 1))."""

    file: str
    located: Located
    at: tuple[Any, ...]

    def line(self, name: str | None = None) -> int:
        return self.located.key_line((*self.at, name)) if name else self.located.line(self.at)

    def field(self, name: str | None = None) -> str:
        """'evidence[2].risk_of_bias': the field as a problem names it."""
        return field_name((*self.at, name) if name else self.at)

    def where(self, name: str | None = None) -> str:
        return f"{self.file}:{self.line(name)}"

    @property
    def in_papers(self) -> bool:
        return self.at[:1] == ("papers",)


@dataclass
class Appraisals:
    """What `appraise` found: key -> the paper's appraisal (under each key a citation may
    have: its PMID, DOI and URL), warnings (one line each), and whether any claim file keeps
    study fields on its citations (the older format)."""

    papers: dict[str, PaperAppraisal] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    old_format: bool = False


def paper_label(key: str) -> str:
    """'PMID 3735481', 'DOI 10.1/x', 'URL https://...': a citation key in words."""
    if key.startswith("doi:"):
        return "DOI " + key[4:]
    if key.startswith("url:"):
        return "URL " + key[4:]
    return "PMID " + key


def load_papers(
    directory: Path, problems: list[Problem], text: str | None = None, quick: bool = False
) -> tuple[PaperBook | None, Located | None]:
    """papers.yaml of a claims folder (or `text`, as if it were that file), with where its
    fields are; (None, None) when there is none. Its problems are added to `problems`.
    `quick`: read a valid file fast (an edit's check), the slow way only to say what is wrong."""
    path = Path(directory) / PAPERS_FILE
    if text is None and not path.exists():
        return None, None
    if quick:
        book, located = (  # the file as it is: remembered by its text (parse_remembered)
            parse_quickly(PaperBook, path, text)
            if text is not None
            else parse_remembered(PaperBook, path)
        )
        if book is not None:
            return book, located
    return parse_file(PaperBook, path, problems, text)


def citation_places(claim: Claim, located: Located) -> Iterator[tuple[Place, Citation]]:
    """Every citation of a claim file (a record's, or each part's) with where it is."""
    units = [(("parts", i), p.evidence) for i, p in enumerate(claim.parts)] or [
        ((), claim.evidence)
    ]
    for at, evidence in units:
        for i, cit in enumerate(evidence):
            yield Place(str(claim.path), located, (*at, "evidence", i)), cit


def _comparable(value: Any) -> Any:
    return value.model_dump(exclude_none=True) if hasattr(value, "model_dump") else value


def _shown(name: str, value: Any) -> str:
    """A study field's value as a conflict line shows it."""
    if name == "risk_of_bias":
        reason = value.reason
        if len(reason) > 70:
            reason = reason[:69] + "\N{HORIZONTAL ELLIPSIS}"
        tool = f" ({value.tool})" if value.tool else ""
        return f"{value.rating}{tool}, {reason!r}"
    if name == "randomised":
        return "yes" if value else "no"
    if name == "includes":
        return ", ".join(value)
    return repr(value) if isinstance(value, str) and name != "design" else str(value)


def _conflict(paper: str, name: str, here: Place, there: Place, mine: Any, theirs: Any) -> Problem:
    """One line for two places that appraise a paper differently, with what to do."""
    if there.in_papers:
        todo = (
            f"delete the citation's {name} (papers.yaml keeps the paper's appraisal for every "
            "claim) or make the two agree"
        )
    else:
        todo = (
            "make the two agree (the one that fits the study), then run `claimbook migrate` "
            "to keep it once in claims/papers.yaml"
        )
    return Problem(
        here.file, here.line(name), here.field(name),
        f"{paper} is appraised differently here ({name} {_shown(name, mine)}) and at "
        f"{there.where(name)} ({name} {_shown(name, theirs)}); a study has one appraisal in "
        f"every claim: {todo}",
    )  # fmt: skip


def _merge(
    paper: str, places: list[tuple[Place, dict[str, Any]]], problems: list[Problem]
) -> dict[str, Any] | None:
    """The study fields of one paper from every place that gives any, first place first; None
    (and a problem per disagreement) when two places disagree."""
    merged: dict[str, tuple[Place, Any]] = {}
    clash = False
    for place, given in places:
        for name, value in given.items():
            if name not in merged:
                merged[name] = (place, value)
            elif _comparable(merged[name][1]) != _comparable(value):
                there, theirs = merged[name]
                problems.append(_conflict(paper, name, place, there, value, theirs))
                clash = True
    return None if clash else {name: value for name, (_, value) in merged.items()}


def _appraisal(ids: dict[str, Any], fields: dict[str, Any]) -> PaperAppraisal | None:
    """The paper's appraisal from its merged fields, its bias-rating tool filled in from its
    design when not named; None without a design (not appraised)."""
    if "design" not in fields:
        return None
    rob = fields.get("risk_of_bias")
    if rob is not None and rob.tool is None:
        tool = rob_tool(fields["design"], fields.get("randomised"))
        fields = {**fields, "risk_of_bias": rob.model_copy(update={"tool": tool})}
    return PaperAppraisal(**ids, **fields)


def _entries(
    book: PaperBook | None, located: Located | None, problems: list[Problem]
) -> tuple[dict[str, int], list[tuple[Place, PaperAppraisal]]]:
    """Key -> index of its entry in papers.yaml, and each entry with where it is; an entry
    for a paper appraised before is a problem."""
    index: dict[str, int] = {}
    entries: list[tuple[Place, PaperAppraisal]] = []
    for i, entry in enumerate(book.papers if book else []):
        place = Place(str(book.path), located, ("papers", i))
        entries.append((place, entry))
        for key in sorted(entry.keys()):
            if key in index:
                first = entries[index[key]][0]
                problems.append(
                    Problem(place.file, place.line(), place.field(),
                            f"{paper_label(key)} is appraised twice (first at {first.where()}); "
                            "keep one entry per paper")
                )  # fmt: skip
            index.setdefault(key, i)
    return index, entries


def appraise(
    records: list[tuple[Claim, Located]],
    book: PaperBook | None,
    book_located: Located | None,
    problems: list[Problem],
    papers_path: Path,
    only: set[str] | None = None,
    papers_broken: bool = False,
) -> Appraisals:
    """Put together the appraisal of every cited paper and give each citation its paper's
    study fields. A paper appraised differently in two places (two citations, or a citation
    and papers.yaml), and a citation of a paper with no appraisal, are problems (not when
    `papers_broken`: papers.yaml's own problems say why); `only`: keep just the problems about
    these files (an edit checks what it changes)."""
    found: list[Problem] = []
    index, entries = _entries(book, book_located, found)
    groups: dict[Any, list[tuple[Place, dict[str, Any]]]] = {}
    cited: list[tuple[Place, Citation, Any]] = []
    out = Appraisals()
    for claim, located in records:
        for place, cit in citation_places(claim, located):
            group = index.get(cit.key, cit.key)
            if group not in groups:
                at_entry = entries[group : group + 1] if isinstance(group, int) else []
                groups[group] = [(p, e.study()) for p, e in at_entry]
            own = cit.study()
            if own:
                out.old_format = True
                groups[group].append((place, own))
            cited.append((place, cit, group))
    appraised: dict[Any, PaperAppraisal | None] = {}
    for group, places in groups.items():
        entry = entries[group][1] if isinstance(group, int) else None
        label = paper_label(entry.key if entry else group)
        clashes: list[Problem] = []
        fields = _merge(label, places, clashes)
        found.extend(clashes)
        if fields is None:
            appraised[group] = None
            continue
        ids = {k: getattr(entry, k) for k in ("pmid", "doi", "url")} if entry else None
        if ids is None:
            cit = next(c for _, c, g in cited if g == group)
            ids = {k: getattr(cit, k) for k in ("pmid", "doi", "url")}
        appraised[group] = _appraisal(ids, fields)
        if appraised[group] is None and not clashes and not papers_broken:
            for place, _cit, g in cited:
                if g == group:
                    found.append(
                        Problem(place.file, place.line(), f"{place.field()} ({label})",
                                f"this paper has no appraisal; add it to {papers_path} "
                                f"(design, n, {DOMAIN_LABELS['risk_of_bias']})")
                    )  # fmt: skip
    for _place, cit, group in cited:
        paper = appraised.get(group)
        if paper is not None:
            for name in STUDY_FIELDS:
                setattr(cit, name, getattr(paper, name))
            for key in paper.keys() | {cit.key}:
                out.papers[key] = paper
    for i, (place, entry) in enumerate(entries):
        if i not in groups:
            out.warnings.append(
                f"{place.where()}: {place.field()}: {paper_label(entry.key)} is appraised but "
                "no claim cites it; delete the entry, or cite the paper"
            )
    if out.old_format:
        out.warnings.insert(0, OLD_FORMAT_NOTICE)
    if only is not None:
        found = [p for p in found if p.file in only or any(f in p.message for f in only)]
    problems.extend(found)
    return out
