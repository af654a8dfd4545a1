"""Loading the claims folder: `article.yaml` and the claim files, each checked on its own
and against the others (duplicate ids and slugs, a paper cited twice), every problem collected
into one `ClaimsError`. Loading never writes anything.

What needs the snapshot and the article's text is checked by `claimbook.claims.validate`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from claimbook.claims.appraisal import Appraisals, appraise, load_papers
from claimbook.claims.schema import (
    ARTICLE_FILE,
    PAPERS_FILE,
    REVIEWED_NEEDS,
    Claim,
    ReviewedArticle,
    claim_order,
)
from claimbook.claims.yaml_lines import Located, parse_file, problem_at
from claimbook.errors import ClaimbookError, Problem

__all__ = ["ClaimsError", "load_article", "load_claims"]


class ClaimsError(ClaimbookError):
    """Claims or snapshot failed to load or validate; `problems` lists every one found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        head = str(problems[0]) if problems else "invalid claims"
        more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(head + more)


def load_article(directory: str | os.PathLike[str]) -> ReviewedArticle:
    """Read `article.yaml` from a claims directory; raise ClaimsError when it is invalid."""
    path = Path(directory) / ARTICLE_FILE
    problems: list[Problem] = []
    if not path.exists():
        raise ClaimsError([Problem(str(path), 1, "file", "missing: every claims folder needs one")])
    article, _ = parse_file(ReviewedArticle, path, problems)
    if problems:
        raise ClaimsError(problems)
    return article


def claim_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.y*ml") if p.name not in (ARTICLE_FILE, PAPERS_FILE))


def load_records(directory: Path, problems: list[Problem]) -> list[tuple[Claim, Located]]:
    """Every claim file of `directory` that parses, as a record (not yet split into its parts)
    with where its fields are; the problems of each file and between files (a duplicate id or
    slug) are added to `problems`."""
    if not directory.is_dir():
        problems.append(Problem(str(directory), 1, "directory", "not found"))
        return []
    files = claim_files(directory)
    loaded = []
    for path in files:
        claim, located = parse_file(Claim, path, problems)
        if claim is not None:
            loaded.append((claim, located))
    first: dict[tuple[str, str], Path] = {}  # (field, value) -> first file with it
    for claim, located in loaded:
        where = str(claim.path)
        for field in ("id", "slug"):
            value = getattr(claim, field)
            if (field, value) in first:
                problems.append(
                    problem_at(
                        where,
                        located,
                        (field,),
                        f"duplicate {field} {value} (also in {first[field, value]})",
                    )
                )
            first.setdefault((field, value), claim.path)
        check_claim_file(claim, located, problems)
    return loaded


def load_appraised(
    directory: Path, problems: list[Problem]
) -> tuple[list[tuple[Claim, Located]], Appraisals]:
    """`load_records`, then each cited paper's appraisal from papers.yaml (or, in older claim
    files, from its citations) given to every citation of it; a conflict or a paper with no
    appraisal is a problem."""
    loaded = load_records(directory, problems)
    known = len(problems)
    book, located = load_papers(directory, problems)
    broken = len(problems) > known
    found = appraise(loaded, book, located, problems, directory / PAPERS_FILE, None, broken)
    return loaded, found


def units_at(claim: Claim) -> list[tuple[tuple[Any, ...], Claim]]:
    """Each graded claim of a record with where it sits in the file: ((), C01) for a whole
    record, (("parts", 0), C10a) ... for one in parts."""
    if not claim.parts:
        return [((), claim)]
    return [(("parts", i), unit) for i, unit in enumerate(claim.units())]


def check_claim_file(claim: Claim, located: Located, problems: list[Problem]) -> None:
    """Checks within one claim file: its name, no paper cited twice or cited and excluded (in
    the claim or in one part), and a reviewed record's parts each have a query and evidence."""
    where = str(claim.path)
    if not claim.path.stem.startswith(claim.id):
        problems.append(
            problem_at(
                where, located, ("id",), f"file name should start with the claim id {claim.id}"
            )
        )
    for at, unit in units_at(claim):
        if claim.parts and not claim.is_draft:
            for field, what in REVIEWED_NEEDS.items():
                if not getattr(unit, field):
                    message = (
                        f"a reviewed claim needs {what} in part {unit.part} (or set status: draft)"
                    )
                    problems.append(problem_at(where, located, (*at, field), message))
        cited: dict[str, int] = {}  # key -> where in evidence it is first cited
        for section in ("evidence", "excluded"):
            for i, cit in enumerate(getattr(unit, section)):
                first = cited.get(cit.key)
                if first is None:
                    if section == "evidence":
                        cited[cit.key] = i
                    continue
                again = (
                    f"cited twice (first at evidence[{first}])"
                    if section == "evidence"
                    else "both cited and excluded"
                )
                problems.append(
                    problem_at(where, located, (*at, section, i), f"{cit.key} is {again}")
                )


def graded(loaded: list[tuple[Claim, Located]]) -> list[Claim]:
    """The claims to grade, in order: whole records, and each part of a record in parts."""
    return sorted((u for c, _ in loaded for u in c.units()), key=claim_order)


def load_claims(directory: str | os.PathLike[str]) -> list[Claim]:
    """Load and validate every claim file in `directory`: the claims to grade, sorted by id (a
    record in parts gives one claim per part: C10a, C10b; see `Claim.units`).

    Raises ClaimsError listing every problem (syntax, unknown/missing fields, types, duplicate
    ids, bad stance/design, malformed PMID/DOI, a paper appraised differently in two places or
    not at all). Each citation carries its paper's appraisal (papers.yaml). Cross-checks
    against the snapshot and the article are done by `validate_project`.
    """
    problems: list[Problem] = []
    loaded, _ = load_appraised(Path(directory), problems)
    if problems:
        raise ClaimsError(problems)
    return graded(loaded)
