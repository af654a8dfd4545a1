"""The values the review session hands out: the `View` a claim is drawn as, the `Change`
its observers hear of, the `Saved` result of an edit and the `SessionError`s it raises (whose
text is the one line the reviewer reads); `one_line` makes any error such a line, `parse_n`
reads a typed number of participants, `read_review` reads a review for the session (a
`ReadReview`: the review or what refused it, and its files' stamps).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from claimbook import edit as editing
from claimbook.claims.load import ClaimsError
from claimbook.claims.schema import Claim
from claimbook.errors import ClaimbookError
from claimbook.inputs import InputError

if TYPE_CHECKING:
    from claimbook.evidence.review import Review
    from claimbook.folder import ReviewFolder

__all__ = [
    "Change",
    "NotSaved",
    "NotShown",
    "Saved",
    "SessionError",
    "ShownAsLastRead",
    "View",
    "ident_of",
    "one_line",
    "parse_n",
    "stale_message",
]

MAX_MESSAGE = 400  # characters of a one-line message


@dataclass(frozen=True)
class View:
    """One drawing of a claim's widgets: the claim it shows and its generation. Each drawing
    (a claim picked, the folder reloaded, the rows redrawn after a cite) gets a new one.
    `pick` is the generation at which the claim was picked (or the folder read): the same for
    every redrawing of its rows after an edit, so what does not depend on the rows (the
    claim's words, the cite form, the sign-off) can stay on screen (`same_pick`)."""

    claim_id: str
    generation: int
    pick: int = field(default=0, compare=False)

    def same_pick(self, other: View | None) -> bool:
        """Whether `other` shows the same claim as picked in this view (its rows may have been
        drawn again since)."""
        return other is not None and (other.claim_id, other.pick) == (self.claim_id, self.pick)


def file_stamp(path: Path) -> tuple[int, int]:
    """A file's modification time and size: whether it changed since it was read."""
    st = path.stat()
    return st.st_mtime_ns, st.st_size


class ReadReview(NamedTuple):
    """A review read from disk (or what refused it) and the stamps of its claim files."""

    review: Review | None
    problem: BaseException | None
    stamps: dict[Path, tuple[int, int]]


def read_review(folder: ReviewFolder, rules_file: Path | None = None) -> ReadReview:
    """Read and grade the review in `folder`; an error is returned, not raised, so the session
    can read ahead (while the app's page loads) and say what refused it when it shows it."""
    try:
        # imported here: pandas is not needed before the app's first page is sent
        from claimbook.evidence.review import load_review

        review = load_review(folder.claims, folder.data, rules_file)
    except Exception as exc:
        return ReadReview(None, exc, {})
    return ReadReview(review, None, {c.path: file_stamp(c.path) for c in review.claims if c.path})


def stale_message(view: View, shown: str | None) -> str:
    """Why a change made on `view` was not saved, the claim `shown` being on screen now."""
    if shown != view.claim_id:
        return (
            f"Not saved: that change was made on {view.claim_id} after "
            f"{shown or 'another claim'} was picked; pick {view.claim_id} to make it again"
        )
    return (
        f"Not saved: that change was made on {view.claim_id} as shown before it was "
        "redrawn; make it again"
    )


@dataclass(frozen=True)
class Change:
    """What changed in the session, told to its observers.

    `ended`: the view shown ended (`next_claim` comes; `clear`: another claim, so its widgets
    leave the screen now; else the same claim is redrawn at once). `loaded`: the review was
    read again (or failed to be: `review` is None). `shown`: `view` is drawn now (`edit`:
    because an edit redrew it). `graded`: an edit of the claim of `view` was saved and the
    claim graded again, told before anything is redrawn (the verdict is the first thing sent);
    `edited` or `ended` and `shown` follow. `edited`: the claim of `view` was edited and
    re-graded, its rows unchanged."""

    kind: Literal["ended", "loaded", "shown", "graded", "edited"]
    view: View | None = None
    next_claim: str | None = None
    clear: bool = True
    edit: bool = False


@dataclass(frozen=True)
class Saved:
    """An edit saved: the claim as its file now holds it, what changed, how long it took (ms:
    `edit_ms`, `verdict_ms`, `figure_ms`, `total_ms`) and the view shown after it."""

    claim: Claim
    what: str
    timing: dict[str, Any]
    view: View

    @property
    def message(self) -> str:
        where = self.claim.path.name if self.claim.path else "claim file"
        return (
            f"Saved {self.claim.id}: {self.what}. Verdict updated in "
            f"{self.timing['verdict_ms']:.0f} ms ({where})."
        )


class SessionError(ClaimbookError):
    """An action of the session that did not happen as asked; the text is the one line the
    reviewer reads, `detail` where the problem is (`FILE:LINE: field: message`, '' if
    nowhere), shown on click."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


class NotSaved(SessionError):
    """Nothing was written: the edit was refused, or made on a view no longer shown."""


class NotShown(SessionError):
    """The edit was saved, but re-grading or redrawing it failed (reload from disk)."""


class ShownAsLastRead(SessionError):
    """The claim is shown as last read: its file could not be read again (broken since)."""


def ident_of(pmid: str | None, doi: str | None) -> str | None:
    """What the editing API takes to name a paper: its PMID, else its DOI."""
    return pmid or doi or None


def parse_n(text: str) -> int | None:
    """The number of participants typed in a field (empty: none); ValueError otherwise."""
    text = text.strip().replace(",", "").replace("_", "")
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(f"n must be a whole number of participants (or empty), not {text!r}")
    return int(text)


PLAIN_ERRORS = (
    SessionError, editing.EditError, ClaimsError, InputError, ValueError, LookupError, OSError,
)  # fmt: skip  # errors whose text says it all (others are shown with their type's name)


def one_line(exc: BaseException | str, root: Path) -> str:
    """An error as one line of at most MAX_MESSAGE characters, with paths relative to `root`
    (the review folder)."""
    if isinstance(exc, str):
        text = exc
    elif isinstance(exc, KeyError) and exc.args:  # str() of a KeyError adds quotes
        text = str(exc.args[0])
    elif isinstance(exc, PLAIN_ERRORS):
        text = str(exc) or type(exc).__name__
    else:
        text = f"{type(exc).__name__}: {exc}"
    text = " ".join(text.split())
    for base in {str(root.absolute()), str(root.resolve())}:
        text = text.replace(base + os.sep, "")
    if len(text) > MAX_MESSAGE:
        text = text[: MAX_MESSAGE - 1] + "…"
    return text
