"""The paper a reviewer names: parse what was typed (a PMID, a DOI, a PubMed or doi.org
address, or the address of a source PubMed lacks), look it up in the snapshot, or fetch it from
PubMed into memory (`StagedPaper`) so that a cite stores it in the snapshot together with the
claim edit, or not at all. A DOI is resolved to its PMID through PubMed; a paper PubMed lacks
is cited with the details the reviewer types (`PaperDetails`), marked "not in PubMed".

Before a cite, `looks_unrelated` says when the paper shares no word with the claim: a PMID
typed with two digits swapped names some other paper, and its title tells at once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from claimbook.claims.validate import ClaimContext
from claimbook.edit.claim_files import cannot_write, context_of, folder_of, refuse
from claimbook.folder import PathLike, ReviewFolder
from claimbook.ids import doi_url
from claimbook.pubmed.lookup import PaperRef, doi_pmids, parse_paper_ref
from claimbook.pubmed.seam import Eutils
from claimbook.pubmed.store import PaperRecord, Snapshot

__all__ = [
    "NOT_IN_PUBMED",
    "PaperDetails",
    "StagedPaper",
    "fetch_paper",
    "find_paper",
    "looks_unrelated",
    "lookup_paper",
    "paper_ref",
    "parse_ident",
]

#: How a paper PubMed lacks is marked wherever it shows (claim file, papers.yaml, snapshot).
NOT_IN_PUBMED = "not in PubMed"
DETAILS_HINT = "give its title, first author, journal and year to cite it as not in PubMed"


def paper_ref(ident: str) -> PaperRef:
    """The paper `ident` names: a PMID, a DOI or an address (`pubmed.lookup.parse_paper_ref`).
    Raises ValueError for anything else."""
    return parse_paper_ref(ident)


def parse_ident(ident: str) -> tuple[str | None, str | None]:
    """(pmid, doi) from what a reviewer types: '3735481', 'PMID: 3735481', a PubMed page
    address, '10.1002/x', 'doi:10.1002/x' or 'https://doi.org/10.1002/x'. Raises ValueError
    for anything else (an address that is neither PubMed's nor doi.org's included)."""
    ref = parse_paper_ref(ident)
    if ref.url:
        raise ValueError(f"{ident!r} is neither a PMID (digits) nor a DOI (10.NNNN/...)")
    return ref.pmid, ref.doi


def parsed(ident: str, where: object) -> tuple[str | None, str | None]:
    """`parse_ident`, with a bad identifier refused as an EditError about `where`."""
    try:
        return parse_ident(ident)
    except ValueError as exc:
        raise refuse(where, "paper", str(exc)) from None


def parsed_ref(ident: str, where: object) -> PaperRef:
    """`paper_ref`, with a bad identifier refused as an EditError about `where`."""
    try:
        return paper_ref(ident)
    except ValueError as exc:
        raise refuse(where, "paper", str(exc)) from None


@dataclass(frozen=True)
class PaperDetails:
    """What the reviewer types of a paper PubMed lacks: title, first author, journal, year."""

    title: str
    first_author: str
    year: int
    journal: str | None = None

    def checked(self, where: object) -> PaperDetails:
        """The details tidied (spaces), refused in words when one is missing or implausible."""
        title, author = " ".join(self.title.split()), " ".join(self.first_author.split())
        journal = " ".join((self.journal or "").split()) or None
        if len(title) < 10:
            raise refuse(where, "title", "type the paper's title (10 characters or more)")
        if len(author) < 2:
            raise refuse(where, "first_author", "type the first author (e.g. Miller KC)")
        if not 1800 <= self.year <= dt.date.today().year + 1:
            raise refuse(where, "year", f"{self.year} is not a year the paper can be from")
        return PaperDetails(title, author, self.year, journal)

    def record(self, ref: PaperRef) -> PaperRecord:
        """The snapshot record of the paper: marked not in PubMed, its details as typed."""
        return PaperRecord(
            doi=ref.doi, url=None if ref.doi else ref.url, in_pubmed=False, title=self.title,
            authors=[self.first_author], journal=self.journal, year=self.year,
            source="curated", verified_from=[doi_url(ref.doi) if ref.doi else ref.url],
            curated_on=dt.date.today(),
        )  # fmt: skip


@dataclass(frozen=True)
class StagedPaper:
    """A paper held in memory until a cite stores it: fetched from PubMed (the E-utilities
    response exactly as received, `raw`) or typed by the reviewer (`raw` None: not in PubMed).
    Nothing is in the snapshot until `stored`."""

    record: PaperRecord
    raw: bytes | None
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
                if self.raw is None:
                    self._store_typed(folder)
                else:
                    commit_batch(folder.snapshot, self.raw, self.fetched_at,
                                 {"requested": 1, "missing": [], "for": "cite"})  # fmt: skip
            except OSError as exc:
                raise cannot_write(folder.snapshot, exc) from None
            yield

    def _store_typed(self, folder: ReviewFolder) -> None:
        """Add the typed record to the snapshot, saying so in the manifest's history."""
        from claimbook.pubmed.store import load_snapshot, lock, save_snapshot

        with lock(folder.snapshot):
            records = [r for r in load_snapshot(folder.snapshot) if r.key != self.record.key]
            save_snapshot(folder.snapshot, [*records, self.record], {
                "action": "cite", "at": self.fetched_at.isoformat(timespec="seconds"),
                "paper": self.record.key, "note": f"{NOT_IN_PUBMED}: details typed by the reviewer",
            })  # fmt: skip


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def find_paper(
    project: PathLike | ReviewFolder,
    ident: str,
    offline: bool = False,
    client: Eutils | None = None,
) -> PaperRecord | PaperRef:
    """The record of a paper by PMID, DOI or address: from the snapshot, else from PubMed
    (nothing is stored). A DOI PubMed lacks, or an address, gives back its `PaperRef`: the
    paper is cited with the details the reviewer types. Refused offline (for a PMID or DOI the
    snapshot lacks) and when PubMed cannot be asked."""
    folder = folder_of(project)
    ref = parsed_ref(ident, folder.snapshot)
    found = context_of(folder).snapshot.find(ref.pmid, ref.doi, ref.url)
    if found is not None:
        return found
    if ref.url:
        return ref
    staged = _fetch(folder, ref, offline, client)
    return ref if staged is None else staged.record


def lookup_paper(
    project: PathLike | ReviewFolder,
    ident: str,
    offline: bool = False,
    client: Eutils | None = None,
) -> PaperRecord:
    """The record of a paper by PMID or DOI: from the snapshot, else fetched from PubMed
    without storing it. Refused offline or when PubMed has no record."""
    found = find_paper(project, ident, offline=offline, client=client)
    if isinstance(found, PaperRef):
        where = folder_of(project).snapshot
        raise refuse(where, "paper", f"PubMed has no record of {found.what}: {DETAILS_HINT}")
    return found


def fetch_paper(
    project: PathLike | ReviewFolder,
    ident: str,
    offline: bool = False,
    client: Eutils | None = None,
    details: PaperDetails | None = None,
) -> StagedPaper:
    """Fetch a paper by PMID or DOI from PubMed into memory (nothing is written); a DOI
    PubMed lacks, or an address, is staged from the `details` the reviewer typed. Refused
    offline, when PubMed cannot be asked, has no single record for a DOI (and no details are
    given) or answers with another paper."""
    folder = folder_of(project)
    ref = parsed_ref(ident, folder.snapshot)
    staged = None if ref.url else _fetch(folder, ref, offline, client)
    if staged is not None:
        return staged
    if details is None:
        why = "is not in PubMed" if ref.url else "has no record in PubMed"
        raise refuse(folder.snapshot, "paper", f"{ref.what} {why}: {DETAILS_HINT}")
    return StagedPaper(details.checked(folder.snapshot).record(ref), None, _now())


def _fetch(
    folder: ReviewFolder, ref: PaperRef, offline: bool, client: Eutils | None
) -> StagedPaper | None:
    """The paper `ref` (a PMID or DOI) from PubMed; None when PubMed has no record of the DOI."""
    from claimbook.pubmed import PubMedError
    from claimbook.pubmed.sync import fetch_records

    what, where = ref.what, folder.snapshot
    if offline:
        raise refuse(
            where, "paper",
            f"{what} is not in the snapshot and cannot be fetched offline; run without "
            "--offline on a machine with internet, or cite a paper the snapshot holds",
        )  # fmt: skip
    if client is None:
        from claimbook.pubmed.client import EutilsClient

        client = EutilsClient(progress=False)
    try:
        pmid = ref.pmid
        if pmid is None:
            ids = doi_pmids(client, ref.doi)
            if not ids:
                return None
            if len(ids) > 1:
                raise refuse(
                    where, "paper", f"{what}: PubMed files {len(ids)} records under it (PMIDs "
                    f"{', '.join(ids)}); cite the one meant by its PMID",
                )  # fmt: skip
            pmid = ids[0]
        fetched = fetch_records(client, [pmid])
    except PubMedError as exc:
        raise refuse(where, "paper", f"{what}: could not ask PubMed, so nothing was saved: "
                     f"{exc}") from None  # fmt: skip
    for record, batch in fetched:
        if record.pmid == pmid:
            if ref.doi and (record.doi or "").lower() != ref.doi.lower():
                raise refuse(
                    where, "paper", f"{what}: PubMed's record PMID {pmid} has DOI "
                    f"{record.doi or 'none'}; cite it by its PMID if it is the one",
                )  # fmt: skip
            return StagedPaper(record, batch.raw, batch.fetched_at)
    raise refuse(where, "paper", f"{what}: PubMed returned no record (deleted?)")


# --------------------------------------------------------------------------- unrelated papers

# Words that say nothing of a topic: English function words, the words of every study, the
# MeSH check tags, PubMed's query operators. Kept short: a topic word must never be here.
_STOP_TEXT = """a an and are as at be been being but by can could did do does for from had has
have how in into is it its may might more most no nor not of on or our over so such than that
the their them then there these they this those to too under up very was we were what when
where whether which while who why will with within without would you your also after before
during between among about against each other only same both either behind above below
because through upon via per any some many much study studies trial
trials review reviews analysis analyses effect effects result results outcome outcomes method
methods case cases report reports patient patients clinical people person persons group
groups use using used new based associated association factor factors risk treatment therapy
care data evidence research randomized randomised meta comparative prospective retrospective
cohort cross sectional journal article title tiab mesh majr all fields terms filter filters
english"""
_STOPWORDS = frozenset(_STOP_TEXT.split())
# MeSH check tags: on nearly every record, they say nothing of its topic.
MESH_CHECK_TAGS = frozenset(
    {"Humans", "Animals", "Male", "Female", "Adult", "Aged", "Aged, 80 and over", "Middle Aged",
     "Young Adult", "Adolescent", "Child", "Child, Preschool", "Infant", "Infant, Newborn",
     "Pregnancy"}
)  # fmt: skip


def _stem(word: str) -> str:
    """Stemming-lite: an ending ('ing', 'ed', a plural's 's') off, then the first six letters
    ('infected' and 'infection' → 'infect'; 'coughs', 'coughing', 'coughed' → 'cough')."""
    for ending in ("ing", "ed", "s"):
        if len(word) > len(ending) + 3 and word.endswith(ending) and not word.endswith("ss"):
            word = word[: -len(ending)]
            break
    return word[:6]


_STOP_STEMS = frozenset(_stem(s) for s in _STOPWORDS)


def content_words(texts: Iterable[str | None]) -> set[str]:
    """The content words of `texts`, stemmed: lower case, letters only ('H-reflex' is
    'reflex'), three letters or more, no stopword; query field tags ('[tiab]') dropped."""
    words: set[str] = set()
    for text in texts:
        if not text:
            continue
        text = re.sub(r"\[[^\]]*\]", " ", text.lower())
        words |= {_stem(w) for w in re.findall(r"[a-z]+", text) if len(w) >= 3}
    return words - _STOP_STEMS


def looks_unrelated(record: PaperRecord, claim_texts: Iterable[str | None]) -> bool:
    """True when the paper's title and MeSH headings share no content word (`content_words`)
    with the claim's texts (its title, plain wording and PubMed query). A record with no
    content word at all is not judged (False)."""
    mesh = [m.rstrip("*") for m in record.mesh_terms]
    paper = content_words([record.title, *(m for m in mesh if m not in MESH_CHECK_TAGS)])
    claim = content_words(claim_texts)
    return bool(paper) and bool(claim) and not (paper & claim)


def claim_texts(*sources: Any) -> list[str]:
    """The title, plain wording and query of each source (a claim, a part or their YAML
    mapping), for `looks_unrelated`."""
    out = []
    for src in sources:
        get = src.get if isinstance(src, dict) else (lambda k, s=src: getattr(s, k, None))
        out += [str(v) for k in ("title", "claim", "query") if (v := get(k))]
    return out


def unrelated_message(record: PaperRecord) -> str:
    """The warning a cite of an unrelated-looking paper gives."""
    return f"This paper looks unrelated: {record.title} — cite anyway?"
