"""The paper a reviewer names: parse what was typed (a PMID or a DOI), look it up in the
snapshot, or fetch it from PubMed into memory (`StagedPaper`) so that a cite stores it in the
snapshot together with the claim edit, or not at all.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from claimbook.claims.validate import ClaimContext
from claimbook.edit.claim_files import cannot_write, context_of, folder_of, refuse
from claimbook.folder import PathLike, ReviewFolder
from claimbook.ids import DOI_RE, PMID_RE
from claimbook.pubmed.seam import Eutils
from claimbook.pubmed.store import PaperRecord, Snapshot

__all__ = ["StagedPaper", "fetch_paper", "lookup_paper", "parse_ident"]


def parse_ident(ident: str) -> tuple[str | None, str | None]:
    """(pmid, doi) from what a reviewer types: '3735481', 'PMID: 3735481', '10.1002/x',
    'doi:10.1002/x' or 'https://doi.org/10.1002/x'. Raises ValueError for anything else."""
    text = ident.strip()
    bare = re.sub(r"^(?:pmid:?\s*)", "", text, flags=re.I)
    if PMID_RE.match(bare):
        return bare, None
    doi = re.sub(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", "", text, flags=re.I)
    if DOI_RE.match(doi):
        return None, doi
    raise ValueError(f"{ident!r} is neither a PMID (digits) nor a DOI (10.NNNN/...)")


def parsed(ident: str, where: object) -> tuple[str | None, str | None]:
    """`parse_ident`, with a bad identifier refused as an EditError about `where`."""
    try:
        return parse_ident(ident)
    except ValueError as exc:
        raise refuse(where, "paper", str(exc)) from None


@dataclass(frozen=True)
class StagedPaper:
    """A paper fetched from PubMed and held in memory: the E-utilities response exactly as
    received, and the record it gives. Nothing is in the snapshot until `stored`."""

    record: PaperRecord
    raw: bytes
    fetched_at: dt.datetime

    def context(self, context: ClaimContext) -> ClaimContext:
        """`context` as it will be once this paper is stored: for validating the edit first."""
        snapshot = Snapshot([*context.snapshot, self.record], context.snapshot.directory)
        return replace(context, snapshot=snapshot)

    @contextlib.contextmanager
    def stored(self, folder: ReviewFolder) -> Iterator[None]:
        """Store the paper, then run the block (the claim write); if the block fails, put the
        snapshot back byte for byte, so the paper is stored only together with the edit."""
        from claimbook.pubmed.store import undone_on_error
        from claimbook.pubmed.sync import commit_batch

        with undone_on_error(folder.snapshot):
            try:
                commit_batch(folder.snapshot, self.raw, self.fetched_at,
                             {"requested": 1, "missing": [], "for": "cite"})  # fmt: skip
            except OSError as exc:
                raise cannot_write(folder.snapshot, exc) from None
            yield


def lookup_paper(
    project: PathLike | ReviewFolder,
    ident: str,
    offline: bool = False,
    client: Eutils | None = None,
) -> PaperRecord:
    """The record of a paper by PMID or DOI: from the snapshot, else fetched from PubMed
    without storing it. Refused offline or when PubMed has no record."""
    folder = folder_of(project)
    pmid, doi = parsed(ident, folder.snapshot)
    found = context_of(folder).snapshot.find(pmid, doi)
    if found is not None:
        return found
    return fetch_paper(folder, ident, offline=offline, client=client).record


def fetch_paper(
    project: PathLike | ReviewFolder,
    ident: str,
    offline: bool = False,
    client: Eutils | None = None,
) -> StagedPaper:
    """Fetch a paper by PMID or DOI from PubMed into memory (nothing is written). Refused
    offline, when PubMed has no record or no single record for a DOI."""
    from claimbook.pubmed import PubMedError
    from claimbook.pubmed.sync import fetch_records

    folder = folder_of(project)
    pmid, doi = parsed(ident, folder.snapshot)
    what = f"PMID {pmid}" if pmid else f"DOI {doi}"
    if offline:
        raise refuse(
            folder.snapshot, "paper",
            f"{what} is not in the snapshot and cannot be fetched offline; run without "
            "--offline on a machine with internet, or cite a paper the snapshot holds",
        )  # fmt: skip
    if client is None:
        from claimbook.pubmed.client import EutilsClient

        client = EutilsClient(progress=False)
    try:
        if pmid is None:
            ids = client.esearch(f"{doi}[doi]", retmax=2).ids
            if len(ids) != 1:
                raise refuse(folder.snapshot, "paper", f"{what}: PubMed has no single record")
            pmid = ids[0]
        fetched = fetch_records(client, [pmid])
    except PubMedError as exc:
        raise refuse(folder.snapshot, "paper", f"{what}: {exc}") from None
    for record, batch in fetched:
        if record.pmid == pmid:
            return StagedPaper(record, batch.raw, batch.fetched_at)
    raise refuse(folder.snapshot, "paper", f"{what}: PubMed returned no record (deleted?)")
