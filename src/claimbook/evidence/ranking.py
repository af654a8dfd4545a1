"""The screening queue in the order the reviewer's own decisions suggest: once a claim has at
least one included and one excluded paper, a model trained on them (over title and abstract)
puts the unseen papers most like the included ones first. This is ASReview's classic default:
TF-IDF features and a multinomial naive Bayes classifier (alpha 3.822, ASReview's value),
refitted from scratch every time the queue is shown, so it follows each new decision.
`benchmarks/screening_bench.py` measures it against random order (docs/benchmarks.md).

The stopping hint is the number of papers screened in a row, most recent last, that were
irrelevant: a long run is the usual sign that the relevant papers have been found (it is a
hint, not a rule; the reviewer decides when to stop).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from claimbook.pubmed.store import PaperRecord

RANK_REASON = "ranked by similarity to the papers you included"
UNRANKED_REASON = "newest first (ranking starts once one paper is included and one excluded)"
NB_ALPHA = 3.822  # ASReview's default for its naive Bayes classifier


@dataclass
class RankedQueue:
    """The unseen papers in the order to screen them, why that order, and each one's score
    (the model's probability of relevance; None when not ranked)."""

    records: list[PaperRecord]
    ranked: bool
    reason: str
    scores: list[float | None]


def text_of(record: PaperRecord) -> str:
    """What the model reads of a paper: its title and abstract."""
    return f"{record.title}\n{record.abstract or ''}"


def relevance_scores(
    included: Sequence[str], excluded: Sequence[str], unseen: Sequence[str]
) -> list[float]:
    """P(relevant) of each unseen text, from TF-IDF + naive Bayes fitted on the decided ones."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.naive_bayes import MultinomialNB

    vectorizer = TfidfVectorizer(stop_words="english", sublinear_tf=True)
    x = vectorizer.fit_transform([*included, *excluded, *unseen])
    n = len(included) + len(excluded)
    model = MultinomialNB(alpha=NB_ALPHA).fit(x[:n], [1] * len(included) + [0] * len(excluded))
    relevant = list(model.classes_).index(1)
    return [float(p[relevant]) for p in model.predict_proba(x[n:])] if unseen else []


def rank_queue(
    unseen: Sequence[PaperRecord], included: Sequence[PaperRecord],
    excluded: Sequence[PaperRecord],
) -> RankedQueue:  # fmt: skip
    """The unseen papers, most likely relevant first once there is something to learn from
    (ties and an unranked queue keep the order given)."""
    if not included or not excluded or not unseen:
        return RankedQueue(list(unseen), False, UNRANKED_REASON, [None] * len(unseen))
    scores = relevance_scores(
        [text_of(r) for r in included], [text_of(r) for r in excluded],
        [text_of(r) for r in unseen],
    )  # fmt: skip
    order = sorted(range(len(unseen)), key=lambda i: -scores[i])
    return RankedQueue([unseen[i] for i in order], True, RANK_REASON, [scores[i] for i in order])


def irrelevant_in_a_row(decisions: Sequence[bool]) -> int:
    """How many of the latest decisions (oldest first; True: relevant) were irrelevant in a
    row, counting back from the last one."""
    run = 0
    for relevant in reversed(decisions):
        if relevant:
            break
        run += 1
    return run


def stopping_hint(decisions: Sequence[bool]) -> str:
    """'The last 12 papers you screened were irrelevant.': the hint shown with the queue."""
    run = irrelevant_in_a_row(decisions)
    if not decisions:
        return "No paper screened yet."
    if run == 0:
        return "The last paper you screened was relevant."
    papers, were = ("papers", "were") if run > 1 else ("paper", "was")
    return f"The last {run} {papers} you screened {were} irrelevant in a row."
