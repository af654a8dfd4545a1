"""What a reviewer types to name a paper, and a DOI's PMID from PubMed.

A paper is named by its PMID ('3735481', 'PMID: 3735481', the address of its PubMed page,
`claimbook.ids.pubmed_url`, or the older ncbi.nlm.nih.gov/pubmed/N), its DOI
('10.1080/02640418608732095', 'doi:...', a https://doi.org/ address) or, for a source PubMed
does not index, any other http(s) address.
A DOI is looked up in PubMed with esearch on the Article Identifier field: `"DOI"[aid]`
(quoted, as DOIs may hold parentheses or other characters PubMed's query syntax reads).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from claimbook.ids import DOI_RE, DOI_RESOLVER, PMID_RE, PUBMED_PAGE, URL_RE, citation_key
from claimbook.pubmed.seam import Eutils

__all__ = ["PaperRef", "doi_pmids", "doi_term", "parse_paper_ref"]

_PUBMED_HOST = urlsplit(PUBMED_PAGE).hostname
_PUBMED_HOSTS = {_PUBMED_HOST, _PUBMED_HOST.replace("pubmed.", "www."), "ncbi.nlm.nih.gov"}
_DOI_HOST = urlsplit(DOI_RESOLVER).hostname
_DOI_HOSTS = {_DOI_HOST, f"dx.{_DOI_HOST}", f"www.{_DOI_HOST}"}


@dataclass(frozen=True)
class PaperRef:
    """A paper as the reviewer named it: exactly one of a PMID, a DOI or an address."""

    pmid: str | None = None
    doi: str | None = None
    url: str | None = None

    @property
    def key(self) -> str:
        """The citation key (`claimbook.ids.citation_key`)."""
        return citation_key(self.pmid, self.doi, self.url)

    @property
    def what(self) -> str:
        """'PMID 3735481', 'DOI 10.1/x' or 'the paper at https://...', for messages."""
        if self.pmid:
            return f"PMID {self.pmid}"
        return f"DOI {self.doi}" if self.doi else f"the paper at {self.url}"


def _pubmed_page(parts) -> str | None:
    """The PMID of a PubMed page address (`ids.pubmed_url`, or the older .../pubmed/N)."""
    if (parts.hostname or "").lower() not in _PUBMED_HOSTS:
        return None
    m = re.fullmatch(r"/(?:pubmed/)?([0-9]+)/?", parts.path)
    return m.group(1) if m and PMID_RE.match(m.group(1)) else None


def parse_paper_ref(text: str) -> PaperRef:
    """The paper `text` names (see the module docstring). Raises ValueError, in words, for
    anything that is none of these."""
    text = text.strip()
    bare = re.sub(r"^pmid:?\s*", "", text, flags=re.I)
    if PMID_RE.match(bare):
        return PaperRef(pmid=bare)
    doi = re.sub(r"^doi:\s*", "", text, flags=re.I)
    if DOI_RE.match(doi):
        return PaperRef(doi=doi)
    if URL_RE.match(text):
        try:
            parts = urlsplit(text)
        except ValueError:
            parts = None
        if parts is not None and parts.hostname:
            if (pmid := _pubmed_page(parts)) is not None:
                return PaperRef(pmid=pmid)
            if parts.hostname.lower() in _DOI_HOSTS:
                doi = unquote(parts.path.lstrip("/"))
                if DOI_RE.match(doi):
                    return PaperRef(doi=doi)
                raise ValueError(f"{text!r} is a doi.org address without a DOI (10.NNNN/...)")
            return PaperRef(url=text)
    raise ValueError(
        f"{text!r} is neither a PMID (digits), a DOI (10.NNNN/...) nor a web address (https://...)"
    )


def doi_term(doi: str) -> str:
    """The esearch term that finds a DOI in PubMed: the DOI, quoted, in the Article
    Identifier field."""
    return '"' + doi.replace('"', "") + '"[aid]'


def doi_pmids(client: Eutils, doi: str) -> list[str]:
    """The PMIDs PubMed files under `doi` (none when PubMed lacks it; more than one is
    ambiguous). Raises the client's PubMedError when PubMed cannot be asked."""
    return list(client.esearch(doi_term(doi), retmax=2).ids)
