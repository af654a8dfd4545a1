"""Simulated screening: how much reading the ranked queue saves against random order (WSS@95).

The labelled set is real and documented: for each reviewed claim of the two shipped reviews
(this folder and examples/leg-cramps-quick-tip), the papers the claim cites are its relevant
records, and every other record is irrelevant: the rest of that review's snapshot (papers cited
for *other* claims of the same article, so on the same topic: hard negatives) and the real
PubMed records in the shared E-utilities fixtures (/work/shared/fixtures/eutils/efetch-pubmed,
when present). Title and abstract are what the model reads. No record is invented.

The simulation is ASReview's: start from one relevant and one irrelevant paper picked at
random (the "prior knowledge"), then repeatedly refit TF-IDF + naive Bayes
(`claimbook.evidence.ranking.relevance_scores`) on the papers screened so far and screen the
top-ranked unseen one. WSS@95 = (papers not screened when 95% of the relevant ones are found)
/ N - 0.05 (Cohen et al. 2006). Random order is the same loop picking at random. Each claim is
run with several seeds; the table prints the mean. Prints Markdown for docs/benchmarks.md.
"""

from __future__ import annotations

import math
import random
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from claimbook import load_claims  # noqa: E402
from claimbook.evidence.ranking import relevance_scores, text_of  # noqa: E402
from claimbook.pubmed import load_snapshot, parse_pubmed_xml  # noqa: E402

REVIEWS = [ROOT, ROOT / "examples" / "leg-cramps-quick-tip"]
FIXTURES = ROOT.parent / "shared" / "fixtures" / "eutils" / "efetch-pubmed"
SEEDS = 5
MIN_RELEVANT = 3  # a claim with fewer cited papers says little about recall


def fixture_texts() -> list[str]:
    """Title + abstract of the real records in the shared efetch fixtures (unrelated topics)."""
    out = []
    for path in sorted(FIXTURES.glob("*.xml")) if FIXTURES.is_dir() else []:
        for article in parse_pubmed_xml(path.read_bytes()):
            out.append(f"{article.title}\n{article.abstract or ''}")
    return out


def tasks() -> list[tuple[str, list[str], list[str]]]:
    """(claim, relevant texts, irrelevant texts) for every claim with enough citations."""
    extra = fixture_texts()
    out = []
    for review in REVIEWS:
        snapshot = {r.key: r for r in load_snapshot(review / "data" / "pubmed")}
        for claim in (u for c in load_claims(review / "claims") for u in c.units()):
            if claim.is_draft:
                continue
            cited = {c.key for c in claim.evidence} & set(snapshot)
            if len(cited) < MIN_RELEVANT:
                continue
            relevant = [text_of(snapshot[k]) for k in sorted(cited)]
            others = [text_of(r) for k, r in snapshot.items() if k not in cited]
            where = "this review" if review == ROOT else review.name
            out.append((f"{where}: {claim.id}", relevant, others + extra))
    return out


def screened_at_95(labels: list[bool], order_of) -> int:
    """How many papers were screened when 95% of the relevant ones were found."""
    target = math.ceil(0.95 * sum(labels))
    seen: list[int] = []
    found = 0
    unseen = set(range(len(labels)))
    for i in order_of(seen, unseen):
        seen.append(i)
        unseen.discard(i)
        found += labels[i]
        if found >= target:
            return len(seen)
    return len(labels)


def simulate(texts: list[str], labels: list[bool], seed: int, ranked: bool) -> float:
    """WSS@95 of one run (model-ranked or random order)."""
    rng = random.Random(seed)
    prior = [rng.choice([i for i, y in enumerate(labels) if y]),
             rng.choice([i for i, y in enumerate(labels) if not y])]  # fmt: skip

    def order_of(seen: list[int], unseen: set[int]):
        yield from prior
        while unseen:
            pool = sorted(unseen)
            if not ranked:
                yield rng.choice(pool)
                continue
            inc = [texts[i] for i in seen if labels[i]]
            exc = [texts[i] for i in seen if not labels[i]]
            scores = relevance_scores(inc, exc, [texts[i] for i in pool])
            yield pool[max(range(len(pool)), key=lambda j: scores[j])]

    n = len(labels)
    return (n - screened_at_95(labels, order_of)) / n - 0.05


def main() -> None:
    rows, model_all, random_all = [], [], []
    for name, relevant, irrelevant in tasks():
        texts, labels = [*relevant, *irrelevant], [True] * len(relevant) + [False] * len(irrelevant)
        model = statistics.mean(simulate(texts, labels, s, True) for s in range(SEEDS))
        rand = statistics.mean(simulate(texts, labels, s, False) for s in range(SEEDS))
        model_all.append(model), random_all.append(rand)
        rows.append(f"| {name} | {len(relevant)} | {len(texts)} | {model:.2f} | {rand:.2f} |")
    print("## Ranked screening queue (WSS@95)\n")
    print("`benchmarks/screening_bench.py`: for each reviewed claim of both shipped reviews with")
    print(f"{MIN_RELEVANT} or more citations, its cited papers are the relevant records and every")
    print("other record (the rest of the review's snapshot, on the same topic, and the real PubMed")
    print("records of the shared E-utilities fixtures) irrelevant. Screening is simulated from one")
    print("relevant and one irrelevant paper, refitting TF-IDF + naive Bayes after each decision;")
    print(f"WSS@95 is the share of papers left unread at 95% recall, minus 0.05; mean of {SEEDS}")
    print("seeds, against the same loop in random order.\n")
    print("| claim | relevant | records | WSS@95 ranked | WSS@95 random |")
    print("|---|---:|---:|---:|---:|")
    print("\n".join(rows))
    print(f"| **mean over {len(rows)} claims** | | | **{statistics.mean(model_all):.2f}** | "
          f"**{statistics.mean(random_all):.2f}** |")  # fmt: skip


if __name__ == "__main__":
    main()
