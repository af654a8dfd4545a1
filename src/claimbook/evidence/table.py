"""Evidence engine: join claims and snapshot records into DataFrames, and grade each claim.

The tables are pandas; the grading itself lives in `claimbook.evidence.grading` (`grade()`),
`claimbook.evidence.rules` (the rules file) and `claimbook.evidence.domains` (GRADE's domains).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

import pandas as pd

from claimbook.claims.schema import Claim
from claimbook.evidence.domains import Rating, WeighedCitation
from claimbook.evidence.grading import Grading, grade
from claimbook.evidence.memo import Memo, claim_rows_text, rows_texts
from claimbook.evidence.names import surname
from claimbook.evidence.review_rating import review_ratings
from claimbook.evidence.rules import Rules, load_rules, wording
from claimbook.pubmed.designs import design_from_pubmed
from claimbook.pubmed.store import PaperRecord, Snapshot
from claimbook.pubmed.watch import KIND_WORDS, flags
from claimbook.vocab import (
    DOMAINS,
    STANCES,
    VERY_LOW,
    verdict_label,
)

TABLE_COLUMNS = [
    "claim_id", "topic", "key", "pmid", "doi", "first_author", "year", "journal", "title",
    "design", "design_rank", "design_claimed", "design_pubmed", "design_note", "n", "stance",
    "finding", "note", "retracted", "alert", "source", "weight", "risk_of_bias", "bias_reason",
    "indirectness", "indirect_note", "effect_direction", "effect_size", "effect_ci",
    "effect_ratio", "dose_response", "randomised", "includes", "review_certainty",
    "review_outcome", "review_gap",
]  # fmt: skip


VERDICT_COLUMNS = [
    "claim_id", "topic", "title", "question", "verdict", "certainty", "label", "rationale",
    "rule", *STANCES, "retracted", "independent_studies", "review_rating", "support_weight",
    "contradict_weight", "deciding", "status", *DOMAINS, "upgrades", "statement",
]  # fmt: skip

# A draft is not reviewed: with no evidence it is not graded at all; with some, the grade is
# provisional and says so.
DRAFT_PREFIX = "Not yet reviewed (draft); provisionally: "
_NOT_REVIEWED = "Not yet reviewed: this claim is a draft; its evidence has not been gathered."
DRAFT = Grading(
    "insufficient", VERY_LOW, "draft", _NOT_REVIEWED, 0.0, 0.0, statement=_NOT_REVIEWED,
    domains=dict.fromkeys(DOMAINS, Rating("not rated", "a draft")), start=VERY_LOW,
)  # fmt: skip

# --------------------------------------------------------------------------- tables


def paper_name(first_author: str | None, journal: str | None, year) -> str:
    """'de Jager 2022', 'US Food and Drug Administration 2010', 'Arch Phys Med Rehabil 1991'
    (no authors recorded: its journal): how a paper is named in rationales and tables."""
    who = surname(first_author) if isinstance(first_author, str) and first_author else None
    if who is None:
        who = journal if isinstance(journal, str) and journal else "Anon."
    return f"{who} {'' if year is None or pd.isna(year) else year}".strip()


def paper_ident(pmid, doi) -> str:
    """'PMID 3735481', 'doi:10.1/x', or 'not in PubMed': a paper's id in a rationale (a bare
    address is never printed inside a name)."""
    if isinstance(pmid, str) and pmid:
        return f"PMID {pmid}"
    return f"doi:{doi}" if isinstance(doi, str) and doi else "not in PubMed"


def astuple(ratio) -> tuple:
    """A Ratio as a table cell: (measure, estimate, low, high)."""
    return (ratio.measure, ratio.estimate, ratio.low, ratio.high)


def _appraisal(cit) -> dict:
    """The reviewer's appraisal of one citation, as table columns (None where not recorded)."""
    rob, ind, eff, own = cit.risk_of_bias, cit.indirectness, cit.effect, cit.review_rating
    return {
        "risk_of_bias": rob.rating if rob else None,
        "bias_reason": rob.reason if rob else None,
        "indirectness": ind.rating if ind else None,
        "indirect_note": ind.note if ind else None,
        "effect_direction": eff.direction if eff else None,
        "effect_size": eff.size if eff else None,
        "effect_ci": eff.ci if eff else None,
        # (measure, estimate, low, high) when the paper's risk or odds ratio is recorded
        "effect_ratio": astuple(eff.ratio) if eff and eff.ratio else None,
        "dose_response": bool(eff and eff.dose_response),
        "review_certainty": own.certainty if own else None,
        "review_outcome": own.outcome if own else None,
        "review_gap": own.gap if own else None,
    }


def evidence_table(
    claims: list[Claim], snapshot: Snapshot, rules: Rules | None = None
) -> pd.DataFrame:
    """One row per (claim, citation), with the resolved study design and its weight.

    The design comes from PubMed's publication types/MeSH where they state one, else the claim
    record's `design`; when both exist and differ, `design_note` says so.
    """
    rules = rules or load_rules()
    rows = []
    for claim in claims:
        for cit in claim.evidence:
            rec = snapshot.find(cit.pmid, cit.doi, cit.url)
            pubmed_design = (
                design_from_pubmed(rec.publication_types, rec.mesh_terms) if rec else None
            )
            design = pubmed_design or cit.design
            note = None
            if pubmed_design and pubmed_design != cit.design:
                note = f"PubMed indexes it as {pubmed_design}; the claim record says {cit.design}"
            rows.append({
                "claim_id": claim.id,
                "topic": claim.topic,
                "key": rec.key if rec else cit.key,
                "pmid": rec.pmid if rec else cit.pmid,
                "doi": (rec.doi if rec else None) or cit.doi,
                "first_author": rec.first_author if rec else None,
                "year": rec.year if rec else None,
                "journal": rec.journal if rec else None,
                "title": rec.title if rec else None,
                "design": design,
                "design_rank": rules.rank(design),
                "design_claimed": cit.design,
                "design_pubmed": pubmed_design,
                "design_note": note,
                "n": cit.n,
                "stance": cit.stance,
                "finding": cit.finding,
                "note": cit.note,
                "retracted": bool(rec.retracted) if rec else False,
                "alert": alert_words(rec),
                "source": rec.source if rec else None,
                "randomised": cit.randomised,
                "includes": tuple(cit.includes),
                "weight": 0.0 if rec and rec.retracted else rules.weight(design, cit.n),
                **_appraisal(cit),
            })  # fmt: skip
    df = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    df["year"] = df["year"].astype("Int64")
    df["n"] = df["n"].astype("Int64")
    df["retracted"] = df["retracted"].astype(bool)  # also when there are no rows (drafts only)
    df["weight"] = df["weight"].astype(float)
    return df


def alert_words(rec: PaperRecord | None) -> str:
    """What PubMed flags on a paper, in words: 'retracted', 'expression of concern',
    'corrected' (joined by '; '), or '' for none."""
    return "; ".join(KIND_WORDS[kind] for kind in flags(rec))


def _text(value) -> str | None:
    return value if isinstance(value, str) and value else None


def _graded_from_rows(rows: Iterable[Any]) -> list[WeighedCitation]:
    out = []
    for r in rows:
        name, ident = paper_name(r.first_author, r.journal, r.year), paper_ident(r.pmid, r.doi)
        out.append(WeighedCitation(
            key=r.key, stance=r.stance, design=r.design,
            n=None if pd.isna(r.n) else int(r.n), retracted=bool(r.retracted),
            label=f"{name} ({ident})",
            risk_of_bias=_text(r.risk_of_bias), bias_reason=_text(r.bias_reason),
            indirect=_text(r.indirectness), indirect_note=_text(r.indirect_note),
            effect_size=_text(r.effect_size), dose_response=bool(r.dose_response),
            randomised=r.randomised is True, includes=tuple(r.includes),
        ))  # fmt: skip
    return out


def verdict_row(claim: Claim, sub: pd.DataFrame | Sequence[Any], rules: Rules) -> dict:
    """One claim's row of the verdicts table, from its own rows of the evidence table only
    (a DataFrame, or its rows as `itertuples` gives them: `verdicts` passes those, as going
    through pandas row by row took most of the grading's time)."""
    rows = list(sub.itertuples(index=False)) if isinstance(sub, pd.DataFrame) else list(sub)
    pub_bias = claim.publication_bias
    graded = _graded_from_rows(rows)
    v = grade(
        graded, rules, wording(claim.claim, claim.positive, claim.polarity),
        claim.question,
        (pub_bias.rating, pub_bias.reason) if pub_bias else None,
    )  # fmt: skip
    own = review_ratings(rows, v.certainty, {c.key: c.name for c in graded})
    if own.sentences:
        v = replace(v, rationale=" ".join([v.rationale, *own.sentences]))
    if claim.is_draft:  # graded provisionally once it has evidence, and marked as such
        v = DRAFT if not claim.evidence else replace(v, rationale=DRAFT_PREFIX + v.rationale)
    counts = Counter(r.stance for r in rows if not r.retracted)
    return {
        "claim_id": claim.id,
        "topic": claim.topic,
        "title": claim.title,
        "question": claim.question,
        "verdict": v.verdict,
        "certainty": v.certainty,
        "label": verdict_label(v.verdict, v.certainty, claim.is_draft),
        "rationale": v.rationale,
        "rule": v.rule,
        **{stance: counts[stance] for stance in STANCES},
        "retracted": sum(bool(r.retracted) for r in rows),
        "independent_studies": v.independent_studies,
        "review_rating": own.column,
        "support_weight": v.support_weight,
        "contradict_weight": v.contradict_weight,
        "deciding": v.deciding,
        "status": claim.status,
        **{domain: v.domains.get(domain, "") for domain in DOMAINS},
        "upgrades": "; ".join(v.upgrades),
        "statement": v.statement,
    }  # fmt: skip


def _row_json(row: dict) -> str:
    """A verdict row as JSON: each domain's Rating as [rating, reason] (a plain '' as is)."""
    return json.dumps({
        k: [v.rating, v.reason] if isinstance(v, Rating) else v for k, v in row.items()
    })  # fmt: skip


def _row_from_json(text: str) -> dict:
    row = json.loads(text)
    for domain in DOMAINS:
        if isinstance(row[domain], list):
            row[domain] = Rating(*row[domain])
    return row


def by_claim(table: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each claim's rows of an evidence table, in table order (a claim with none is absent)."""
    return {str(k): g for k, g in table.groupby("claim_id", sort=False)}


def verdicts(
    claims: list[Claim],
    snapshot: Snapshot,
    rules: Rules | None = None,
    table: pd.DataFrame | None = None,
    memo: Memo | None = None,
) -> pd.DataFrame:
    """One row per claim: verdict, certainty, rationale, counts by stance, weights. With `memo`,
    a claim whose record, rows and rules are unchanged since a run that kept it is not graded
    again (its row is read back)."""
    rules = rules or load_rules()
    table = evidence_table(claims, snapshot, rules) if table is None else table
    rows_of: dict[str, list[Any]] = {}  # each claim's rows, read out of pandas once
    for r in table.itertuples(index=False):
        rows_of.setdefault(str(r.claim_id), []).append(r)
    rules_text = rules.model_dump_json()
    texts = rows_texts(table) if memo is not None else {}
    rows = []
    for claim in claims:
        sub = rows_of.get(claim.id, [])
        if memo is None:
            rows.append(verdict_row(claim, sub, rules))
            continue
        data = f"{claim!r}\0{claim_rows_text(texts, claim.id)}\0{rules_text}"
        make = lambda claim=claim, sub=sub: _row_json(verdict_row(claim, sub, rules))  # noqa: E731
        rows.append(_row_from_json(memo.get("grading", claim.id, data, make)))
    return pd.DataFrame(rows, columns=VERDICT_COLUMNS)
