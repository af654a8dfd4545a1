"""The claim files' schema: the pydantic models of a claim record (its quotes, citations,
excluded papers, sign-off and parts) and of `article.yaml`, with the claim-id helpers; the
models of what belongs to a study (papers.yaml) live in `claimbook.claims.study`, and are
re-exported here.

A model checks one file's fields on their own; what needs the other files (duplicate ids, the
snapshot, the article's text) is checked by `claimbook.claims.load` and
`claimbook.claims.validate`.
"""

from __future__ import annotations

import datetime as dt
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from claimbook.claims.risk import BaselineRisk, Ratio, check_baseline_cited
from claimbook.claims.study import (
    MAX_PARTICIPANTS,
    PAPERS_FILE,
    STUDY_FIELDS,
    PaperAppraisal,
    PaperBook,
    RiskOfBias,
    Study,
    _Model,
    check_participants,
)
from claimbook.ids import check_doi, check_pmid, check_url, citation_key
from claimbook.vocab import (
    STANCES,
    Certainty,
    EffectDirection,
    IndirectnessRating,
    PublicationBiasRating,
    Question,
    Stance,
)

__all__ = [
    "ARTICLE_FILE",
    "MAX_PARTICIPANTS",
    "PAPERS_FILE",
    "STUDY_FIELDS",
    "Citation",
    "Claim",
    "ClaimPart",
    "Excluded",
    "PaperAppraisal",
    "PaperBook",
    "Quote",
    "ReviewRating",
    "ReviewedArticle",
    "RiskOfBias",
    "SignOff",
    "Topic",
    "check_participants",
    "claim_order",
    "normal_id",
    "split_id",
]

ARTICLE_FILE = "article.yaml"  # in the claims folder, beside the claim files


# --------------------------------------------------------------------------- models


class Quote(_Model):
    """An exact, short quote from the article and the section it sits in."""

    section: str = Field(min_length=1)
    text: str = Field(min_length=8, max_length=600)


class Indirectness(_Model):
    """How far the study answers a different question from the claim's."""

    rating: IndirectnessRating
    note: str | None = Field(None, description="e.g. children only, for a claim about adults")

    @model_validator(mode="after")
    def _explained(self) -> Indirectness:
        if self.rating != "none" and not self.note:
            raise ValueError(f"say how it is indirect ({self.rating}) in a note")
        return self


class Effect(_Model):
    """The effect the paper reports, in its own numbers."""

    direction: EffectDirection
    size: str | None = Field(None, description="e.g. 'OR 2.9', '21% fewer admissions'")
    ci: str | None = Field(None, description="e.g. '95% CI 1.2 to 6.9'")
    dose_response: bool = Field(False, description="the paper shows a dose-response gradient")
    ratio: Ratio | None = Field(
        None, description="the risk or odds ratio as numbers, for an absolute effect (risk.py)"
    )


class ReviewRating(_Model):
    """A cited systematic review's own GRADE rating of the outcome this claim is about, shown
    beside claimbook's; `gap` says why they differ when they are more than one level apart."""

    certainty: Certainty
    outcome: str = Field(min_length=3, description="the outcome the review rated, its words")
    gap: str | None = Field(
        None, min_length=10, description="why claimbook's certainty differs by more than a level"
    )


class Citation(Study):
    """One piece of evidence for or against a claim, by PMID, DOI or (not in PubMed) URL: how
    it bears on this claim (stance, finding, how direct it is, effect). Its study fields (design,
    n, risk_of_bias ...) come from the paper's appraisal in papers.yaml once loaded (older
    claim files write them on the citation)."""

    what: ClassVar[str] = "a citation"
    stance: Stance
    finding: str = Field(min_length=20, max_length=700)
    note: str | None = None
    indirectness: Indirectness | None = None
    effect: Effect | None = None
    review_rating: ReviewRating | None = Field(
        None, description="a systematic review: its own GRADE rating of this claim's outcome"
    )


class PublicationBias(_Model):
    """The reviewer's judgement of whether a claim's evidence is selectively published, with why
    (small industry-funded positive trials, funnel asymmetry, known unpublished trials)."""

    rating: PublicationBiasRating
    reason: str = Field(min_length=5)


class Excluded(_Model):
    """A paper screened out of a claim's evidence, with the reason."""

    pmid: str | None = None
    doi: str | None = None
    reason: str = Field(min_length=5)

    _pmid = field_validator("pmid")(check_pmid)
    _doi = field_validator("doi")(check_doi)

    @model_validator(mode="after")
    def _has_id(self) -> Excluded:
        if not (self.pmid or self.doi):
            raise ValueError("an excluded paper needs a pmid or a doi")
        return self

    @property
    def key(self) -> str:
        return citation_key(self.pmid, self.doi)


class SignOff(_Model):
    """Who signed a claim off, when, and why (a reviewed claim's evidence was checked)."""

    reviewer: str = Field(min_length=2)
    date: dt.date
    note: str | None = None


# what a reviewed claim (or each part of a reviewed record) needs: field -> in words
REVIEWED_NEEDS = {"query": "a PubMed query", "evidence": "at least one citation"}
CLAIM_ID = r"^[A-Z]\d{2,3}$"
UNIT_ID = re.compile(r"^([A-Za-z]\d{2,3})([A-Za-z]?)$")


Polarity = Literal["positive", "negative"]


def _positive_field() -> Any:
    return Field(
        None,
        min_length=10,
        description=(
            "the claim restated positively, for its statement (never 'whether ... not'): "
            "'salt raises blood pressure' for 'salt does not raise blood pressure'"
        ),
    )


def _polarity_field() -> Any:
    return Field(
        "positive",
        description="negative: the article asserts that `positive` is not true (the verdict "
        "is still read against the article's claim)",
    )


def _population_field() -> Any:
    return Field(
        None,
        min_length=3,
        max_length=200,
        description="who the claim is about, as the cited studies enrolled them (the Summary "
        "of Findings' 'Patient or population'), e.g. 'marathon and ultramarathon runners'",
    )


def _setting_field() -> Any:
    return Field(
        None,
        min_length=3,
        max_length=200,
        description="where the studies were done (the Summary of Findings' 'Setting'), e.g. "
        "'endurance races; laboratory'",
    )


def _baseline_field() -> Any:
    return Field(
        None,
        description="the outcome's risk without the intervention, from a cited paper (for an "
        "absolute effect per 1000; claimbook.claims.risk)",
    )


def _check_polarity(model: Any) -> None:
    """A negative polarity needs the positive wording it negates."""
    if model.polarity == "negative" and not model.positive:
        raise ValueError("polarity: negative needs `positive:`, the claim restated positively")


class ClaimPart(_Model):
    """One of the claims a record makes together (an effect and its cause, say): its own
    sentence, quotes and evidence, graded on its own as claim `<id><part>` (C10a, C10b)."""

    part: str = Field(pattern=r"^[a-z]$", description="a, b, c ...: the part's letter")
    title: str = Field(min_length=5, max_length=120)
    claim: str = Field(min_length=10)
    quotes: list[Quote] = Field(min_length=1)
    query: str | None = Field(None, min_length=5)
    evidence: list[Citation] = Field(default_factory=list)
    excluded: list[Excluded] = Field(default_factory=list)
    advice: str | None = Field(None, min_length=20)
    positive: str | None = _positive_field()
    polarity: Polarity = _polarity_field()

    @model_validator(mode="after")
    def _polarity(self) -> ClaimPart:
        _check_polarity(self)
        check_baseline_cited(self.baseline_risk, self.evidence)
        return self

    question: Question | None = Field(None, description="the record's kind unless set here")
    population: str | None = _population_field()
    setting: str | None = _setting_field()
    publication_bias: PublicationBias | None = None
    baseline_risk: BaselineRisk | None = _baseline_field()


class Claim(_Model):
    """One factual claim of the article, with its quotes, PubMed query and graded evidence.

    A record whose sentence makes two claims (an effect and its cause) lists them as `parts`
    instead of one query and evidence list; `load_claims` hands out each part as a claim of
    its own (C10a, C10b) that remembers its record (`record_id`, `record`, `part`).
    """

    id: str = Field(pattern=CLAIM_ID)
    slug: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    title: str = Field(min_length=5, max_length=120)
    topic: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    status: Literal["reviewed", "draft"] = Field(
        "reviewed", description="draft: saved from a candidate, evidence not gathered yet"
    )
    question: Question = Field(
        "effect", description="the kind of question it asks (claimbook.vocab.QUESTION_KINDS)"
    )
    population: str | None = _population_field()
    setting: str | None = _setting_field()
    publication_bias: PublicationBias | None = Field(
        None, description="the reviewer's judgement (default: undetected, not formally assessed)"
    )
    baseline_risk: BaselineRisk | None = _baseline_field()
    claim: str = Field(min_length=10)
    parts: list[ClaimPart] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list, validate_default=True)
    query: str | None = Field(None, min_length=5, validate_default=True)
    evidence: list[Citation] = Field(default_factory=list, validate_default=True)
    excluded: list[Excluded] = Field(default_factory=list)
    advice: str | None = Field(
        None, min_length=20, description="what to tell a client, in plain words (optional)"
    )
    reviewed: date
    signoff: SignOff | None = None
    positive: str | None = _positive_field()
    polarity: Polarity = _polarity_field()
    # Set by the loader, not by the YAML file.
    path: Path | None = Field(None, exclude=True)
    _record: Claim | None = PrivateAttr(None)
    _part: str | None = PrivateAttr(None)

    @field_validator("parts")
    @classmethod
    def _distinct_parts(cls, v: list[ClaimPart]) -> list[ClaimPart]:
        letters = [p.part for p in v]
        if len(v) == 1:
            raise ValueError("a claim split into parts needs at least two (or none)")
        if len(set(letters)) != len(letters):
            raise ValueError(f"part letters must differ: {', '.join(letters)}")
        return v

    @field_validator("quotes")
    @classmethod
    def _quoted(cls, v: list[Quote], info: ValidationInfo) -> list[Quote]:
        """A claim quotes the article; a record in parts quotes it in each part instead."""
        if info.data.get("parts"):
            if v:
                raise ValueError("a claim in parts keeps its quotes in each part")
        elif not v:
            raise ValueError("a claim needs at least one quote from the article")
        return v

    @field_validator("query", "evidence")
    @classmethod
    def _needed_once_reviewed(cls, v: Any, info: ValidationInfo) -> Any:
        """A reviewed claim needs a query and evidence; a draft may have neither yet. A record
        in parts keeps them in each part."""
        if info.data.get("parts"):
            if v:
                raise ValueError(f"a claim in parts keeps its {info.field_name} in each part")
            return v
        if not v and info.data.get("status", "reviewed") == "reviewed":
            what = REVIEWED_NEEDS[info.field_name]
            raise ValueError(f"a reviewed claim needs {what} (or set status: draft)")
        return v

    @model_validator(mode="after")
    def _no_signed_draft(self) -> Claim:
        if self.signoff is not None and self.status == "draft":
            raise ValueError("a draft cannot be signed off; set status: reviewed or remove signoff")
        if self.parts and self.baseline_risk:
            raise ValueError("a claim in parts keeps each outcome's baseline_risk in its part")
        check_baseline_cited(self.baseline_risk, self.evidence)
        if self.parts and self.excluded:
            raise ValueError("a claim in parts keeps its excluded papers in each part")
        _check_polarity(self)
        return self

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    @property
    def part(self) -> str | None:
        """This claim's letter within its record (C10a: 'a'); None for a whole record."""
        return self._part

    @property
    def record(self) -> Claim:
        """The record in the claim file: this claim itself, or the record it is a part of."""
        return self._record or self

    @property
    def record_id(self) -> str:
        """The claim file's id: C10 for C10a."""
        return self.record.id

    def units(self) -> list[Claim]:
        """What gets graded: the record itself, or one claim per part (C10a, C10b ...) that
        keeps the record's topic, status, review dates and sign-off (its advice stays with the
        record: `claim.record.advice`)."""
        if not self.parts:
            return [self]
        out = []
        for p in self.parts:
            unit = self.model_copy(
                update={
                    "id": f"{self.id}{p.part}",
                    "slug": f"{self.slug}-{p.part}",
                    "title": p.title,
                    "claim": p.claim,
                    "parts": [],
                    "quotes": p.quotes,
                    "query": p.query,
                    "evidence": p.evidence,
                    "excluded": p.excluded,
                    "advice": p.advice,  # the record's own advice is shown once, with it
                    "positive": p.positive,
                    "polarity": p.polarity,
                    "question": p.question or self.question,
                    "population": p.population or self.population,
                    "setting": p.setting or self.setting,
                    "publication_bias": p.publication_bias or self.publication_bias,
                    "baseline_risk": p.baseline_risk,  # a part's own outcome, its own risk
                }
            )
            unit._record, unit._part = self, p.part
            out.append(unit)
        return out

    @property
    def review_line(self) -> str | None:
        """'Reviewed by NAME on DATE[: note]', 'Draft \N{EM DASH} not yet reviewed', or None."""
        if self.is_draft:
            return "Draft \N{EM DASH} not yet reviewed"
        if self.signoff is not None:
            s = self.signoff
            note = f": {s.note}" if s.note else ""
            return f"Reviewed by {s.reviewer} on {s.date.isoformat()}{note}"
        return None

    def stance_counts(self) -> dict[str, int]:
        """How many citations take each stance (every stance present, zero included)."""
        counts = dict.fromkeys(STANCES, 0)
        for c in self.evidence:
            counts[c.stance] += 1
        return counts


def claim_order(claim: Claim) -> tuple[str, str]:
    """Sort key: by record id, then part (C10 < C10a < C10b < C11, also past C99)."""
    return (f"{claim.record_id[0]}{int(claim.record_id[1:]):04d}", claim.part or "")


def normal_id(claim_id: str) -> str:
    """A claim id as typed ('c10A', ' c01') in its stored form ('C10a', 'C01')."""
    try:
        record, part = split_id(claim_id)
    except ValueError:
        return claim_id.strip().upper()
    return record + (part or "")


def split_id(claim_id: str) -> tuple[str, str | None]:
    """('C10', 'a') for 'C10a' (any case), ('C10', None) for 'C10'; ValueError otherwise."""
    m = UNIT_ID.match(claim_id.strip())
    if not m:
        raise ValueError(f"{claim_id!r} is not a claim id (like C01, or C10a for a part)")
    return m.group(1).upper(), (m.group(2).lower() or None)


class Topic(_Model):
    """A topic of the review: its heading and, optionally, a short intro for its notebook."""

    title: str = Field(min_length=3)
    intro: str | None = None


class ReviewedArticle(_Model):
    """The reviewed article: metadata and attribution (its text is never committed)."""

    title: str
    publisher: str
    kind: str = Field(description="what kind of piece it is, e.g. a promotional article")
    attribution: str
    url: str | None = None
    language: str = "en"
    text_file: str | None = Field(
        None, description="where the full text lives locally, relative to the project root"
    )
    reviewed: date
    topics: dict[str, Topic] = Field(min_length=1)
    notes: str | None = None
    limitations: list[Annotated[str, Field(min_length=10, max_length=1000)]] = Field(
        default_factory=list,
        description=(
            "this review's own limitations, one plain sentence each (what the evidence it found "
            "is like: lab models, recall, few trials); the report lists them after its generic ones"
        ),
    )
    path: Path | None = Field(None, exclude=True)

    _url = field_validator("url")(check_url)

    @field_validator("topics", mode="before")
    @classmethod
    def _plain_topics(cls, v: Any) -> Any:
        """A topic may be written as just its title: `sleep: Sleep and memory`."""
        if isinstance(v, dict):
            return {k: {"title": t} if isinstance(t, str) else t for k, t in v.items()}
        return v
