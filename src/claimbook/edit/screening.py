"""The screening queue: a claim's saved PubMed hits that are neither cited nor excluded yet.

`claimbook search CLAIM_ID --save` stores the hits of the claim's query, with their records
(title, authors, year, abstract, publication types), in `data/pubmed/hits/CLAIM_ID.json`, so
that screening works offline afterwards. Including a hit cites it (`edit.cite`); excluding it
records the reason (`edit.exclude`); either way it leaves the queue. The file's format is
screening's, but the snapshot's store writes it (`store.write_hits`), as it writes everything
under `data/pubmed/`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError

from claimbook.claims.schema import Claim, normal_id
from claimbook.folder import PathLike, ReviewFolder
from claimbook.inputs import MAX_JSON_BYTES, InputError, read_text
from claimbook.pubmed import store
from claimbook.pubmed.seam import Eutils
from claimbook.pubmed.search import AUTO, SearchRun, design_term
from claimbook.pubmed.store import PaperRecord

EMPTY_QUEUE_HINT = "No saved search hits: run `claimbook search {id} --save` (online) to fill it."


@dataclass
class SavedHits:
    """A claim's saved searches: the last query, when it ran, how many records matched, every
    run so far (`searches`, oldest first: what PRISMA counts) and the hits of all of them."""

    claim_id: str
    query: str
    searched_at: str
    count: int
    records: list[PaperRecord]
    path: Path
    searches: list[SearchRun] = field(default_factory=list)


def _folder(project: PathLike | ReviewFolder) -> ReviewFolder:
    return project if isinstance(project, ReviewFolder) else ReviewFolder.at(project)


def hits_path(project: PathLike | ReviewFolder, claim_id: str) -> Path:
    return store.hits_file(_folder(project).snapshot, normal_id(claim_id))


def save_hits(
    project: PathLike | ReviewFolder, claim: Claim, client: Eutils, max_hits: int = 50,
    filter_name: str = AUTO, reviews_only: bool = False,
) -> SavedHits:  # fmt: skip
    """Run the claim's query with the filter its question calls for (`design_term`; `none`:
    the bare query), fetch the hits' records (efetch), and add the run to the saved search."""
    from claimbook.pubmed.sync import fetch_records

    if not claim.query:
        raise ValueError(f"{claim.id} has no PubMed query yet")
    sent = design_term(claim.query, claim.question, filter_name, reviews_only)
    result = client.esearch(sent.term, retmax=max_hits)
    fetched = fetch_records(client, result.ids, "(search hit)") if result.ids else []
    records = [record for record, _batch in fetched]
    run = SearchRun(
        claim.query, sent.term, sent.filter, reviews_only, result.query_translation, _now(),
        result.count, tuple(r.pmid for r in records if r.pmid),
    )  # fmt: skip
    return store_hits(project, claim.id, claim.query, result.count, records, run)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def store_hits(
    project: PathLike | ReviewFolder, claim_id: str, query: str, count: int,
    records: list[PaperRecord], run: SearchRun | None = None,
) -> SavedHits:  # fmt: skip
    """Add a search run to the claim's saved search (its records merged with those saved
    before) and write it atomically, through the snapshot's store; return it. Without `run`,
    the run is the bare query, now."""
    snapshot = _folder(project).snapshot
    run = run or SearchRun(
        query, query, None, False, None, _now(), count, tuple(r.pmid for r in records if r.pmid)
    )
    path = store.hits_file(snapshot, normal_id(claim_id))
    before = load_hits(project, claim_id) if path.is_file() else None  # a folder: write fails
    merged = {r.key: r for r in (before.records if before else [])}
    merged.update({r.key: r for r in records})
    saved = SavedHits(
        normal_id(claim_id), query, run.searched_at, count, list(merged.values()),
        store.hits_file(snapshot, normal_id(claim_id)), [*(before.searches if before else []), run],
    )  # fmt: skip
    body = {
        "claim": saved.claim_id,
        "query": saved.query,
        "searched_at": saved.searched_at,
        "count": saved.count,
        "searches": [s.as_json() for s in saved.searches],
        "records": [r.model_dump(mode="json") for r in saved.records],
    }
    text = json.dumps(body, indent=1, ensure_ascii=False) + "\n"
    store.write_hits(snapshot, saved.claim_id, text.encode("utf-8"))
    return saved


def load_hits(project: PathLike | ReviewFolder, claim_id: str) -> SavedHits | None:
    """The claim's saved search, or None when none was saved. A file from before searches were
    kept run by run reads as one run of its query."""
    path = hits_path(project, claim_id)
    if not path.exists():
        return None
    text = read_text(path, MAX_JSON_BYTES, "saved search")
    again = f"run claimbook search {claim_id} --save again"
    try:
        body = json.loads(text)
        records = [PaperRecord.model_validate(r) for r in body.get("records", [])]
        pmids = tuple(r.pmid for r in records if r.pmid)
        old = SearchRun(
            body["query"], body["query"], None, False, None, body["searched_at"],
            int(body["count"]), pmids,
        )  # fmt: skip
        runs = [SearchRun.from_json(r) for r in body.get("searches", [])] or [old]
        return SavedHits(
            body["claim"], body["query"], body["searched_at"], body["count"], records, path, runs
        )
    except json.JSONDecodeError as exc:
        raise InputError(path, exc.lineno, "json", f"invalid JSON ({exc.msg}); {again}") from None
    except (ValidationError, KeyError, TypeError, ValueError, AttributeError, RecursionError):
        raise InputError(path, 1, "file", f"not a saved search claimbook wrote; {again}") from None


def screening_queue(project: PathLike | ReviewFolder, claim: Claim | str) -> list[PaperRecord]:
    """Saved hits the claim (a Claim, or its id) neither cites nor excludes, newest first."""
    if isinstance(claim, str):
        from claimbook.claims.load import load_claims

        claim = next(c for c in load_claims(_folder(project).claims) if c.id == normal_id(claim))
    saved = load_hits(project, claim.id)
    if saved is None:
        return []
    screened = {c.key for c in claim.evidence} | {c.key for c in claim.excluded}
    screened |= {f"doi:{c.doi.lower()}" for c in [*claim.evidence, *claim.excluded] if c.doi}
    waiting = [
        r for r in saved.records
        if r.key not in screened and not (r.doi and f"doi:{r.doi.lower()}" in screened)
    ]  # fmt: skip
    return sorted(waiting, key=lambda r: (r.year or 0, int(r.pmid or 0)), reverse=True)
