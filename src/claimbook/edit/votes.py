"""Screening votes, one reviewer at a time: who decided what about a saved hit, at which stage.

`claimbook screen CLAIM_ID PMID include|exclude --reviewer NAME` records a vote in
`DIR/data/screening/CLAIM_ID.json` (atomically, under the folder's lock); a later vote of the
same reviewer on the same paper and stage replaces the earlier one as the *final* vote, the one
agreement and PRISMA count (Covidence's convention: only final votes count). Votes never change
a claim file: the decision grading uses is the claim's `evidence:` and `excluded:`, which the
reviewers settle with `claimbook cite` / `claimbook exclude` once `claimbook conflicts` has
listed where they disagree.

A paper read in full and found wanting is settled in one step: `exclude_after_full_text`
(`claimbook exclude CLAIM_ID PAPER --reason TEXT --full-text --reviewer NAME`) records the
reviewer's full-text exclude vote and screens the paper out of the claim, both or neither.

Screening is blind: until every reviewer who screens a claim has voted on each of its saved
hits (at title and abstract), `visible_votes` shows a reviewer only their own votes.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from claimbook.claims.schema import Claim, normal_id
from claimbook.edit.citations import exclude
from claimbook.edit.claim_files import folder_of, refuse, typed
from claimbook.edit.papers import parsed
from claimbook.edit.screening import load_hits
from claimbook.files import atomic_write, lock, write_text
from claimbook.folder import PathLike, ReviewFolder
from claimbook.ids import citation_key
from claimbook.inputs import MAX_JSON_BYTES, InputError, read_text
from claimbook.vocab import DECISIONS, FULL_TEXT, STANCES, TITLE_ABSTRACT

STAGES: tuple[str, ...] = (TITLE_ABSTRACT, FULL_TEXT)
VOTES_DIR = "screening"


@dataclass(frozen=True)
class Vote:
    """One reviewer's decision on one paper of a claim, at one stage (with a stance, if any)."""

    reviewer: str
    key: str
    stage: str
    decision: str
    reason: str | None = None
    stance: str | None = None
    at: str = ""


def votes_path(project: PathLike | ReviewFolder, claim_id: str) -> Path:
    return folder_of(project).data / VOTES_DIR / f"{normal_id(claim_id)}.json"


def load_votes(project: PathLike | ReviewFolder, claim_id: str) -> list[Vote]:
    """Every vote recorded on the claim, oldest first ([] when none)."""
    path = votes_path(project, claim_id)
    if not path.is_file():
        return []
    text = read_text(path, MAX_JSON_BYTES, "screening votes")
    try:
        return [Vote(**v) for v in json.loads(text)["votes"]]
    except json.JSONDecodeError as exc:
        raise InputError(path, exc.lineno, "json", f"invalid JSON ({exc.msg})") from None
    except (KeyError, TypeError, AttributeError):
        raise InputError(path, 1, "votes", "not a file of votes claimbook wrote") from None


def final_votes(votes: list[Vote]) -> dict[tuple[str, str, str], Vote]:
    """(reviewer, paper key, stage) -> the reviewer's last vote there."""
    return {(v.reviewer, v.key, v.stage): v for v in votes}


def record_vote(
    project: PathLike | ReviewFolder, claim_id: str, ident: str, reviewer: str, decision: str,
    *, stage: str = TITLE_ABSTRACT, reason: str | None = None, stance: str | None = None,
) -> Vote:  # fmt: skip
    """Record `reviewer`'s vote on a saved hit of the claim; refuse (EditError, nothing written)
    a paper not among its saved hits, an unknown decision, stage or stance, an exclusion
    without a reason, or a name or reason with a control character."""
    folder = folder_of(project)
    path = votes_path(folder, claim_id)
    reviewer = reviewer.strip()
    typed(path, reviewer=reviewer, reason=reason)
    if len(reviewer) < 2 or "\n" in reviewer:
        raise refuse(path, "reviewer", "give your name (two characters or more, one line)")
    if decision not in DECISIONS or stage not in STAGES:
        raise refuse(path, "decision", f"{decision!r} at {stage!r}: use include or exclude, at "
                     f"{' or '.join(STAGES)}")  # fmt: skip
    if decision == "exclude" and not (reason and len(reason.strip()) >= 5):
        raise refuse(path, "reason", "an exclusion needs a reason (five characters or more)")
    if stance is not None and stance not in STANCES:
        raise refuse(path, "stance", f"{stance!r} is not one of {', '.join(STANCES)}")
    pmid, doi = parsed(ident, path)
    key = citation_key(pmid, doi)
    saved = load_hits(folder, claim_id)
    if saved is None or key not in {r.key for r in saved.records}:
        raise refuse(path, "paper", f"{ident} is not among {normal_id(claim_id)}'s saved hits "
                     f"(run claimbook search {normal_id(claim_id)} --save)")  # fmt: skip
    vote = Vote(reviewer, key, stage, decision, reason and reason.strip(), stance,
                datetime.now(UTC).isoformat(timespec="seconds"))  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    with lock(path.parent):
        votes = [*load_votes(folder, claim_id), vote]
        body = {"claim": normal_id(claim_id), "votes": [asdict(v) for v in votes]}
        write_text(path, json.dumps(body, indent=1, ensure_ascii=False) + "\n")
    return vote


def exclude_after_full_text(
    project: PathLike | ReviewFolder, claim_id: str, ident: str, reviewer: str, reason: str
) -> tuple[Vote, Claim]:
    """Exclude a paper read in full, in one step: `reviewer`'s full-text exclude vote (the
    paper must be a saved hit of the claim) and the claim file's `excluded:` entry, with the
    same reason. Both or neither: when the exclusion is refused, the votes file is put back
    byte for byte."""
    folder = folder_of(project)
    path = votes_path(folder, claim_id)
    before = path.read_bytes() if path.is_file() else None
    vote = record_vote(folder, claim_id, ident, reviewer, "exclude", stage=FULL_TEXT,
                       reason=reason)  # fmt: skip
    try:
        claim = exclude(folder, claim_id, ident, reason)
    except BaseException:
        with lock(path.parent):
            if before is None:
                path.unlink(missing_ok=True)
            else:
                atomic_write(path, before)
        raise
    return vote, claim


def reviewers(votes: list[Vote]) -> list[str]:
    """The reviewers who voted, in the order they first did."""
    return list(dict.fromkeys(v.reviewer for v in votes))


def blind_done(project: PathLike | ReviewFolder, claim_id: str) -> bool:
    """Whether every reviewer of the claim has voted on each saved hit at title and abstract
    (and there are two of them at least): until then screening stays blind."""
    votes = load_votes(project, claim_id)
    saved = load_hits(project, claim_id)
    names = reviewers(votes)
    if saved is None or len(names) < 2:
        return False
    final = final_votes(votes)
    keys = {r.key for r in saved.records}
    return all((n, k, TITLE_ABSTRACT) in final for n in names for k in keys)


def visible_votes(project: PathLike | ReviewFolder, claim_id: str, reviewer: str) -> list[Vote]:
    """The final votes `reviewer` may see: their own, and the others' once all are done."""
    final = final_votes(load_votes(project, claim_id)).values()
    if blind_done(project, claim_id):
        return list(final)
    return [v for v in final if v.reviewer == reviewer]


@dataclass(frozen=True)
class Conflict:
    """A paper two reviewers decided differently (inclusion, or stance), with both votes."""

    key: str
    stage: str
    what: str  # "inclusion" or "stance"
    votes: tuple[Vote, ...]


def conflicts(project: PathLike | ReviewFolder, claim_id: str) -> list[Conflict]:
    """Where the final votes disagree, paper by paper (empty while screening is blind)."""
    if not blind_done(project, claim_id):
        return []
    by_paper: dict[tuple[str, str], list[Vote]] = {}
    for v in final_votes(load_votes(project, claim_id)).values():
        by_paper.setdefault((v.key, v.stage), []).append(v)
    out = []
    for (key, stage), votes in by_paper.items():
        if len({v.decision for v in votes}) > 1:
            out.append(Conflict(key, stage, "inclusion", tuple(votes)))
        elif len({v.stance for v in votes if v.stance}) > 1:
            out.append(Conflict(key, stage, "stance", tuple(votes)))
    return out


def flow_inputs(project: PathLike | ReviewFolder, claim) -> tuple[list, list, set, set]:
    """What `evidence.prisma.count_flow` counts for a claim, besides the claim itself: its saved
    search runs and records, the papers a reviewer voted in at title and abstract, and those
    voted on in full (final votes). No saved search: ([], [], set(), set())."""
    saved = load_hits(project, claim.id)
    if saved is None:
        return [], [], set(), set()
    final = final_votes(load_votes(project, claim.id)).values()
    sought = {v.key for v in final if v.stage == TITLE_ABSTRACT and v.decision == "include"}
    full_text = {v.key for v in final if v.stage == FULL_TEXT}
    return saved.searches, saved.records, sought, full_text


def vote_pairs(votes: list[Vote], what: str) -> tuple[list[str], list[tuple[str, str]]]:
    """The first two reviewers and, for each paper both decided, their two final answers:
    `what` "inclusion" (title-and-abstract decisions) or "stance" (the last stance each gave)."""
    names = reviewers(votes)[:2]
    if len(names) < 2:
        return names, []
    answers: dict[str, dict[str, str]] = {n: {} for n in names}
    for v in votes:  # oldest first: a later vote replaces an earlier one
        if v.reviewer not in answers:
            continue
        if what == "inclusion" and v.stage == TITLE_ABSTRACT:
            answers[v.reviewer][v.key] = v.decision
        elif what == "stance" and v.stance:
            answers[v.reviewer][v.key] = v.stance
    a, b = answers[names[0]], answers[names[1]]
    return names, [(a[k], b[k]) for k in a if k in b]
