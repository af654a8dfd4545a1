"""Identifiers of papers: PMID, DOI and PMCID patterns, and the one key that names a citation.

Claims, the snapshot and the exports all name a paper the same way: its PMID, else
`doi:<doi>` (lower case), else `url:<url>` for a source PubMed does not index.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

PMID_RE = re.compile(r"^[1-9][0-9]{0,8}\Z")  # \Z, not $: "123\n" is not a PMID
DOI_RE = re.compile(r"^10\.\d{4,9}/\S+\Z")
PMCID_RE = re.compile(r"^PMC[0-9]+\Z")
URL_RE = re.compile(r"^https?://\S+\Z")
DOI_RESOLVER = "https://doi.org/"
PUBMED_PAGE = "https://pubmed.ncbi.nlm.nih.gov/"
# Anything a browser or a Markdown renderer could strip or fold into a URL (whitespace,
# C0/C1 controls, DEL) makes it unsafe: `java\tscript:` must not pass as harmless text.
_UNSAFE_IN_URL = re.compile(r"[\s\x00-\x1f\x7f-\x9f]")


def citation_key(pmid: str | None, doi: str | None = None, url: str | None = None) -> str:
    """The one key that names a citation in claims and in the snapshot."""
    if pmid:
        return pmid
    if doi:
        return "doi:" + doi.lower()
    if url:
        return "url:" + url
    raise ValueError("a citation needs a pmid, a doi or a url")


def key_sort(key: str) -> tuple[int, int, str]:
    """Sort order of keys: PMIDs numerically first, then DOIs and URLs alphabetically."""
    return (0, int(key), "") if key.isdigit() else (1, 0, key)


def short_list(items: list[str], limit: int = 10) -> str:
    """'1, 2, 3 (+7 more)': a long list of ids cut to fit one line of a message."""
    shown = ", ".join(items[:limit])
    return shown + (f" (+{len(items) - limit} more)" if len(items) > limit else "")


def pmid_problem(text: str) -> str | None:
    """Why `text` is not a PMID (a whole number from 1 to 999999999, in digits), or None."""
    if PMID_RE.match(text):
        return None
    if re.fullmatch(r"-?[0-9]+", text):
        if text.lstrip("-").strip("0") == "" or text.startswith("-"):
            return "a PMID is a positive number, 1 or more"
        return "no leading zero" if text.startswith("0") else "too long: at most 9 digits"
    if re.match(r"pmid", text, re.I):
        return "digits only: leave out the PMID prefix"
    return "a PMID is a positive number, in digits"


def pubmed_url(pmid: str) -> str:
    """The PubMed page of a paper: every writer (report, exports, workbench) links this one."""
    return f"{PUBMED_PAGE}{pmid}/"


def doi_url(doi: str) -> str:
    """The https://doi.org/ address of a DOI (`10.NNNN/suffix`, without a resolver prefix)."""
    return DOI_RESOLVER + doi


def check_pmid(v: str | None) -> str | None:
    """A pydantic validator: a positive number in digits, no prefix."""
    if v is not None and (why := pmid_problem(v)):
        raise ValueError(f"malformed PMID {v!r}: {why}")
    return v


def check_doi(v: str | None) -> str | None:
    """A pydantic validator: `10.NNNN/suffix`, without a resolver prefix."""
    if v is not None and not DOI_RE.match(v):
        raise ValueError(f"malformed DOI {v!r}: expected 10.NNNN/suffix, without https://doi.org/")
    return v


def check_pmcid(v: str | None) -> str | None:
    """A pydantic validator: `PMC` followed by digits."""
    if v is not None and not PMCID_RE.match(v):
        raise ValueError(f"malformed PMCID {v!r} (expected PMC followed by digits)")
    return v


def check_url(v: str | None) -> str | None:
    """A pydantic validator: an http(s) URL without spaces."""
    if v is not None and not URL_RE.match(v):
        raise ValueError(f"malformed URL {v!r}")
    return v


def safe_url(url: object) -> str | None:
    """The address to link to, or None: only http(s) URLs with a host, and `doi:10.NNNN/...`
    (returned as its https://doi.org/ address). Writers call this on every href they emit, so
    `javascript:`, `data:`, `file:` and the like never become a live link, whatever the input.
    """
    if not isinstance(url, str) or not url or _UNSAFE_IN_URL.search(url):
        return None
    if url[:4].lower() == "doi:":
        doi = url[4:]
        return doi_url(doi) if DOI_RE.match(doi) else None
    if not re.match(r"https?://", url, re.I):
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:  # e.g. a malformed IPv6 literal
        return None
    return url if host else None
