"""A refresh verifies before it replaces: does PubMed's record describe the paper that was curated?

`compare` checks the title (normalised, fuzzy), the first author's surname, the year (±1) and
the DOI of a curated record against the one efetch returned for the same PMID, and returns a
`Mismatch` per field that disagrees. A record with any mismatch has *drifted* from the curated
one: that is **drift** (`Drift`), the one name in the code for it (the CLI tells the user that
PubMed's record "disagrees with the curated one"). Drift is not applied: it is kept in the
drift file, `data/pubmed/pending.jsonl` (the file's name is the data on disk, kept), until a
refresh agrees or `claimbook fetch --accept-changes` applies it (`sync.accept_drift`).
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from rapidfuzz import fuzz

from claimbook.files import atomic_write, writing
from claimbook.ids import key_sort
from claimbook.pubmed.store import (
    PENDING_FILE,
    PaperRecord,
    SnapshotError,
    read_lines,
    snapshot_writes,
)

__all__ = [
    "FIELDS",
    "PENDING_FILE",
    "TITLE_THRESHOLD",
    "Drift",
    "Mismatch",
    "compare",
    "load_drift",
    "normalise_title",
    "surname_key",
]

FIELDS = ("title", "first_author", "year", "doi")
FIELD_LABELS = {"title": "title", "first_author": "first author", "year": "year", "doi": "DOI"}

# Titles agree when rapidfuzz's normalised Indel similarity of the normalised titles is at least
# this. Curated and PubMed titles of the same paper differ by a few characters at most once case,
# markup and punctuation are gone ("β" vs "beta", a British spelling, a hyphen): 90 leaves room
# for about one differing character in twenty. Two different papers, even on the same topic,
# score lower: among the 169 records of the two shipped reviews the closest pair of distinct
# titles (two trials of one supplement in one population, one title a question, the other "The
# effect of ..." on the same words) scores 83.
TITLE_THRESHOLD = 90.0
# A paper's e-pub and print years may differ by one (December e-pub, January issue).
YEAR_TOLERANCE = 1

_TAG = re.compile(r"<[^>]+>")
_NOT_WORD = re.compile(r"[\W_]+")
_INITIALS = re.compile(r"^[A-Z]{1,4}$")
_SUFFIXES = frozenset({"jr", "sr", "2nd", "3rd", "4th", "ii", "iii", "iv"})


@dataclass(frozen=True)
class Mismatch:
    """One field on which the curated record and PubMed's record disagree: a part of a `Drift`
    (which holds one Mismatch per differing field), not a second name for it."""

    field: str
    curated: str | int | None
    fetched: str | int | None

    @property
    def label(self) -> str:
        """The field's name in plain words ('first author', 'DOI')."""
        return FIELD_LABELS.get(self.field, self.field)

    def to_dict(self) -> dict:
        """A JSON-ready dict: field, curated, fetched."""
        return {"field": self.field, "curated": self.curated, "fetched": self.fetched}


@dataclass(frozen=True)
class Drift:
    """Drift: PubMed's record of a curated paper that differs from the curated record in the
    snapshot (`mismatches`, one per field), kept in the drift file and not applied until the
    reviewer accepts it."""

    pmid: str
    fetched: PaperRecord
    mismatches: list[Mismatch]

    @property
    def fields(self) -> list[str]:
        """The fields that disagree, in FIELDS order."""
        return [m.field for m in self.mismatches]


def _plain(text: str) -> str:
    """Accents removed (NFKD, combining marks dropped) and case folded."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def normalise_title(title: str) -> str:
    """A title reduced for comparison: no tags, accents, case, punctuation or extra spaces."""
    return " ".join(_NOT_WORD.sub(" ", _plain(_TAG.sub(" ", title))).split())


def surname_key(author: str | None) -> str | None:
    """The surname of 'Eriksson Crommert M' ('erikssoncrommert'), accents, case and punctuation
    removed; a collective name whole. None for no author."""
    if not author:
        return None
    words = author.split()
    while len(words) > 1 and words[-1].casefold().rstrip(".") in _SUFFIXES:
        words.pop()
    if len(words) > 1 and _INITIALS.match(words[-1]):
        words.pop()
    return _NOT_WORD.sub("", _plain(" ".join(words))) or None


def titles_agree(a: str, b: str) -> bool:
    """True when two titles name the same paper (see TITLE_THRESHOLD)."""
    return fuzz.ratio(normalise_title(a), normalise_title(b)) >= TITLE_THRESHOLD


def compare(curated: PaperRecord, fetched: PaperRecord) -> list[Mismatch]:
    """The fields on which `fetched` (PubMed's record) disagrees with `curated`, in FIELDS order.

    A field missing on either side (no authors, no year, no DOI) is not a disagreement.
    """
    out = []
    if not titles_agree(curated.title, fetched.title):
        out.append(Mismatch("title", curated.title, fetched.title))
    a, b = surname_key(curated.first_author), surname_key(fetched.first_author)
    if a and b and a != b:
        out.append(Mismatch("first_author", curated.first_author, fetched.first_author))
    if curated.year and fetched.year and abs(curated.year - fetched.year) > YEAR_TOLERANCE:
        out.append(Mismatch("year", curated.year, fetched.year))
    if curated.doi and fetched.doi and curated.doi.lower() != fetched.doi.lower():
        out.append(Mismatch("doi", curated.doi, fetched.doi))
    return out


# --------------------------------------------------------------------------- the drift file
# PENDING_FILE (pending.jsonl) is the drift file: one JSON object per line, `pmid`, `mismatches`
# (`field`, `curated`, `fetched`) and the fetched `record`.


def load_drift(store_dir: str | os.PathLike[str]) -> dict[str, Drift]:
    """The drift not yet accepted, by PMID, read from the drift file (empty when none)."""
    path = Path(store_dir) / PENDING_FILE
    out: dict[str, Drift] = {}
    for lineno, line in read_lines(path):
        if line.strip():
            drift = _drift_from_line(path, lineno, line)
            out[drift.pmid] = drift
    return out


def _drift_from_line(path: Path, lineno: int, line: str) -> Drift:
    try:
        data = json.loads(line)
        record = PaperRecord.model_validate(data["record"])
        mismatches = [
            Mismatch(m["field"], m.get("curated"), m.get("fetched")) for m in data["mismatches"]
        ]
    except json.JSONDecodeError as exc:
        raise SnapshotError(path, lineno, "json", f"invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise SnapshotError(path, lineno, "json", "nested too deep") from None
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(["record", *(str(p) for p in err["loc"])])
        raise SnapshotError(path, lineno, field, err["msg"]) from None
    except (KeyError, TypeError) as exc:
        raise SnapshotError(path, lineno, "record", f"not a pending record ({exc})") from None
    if not record.pmid:
        raise SnapshotError(path, lineno, "record.pmid", "a pending record needs a PMID")
    return Drift(record.pmid, record, mismatches)


def drift_file(drift: dict[str, Drift]) -> bytes | None:
    """The bytes of the drift file for `drift` (None when no drift is left)."""
    if not drift:
        return None
    lines = []
    for pmid in sorted(drift, key=key_sort):
        d = drift[pmid]
        data = {
            "pmid": pmid,
            "mismatches": [m.to_dict() for m in d.mismatches],
            "record": d.fetched.model_dump(mode="json"),
        }
        lines.append(json.dumps(data, ensure_ascii=False) + "\n")
    return "".join(lines).encode("utf-8")


def save_drift(store_dir: str | os.PathLike[str], drift: dict[str, Drift]) -> None:
    """Write the drift file atomically (the caller holds the store's lock); no drift left
    removes the file. SnapshotWriteError when it cannot be written."""
    path = Path(store_dir) / PENDING_FILE
    data = drift_file(drift)
    with snapshot_writes():
        if data is None:
            with writing(path):
                path.unlink(missing_ok=True)
        else:
            atomic_write(path, data)
