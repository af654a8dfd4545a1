"""`claimbook migrate`: a claims folder that keeps each paper's study fields (design, n, risk of
bias ...) on every citation made into one that keeps them once per paper, in papers.yaml.

All or nothing, under the claims folder's lock: the folder is loaded and checked first (papers
appraised differently in two places are refused, each conflict listed, every file left as it
was), every file is rewritten in memory with the round-trip YAML (comments and order survive),
the folder as it would be is loaded again and must give every citation the same appraisal, and
only then are all the files written together.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml.comments import CommentedMap

from claimbook.claims.appraisal import appraise, citation_places, load_papers
from claimbook.claims.load import claim_files, load_appraised
from claimbook.claims.schema import PAPERS_FILE, STUDY_FIELDS, Claim
from claimbook.claims.yaml_lines import parse_file
from claimbook.edit.appraisals import PapersDoc, move_study_fields
from claimbook.edit.claim_files import (
    EditError,
    folder_of,
    locked,
    read_papers,
    refuse,
    write_all,
)
from claimbook.edit.round_trip import dump, yaml_for
from claimbook.errors import Problem
from claimbook.folder import PathLike, ReviewFolder
from claimbook.inputs import MAX_YAML_BYTES, read_text

__all__ = ["Migration", "migrate"]


@dataclass
class Migration:
    """What `migrate` did (or, dry, would do): the papers whose appraisal moved into
    papers.yaml, the claim files it was taken from, and whether anything was written."""

    papers_file: Path
    papers: list[str] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    written: bool = False

    def summary(self) -> str:
        """'Moved the appraisal of 61 papers from 17 claim files into claims/papers.yaml', or
        'nothing to migrate ...'."""
        if not self.files:
            return f"Nothing to migrate: {self.papers_file} already keeps every appraisal."
        n, m = len(self.papers), len(self.files)
        what = (
            f"the appraisal of {n} paper{'s' if n != 1 else ''} from {m} claim "
            f"file{'s' if m != 1 else ''} into {self.papers_file}"
        )
        if self.written:
            return f"Moved {what}."
        return f"Would move {what}; nothing written (--dry-run)."


def _loaded(claims_dir: Path) -> tuple[dict[tuple[str, str], tuple], bool]:
    """Every citation's appraisal as the folder gives it now, by (file, field), and whether any
    citation keeps study fields; EditError listing every problem (each conflict among them)
    when the folder does not load."""
    problems: list[Problem] = []
    loaded, found = load_appraised(claims_dir, problems)
    if problems:
        raise EditError(problems)
    return {
        (str(c.path), place.field()): tuple(getattr(cit, f) for f in STUDY_FIELDS)
        for c, located in loaded
        for place, cit in citation_places(c, located)
    }, found.old_format


def _citations(doc: CommentedMap) -> list[CommentedMap]:
    """Every citation mapping of a claim file's YAML (a record's, or each part's)."""
    units = [p for p in doc.get("parts") or [] if isinstance(p, dict)] or [doc]
    return [c for u in units for c in u.get("evidence") or [] if isinstance(c, dict)]


def _key(cit: CommentedMap) -> set[str]:
    if cit.get("pmid"):
        return {str(cit["pmid"])}
    if cit.get("doi"):
        return {"doi:" + str(cit["doi"]).lower()}
    return {"url:" + str(cit.get("url"))}


def _moved(claims_dir: Path, papers: PapersDoc) -> tuple[dict[Path, str], list[str]]:
    """The new text of every claim file that keeps study fields, and the keys of the papers
    whose appraisal moved; papers.yaml gets an entry for each paper it lacks."""
    texts: dict[Path, str] = {}
    moved: list[str] = []
    for path in claim_files(claims_dir):
        text = read_text(path, MAX_YAML_BYTES, "claim file")
        yaml = yaml_for(text)
        doc = yaml.load(text)
        for cit in _citations(doc):
            if not any(name in cit for name in STUDY_FIELDS):
                continue
            keys = _key(cit)
            entry = papers.find(keys)
            if entry is None:
                entry = papers.add(cit.get("pmid"), cit.get("doi"), cit.get("url"))
            move_study_fields(cit, entry)
            if min(keys) not in moved:
                moved.append(min(keys))
        new = dump(yaml, doc)
        if new != text:
            texts[path] = new
    return texts, moved


def _check(claims_dir: Path, texts: dict[Path, str], before: dict) -> None:
    """Load the folder as it would be after the migration: it must load, and give every
    citation the appraisal it had before; EditError (nothing written) otherwise."""
    problems: list[Problem] = []
    records = []
    for path in claim_files(claims_dir):
        claim, located = parse_file(Claim, path, problems, texts.get(path))
        if claim is not None:
            records.append((claim, located))
    papers_path = claims_dir / PAPERS_FILE
    book, located = load_papers(claims_dir, problems, texts[papers_path])
    found = appraise(records, book, located, problems, papers_path)
    if problems:
        raise EditError(problems)
    after = {
        (str(c.path), place.field()): tuple(getattr(cit, f) for f in STUDY_FIELDS)
        for c, at in records
        for place, cit in citation_places(c, at)
    }
    changed = sorted(k for k in before if after.get(k) != before[k])
    if changed or found.old_format:
        file, where = changed[0] if changed else (str(claims_dir), "evidence")
        raise refuse(file, where, "the migration would change this citation's appraisal; "
                     "nothing was written (please report this)")  # fmt: skip


def migrate(project: PathLike | ReviewFolder, dry_run: bool = False) -> Migration:
    """Move the study fields of every citation into papers.yaml, one entry per paper, and
    write every changed file together (or, `dry_run`, nothing). Refused, with every file as it
    was, when two places appraise a paper differently: each conflict is listed; make them
    agree and run it again. Running it again when nothing is left to move does nothing."""
    folder = folder_of(project)
    with locked(folder.claims):
        before, old_format = _loaded(folder.claims)
        papers = read_papers(folder)
        result = Migration(folder.claims / PAPERS_FILE)
        if not old_format:
            return result
        texts, result.papers = _moved(folder.claims, papers)
        texts[papers.path] = papers.dump()
        _check(folder.claims, texts, before)
        result.files = sorted(p for p in texts if p != papers.path)
        if not dry_run:
            write_all(texts)
            result.written = True
    return result
