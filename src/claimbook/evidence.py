"""Evidence engine: join claims and snapshot records into DataFrames, and grade each claim.

The grading rules are data (`claimbook/rules/grading.yaml`); `grade()` is a pure function of a
claim's citations and those rules, so its logic can be pinned by property tests.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import pandas as pd
import yaml

from claimbook.claims import Claim
from claimbook.designs import design_from_pubmed
from claimbook.pubmed.store import Snapshot

VERDICTS = ("supported", "contested", "contradicted", "insufficient")
CERTAINTIES = ("high", "moderate", "low", "very low")

TABLE_COLUMNS = [
    "claim_id", "topic", "key", "pmid", "doi", "first_author", "year", "journal", "title",
    "design", "design_rank", "design_claimed", "design_pubmed", "design_note", "n", "stance",
    "finding", "note", "retracted", "source", "weight",
]  # fmt: skip


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class Rules:
    """The grading rules (see rules/grading.yaml for what each part means)."""

    designs: dict[str, dict]
    pooled: frozenset[str]
    size: dict
    stances: dict[str, dict]
    verdict: dict
    certainty: dict
    source: str = "built-in"

    def rank(self, design: str) -> int:
        return int(self.designs.get(design, self.designs["other"])["rank"])

    def weight(self, design: str, n: int | None) -> float:
        """The weight one citation of this design and size carries."""
        base = float(self.designs.get(design, self.designs["other"])["weight"])
        if design in self.pooled:
            return base
        if n is None:
            return base * float(self.size["unknown"])
        for band in self.size["bands"]:
            if n < band["below"]:
                return base * float(band["factor"])
        return base * float(self.size["otherwise"])


def load_rules(path: str | os.PathLike[str] | None = None) -> Rules:
    """Read grading rules from `path`, or the built-in `rules/grading.yaml`."""
    if path is None:
        text = resources.files("claimbook").joinpath("rules/grading.yaml").read_text("utf-8")
        source = "built-in rules/grading.yaml"
    else:
        text = Path(path).read_text(encoding="utf-8")
        source = str(path)
    data = yaml.safe_load(text)
    return Rules(
        designs=data["designs"],
        pooled=frozenset(data["pooled"]),
        size=data["size"],
        stances=data["stances"],
        verdict=data["verdict"],
        certainty=data["certainty"],
        source=source,
    )


# --------------------------------------------------------------------------- grading


@dataclass(frozen=True)
class Graded:
    """One citation as the grader sees it."""

    key: str
    stance: str
    design: str
    n: int | None = None
    retracted: bool = False
    label: str = ""  # e.g. "Maughan 1986 (PMID 3735481)", used in rationales


@dataclass
class Verdict:
    """A claim's verdict, certainty and the reasons behind them."""

    verdict: str
    certainty: str
    rule: str
    rationale: str
    support_weight: float
    contradict_weight: float
    deciding: list[str] = field(default_factory=list)  # keys of the citations that decided

    @property
    def support_share(self) -> float | None:
        total = self.support_weight + self.contradict_weight
        return self.support_weight / total if total else None


def _lower(level: str, steps: int = 1) -> str:
    return CERTAINTIES[min(CERTAINTIES.index(level) + steps, len(CERTAINTIES) - 1)]


def grade(citations: list[Graded], rules: Rules) -> Verdict:
    """Grade one claim from its citations. Retracted citations are ignored entirely."""
    live = sorted((c for c in citations if not c.retracted), key=lambda c: c.key)
    support = contradict = 0.0
    for c in live:
        w = rules.weight(c.design, c.n)
        share = rules.stances[c.stance]
        support += w * share["support"]
        contradict += w * share["contradict"]
    support, contradict = round(support, 6), round(contradict, 6)
    total = support + contradict
    v = rules.verdict
    if total < v["min_total_weight"]:
        return Verdict(
            "insufficient", "very low", "min_total_weight",
            f"Weighted evidence {total:g} is below the minimum of {v['min_total_weight']:g}: "
            "too little research bears directly on this claim.",
            support, contradict,
        )  # fmt: skip
    s = support / total
    if s >= v["supported_at_least"]:
        verdict, side = "supported", "support"
        rule = f"support share {s:.0%} >= {v['supported_at_least']:.0%}"
    elif s <= v["contradicted_at_most"]:
        verdict, side = "contradicted", "contradict"
        rule = f"support share {s:.0%} <= {v['contradicted_at_most']:.0%}"
    else:
        verdict, side = "contested", "both"
        rule = f"support share {s:.0%} between the thresholds"

    def on_side(c: Graded) -> bool:
        share = rules.stances[c.stance]
        if side == "both":
            return share["support"] > 0 or share["contradict"] > 0
        return share[side] > 0

    deciding = [c for c in live if on_side(c)]
    deciding.sort(key=lambda c: (-rules.weight(c.design, c.n), c.key))
    best = max(rules.rank(c.design) for c in deciding)
    certainty = next(step["level"] for step in rules.certainty["start"] if best >= step["min_rank"])
    reasons = [f"best design on the deciding side ranks {best} ({certainty})"]
    loser = min(s, 1 - s)
    if verdict != "contested" and loser > rules.certainty["downgrade_if_inconsistent_share"]:
        certainty = _lower(certainty)
        reasons.append(f"inconsistent: {loser:.0%} of the weight points the other way")
    primary = [c for c in deciding if c.design not in rules.pooled]
    pooled = [c for c in deciding if c.design in rules.pooled and rules.rank(c.design) >= 5]
    total_n = sum(c.n or 0 for c in primary)
    if not pooled and total_n < rules.certainty["downgrade_if_total_n_below"]:
        certainty = _lower(certainty)
        reasons.append(f"small: the deciding primary studies enrolled {total_n} people")
    if verdict == "contested":
        cap = rules.certainty["contested_at_most"]
        if CERTAINTIES.index(certainty) < CERTAINTIES.index(cap):
            certainty = cap
            reasons.append(f"a contested verdict is at most {cap}")
    names = ", ".join(c.label or c.key for c in deciding[:4])
    more = f" and {len(deciding) - 4} more" if len(deciding) > 4 else ""
    rationale = (
        f"{verdict.capitalize()} ({rule}; weight {support:g} for, {contradict:g} against). "
        f"Decided chiefly by {names}{more}. Certainty {certainty}: " + "; ".join(reasons) + "."
    )
    return Verdict(
        verdict, certainty, rule, rationale, support, contradict, [c.key for c in deciding]
    )


# --------------------------------------------------------------------------- tables


def _surname(author: str | None) -> str:
    return author.split(" ")[0] if author else "Anon."


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
                "source": rec.source if rec else None,
                "weight": 0.0 if rec and rec.retracted else rules.weight(design, cit.n),
            })  # fmt: skip
    df = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    df["year"] = df["year"].astype("Int64")
    df["n"] = df["n"].astype("Int64")
    return df


def _graded_from_rows(rows: pd.DataFrame) -> list[Graded]:
    out = []
    for r in rows.itertuples(index=False):
        who = _surname(r.first_author) if isinstance(r.first_author, str) else "Anon."
        year = "" if pd.isna(r.year) else f" {r.year}"
        ident = f"PMID {r.pmid}" if isinstance(r.pmid, str) else r.key
        out.append(Graded(
            key=r.key, stance=r.stance, design=r.design,
            n=None if pd.isna(r.n) else int(r.n), retracted=bool(r.retracted),
            label=f"{who}{year} ({ident})",
        ))  # fmt: skip
    return out


def verdicts(
    claims: list[Claim],
    snapshot: Snapshot,
    rules: Rules | None = None,
    table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per claim: verdict, certainty, rationale, counts by stance, weights."""
    rules = rules or load_rules()
    table = evidence_table(claims, snapshot, rules) if table is None else table
    rows = []
    for claim in claims:
        sub = table[table["claim_id"] == claim.id]
        v = grade(_graded_from_rows(sub), rules)
        counts = sub[~sub["retracted"]]["stance"].value_counts()
        rows.append({
            "claim_id": claim.id,
            "topic": claim.topic,
            "title": claim.title,
            "verdict": v.verdict,
            "certainty": v.certainty,
            "rationale": v.rationale,
            "rule": v.rule,
            "supports": int(counts.get("supports", 0)),
            "contradicts": int(counts.get("contradicts", 0)),
            "mixed": int(counts.get("mixed", 0)),
            "context": int(counts.get("context", 0)),
            "retracted": int(sub["retracted"].sum()),
            "support_weight": v.support_weight,
            "contradict_weight": v.contradict_weight,
            "deciding": v.deciding,
        })  # fmt: skip
    return pd.DataFrame(rows)
