"""What the PRISMA 2020 section needs, read from a review folder: each claim's flow, the
review's (distinct records), and the two reviewers' agreement. One reader for the report, the
overview notebook and `claimbook prisma` / `claimbook agreement`, so they always agree.

It joins what two layers hold: the saved searches and screening votes are read by
`claimbook.edit` (its readers only: `votes.flow_inputs`, `votes.load_votes`, `votes.vote_pairs`;
nothing here writes), and counted by `claimbook.evidence` (`prisma.count_flow`, `review_flow`,
`agreement.cohen_kappa`), which must not import edit. The report layer sits above both.

    from claimbook.report.prisma import load_prisma
    record = load_prisma(review.folder, review.claims)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from claimbook.claims.schema import Claim
from claimbook.edit.votes import flow_inputs, load_votes, vote_pairs
from claimbook.evidence.agreement import Kappa, cohen_kappa
from claimbook.evidence.prisma import Flow, review_flow
from claimbook.evidence.prisma import count_flow as _count
from claimbook.folder import PathLike, ReviewFolder

WHAT = ("inclusion", "stance")
REVIEW_NOTE = (
    "The review's flow counts each record once: a paper the searches of two claims found is "
    "screened once (the second hit is a duplicate), in the box of the furthest stage it "
    "reached for any claim. Each claim's own flow counts its records once within the claim."
)


@dataclass
class Agreement:
    """Two reviewers' agreement on a claim (or over the review): who they were, and Cohen's
    kappa for inclusion at title and abstract and for the stance, over the papers both
    decided (only final votes count)."""

    reviewers: list[str]
    inclusion: Kappa
    stance: Kappa

    @property
    def two(self) -> bool:
        """Two reviewers voted (else there is no agreement to state)."""
        return len(self.reviewers) >= 2

    def as_json(self) -> dict:
        return {
            "reviewers": self.reviewers, "inclusion": self.inclusion.as_json(),
            "stance": self.stance.as_json(),
        }  # fmt: skip


@dataclass
class PrismaRecord:
    """Every claim's flow (claim order), the review's, and the agreement: per claim where
    anyone voted, and over the review (the pairs of every claim pooled)."""

    flows: list[Flow]
    review: Flow
    agreement: dict[str, Agreement]
    overall: Agreement

    @property
    def by_hand(self) -> list[str]:
        """The claims curated by hand, without a saved search."""
        return [f.claim_id for f in self.flows if not f.searched]

    @property
    def searched(self) -> list[Flow]:
        return [f for f in self.flows if f.searched]

    def flow(self, claim_id: str) -> Flow:
        return next(f for f in self.flows if f.claim_id == claim_id)


def claim_flow(project: PathLike | ReviewFolder, claim: Claim) -> Flow:
    """One claim's PRISMA flow, from the folder's saved searches and votes."""
    return _count(claim, *flow_inputs(project, claim))


def load_prisma(project: PathLike | ReviewFolder, claims: Sequence[Claim]) -> PrismaRecord:
    """The PRISMA flows and the agreement of the claims (graded units: C10a, C10b ...) of the
    review folder `project`. A claim with no saved search has a flow that says so."""
    flows = [claim_flow(project, c) for c in claims]
    per_claim: dict[str, Agreement] = {}
    pooled: dict[str, list] = {w: [] for w in WHAT}
    names: list[str] = []
    for c in claims:
        votes = load_votes(project, c.id)
        if not votes:
            continue
        row = {}
        for what in WHAT:
            who, pairs = vote_pairs(votes, what)
            row[what] = cohen_kappa(pairs)
            pooled[what] += pairs
        per_claim[c.id] = Agreement(who, row["inclusion"], row["stance"])
        names += [n for n in who if n not in names]
    overall = Agreement(names, *(cohen_kappa(pooled[w]) for w in WHAT))
    return PrismaRecord(flows, review_flow(flows), per_claim, overall)
