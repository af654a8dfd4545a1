"""What belongs to a study, whichever claim cites it (its design, size, population, setting,
risk_of_bias, funding and the studies a review pooled), and `papers.yaml`, which keeps it once
per paper: the pydantic models `PaperAppraisal` and `PaperBook`, and the base every citation
shares with them. `claimbook.claims.schema` re-exports every name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from claimbook.ids import check_doi, check_pmid, check_url, citation_key
from claimbook.vocab import MAX_PARTICIPANTS, Design, RiskOfBiasRating, RobTool

__all__ = [
    "MAX_PARTICIPANTS",
    "PAPERS_FILE",
    "STUDY_FIELDS",
    "PaperAppraisal",
    "PaperBook",
    "RiskOfBias",
    "Study",
    "check_participants",
]

PAPERS_FILE = "papers.yaml"  # in the claims folder: each cited paper's appraisal, once
# What belongs to the study, not to a claim citing it: kept once per paper in PAPERS_FILE
# (older claim files keep them on each citation; `claimbook migrate` moves them).
STUDY_FIELDS = (
    "design", "randomised", "n", "population", "setting", "risk_of_bias", "funding", "includes",
)  # fmt: skip


def check_participants(value: Any) -> int | None:
    """A number of participants: a whole number from 1 to MAX_PARTICIPANTS (not true/false,
    not 12.5, not 10**30)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"the number of participants must be a whole number, not {value!r}")
    if not 1 <= value <= MAX_PARTICIPANTS:
        raise ValueError(f"the number of participants must be from 1 to {MAX_PARTICIPANTS:,}")
    return value


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RiskOfBias(_Model):
    """How far the study's own design or conduct could have biased its result: one of three
    ratings, with why, judged with a named tool (by default the one for its design)."""

    rating: RiskOfBiasRating
    reason: str = Field(
        min_length=5, description="e.g. not randomised; unblinded, self-reported outcome"
    )
    tool: RobTool | None = Field(
        None, description="RoB 2, ROBINS-I, ROBINS-E, AMSTAR 2, ROBIS or none (default: by design)"
    )


class Study(_Model):
    """What belongs to a study, whichever claim cites it: its design, size, population and
    setting, risk_of_bias and funding, and (a systematic review) the studies it pooled."""

    what: ClassVar[str] = "an entry"
    pmid: str | None = None
    doi: str | None = None
    url: str | None = None
    design: Design | None = None
    randomised: bool | None = Field(
        None, description="a crossover trial: whether its order was randomised (else observational)"
    )
    n: int | None = Field(None, description=f"participants, 1 to {MAX_PARTICIPANTS:,}")
    population: str | None = Field(None, min_length=3, description="who was studied")
    setting: str | None = Field(None, min_length=3, description="where: clinic, race, lab ...")
    risk_of_bias: RiskOfBias | None = None
    funding: str | None = Field(None, min_length=3, description="funding and conflicts")
    includes: list[str] = Field(
        default_factory=list,
        description="a systematic review or meta-analysis: the PMIDs of the studies it pooled",
    )

    _pmid = field_validator("pmid")(check_pmid)
    _doi = field_validator("doi")(check_doi)
    _url = field_validator("url")(check_url)
    _n = field_validator("n", mode="before")(check_participants)

    @model_validator(mode="after")
    def _has_id(self) -> Study:
        if not (self.pmid or self.doi or self.url):
            raise ValueError(
                f"{self.what} needs a pmid, a doi or (for sources not in PubMed) a url"
            )
        return self

    @field_validator("includes")
    @classmethod
    def _pmids(cls, v: list[str]) -> list[str]:
        return [check_pmid(p) for p in v]

    @property
    def key(self) -> str:
        return citation_key(self.pmid, self.doi, self.url)

    def study(self) -> dict[str, Any]:
        """The study fields this entry itself gives (left out: those unset or empty)."""
        return {f: getattr(self, f) for f in STUDY_FIELDS if getattr(self, f) not in (None, [], "")}


class PaperAppraisal(Study):
    """The appraisal of one paper, once for every claim citing it: an entry of papers.yaml."""

    what: ClassVar[str] = "a paper"
    design: Design

    def keys(self) -> set[str]:
        """Every key a citation of this paper may have: its PMID, its DOI, its URL."""
        found = {self.pmid} if self.pmid else set()
        if self.doi:
            found.add("doi:" + self.doi.lower())
        if self.url:
            found.add("url:" + self.url)
        return found


class PaperBook(_Model):
    """papers.yaml: the appraisal of each paper the claims cite, one entry per paper."""

    papers: list[PaperAppraisal] = Field(default_factory=list)
    path: Path | None = Field(None, exclude=True)
