"""A cited systematic review's own GRADE rating, beside claimbook's: the words the verdicts
table and the rationale show, and the gaps of more than one level nobody has explained yet.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from claimbook.vocab import CERTAINTIES, NOT_GRADED

__all__ = ["ReviewRatings", "review_ratings", "unexplained_gaps"]

MAX_UNEXPLAINED = 1  # levels apart a gap may be without the reviewer saying why


@dataclass(frozen=True)
class ReviewRatings:
    """What the cited reviews rated: `column` for the verdicts table ('' when none recorded),
    `sentences` for the rationale, `unexplained` (paper names) whose gap lacks a reason."""

    column: str
    sentences: list[str]
    unexplained: list[str]


def levels_apart(a: str, b: str) -> int:
    """How many GRADE levels separate two certainties (0 when either is not graded)."""
    if NOT_GRADED in (a, b):
        return 0
    return abs(CERTAINTIES.index(a) - CERTAINTIES.index(b))


def review_ratings(
    rows: pd.DataFrame | Iterable[Any], certainty: str, names: dict[str, str]
) -> ReviewRatings:
    """The recorded ratings among a claim's live citations (`rows`: evidence-table rows, as a
    DataFrame or as its `itertuples`), set against claimbook's `certainty`; `names` maps a
    citation's key to how rationales name it."""
    column, sentences, unexplained = [], [], []
    if isinstance(rows, pd.DataFrame):
        rows = rows.itertuples(index=False)
    rated = [r for r in rows if not pd.isna(r.review_certainty) and not r.retracted]
    for r in rated:
        name = names.get(r.key, r.key)
        column.append(f"{name}: {r.review_certainty} ({r.review_outcome})")
        text = (
            f"The review {name} rated its own evidence on {r.review_outcome} "
            f"{r.review_certainty} certainty; this review rates the claim {certainty}"
        )
        apart = levels_apart(r.review_certainty, certainty)
        if apart > MAX_UNEXPLAINED and isinstance(r.review_gap, str):
            text += f", {apart} levels apart because {r.review_gap.rstrip('.')}"
        elif apart > MAX_UNEXPLAINED:
            text += f", {apart} levels apart, and the reviewer has not yet said why"
            unexplained.append(name)
        sentences.append(text + ".")
    return ReviewRatings("; ".join(column), sentences, unexplained)


def unexplained_gaps(table: pd.DataFrame, graded: pd.DataFrame) -> list[str]:
    """One line per cited review whose own rating is more than a level from claimbook's and
    whose `review_rating.gap` does not say why: what `claimbook validate` warns about."""
    out = []
    for v in graded.itertuples(index=False):
        rows = table[table["claim_id"] == v.claim_id]
        pairs = zip(rows["key"], rows["pmid"], strict=True)
        names = {k: f"PMID {p}" if isinstance(p, str) else k for k, p in pairs}
        for name in review_ratings(rows, v.certainty, names).unexplained:
            out.append(
                f"{v.claim_id}: {name}: the review's own rating and this review's ({v.certainty}) "
                "are more than one level apart; say why in its review_rating.gap"
            )
    return out
