"""Validation of a claims folder against what it depends on: the topics of `article.yaml`, the
snapshot every citation must be in, and the article's text every quote must be an exact part of
(with the invisible character or Unicode form that hides a near miss said in words).

`validate_project` checks the whole folder and returns `ValidatedClaims`; `claim_context` and
`check_claim_text` check one claim file's new text before an edit writes it.
"""

from __future__ import annotations

import os
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from claimbook.claims.appraisal import appraise, load_papers
from claimbook.claims.load import (
    ClaimsError,
    check_claim_file,
    claim_files,
    graded,
    load_appraised,
    load_article,
    units_at,
)
from claimbook.claims.schema import PAPERS_FILE, Claim, PaperAppraisal, PaperBook, ReviewedArticle
from claimbook.claims.yaml_lines import Located, parse_file, parse_remembered, problem_at
from claimbook.errors import Problem
from claimbook.folder import shown_path
from claimbook.inputs import MAX_ARTICLE_BYTES, InputError, read_text
from claimbook.pubmed.store import Snapshot, SnapshotError, load_snapshot

__all__ = [
    "ClaimContext",
    "ValidatedClaims",
    "check_claim_text",
    "check_papers_text",
    "claim_context",
    "validate_project",
]


@dataclass
class ValidatedClaims:
    """What `validate_project` returns: a claims folder that passed every check, with the
    article it reviews, the snapshot its citations are in, the text file its quotes were
    checked against (None: not checked, the text was not found), each cited paper's appraisal
    (by every key a citation may have: PMID, DOI, URL) and the warnings to show (one line
    each: an older folder that keeps appraisals on citations, an appraisal no claim cites)."""

    article: ReviewedArticle
    claims: list[Claim]
    snapshot: Snapshot
    article_text_checked: Path | None
    papers: dict[str, PaperAppraisal] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """'17 claims, 210 citations, snapshot of 108 records (108 curated); quotes checked
        against FILE': what `claimbook validate` reports when all is well."""
        n_cit = sum(len(c.evidence) for c in self.claims)
        counts = self.snapshot.count_by_source()
        sources = ", ".join(f"{n} {s}" for s, n in counts.items())
        quotes = (
            f"quotes checked against {shown_path(self.article_text_checked)}"
            if self.article_text_checked
            else "quotes NOT checked (article text not found; pass --article FILE)"
        )
        records = list(dict.fromkeys(c.record_id for c in self.claims))
        split = Counter(c.record_id for c in self.claims if c.part)
        in_parts = ", ".join(f"{r} in {n} parts" for r, n in split.items())
        drafts = len({c.record_id for c in self.claims if c.is_draft})
        waiting = f" ({drafts} still draft{'s' if drafts != 1 else ''})" if drafts else ""
        return (
            f"{len(records)} claims{f' ({in_parts})' if split else ''}{waiting}, "
            f"{n_cit} citations, "
            f"snapshot of {len(self.snapshot)} records ({sources or 'empty'}); {quotes}"
        )


def _article_text(
    article: ReviewedArticle | None, claims_dir: Path, article_file: Path | None
) -> Path | None:
    if article_file is not None:
        return article_file
    if article is not None and article.text_file:
        # normpath, not resolve(): a path through a symlink stays as the user wrote it
        candidate = Path(os.path.normpath(claims_dir.absolute().parent / article.text_file))
        if candidate.exists():
            return candidate
    return None


@dataclass
class ClaimContext:
    """What a claim is checked against: the article, the snapshot, the article's text, the
    papers' appraisals (papers.yaml) and the other claim files (for a paper they appraise)."""

    article: ReviewedArticle | None
    snapshot: Snapshot | None  # None: unreadable (a problem already says why)
    store_dir: Path
    text: str | None
    text_path: Path | None
    papers_path: Path | None = None
    papers: PaperBook | None = None
    papers_located: Located | None = None
    others: list[tuple[Claim, Located]] = field(default_factory=list)


def _check_in_context(
    claim: Claim,
    located: Located,
    context: ClaimContext,
    problems: list[Problem],
) -> None:
    """Checks a claim needs the other files for: topic known, citations in the snapshot, quotes
    and sections exact substrings of the article text (when that text is available)."""
    article, snapshot, store_dir = context.article, context.snapshot, context.store_dir
    text, text_path = context.text, context.text_path
    where = str(claim.path)
    if article is not None and claim.topic not in article.topics:
        problems.append(
            problem_at(
                where,
                located,
                ("topic",),
                f"unknown topic {claim.topic!r}; article.yaml lists "
                + ", ".join(sorted(article.topics)),
            )
        )
    for at, unit in units_at(claim) if snapshot is not None else []:
        for i, cit in enumerate(unit.evidence):
            if snapshot.find(cit.pmid, cit.doi, cit.url) is None:
                field = "pmid" if cit.pmid else "doi" if cit.doi else "url"
                value = cit.pmid or cit.doi or cit.url
                problems.append(
                    problem_at(
                        where,
                        located,
                        (*at, "evidence", i, field),
                        f"{value} is not in the snapshot {store_dir / 'records.jsonl'}; "
                        "run claimbook fetch (online) to add it",
                    )
                )
        if text is None:
            continue
        wrong = {"text": f"not an exact substring of {text_path}",
                 "section": f"no such heading in {text_path}"}  # fmt: skip
        for i, q in enumerate(unit.quotes):
            for field, message in wrong.items():
                value = getattr(q, field)
                if value not in text:
                    message += _near_miss(value, text)
                    problems.append(problem_at(where, located, (*at, "quotes", i, field), message))


_INVISIBLE = {
    "\u00ad": "SOFT HYPHEN", "\u200b": "ZERO WIDTH SPACE", "\u200c": "ZERO WIDTH NON-JOINER",
    "\u200d": "ZERO WIDTH JOINER", "\u2060": "WORD JOINER", "\ufeff": "ZERO WIDTH NO-BREAK SPACE",
    "\u200e": "LEFT-TO-RIGHT MARK", "\u200f": "RIGHT-TO-LEFT MARK",
}  # fmt: skip


def _near_miss(quote: str, text: str) -> str:
    """Why a quote that looks right is not found: an invisible character or another Unicode
    normalisation (a quote pasted from a PDF or a web page), said in words; else ''."""
    hidden = sorted({c for c in quote if c in _INVISIBLE})
    if hidden:
        bare = "".join(c for c in quote if c not in _INVISIBLE)
        names = ", ".join(f"U+{ord(c):04X} ({_INVISIBLE[c]})" for c in hidden)
        if bare in text:
            return f"; it contains the invisible {names}, which the article does not: delete it"
        return f"; note it contains the invisible {names}"
    for form in ("NFC", "NFD"):
        if unicodedata.normalize(form, quote) in text:
            other = "NFD" if form == "NFC" else "NFC"
            return (
                f"; it matches only after Unicode normalisation (the quote is {other}, "
                f"the article {form}): retype the accented letters or copy them from the article"
            )
    return ""


def _read_context(
    claims_dir: Path, data_dir: Path, article_file: Path | None, problems: list[Problem]
) -> ClaimContext:
    article = None
    try:
        article = load_article(claims_dir)
    except ClaimsError as exc:
        problems.extend(exc.problems)
    snapshot: Snapshot | None = None
    store_dir = Path(data_dir) / "pubmed"
    try:
        snapshot = load_snapshot(store_dir)
    except SnapshotError as exc:  # one problem, not one per citation it would then lack
        problems.append(Problem(exc.file, exc.line, exc.field, exc.message))
    text_path = _article_text(article, claims_dir, article_file)
    text = None
    if text_path is not None:
        try:
            text = read_text(text_path, MAX_ARTICLE_BYTES, "article text")
        except InputError as exc:
            problems.append(Problem(exc.file, exc.line, "article", exc.message))
    return ClaimContext(article, snapshot, store_dir, text, text_path, claims_dir / PAPERS_FILE)


def _with_folder(context: ClaimContext, claims_dir: Path, problems: list[Problem]) -> None:
    """Add papers.yaml and the other claim files (read fast: an edit checks its claim against
    the papers they appraise; their own problems are validate's to list) to `context`."""
    context.papers, context.papers_located = load_papers(claims_dir, problems, quick=True)
    quick = (parse_remembered(Claim, p) for p in claim_files(claims_dir))
    context.others = [(c, located) for c, located in quick if c is not None]


def claim_context(
    claims_dir: str | os.PathLike[str], data_dir: str | os.PathLike[str]
) -> ClaimContext:
    """The article, snapshot and article text claims are checked against; ClaimsError if any
    of them is broken."""
    problems: list[Problem] = []
    context = _read_context(Path(claims_dir), Path(data_dir), None, problems)
    _with_folder(context, Path(claims_dir), problems)
    if problems:
        raise ClaimsError(problems)
    return context


def check_papers_text(text: str, context: ClaimContext) -> ClaimContext:
    """Validate `text` as papers.yaml would hold it, without writing anything: `context` with
    those appraisals; ClaimsError with every problem found."""
    problems: list[Problem] = []
    book, located = load_papers(context.papers_path.parent, problems, text, quick=True)
    if problems:
        raise ClaimsError(problems)
    return replace(context, papers=book, papers_located=located)


def _own_citations(claim: Claim) -> Claim:
    """A copy of `claim` whose citations (its own, and its parts') are copies: all that
    appraising changes (it sets their study fields), at a fraction of a deep copy's cost."""

    def cits(unit: Any) -> dict[str, Any]:
        return {"evidence": [c.model_copy() for c in unit.evidence]}

    parts = [p.model_copy(update=cits(p)) for p in claim.parts]
    return claim.model_copy(update={**cits(claim), "parts": parts})


def check_claim_text(path: str | os.PathLike[str], text: str, context: ClaimContext) -> Claim:
    """Validate `text` as the claim file `path` would hold it, against `context`, without
    writing anything; raise ClaimsError with every problem found."""
    path = Path(path)
    problems: list[Problem] = []
    claim, located = parse_file(Claim, path, problems, text)
    if claim is not None:
        check_claim_file(claim, located, problems)
        _check_in_context(claim, located, context, problems)
        # copies: appraising gives their citations study fields, and the context is reused
        others = [(_own_citations(c), at) for c, at in context.others if c.path != path]
        papers_path = context.papers_path or path.parent / PAPERS_FILE
        appraise(
            [*others, (claim, located)], context.papers, context.papers_located, problems,
            papers_path, only={str(path), str(papers_path)},
        )  # fmt: skip
    if problems:
        raise ClaimsError(problems)
    return claim


def validate_project(
    claims_dir: str | os.PathLike[str] = "claims",
    data_dir: str | os.PathLike[str] = "data",
    article_file: str | os.PathLike[str] | None = None,
) -> ValidatedClaims:
    """Load article, claims and snapshot and check they agree; raise ClaimsError otherwise.

    Checks, beyond `load_claims`: topics are those of `article.yaml`; every cited PMID/DOI/URL
    is in the snapshot `data_dir/pubmed`; every quote (and its section heading) is an exact
    substring of the article text, when that text is available (`article_file`, or the
    `text_file` named in article.yaml).
    """
    claims_dir = Path(claims_dir)
    problems: list[Problem] = []
    context = _read_context(
        claims_dir, Path(data_dir), Path(article_file) if article_file else None, problems
    )
    loaded, appraised = load_appraised(claims_dir, problems)
    for claim, located in loaded:
        _check_in_context(claim, located, context, problems)
    if problems:
        raise ClaimsError(problems)
    claims = graded(loaded)
    return ValidatedClaims(
        context.article, claims, context.snapshot, context.text_path, appraised.papers,
        appraised.warnings,
    )  # fmt: skip


Project = ValidatedClaims
"""The old name of `ValidatedClaims` (`claimbook.Project`), kept so existing code still runs."""
