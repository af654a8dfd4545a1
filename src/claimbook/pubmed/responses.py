"""What an E-utilities answer becomes: one check per endpoint, and the results they return.

A check takes the HTTP response of a successful status and returns the value its client
method returns (`SearchResult`, `HistoryRef`, `FetchedBatch`, ...), or raises:

* ParseError for a broken body (truncated, not XML/JSON, unsafe): the transport retries it;
* NCBIError (SessionExpiredError for a lost history session) for an error NCBI wrote into the
  body (an ERROR element or key): not retried.

`status_error` is the same for an HTTP error status. Small XML answers are read with the
parser's safety (`safe_xml.parse_xml_root`), efetch bodies with `parse_pubmed_xml`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests
from lxml import etree

from claimbook.pubmed.errors import (
    NCBIError,
    ParseError,
    PubMedError,
    RateLimitedError,
    SessionExpiredError,
)
from claimbook.pubmed.parse import parse_pubmed_xml
from claimbook.pubmed.records import PubMedArticle
from claimbook.pubmed.safe_xml import parse_xml_root

__all__ = [
    "FetchResult",
    "FetchedBatch",
    "HistoryRef",
    "SearchResult",
    "check_efetch",
    "check_elink",
    "check_epost",
    "check_esearch",
    "check_esummary",
    "ncbi_error",
    "status_error",
    "xml_answer",
]


# --------------------------------------------------------------------------- results


@dataclass
class SearchResult:
    """An esearch result: total count, the PMIDs fetched, and the history-server handle."""

    count: int
    ids: list[str]
    webenv: str | None = None
    query_key: str | None = None
    query_translation: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class HistoryRef:
    """A result set on NCBI's history server."""

    webenv: str
    query_key: str


@dataclass
class FetchedBatch:
    """One efetch response: what was asked, what came back, and the body exactly as received."""

    requested: list[str]
    returned: list[str]
    raw: bytes
    url: str
    fetched_at: datetime
    status: int
    articles: list[PubMedArticle] = field(default_factory=list, repr=False)

    @property
    def missing(self) -> list[str]:
        got = set(self.returned)
        return [p for p in self.requested if p not in got]


@dataclass
class FetchResult:
    """All batches of one efetch call."""

    batches: list[FetchedBatch] = field(default_factory=list)

    @property
    def returned(self) -> list[str]:
        return [p for b in self.batches for p in b.returned]

    @property
    def missing(self) -> list[str]:
        return [p for b in self.batches for p in b.missing]

    @property
    def articles(self) -> list[PubMedArticle]:
        return [a for b in self.batches for a in b.articles]


# --------------------------------------------------------------------------- NCBI's errors


def ncbi_error(endpoint: str, message: str) -> NCBIError:
    """The error NCBI wrote into a body: SessionExpiredError when it is about the history
    server (WebEnv, query_key), else NCBIError."""
    text = f"{endpoint}: NCBI error: {message}"
    lowered = message.lower()
    if "webenv" in lowered or "query_key" in lowered or "history" in lowered:
        return SessionExpiredError(text)
    return NCBIError(text)


def status_error(
    response: requests.Response, what: str, redact: Callable[[str], str]
) -> PubMedError:
    """The error for an HTTP error status (with NCBI's JSON `error` if the body has one):
    RateLimitedError for 429, else NCBIError. `redact` removes the API key from the message."""
    detail = ""
    try:
        body = response.json()
        detail = body.get("error", "") if isinstance(body, dict) else ""
    except ValueError:
        detail = ""
    endpoint = response.url.split("?")[0].rsplit("/", 1)[-1]
    message = f"{endpoint} {what}: HTTP {response.status_code}"
    if detail:
        message += f" ({detail})"
    message = redact(message)
    if response.status_code == 429:
        return RateLimitedError(message)
    return NCBIError(message)


def xml_answer(response: requests.Response, endpoint: str) -> etree._Element:
    """The root of a small XML answer, read safely; an ERROR element in it raises NCBIError."""
    try:
        root = parse_xml_root(response.content)
    except ParseError as exc:
        raise ParseError(f"{endpoint}: {exc}") from None
    error = root if root.tag == "ERROR" else root.find("ERROR")
    if error is not None:
        raise ncbi_error(endpoint, "".join(error.itertext()).strip())
    return root


# --------------------------------------------------------------------------- one per endpoint


def check_esearch(response: requests.Response) -> SearchResult:
    """One esearch page: the count, ids, history handle, query translation and warnings."""
    root = xml_answer(response, "esearch")
    if root.tag != "eSearchResult":
        raise ParseError(f"esearch: unexpected root <{root.tag}>")
    warnings = [
        f"{el.tag}: {''.join(el.itertext()).strip()}"
        for lst in (root.find("ErrorList"), root.find("WarningList"))
        if lst is not None
        for el in lst
    ]
    return SearchResult(
        count=int(root.findtext("Count") or 0),
        ids=[el.text.strip() for el in root.iterfind("IdList/Id") if el.text],
        webenv=root.findtext("WebEnv"),
        query_key=root.findtext("QueryKey"),
        query_translation=root.findtext("QueryTranslation"),
        warnings=warnings,
    )


def check_epost(response: requests.Response) -> HistoryRef:
    """The history-server handle of an epost."""
    root = xml_answer(response, "epost")
    webenv, key = root.findtext("WebEnv"), root.findtext("QueryKey")
    if not webenv or not key:
        raise NCBIError("epost: no WebEnv/QueryKey in the answer")
    return HistoryRef(webenv.strip(), key.strip())


def check_efetch(response: requests.Response, batch: list[str], url: str) -> FetchedBatch:
    """One efetch body, parsed whole (a broken record is a broken body), kept as received."""
    raw = response.content
    head = raw[:2048].lstrip()
    if head.startswith(b"<ERROR") or (b"<eFetchResult" in head and b"<ERROR" in raw[:4096]):
        xml_answer(response, "efetch")  # raises NCBIError with the message
    articles = list(parse_pubmed_xml(raw))
    returned = [a.pmid for a in articles]
    return FetchedBatch(
        requested=list(batch),
        returned=returned,
        raw=raw,
        url=url,
        fetched_at=datetime.now(UTC).replace(microsecond=0),
        status=response.status_code,
        articles=articles,
    )


def check_esummary(response: requests.Response) -> dict[str, dict]:
    """The JSON document summaries of an esummary, by uid."""
    try:
        body = json.loads(response.content)
    except ValueError:
        raise ParseError("esummary: body is not JSON") from None
    result = body.get("result") if isinstance(body, dict) else None
    if isinstance(body, dict) and (body.get("error") or (result or {}).get("ERROR")):
        raise ncbi_error("esummary", str(body.get("error") or result.get("ERROR")))
    if not isinstance(result, dict):
        raise ParseError("esummary: no 'result' in the body")
    return {uid: result[uid] for uid in result.get("uids", []) if uid in result}


def check_elink(response: requests.Response, linkname: str) -> dict[str, list[str]]:
    """The linked ids of an elink, per source id (only the LinkSetDb named `linkname`)."""
    root = xml_answer(response, "elink")
    out: dict[str, list[str]] = {}
    for linkset in root.iterfind("LinkSet"):
        sources = [el.text.strip() for el in linkset.iterfind("IdList/Id") if el.text]
        links = [
            el.text.strip()
            for db in linkset.iterfind("LinkSetDb")
            if db.findtext("LinkName") in (None, linkname)
            for el in db.iterfind("Link/Id")
            if el.text
        ]
        for src in sources:
            out.setdefault(src, []).extend(links)
    return out
