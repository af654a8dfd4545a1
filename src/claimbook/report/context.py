"""The report's content, once, as plain data: every format (HTML, PDF, Markdown) renders this.

Nothing here formats for a medium; it decides *what* the report says: the cover, the summary,
each claim's section with numbered references, the reference list and the method appendix.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from claimbook.claims.schema import Claim, Excluded, Quote, ReviewedArticle, SignOff
from claimbook.errors import ClaimbookError
from claimbook.evidence.absolute import NO_ABSOLUTE, none_for
from claimbook.evidence.changes import ReviewDiff
from claimbook.evidence.memo import claim_rows_text, rows_texts
from claimbook.evidence.method import method_paragraphs
from claimbook.evidence.review import Review
from claimbook.evidence.rules import Rules
from claimbook.evidence.sof import counted_rows, letter, outcome_row, sof_frame
from claimbook.evidence.table import by_claim, paper_name
from claimbook.ids import doi_url, pubmed_url, safe_url
from claimbook.pubmed.store import PaperRecord
from claimbook.pubmed.watch import paper_alerts
from claimbook.report import page1
from claimbook.report.cache import PieceCache
from claimbook.report.prisma import PrismaRecord, load_prisma
from claimbook.vocab import (
    CERTAINTY_SYMBOLS,
    DOMAIN_LABELS,
    DOMAINS,
    STANCE_WORDS,
    STANCES,
    VERDICT_RATING,
    design_label,
    hedged_advice,
    verdict_label,
    verdict_sentence,
    weakest,
)

SOURCE_NAMES = {
    "curated": "curated from verified PubMed, PMC or publisher pages",
    "pubmed-efetch": "fetched from PubMed (E-utilities)",
}
# Rating scale of the ClaimReview data (the method appendix prints it).
DASH, TIMES = "\N{EN DASH}", "\N{MULTIPLICATION SIGN}"
RATING = VERDICT_RATING  # ClaimReview's scale, from claimbook.vocab


class ReportError(ClaimbookError):
    """The review cannot be turned into a report (e.g. a citation missing from the snapshot)."""


@dataclass
class Reference:
    """One numbered entry of the reference list."""

    number: int
    key: str
    record: PaperRecord
    cited_by: list[str] = field(default_factory=list)

    @property
    def pubmed_url(self) -> str | None:
        return pubmed_url(self.record.pmid) if self.record.pmid else None

    @property
    def doi_url(self) -> str | None:
        return doi_url(self.record.doi) if self.record.doi else None

    @property
    def source_url(self) -> str | None:
        """The URL of a source cited neither by PMID nor DOI (not indexed in PubMed), as
        recorded: the writers link it only when `safe_url` accepts it, else show it as text."""
        r = self.record
        return r.url if not (r.pmid or r.doi) else None

    @property
    def url(self) -> str | None:
        """Where to read the paper: PubMed, the DOI, or its own page (http(s) only)."""
        return self.pubmed_url or self.doi_url or safe_url(self.record.url)

    @property
    def short(self) -> str:
        """'Maughan 1986', 'de Jager 2022', 'US Food and Drug Administration 2010': how the
        evidence tables name the paper (its journal when no author is recorded)."""
        r = self.record
        return paper_name(r.first_author, r.journal, r.year)

    @property
    def authors(self) -> str:
        a = self.record.authors
        return ", ".join(a[:6]) + (", et al" if len(a) > 6 else "")

    @property
    def citation(self) -> str:
        """A Vancouver-style plain-text citation (authors. title. journal. year.)."""
        r = self.record
        bits = (self.authors, r.title, r.journal, str(r.year) if r.year else "")
        return ". ".join(b.strip().rstrip(".") for b in bits if b) + "."


def stance_tally(counts: dict[str, int]) -> str:
    """'6 support, 3 contradict, 0 mixed, 3 cited as context': citations by stance, in the
    words the evidence tables use (the context stance is called context everywhere)."""
    words = {s.word: ("cited as context" if s.word == "context" else s.counted)
             for s in STANCE_WORDS}  # fmt: skip
    return ", ".join(f"{counts.get(w, 0)} {said}" for w, said in words.items())


def changes_verdicts(diff: ReviewDiff) -> str:
    """'no verdict changed', '1 verdict changed', '3 verdicts changed'."""
    n = len(diff.verdict_changes)
    return "no verdict changed" if not n else f"{n} verdict{'' if n == 1 else 's'} changed"


@dataclass
class EvidenceRow:
    """One citation in a claim's evidence table."""

    ref: Reference
    design: str
    n: int | None
    stance: str
    finding: str
    note: str | None
    retracted: bool
    alert: str = ""  # 'expression of concern', 'corrected' ...: what PubMed flags on the paper


@dataclass
class ClaimSection:
    """Everything the report says about one claim."""

    id: str
    anchor: str
    slug: str
    title: str
    topic: str
    topic_label: str
    claim: str
    quotes: list[Quote]
    verdict: str
    certainty: str
    sentence: str
    rationale: str
    counts: dict[str, int]
    retracted: int
    rows: list[EvidenceRow]
    advice: str | None  # what to tell a client, hedged to the certainty (vocab.hedged_advice)
    query: str
    reviewed: date
    excluded: list[Excluded]
    draft: bool = False
    statement: str = ""
    domains: list[tuple[str, str]] = field(default_factory=list)  # (domain label, rating: why)
    symbols: str = ""  # the certainty as GRADE's circles
    sof: dict = field(default_factory=dict)  # this claim's Summary of Findings row
    signoff: SignOff | None = None
    review_line: str | None = None  # "Reviewed by NAME on DATE" / "Draft — not yet reviewed"
    alerts: list[str] = field(default_factory=list)  # retracted / concern / corrected papers
    part: str | None = None  # "a" for C10a: one part of a claim graded in parts
    whole: WholeClaim | None = None  # set on the first part of such a claim
    independent: int = 0  # independent primary studies counted for the verdict
    thin: bool = False  # page1.THIN_RULE
    raw_advice: str | None = None  # the advice as recorded (page 1 hedges its first sentence)
    search: page1.SearchRecord | None = None  # the saved PubMed search, when recorded

    @property
    def tell(self) -> str | None:
        """What to tell a client, hedged to this claim's certainty (a part speaks with its
        record's advice when it has none of its own)."""
        return hedged_advice(self.raw_advice, self.certainty) if self.raw_advice else None

    @property
    def label(self) -> str:
        """'Probably true', 'Very uncertain \N{EM DASH} leans true': the verdict with its
        certainty in GRADE's informative words (claimbook.vocab.verdict_label), for badges and
        ratings; a draft says it is not reviewed."""
        return verdict_label(self.verdict, self.certainty, self.draft)


@dataclass
class WholeClaim:
    """A claim record the article makes as one sentence but that is graded in parts: shown
    once, before its first part, so the parts read together."""

    id: str
    anchor: str
    title: str
    claim: str
    advice: str | None  # hedged to the weakest certainty of its parts
    parts: list[tuple[str, str]]  # (part id, title)


@dataclass
class SofGroup:
    """One Summary of Findings table: the outcomes of one topic, with the population and
    setting they share (None when each outcome has its own: then each row says it)."""

    topic: str
    title: str
    population: str | None
    setting: str | None
    rows: list[ClaimSection]
    # its footnotes, lettered from a in each table as GRADEpro does: (letter, claim id, text)
    notes: list[tuple[str, str, str]] = field(default_factory=list)
    letters: dict[str, list[str]] = field(default_factory=dict)  # claim id -> its letters

    def no_absolute(self) -> str | None:
        """The line under the table for its outcomes with neither a ratio nor a baseline risk
        (each other row without an absolute effect says why in its own cell)."""
        ids = [s.id for s in self.rows if s.sof["no_absolute"] == NO_ABSOLUTE]
        return none_for(ids) if ids else None


@dataclass
class RulesView:
    """The grading rules as the method appendix shows them."""

    source: str
    designs: list[tuple[str, int, float]]  # label, rank, weight; strongest first
    pooled: list[str]
    size: list[str]  # e.g. "fewer than 20 participants: weight x 0.5"
    stances: list[tuple[str, float, float]]  # stance, share to support, share to contradiction
    verdict: dict
    explained: list[str]  # paragraphs: how verdict words, certainty and statements follow


@dataclass
class ReportContext:
    """The whole report as data."""

    review: Review
    claims: list[ClaimSection]
    references: list[Reference]
    snapshot_date: str
    snapshot_size: int
    snapshot_sources: list[tuple[str, int]]  # (description, count), over the whole snapshot
    thin: list[ClaimSection]
    rules: RulesView
    changes: ReviewDiff | None = None  # since the last review built into the same folder
    key_messages: list[page1.KeyMessage] = field(default_factory=list)
    glance: list[ClaimSection] = field(default_factory=list)  # page 1's order (reader_order)
    reviewers: list[str] = field(default_factory=list)  # who signed off which claims
    gathered: list[str] = field(default_factory=list)  # when the evidence was curated/fetched
    sof_groups: list[SofGroup] = field(default_factory=list)
    not_medical_advice: str = page1.NOT_MEDICAL_ADVICE
    thin_rule: str = page1.THIN_RULE
    # the PRISMA 2020 flows and agreement, from the folder the review was loaded from (None: a
    # review built in memory, whose saved searches and votes are unknown)
    prisma: PrismaRecord | None = None
    # each claim's rows of the evidence table as text (evidence.memo.rows_texts): the part of
    # a cached piece's key that says what it was drawn from
    rows_texts: dict[str, str] = field(default_factory=dict, repr=False)

    def rows_text(self, claim_id: str) -> str:
        """The claim's rows of the evidence table as text, for a cached piece's key."""
        return claim_rows_text(self.rows_texts or rows_texts(self.review.table), claim_id)

    def change_details(self, change) -> list[str]:
        """A change's lines, with the reason when a paper no longer cited was screened out."""
        claim = next((c for c in self.claims if c.id == change.claim_id), None)
        reasons = {}
        for x in claim.excluded if claim else []:
            ident = f"PMID {x.pmid}" if x.pmid else f"doi:{x.doi}"
            reasons[ident] = x.reason
        out = []
        for d in change.details:
            why = next(
                (r for i, r in reasons.items() if d.startswith(f"no longer cites {i}")), None
            )
            out.append(f"{d}; screened out: {why}" if why else d)
        return out

    @property
    def article(self) -> ReviewedArticle:
        return self.review.article

    @property
    def retracted(self) -> list[Reference]:
        return [r for r in self.references if r.record.retracted]

    @property
    def curated(self) -> int:
        return sum(1 for r in self.references if r.record.source == "curated")


def _rows(
    review: Review, claim_id: str, mine: pd.DataFrame, refs: dict[str, Reference]
) -> list[EvidenceRow]:
    """The claim's citations (`mine`: its rows of the table), strongest design first; numbers
    references on first sight."""
    sub = mine.sort_values(["design_rank", "year"], ascending=[False, False], kind="stable")
    rows = []
    for r in sub.itertuples(index=False):
        rec = review.snapshot.get(r.key)
        if rec is None:  # a validated project always resolves; say what is wrong if not
            raise ReportError(
                f"{claim_id} cites {r.key}, which is not in the snapshot; "
                "run `claimbook validate` and `claimbook fetch`"
            )
        ref = refs.setdefault(r.key, Reference(len(refs) + 1, r.key, rec))
        if claim_id not in ref.cited_by:
            ref.cited_by.append(claim_id)
        notes = [x for x in (r.note, r.design_note) if isinstance(x, str) and x]
        rows.append(
            EvidenceRow(
                ref=ref,
                design=design_label(r.design),
                n=None if pd.isna(r.n) else int(r.n),
                stance=r.stance,
                finding=r.finding,
                note=" ".join(n if n.endswith(".") else n + "." for n in notes) or None,
                retracted=bool(r.retracted),
                alert=r.alert,
            )
        )
    return rows


def rules_view(rules: Rules) -> RulesView:
    """The grading rules, flattened for printing."""
    designs = sorted(
        ((design_label(d), x.rank, x.weight) for d, x in rules.designs.items()),
        key=lambda t: (-t[1], -t[2], t[0]),
    )
    size, lower = [], 1  # n is at least 1
    for band in rules.size.bands:
        size.append(f"n {lower}{DASH}{band.below - 1}: weight {TIMES} {band.factor:g}")
        lower = band.below
    size.append(f"n {lower} or more: weight {TIMES} {rules.size.otherwise:g}")
    size.append(f"n not reported: weight {TIMES} {rules.size.unknown:g}")
    return RulesView(
        source=rules.source,
        designs=designs,
        pooled=sorted(design_label(d) for d in rules.pooled),
        size=size,
        stances=[(s, x.support, x.contradict) for s, x in rules.stances.items()],
        verdict=rules.verdict.model_dump(),
        explained=method_paragraphs(rules),
    )


def _whole(review: Review, claim: Claim) -> WholeClaim | None:
    """The record of a claim graded in parts, for its first part (None otherwise)."""
    record = claim.record
    parts = review.parts(record.id)
    if not parts or parts[0].id != claim.id:
        return None
    certainty = weakest(review.verdict_row(p.id)["certainty"] for p in parts)
    return WholeClaim(
        id=record.id,
        anchor=record.id.lower(),
        title=record.title,
        claim=record.claim,
        advice=hedged_advice(record.advice, certainty) if record.advice else None,
        parts=[(c.id, c.title) for c in parts],
    )


def _sof_rows(
    review: Review,
    groups: dict[str, pd.DataFrame],
    texts: dict[str, str],
    cache: PieceCache | None,
) -> dict[str, dict]:
    """Each claim's Summary of Findings row (claimbook.evidence.sof), None for a missing cell;
    with `cache`, a claim's row is laid out again only when its record, rows or verdict did."""
    by_id, empty = review.verdicts.set_index("claim_id"), review.table.iloc[0:0]
    rules, rules_text = review.rules, review.rules.model_dump_json()
    rows = []
    for c in review.claims:
        sub, v = groups.get(c.id, empty), by_id.loc[c.id]
        make = lambda c=c, sub=sub, v=v: json.dumps(outcome_row(c, sub, v, rules))  # noqa: E731
        if cache is None:
            rows.append(json.loads(make()))
            continue
        data = f"{c!r}\0{claim_rows_text(texts, c.id)}\0{v.to_dict()!r}\0{rules_text}"
        rows.append(json.loads(cache.get("sof", c.id, data, make)))
    return {
        r["claim_id"]: {k: None if _missing(v) else v for k, v in r.items()}
        for r in sof_frame(rows).to_dict("records")
    }


def build_context(review: Review, cache: PieceCache | None = None) -> ReportContext:
    """Number the references in order of first citation and assemble each claim's section
    (each Summary of Findings row from `cache` when nothing it is made from changed)."""
    refs: dict[str, Reference] = {}
    sections = []
    groups, empty = by_claim(review.table), review.table.iloc[0:0]
    texts = rows_texts(review.table)
    sof = _sof_rows(review, groups, texts, cache)
    by_id = review.verdicts.set_index("claim_id")
    searches = page1.saved_searches(review)
    for claim in review.claims:
        v = by_id.loc[claim.id]
        mine = groups.get(claim.id, empty)
        rows = _rows(review, claim.id, mine, refs)
        sections.append(
            ClaimSection(
                id=claim.id,
                anchor=claim.id.lower(),
                slug=claim.slug,
                title=claim.title,
                topic=claim.topic,
                topic_label=review.article.topics[claim.topic].title,
                claim=claim.claim,
                quotes=list(claim.quotes),
                verdict=v["verdict"],
                certainty=v["certainty"],
                sentence=verdict_sentence(v["verdict"], v["certainty"], claim.is_draft),
                draft=claim.is_draft,
                statement=v["statement"],
                domains=[(DOMAIN_LABELS[d], v[d]) for d in DOMAINS],
                symbols=CERTAINTY_SYMBOLS[v["certainty"]],
                sof=sof[claim.id],
                signoff=claim.signoff,
                review_line=claim.review_line,
                rationale=v["rationale"],
                counts={s: int(v[s]) for s in STANCES},
                retracted=int(v["retracted"]),
                rows=rows,
                advice=hedged_advice(claim.advice, v["certainty"]) if claim.advice else None,
                query=claim.query or "(none yet: draft)",
                reviewed=claim.reviewed,
                excluded=list(claim.excluded),
                alerts=[a.message for a in paper_alerts([claim], review.snapshot)],
                part=claim.part,
                whole=_whole(review, claim),
                independent=int(v["independent_studies"]),
                thin=_thin(review, mine, int(v["independent_studies"])),
                raw_advice=claim.advice or (claim.record.advice if claim.part else None),
                search=searches.get(claim.id),
            )
        )
    sources = review.snapshot.count_by_source()
    thin = [s for s in sections if s.thin and not s.draft]
    return ReportContext(
        review=review,
        claims=sections,
        references=list(refs.values()),
        snapshot_date=str(review.snapshot.latest_date() or "unknown"),
        snapshot_size=len(review.snapshot),
        snapshot_sources=[(SOURCE_NAMES.get(k, k), n) for k, n in sorted(sources.items())],
        thin=thin,
        rules=rules_view(review.rules),
        key_messages=page1.key_messages(sections, {s.id: s.raw_advice for s in sections}),
        glance=page1.reader_order(sections),
        reviewers=page1.reviewers(review),
        gathered=page1.gathered(review),
        sof_groups=_sof_groups(review, sections),
        prisma=load_prisma(review.folder, review.claims) if review.folder else None,
        rows_texts=texts,
    )


def _missing(value) -> bool:
    """A table cell holding nothing (None, NA, NaN): the templates get None for it."""
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _thin(review: Review, mine: pd.DataFrame, independent: int) -> bool:
    """page1.THIN_RULE: fewer than 2 independent primary studies, or every counted study
    indirect (`mine`: the claim's rows of the table)."""
    live = counted_rows(mine, review.rules)
    indirect = live["indirectness"].map(lambda x: isinstance(x, str) and x != "none")
    return independent < 2 or (len(live) > 0 and bool(indirect.all()))


def _shared(values: list[str | None]) -> str | None:
    return values[0] if values and all(v == values[0] for v in values) else None


def _none_given(group: SofGroup, key: str) -> str | None:
    """'not recorded' when no outcome of the table records it (else each row says its own)."""
    return None if any(s.sof[key] for s in group.rows) else "not recorded in the claim files"


def _sof_groups(review: Review, sections: list[ClaimSection]) -> list[SofGroup]:
    """The Summary of Findings, one table per topic, in the claims' order."""
    groups: dict[str, SofGroup] = {}
    for s in sections:
        g = groups.setdefault(s.topic, SofGroup(s.topic, s.topic_label, None, None, []))
        g.rows.append(s)
    for g in groups.values():
        g.population = _shared([s.sof["population"] for s in g.rows]) or _none_given(
            g, "population"
        )
        g.setting = _shared([s.sof["setting"] for s in g.rows]) or _none_given(g, "setting")
        for s in g.rows:
            for text in s.sof["footnotes"]:
                g.notes.append((letter(len(g.notes)), s.id, text))
                g.letters.setdefault(s.id, []).append(g.notes[-1][0])
    return list(groups.values())
