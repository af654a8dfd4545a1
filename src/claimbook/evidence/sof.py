"""GRADEpro's Summary of Findings as a table: one row per outcome, with lettered footnotes.

An outcome is what gets graded: a claim, or each part of a claim made in parts. Each row says
who and where (population, setting, from the claim file), the № of participants (studies)
counted from primary studies only, the effect as the papers report it (or "not pooled" with
the direction of the studies), the certainty as GRADE's circles with a lettered footnote for
each domain that lowered it (one line: the domain, its rating and the reason), and the plain
statement.

Counting (GRADE: each study once): a citation counts when the grader counts it (not retracted,
not a narrative review or guideline, not cited as context). A systematic review or
meta-analysis stands for the studies it pooled: its participants are counted, its `includes`
are its studies, and a cited primary study it includes is not counted again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from claimbook.claims.risk import Ratio
from claimbook.claims.schema import Claim
from claimbook.evidence.absolute import absolute_effect, why_none
from claimbook.evidence.domains import Rating
from claimbook.evidence.rules import Rules
from claimbook.evidence.table import by_claim, paper_name
from claimbook.vocab import CERTAINTY_SYMBOLS, DOMAIN_LABELS, DOMAINS, design_label

SOF_COLUMNS = [
    "claim_id", "outcome", "claim", "population", "setting", "question", "participants",
    "studies", "designs", "effect", "reported", "absolute", "no_absolute", "certainty", "label",
    "footnotes", "notes", "statement",
]  # fmt: skip
NOT_POOLED = "Not pooled"


@dataclass(frozen=True)
class Counted:
    """The primary evidence behind an outcome, each study once."""

    participants: int | None  # None when no counted study reports its size
    studies: int
    designs: str  # "3 RCTs, 1 systematic review (of 4 studies)"


def letter(i: int) -> str:
    """'a', 'b', ... 'z', 'aa', 'ab': GRADEpro's footnote letters, for the i-th note (0-based)."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(ord("a") + r) + out
    return out


def _plural(n: int, label: str) -> str:
    """'1 RCT', '3 RCTs', '2 case-controls', '1 lab experiment': a design counted."""
    word = label if label.isupper() else label.lower()  # RCT stays RCT
    return f"{n} {word}" if n == 1 or word.endswith("s") else f"{n} {word}s"


def counted_rows(rows: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """The citations the grader counts: live, not a context design, not a context stance."""
    stance_counts = {s for s, x in rules.stances.items() if x.support > 0 or x.contradict > 0}
    keep = (
        ~rows["retracted"]
        & ~rows["design"].isin(rules.context_designs)
        & rows["stance"].isin(stance_counts)
    )
    return rows[keep]


def count_primary(rows: pd.DataFrame, rules: Rules) -> Counted:
    """№ of participants (studies) from primary studies only: each study once, a systematic
    review as the studies it pooled (a cited study it includes is not counted again)."""
    live = counted_rows(rows, rules).drop_duplicates("key")
    pooled = live[live["design"].isin(rules.pooled)]
    covered: set[str] = set().union(*pooled["includes"]) if len(pooled) else set()
    primary = live[~live["design"].isin(rules.pooled) & ~live["key"].isin(covered)]
    studies = len(primary) + len(covered) + sum(1 for inc in pooled["includes"] if not inc)
    sizes = [int(n) for n in [*primary["n"], *pooled["n"]] if not pd.isna(n)]
    designs = [
        _plural(int(n), design_label(d)) for d, n in primary["design"].value_counts().items()
    ]
    for r in pooled.itertuples(index=False):
        of = f" (of {len(r.includes)} studies)" if r.includes else ""
        designs.append(f"1 {design_label(r.design).lower()}{of}")
    return Counted(sum(sizes) if sizes else None, studies, ", ".join(designs))


STANCE_SAID = {"supports": "for the claim", "contradicts": "against it", "mixed": "mixed"}


def _name(r) -> str:
    return paper_name(r.first_author, r.journal, None if pd.isna(r.year) else int(r.year))


def effect_text(rows: pd.DataFrame, rules: Rules) -> tuple[str, str | None]:
    """The effect as the papers report it, and the strongest study's own figure (or None): a
    pooled estimate when a counted systematic review or meta-analysis gives one, else 'Not
    pooled' with the direction of the studies."""
    live = counted_rows(rows, rules).drop_duplicates("key")
    live = live.sort_values(["design_rank", "year"], ascending=[False, False], kind="stable")
    has_size = live["effect_size"].map(lambda x: isinstance(x, str) and bool(x)).astype(bool)
    sized = live.loc[has_size]
    pooled = sized[sized["design"].isin(rules.pooled)]
    if len(pooled):
        r = next(pooled.itertuples(index=False))
        ci = f" ({r.effect_ci})" if isinstance(r.effect_ci, str) and r.effect_ci else ""
        return f"Pooled: {r.effect_size}{ci}", f"{design_label(r.design)}, {_name(r)}"
    directions = live["effect_direction"].dropna().value_counts()
    if len(directions):
        said = ", ".join(f"{n} {d}" for d, n in directions.items())
    else:
        stances = live["stance"].value_counts().items()
        said = ", ".join(f"{n} {STANCE_SAID.get(s, s)}" for s, n in stances)
    text = f"{NOT_POOLED}; the studies found: {said}" if said else f"{NOT_POOLED}: no study counted"
    if not len(sized):
        return text, None
    r = next(sized.itertuples(index=False))
    ci = f", {r.effect_ci}" if isinstance(r.effect_ci, str) and r.effect_ci else ""
    return text, f"strongest study: {r.effect_size}{ci} ({_name(r)})"


def absolute_cells(claim: Claim, rows: pd.DataFrame, rules: Rules) -> tuple[str | None, str | None]:
    """The absolute effect per 1000 (or None) and, when there is none, why: from the ratio of
    the study the effect column names (a counted pooled review first, else the strongest
    study) and the outcome's baseline risk (claimbook.evidence.absolute)."""
    live = counted_rows(rows, rules).drop_duplicates("key") if len(rows) else rows
    live = live.sort_values(["design_rank", "year"], ascending=[False, False], kind="stable")
    rated = live[live["effect_ratio"].map(lambda x: isinstance(x, tuple))] if len(live) else live
    pooled = rated[rated["design"].isin(rules.pooled)]
    chosen = pooled if len(pooled) else rated
    baseline = claim.baseline_risk
    if baseline is None or not len(chosen):
        return None, why_none(baseline, bool(len(chosen)))
    measure, estimate, low, high = next(iter(chosen["effect_ratio"]))
    ratio = Ratio(measure=measure, estimate=estimate, low=low, high=high)
    return absolute_effect(baseline, ratio).text(), None


def tidy(text: str) -> str:
    """One footnote line: no doubled punctuation ('.).' -> ').', '..' -> '.'), one full stop."""
    text = re.sub(r"\.\)", ")", text.strip())
    text = re.sub(r"\.{2,}", ".", text)
    return text if text.endswith((".", "?", "!")) else text + "."


def footnotes(verdict: pd.Series) -> list[str]:
    """One line per domain that lowered the certainty (its label, rating and reason), then
    each upgrade (GRADE's large effect, dose-response)."""
    notes = []
    for domain in DOMAINS:
        r = verdict[domain]
        if isinstance(r, Rating) and r.lowers:
            notes.append(tidy(f"{DOMAIN_LABELS[domain].capitalize()} {r.rating}: {r.reason}"))
    for up in filter(None, str(verdict["upgrades"]).split("; ")):
        kind, _, why = up.partition(": ")
        notes.append(tidy(f"Upgraded for {kind}: {why}" if why else f"Upgraded for {kind}"))
    return notes


def outcome_row(claim: Claim, sub: pd.DataFrame, v: pd.Series | dict, rules: Rules) -> dict:
    """One outcome's row (all of SOF_COLUMNS but `notes`), from the claim, its own rows of the
    evidence table and its row of the verdicts: nothing of any other claim."""
    counted = count_primary(sub, rules)
    effect, reported = effect_text(sub, rules) if len(sub) else ("No studies yet", None)
    absolute, no_absolute = absolute_cells(claim, sub, rules)
    return {
        "claim_id": claim.id,
        "outcome": claim.title,
        "claim": claim.claim,
        "population": claim.population,
        "setting": claim.setting,
        "question": claim.question,
        "participants": counted.participants,
        "studies": counted.studies,
        "designs": counted.designs,
        "effect": effect,
        "reported": reported,
        "absolute": absolute,
        "no_absolute": no_absolute,
        "certainty": f"{CERTAINTY_SYMBOLS[v['certainty']]} {v['certainty']}".strip(),
        "label": v["label"],
        "footnotes": footnotes(v),
        "statement": v["statement"],
    }  # fmt: skip


def sof_frame(rows: list[dict]) -> pd.DataFrame:
    """The table of outcome rows, footnotes lettered across it (`notes`: the letters of each
    row's `footnotes`, in the same order)."""
    n_notes = 0
    for row in rows:
        row["notes"] = [letter(n_notes + i) for i in range(len(row["footnotes"]))]
        n_notes += len(row["footnotes"])
    df = pd.DataFrame(rows, columns=SOF_COLUMNS)
    df["participants"] = pd.array([r["participants"] for r in rows], dtype="Int64")
    df["studies"] = df["studies"].astype(int)
    return df


def summary_of_findings(
    claims: list[Claim], table: pd.DataFrame, graded: pd.DataFrame, rules: Rules
) -> pd.DataFrame:
    """One row per outcome, in the claims' order; footnotes lettered across the whole table."""
    by_id = graded.set_index("claim_id")
    groups, empty = by_claim(table), table.iloc[0:0]
    return sof_frame([
        outcome_row(c, groups.get(c.id, empty), by_id.loc[c.id], rules) for c in claims
    ])  # fmt: skip
