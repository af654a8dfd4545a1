"""A review in memory: validated claims, snapshot, evidence table and verdicts, ready to show.

Notebooks and the report both start from `load_review()`, so they always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd

from claimbook.claims.schema import Claim, ReviewedArticle, claim_order
from claimbook.claims.validate import validate_project
from claimbook.evidence.grading import Rules, load_rules
from claimbook.evidence.memo import Memo
from claimbook.evidence.sof import summary_of_findings
from claimbook.evidence.table import evidence_table, verdicts
from claimbook.folder import PathLike, ReviewFolder, find_root
from claimbook.pubmed.store import Snapshot

TABLE_VIEW = ["first_author", "year", "design", "n", "stance", "finding"]


@dataclass
class Review:
    """Everything a notebook or report needs about one article's claims."""

    article: ReviewedArticle
    claims: list[Claim]
    snapshot: Snapshot
    rules: Rules
    table: pd.DataFrame
    verdicts: pd.DataFrame
    # where it was loaded from (None: built in memory): the report reads the saved searches and
    # screening votes there, and the article's own text (its quotes were checked against it)
    folder: ReviewFolder | None = None
    text_path: Path | None = None
    # each claim's grading as load_review(cache=...) used it (claimbook.evidence.memo): the
    # report build keeps it with the report, all or nothing; None when loaded without a cache
    grading: Memo | None = field(default=None, repr=False)

    def claim(self, claim_id: str) -> Claim:
        for c in self.claims:
            if c.id == claim_id:
                return c
        parts = [c.id for c in self.parts(claim_id)]
        if parts:
            raise KeyError(f"{claim_id} is graded in parts: {', '.join(parts)}; name one")
        raise KeyError(f"no claim {claim_id}; known: {', '.join(c.id for c in self.claims)}")

    def parts(self, record_id: str) -> list[Claim]:
        """The parts (C10a, C10b ...) of a claim record graded in parts; [] for a whole one."""
        return [c for c in self.claims if c.record_id == record_id and c.part]

    def verdict_row(self, claim_id: str) -> pd.Series:
        """The claim's row of `verdicts`: verdict, certainty, rationale, counts by stance."""
        return self.verdicts.set_index("claim_id").loc[claim_id]

    def claim_table(self, claim_id: str) -> pd.DataFrame:
        """The claim's evidence, strongest design first, for reading."""
        sub = self.table[self.table["claim_id"] == claim_id]
        sub = sub.sort_values(["design_rank", "year"], ascending=[False, False])
        view = sub[["key", *TABLE_VIEW, "retracted", "alert"]].set_index("key")
        return view

    def updated(self, claim: Claim, snapshot: Snapshot | None = None) -> Review:
        """This review with one claim record replaced (or added) and only it re-graded (all its
        parts, given one of them): what an edit needs, without re-reading every file. Pass
        `snapshot` if the edit changed it."""
        snapshot = snapshot or self.snapshot
        record = claim.record.id  # an edit of one part may change them all (e.g. to draft)
        fresh = claim.record.units()
        claims = [c for c in self.claims if c.record_id != record] + fresh
        claims.sort(key=claim_order)
        order = {c.id: i for i, c in enumerate(claims)}
        gone = {c.id for c in self.claims if c.record_id == record}

        def merged(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
            kept = old[~old["claim_id"].isin(gone)]
            both = pd.concat([kept, new], ignore_index=True) if len(kept) else new
            rank = both["claim_id"].map(order)
            return both.iloc[rank.argsort(kind="stable")].reset_index(drop=True)

        rows = evidence_table(fresh, snapshot, self.rules)
        table = merged(self.table, rows).astype(self.table.dtypes.to_dict())
        graded = merged(self.verdicts, verdicts(fresh, snapshot, self.rules, table=rows))
        return replace(self, claims=claims, snapshot=snapshot, table=table, verdicts=graded)

    def summary_of_findings(self, claim_ids: list[str] | None = None) -> pd.DataFrame:
        """GRADEpro's Summary of Findings, one row per outcome (a graded claim, or each part of a
        claim in parts), for all claims or the given ones: population and setting, № of
        participants (studies) from primary studies only, the effect as the papers report it,
        the certainty with lettered footnotes (one per domain that lowered it) and the plain
        statement. See claimbook.evidence.sof."""
        claims = [c for c in self.claims if claim_ids is None or c.id in claim_ids]
        return summary_of_findings(claims, self.table, self.verdicts, self.rules)

    def by_topic(self, topic: str) -> list[Claim]:
        return [c for c in self.claims if c.topic == topic]

    def snapshot_summary(self) -> str:
        counts = self.snapshot.count_by_source()
        parts = ", ".join(f"{n} {src}" for src, n in sorted(counts.items()))
        latest = self.snapshot.latest_date() or "unknown"
        return f"{len(self.snapshot)} records ({parts}); latest {latest}"


def load_review(
    claims_dir: PathLike | None = None,
    data_dir: PathLike | None = None,
    rules_file: PathLike | None = None,
    project: PathLike | None = None,
    cache: PathLike | None = None,
) -> Review:
    """Load, validate and grade a review folder.

    `project` names the folder; without it (and without both `claims_dir` and `data_dir`) the
    review around the current folder is used, so a notebook finds its review from notebooks/.
    `cache`: a folder keeping each claim's grading by the hash of what it depends on (its
    record, its rows of the evidence table, the rules: claimbook.evidence.memo), so only claims
    changed since it was kept are graded again. It is only read here: `build_report` keeps the
    grading used (`Review.grading`) in the report's cache with the report, all or nothing, as
    `claimbook report` does; elsewhere call `review.grading.save()`. The result is the same
    with or without it.
    """
    if project is None and (claims_dir is None or data_dir is None):
        project = find_root()
    folder = ReviewFolder.at(project, claims_dir, data_dir)
    checked = validate_project(folder.claims, folder.data)
    rules = load_rules(rules_file)
    table = evidence_table(checked.claims, checked.snapshot, rules)
    memo = Memo(Path(cache)) if cache is not None else None
    graded = verdicts(checked.claims, checked.snapshot, rules, table=table, memo=memo)
    return Review(
        checked.article, checked.claims, checked.snapshot, rules, table, graded, folder,
        checked.article_text_checked, memo,
    )  # fmt: skip
