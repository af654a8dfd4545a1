"""What changed between two builds of a review: `review.json` and its diff.

Every report build writes `review.json` beside the report: per claim the verdict, certainty,
plain statement, sign-off and citations with their stances and alerts, plus a hash of the
snapshot. `diff_reviews(old, new)` lists what changed claim by claim, so every verdict change
comes with the citation changes beside it; `claimbook diff` prints it and the report shows it as
"Changes since the last review". The file holds no build time, so rebuilding the same review
gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError

from claimbook.errors import ClaimbookError
from claimbook.evidence.review import Review
from claimbook.evidence.table import by_claim
from claimbook.inputs import InputError, read_capped
from claimbook.pubmed.store import dump_records
from claimbook.pubmed.watch import KINDS, flags

__all__ = [
    "REVIEW_JSON",
    "ClaimChange",
    "ReviewDiff",
    "ReviewJSONError",
    "diff_reviews",
    "load_review_json",
    "review_record",
]

REVIEW_JSON = "review.json"
FORMAT = 1
MAX_BYTES = 64 * 2**20  # a review of 100 claims and 5,000 citations writes about 2 MB
MAX_DEPTH = 16  # review.json nests 5 deep (claims > C01 > citations > [0] > key)
_ALERT_WORDS = {
    "retracted": "is now retracted (no longer counted)",
    "concern": "is now under an expression of concern",
    "corrected": "has been corrected (erratum)",
}


class ReviewJSONError(ClaimbookError, ValueError):
    """A review.json that cannot be read: the message names the file and what is wrong."""


def snapshot_hash(review: Review) -> str:
    """SHA-256 of the snapshot's records in their canonical form (not of the file's bytes)."""
    return hashlib.sha256(dump_records(review.snapshot).encode("utf-8")).hexdigest()


def _value(x: Any) -> Any:
    """A table cell as JSON holds it: missing (None, NaN, NA, '') becomes None."""
    return None if x is None or x == "" or (not isinstance(x, str) and pd.isna(x)) else x


def _citations(review: Review, rows: pd.DataFrame) -> list[dict[str, Any]]:
    """A claim's citations (`rows`: its rows of the evidence table) as review.json holds them."""
    out = []
    for r in rows.itertuples():
        rec = review.snapshot.get(r.key)
        raised = flags(rec)
        out.append({
            "key": r.key, "pmid": _value(r.pmid), "doi": _value(r.doi),
            "first_author": _value(r.first_author),
            "year": None if pd.isna(r.year) else int(r.year),
            "design": r.design, "stance": r.stance, **{k: k in raised for k in KINDS},
        })  # fmt: skip
    return out


def review_record(review: Review) -> dict[str, Any]:
    """The review as `review.json` holds it (see the module docstring)."""
    claims = {}
    groups, empty = by_claim(review.table), review.table.iloc[0:0]
    by_id = review.verdicts.set_index("claim_id")
    for claim in review.claims:
        v = by_id.loc[claim.id]
        s = claim.signoff
        claims[claim.id] = {
            "title": claim.title,
            "record": claim.record_id,
            "verdict": v["verdict"],
            "certainty": v["certainty"],
            "statement": v["statement"],
            "status": claim.status,
            "signoff": None if s is None else {
                "reviewer": s.reviewer, "date": s.date.isoformat(), "note": s.note,
            },
            "citations": _citations(review, groups.get(claim.id, empty)),
        }  # fmt: skip
    return {
        "claimbook_review": FORMAT,
        "article": {"title": review.article.title, "reviewed": review.article.reviewed.isoformat()},
        "snapshot": {"sha256": snapshot_hash(review), "records": len(review.snapshot)},
        "claims": claims,
    }


def review_json_text(record: dict[str, Any]) -> str:
    """`review.json`'s text: stable key order, two-space indent, a final newline."""
    return json.dumps(record, ensure_ascii=False, indent=2) + "\n"


class _Shape(BaseModel):
    """A part of review.json, checked strictly (no number for a string, no true for a number);
    fields a later claimbook may add are ignored."""

    model_config = ConfigDict(extra="ignore", strict=True)


class _Citation(_Shape):
    key: str
    stance: str
    pmid: str | None = None
    doi: str | None = None
    first_author: str | None = None
    year: int | None = None
    design: str | None = None
    retracted: bool = False
    concern: bool = False
    corrected: bool = False


class _Signoff(_Shape):
    reviewer: str
    date: str
    note: str | None = None


class _Claim(_Shape):
    title: str = ""
    record: str | None = None
    verdict: str | None = None
    certainty: str | None = None
    statement: str | None = None
    status: str | None = None
    signoff: _Signoff | None = None
    citations: list[_Citation] = []


class _Snapshot(_Shape):
    sha256: str | None = None
    records: int | None = None


class _ReviewFile(_Shape):
    claimbook_review: int
    snapshot: _Snapshot = _Snapshot()
    claims: dict[str, _Claim]


_EXPECTED = {
    "string_type": "expected text",
    "int_type": "expected a whole number",
    "bool_type": "expected true or false",
    "list_type": "expected a list",
    "dict_type": "expected an object",
    "model_type": "expected an object",
    "model_attributes_type": "expected an object",
    "missing": "missing",
}


def _where(loc: tuple[Any, ...]) -> str:
    """('claims', 'C01', 'citations', 0, 'key') -> 'claims.C01.citations[0].key'."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else str(part)
    return out


def _too_deep(data: Any, limit: int) -> bool:
    """Whether `data` nests lists and objects more than `limit` deep (walked without
    recursion, so a deep file cannot overflow the stack)."""
    stack = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > limit:
                return True
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
    return False


def load_review_json(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a `review.json` written by a report build; ReviewJSONError names what is wrong.

    The file is read with a bounded read (at most MAX_BYTES), its nesting is checked (at most
    MAX_DEPTH) and so is its shape, so a wrong file is one line of error, not a hang or a crash.
    """
    path = Path(path)
    try:
        if not path.exists():
            raise ReviewJSONError(f"{path}: no such file")
        data = json.loads(read_capped(path, MAX_BYTES, "review.json").decode("utf-8"))
    except InputError as exc:
        raise ReviewJSONError(f"{exc.file}: {exc.message}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReviewJSONError(f"{path}: cannot read: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ReviewJSONError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    except RecursionError:
        raise ReviewJSONError(_deep(path)) from None
    except ValueError as exc:  # e.g. a number of more than 4,300 digits
        raise ReviewJSONError(f"{path}: not valid JSON: {str(exc).split(';')[0]}") from None
    version = data.get("claimbook_review") if isinstance(data, dict) else None
    if type(version) is not int:  # not isinstance: true is not a format number
        raise ReviewJSONError(
            f"{path}: not a claimbook review.json (written next to the report by claimbook report)"
        )
    if version != FORMAT:
        raise ReviewJSONError(
            f"{path}: claimbook_review: format {str(version)[:9]} is not the one this "
            f"claimbook reads ({FORMAT}); rebuild the report with this version"
        )
    if not isinstance(data.get("claims"), dict):
        raise ReviewJSONError(f"{path}: claims: missing or not a mapping of claim ids")
    if _too_deep(data, MAX_DEPTH):
        raise ReviewJSONError(_deep(path))
    try:
        _ReviewFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        what = _EXPECTED.get(first["type"], first["msg"])
        raise ReviewJSONError(
            f"{path}: {_where(first['loc'])}: {what} (not the shape of a review.json)"
        ) from None
    return data


def _deep(path: Path) -> str:
    return f"{path}: nested more than {MAX_DEPTH} levels deep; not a claimbook review.json"


# --------------------------------------------------------------------------- the diff


@dataclass
class ClaimChange:
    """What changed for one claim: its verdict and certainty (old, new) when they changed, and
    one plain line per other change (citations, stances, alerts, sign-off)."""

    claim_id: str
    title: str
    verdict: tuple[str, str] | None = None
    certainty: tuple[str, str] | None = None
    notes: list[str] = field(default_factory=list)
    kind: str = "changed"  # "added", "removed" or "changed"

    @property
    def summary(self) -> str:
        """'Title: verdict contested → supported; certainty very low → low' (no claim id)."""
        if self.kind != "changed":
            return f"{self.title}: {self.kind}"
        moves = [f"{what} {pair[0]} → {pair[1]}"
                 for what, pair in (("verdict", self.verdict), ("certainty", self.certainty))
                 if pair]  # fmt: skip
        return f"{self.title}: {'; '.join(moves)}" if moves else self.title

    @property
    def headline(self) -> str:
        """'C03 · Title: verdict contested → supported; certainty very low → low'."""
        return f"{self.claim_id} · {self.summary}"

    @property
    def details(self) -> list[str]:
        """Each change beside the verdict; a verdict that moved with no citation change says
        the grading rules or the appraisal moved it."""
        if (self.verdict or self.certainty) and not self.notes:
            return ["no citation changed: the grading rules or the papers' appraisal did"]
        return list(self.notes)

    def lines(self) -> list[str]:
        """The headline, then each detail, indented."""
        return [self.headline, *(f"  {d}" for d in self.details)]


@dataclass
class ReviewDiff:
    """Every change between two builds, claim by claim, and whether the snapshot changed."""

    claims: list[ClaimChange]
    snapshot: tuple[str, str] | None = None  # (old hash, new hash) when it changed

    def __bool__(self) -> bool:
        return bool(self.claims or self.snapshot)

    @property
    def verdict_changes(self) -> list[ClaimChange]:
        return [c for c in self.claims if c.verdict]

    def counts_in_words(self) -> str:
        """'1 claim changed, no verdict changed', '3 claims changed, 2 verdicts changed'."""
        n, v = len(self.claims), len(self.verdict_changes)
        verdicts = "no verdict changed" if not v else f"{v} verdict{'' if v == 1 else 's'} changed"
        return f"{n} claim{'' if n == 1 else 's'} changed, {verdicts}"

    def text(self) -> str:
        """The diff in plain words, as `claimbook diff` prints it."""
        if not self:
            return "No changes: same verdicts, certainty, citations and sign-offs."
        out = []
        if self.snapshot:
            old, new = self.snapshot
            out.append(f"Snapshot changed (records hash {old[:12]} → {new[:12]}).")
        out.append(f"{self.counts_in_words()}.")
        for change in self.claims:
            out += ["", *change.lines()]
        return "\n".join(out)


def _paper(c: dict) -> str:
    """'PMID 123 (Smith 2019)' or 'doi:10.1/x (Smith 2019)'."""
    ident = f"PMID {c['pmid']}" if c.get("pmid") else c["key"]
    who = " ".join(str(x) for x in (c.get("first_author"), c.get("year")) if x)
    return f"{ident} ({who})" if who else ident


def _signoff_note(old: dict | None, new: dict | None) -> str | None:
    if old == new:
        return None
    if new is None:
        return f"sign-off by {old['reviewer']} removed (back to draft)"
    return f"signed off by {new['reviewer']} on {new['date']}"


def _claim_change(cid: str, old: dict, new: dict) -> ClaimChange | None:
    change = ClaimChange(cid, new.get("title", cid))
    if old.get("verdict") != new.get("verdict"):
        change.verdict = (old.get("verdict"), new.get("verdict"))
    if old.get("certainty") != new.get("certainty"):
        change.certainty = (old.get("certainty"), new.get("certainty"))
    before = {c["key"]: c for c in old.get("citations", [])}
    after = {c["key"]: c for c in new.get("citations", [])}
    both = [k for k in after if k in before]
    change.notes += [
        f"{_paper(after[k])} {words}"
        for k in both for kind, words in _ALERT_WORDS.items()
        if after[k].get(kind) and not before[k].get(kind)
    ]  # fmt: skip
    change.notes += [f"now cites {_paper(c)}: {c['stance']}" for k, c in after.items()
                     if k not in before]  # fmt: skip
    change.notes += [f"no longer cites {_paper(c)} (was {c['stance']})" for k, c in before.items()
                     if k not in after]  # fmt: skip
    change.notes += [
        f"{_paper(after[k])}: stance {before[k]['stance']} → {after[k]['stance']}"
        for k in both if before[k]["stance"] != after[k]["stance"]
    ]  # fmt: skip
    signed = _signoff_note(old.get("signoff"), new.get("signoff"))
    if signed:
        change.notes.append(signed)
    if change.verdict or change.certainty or change.notes:
        return change
    return None


def diff_reviews(old: dict[str, Any], new: dict[str, Any]) -> ReviewDiff:
    """Claim by claim, what changed from `old` to `new` (two `review_record` dicts)."""
    before, after = old["claims"], new["claims"]
    changes: list[ClaimChange] = []
    for cid in sorted(before.keys() | after.keys(), key=_order(before, after)):
        if cid not in before:
            changes.append(ClaimChange(cid, after[cid].get("title", cid), kind="added"))
        elif cid not in after:
            changes.append(ClaimChange(cid, before[cid].get("title", cid), kind="removed"))
        else:
            change = _claim_change(cid, before[cid], after[cid])
            if change:
                changes.append(change)
    hashes = (old.get("snapshot", {}).get("sha256"), new.get("snapshot", {}).get("sha256"))
    return ReviewDiff(changes, hashes if hashes[0] != hashes[1] else None)


def _order(before: dict, after: dict):
    """Claims in the new build's order, then those only the old build had."""
    seen = list(after) + [c for c in before if c not in after]
    return seen.index
