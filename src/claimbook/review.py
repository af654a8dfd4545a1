"""A review in memory: validated claims, snapshot, evidence table and verdicts, ready to show.

Notebooks and the report both start from `load_review()`, so they always agree.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from claimbook.claims import Article, Claim, validate_project
from claimbook.evidence import Rules, evidence_table, load_rules, verdicts
from claimbook.pubmed.store import Snapshot

TABLE_VIEW = ["first_author", "year", "design", "n", "stance", "finding"]


@dataclass
class Review:
    """Everything a notebook or report needs about one article's claims."""

    article: Article
    claims: list[Claim]
    snapshot: Snapshot
    rules: Rules
    table: pd.DataFrame
    verdicts: pd.DataFrame

    def claim(self, claim_id: str) -> Claim:
        for c in self.claims:
            if c.id == claim_id:
                return c
        raise KeyError(f"no claim {claim_id}; known: {', '.join(c.id for c in self.claims)}")

    def verdict(self, claim_id: str) -> pd.Series:
        return self.verdicts.set_index("claim_id").loc[claim_id]

    def claim_table(self, claim_id: str) -> pd.DataFrame:
        """The claim's evidence, strongest design first, for reading."""
        sub = self.table[self.table["claim_id"] == claim_id]
        sub = sub.sort_values(["design_rank", "year"], ascending=[False, False])
        view = sub[["key", *TABLE_VIEW, "retracted"]].set_index("key")
        return view

    def by_topic(self, topic: str) -> list[Claim]:
        return [c for c in self.claims if c.topic == topic]

    def snapshot_summary(self) -> str:
        counts = self.snapshot.count_by_source()
        parts = ", ".join(f"{n} {src}" for src, n in sorted(counts.items()))
        dates = [r.curated_on for r in self.snapshot if r.curated_on] + [
            r.fetched_at.date() for r in self.snapshot if r.fetched_at
        ]
        latest = max(dates).isoformat() if dates else "unknown"
        return f"{len(self.snapshot)} records ({parts}); latest {latest}"


def find_root(start: str | os.PathLike[str] | None = None) -> Path:
    """The project root: the nearest folder upwards holding claims/ and data/."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "claims").is_dir() and (folder / "data").is_dir():
            return folder
    raise FileNotFoundError(f"no claims/ and data/ folders above {here}")


def load_review(
    claims_dir: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    rules_file: str | os.PathLike[str] | None = None,
) -> Review:
    """Load and validate a project (default: the one around the current folder) and grade it."""
    root = find_root() if claims_dir is None or data_dir is None else None
    claims_dir = Path(claims_dir) if claims_dir else root / "claims"
    data_dir = Path(data_dir) if data_dir else root / "data"
    project = validate_project(claims_dir, data_dir)
    rules = load_rules(rules_file)
    table = evidence_table(project.claims, project.snapshot, rules)
    graded = verdicts(project.claims, project.snapshot, rules, table=table)
    return Review(project.article, project.claims, project.snapshot, rules, table, graded)
