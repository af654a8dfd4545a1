"""Streaming, safe parser for PubMed efetch XML (PubmedArticleSet) into `Article` records.

* Streaming: `lxml.etree.iterparse` on each record's end tag; every record is cleared once read,
  so memory does not grow with the number of records.
* Anchored paths only (`MedlineCitation/PMID`, `PubmedData/ArticleIdList/ArticleId`): cited
  references and comment/correction links carry PMIDs and DOIs of *other* papers.
* All text nodes (`itertext`): inline `<i>`, `<sup>`, MathML would otherwise cut titles short.
* Safe: no DTD loading, no network, no entity expansion. A document that declares entities
  (XXE, "billion laughs") is refused with ParseError before anything is resolved.
"""

from __future__ import annotations

import gzip
import html
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from lxml import etree

from claimbook.pubmed.errors import ParseError

__all__ = ["AbstractSection", "Article", "Correction", "parse_pubmed_xml"]

RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle")
ROOT_TAG = "PubmedArticleSet"
INLINE_TAGS = frozenset({"i", "b", "sup", "sub", "u"})
# CommentsCorrections types that change how a paper should be read (comments/citations are not).
CORRECTION_TYPES = frozenset({
    "ErratumIn", "ErratumFor", "RetractionIn", "RetractionOf", "ExpressionOfConcernIn",
    "ExpressionOfConcernFor", "UpdateIn", "UpdateOf", "RepublishedIn", "RepublishedFrom",
    "ReprintIn", "ReprintOf", "PartialRetractionIn", "PartialRetractionOf",
})  # fmt: skip
_WS = re.compile(r"\s+")
_YEAR = re.compile(r"(\d{4})")
_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
_DOCTYPE_SUBSET = re.compile(rb"<!DOCTYPE[^>\[]*\[", re.IGNORECASE)
HEAD_BYTES = 64 * 1024  # DOCTYPE internal subsets must appear before the root element


@dataclass(slots=True)
class AbstractSection:
    """One AbstractText: its printed label, NLM category and plain text."""

    label: str | None
    category: str | None
    text: str


@dataclass(slots=True)
class Correction:
    """A CommentsCorrections link of a correction-like type (see CORRECTION_TYPES)."""

    type: str
    pmid: str | None
    source: str | None


@dataclass(slots=True)
class Article:
    """One PubMed record, normalised. `kind` is "article" or "book"."""

    pmid: str
    title: str
    title_html: str
    abstract: str
    abstract_sections: list[AbstractSection] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    journal: str | None = None
    year: int | None = None
    doi: str | None = None
    pmcid: str | None = None
    publication_types: list[str] = field(default_factory=list)
    mesh_terms: list[str] = field(default_factory=list)
    retracted: bool = False
    corrections: list[Correction] = field(default_factory=list)
    kind: str = "article"


# --------------------------------------------------------------------------- text helpers


def _clean(text: str) -> str:
    """Collapse whitespace runs to one space (cheap test first: most fields have none)."""
    if "\n" in text or "\t" in text or "  " in text or "\r" in text:
        return _WS.sub(" ", text).strip()
    return text.strip()


def _text(el: etree._Element | None) -> str:
    """All text under `el` (itertext, so inline tags do not cut it), whitespace collapsed."""
    if el is None:
        return ""
    if len(el) == 0:  # no child elements: the common case, and much cheaper
        return _clean(el.text or "")
    return _clean("".join(el.itertext()))


def _first_text(parent: etree._Element, path: str) -> str | None:
    el = parent.find(path)
    if el is None:
        return None
    return _text(el) or None


def _leaf(parent: etree._Element, path: str) -> str | None:
    """Text of a leaf element (no inline markup possible, e.g. LastName, Year)."""
    text = parent.findtext(path)
    return _clean(text) or None if text else None


def _inline_html(el: etree._Element | None) -> str:
    """Text of `el` as HTML, keeping only i/b/sup/sub/u (no attributes); everything escaped."""
    if el is None:
        return ""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if node.text:
            parts.append(html.escape(node.text, quote=False))
        for child in node:
            tag = child.tag if isinstance(child.tag, str) else ""
            keep = tag in INLINE_TAGS
            if keep:
                parts.append(f"<{tag}>")
            walk(child)
            if keep:
                parts.append(f"</{tag}>")
            if child.tail:
                parts.append(html.escape(child.tail, quote=False))

    walk(el)
    return _WS.sub(" ", "".join(parts)).strip()


def _year(*candidates: str | None) -> int | None:
    for value in candidates:
        if value:
            m = _YEAR.search(value)
            if m:
                return int(m.group(1))
    return None


def _author(el: etree._Element) -> str | None:
    """'Surname Initials' (plus suffix), or a collective name as written."""
    parts: dict[str, str] = {}
    for child in el:  # one pass over the few children beats several find() calls
        tag = child.tag
        if tag == "CollectiveName":
            return _text(child) or None
        if tag in ("LastName", "Initials", "ForeName", "Suffix") and child.text:
            parts[tag] = _clean(child.text)
    last = parts.get("LastName")
    if not last:
        return None
    initials = parts.get("Initials")
    if not initials:
        fore = parts.get("ForeName", "")
        initials = "".join(p[0] for p in re.split(r"[\s\-]+", fore) if p)
    name = f"{last} {initials}".strip()
    suffix = parts.get("Suffix")
    return f"{name} {suffix}" if suffix else name


def _abstract(container: etree._Element | None) -> tuple[str, list[AbstractSection]]:
    if container is None:
        return "", []
    sections = [
        AbstractSection(el.get("Label") or None, el.get("NlmCategory") or None, _text(el))
        for el in container.iterfind("AbstractText")
    ]
    paragraphs = [f"{s.label}: {s.text}" if s.label else s.text for s in sections if s.text]
    return "\n\n".join(paragraphs), sections


def _ids(*lists: etree._Element | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for lst in lists:
        if lst is None:
            continue
        for el in lst.iterfind("ArticleId"):
            kind = el.get("IdType")
            value = (el.text or "").strip()
            if kind and value and kind not in out:
                out[kind] = value
    return out


def _mesh(citation: etree._Element) -> list[str]:
    out = []
    for heading in citation.iterfind("MeshHeadingList/MeshHeading"):
        desc = heading.find("DescriptorName")
        if desc is None:
            continue
        major = desc.get("MajorTopicYN") == "Y" or any(
            q.get("MajorTopicYN") == "Y" for q in heading.iterfind("QualifierName")
        )
        name = _text(desc)
        out.append(name + "*" if major else name)
    return out


def _corrections(citation: etree._Element) -> list[Correction]:
    out = []
    for el in citation.iterfind("CommentsCorrectionsList/CommentsCorrections"):
        kind = el.get("RefType") or ""
        if kind in CORRECTION_TYPES:
            pmid = _first_text(el, "PMID")
            out.append(Correction(kind, pmid, _first_text(el, "RefSource")))
    return out


# --------------------------------------------------------------------------- records


def _journal_article(rec: etree._Element) -> Article:
    citation = rec.find("MedlineCitation")
    if citation is None:
        raise ParseError("PubmedArticle without MedlineCitation")
    pmid = _leaf(citation, "PMID")
    if not pmid:
        raise ParseError("PubmedArticle without MedlineCitation/PMID")
    art = citation.find("Article")
    if art is None:
        raise ParseError(f"PMID {pmid}: no MedlineCitation/Article")
    title_el = art.find("ArticleTitle")
    abstract, sections = _abstract(art.find("Abstract"))
    journal = (
        _first_text(art, "Journal/ISOAbbreviation")
        or _first_text(art, "Journal/Title")
        or _first_text(citation, "MedlineJournalInfo/MedlineTA")
    )
    year = _year(
        art.findtext("Journal/JournalIssue/PubDate/Year"),
        art.findtext("Journal/JournalIssue/PubDate/MedlineDate"),
        art.findtext("ArticleDate/Year"),
    )
    ids = _ids(rec.find("PubmedData/ArticleIdList"))
    doi = ids.get("doi")
    if not doi:
        for loc in art.iterfind("ELocationID"):
            if loc.get("EIdType") == "doi" and (loc.text or "").strip():
                doi = loc.text.strip()
                break
    pub_types = [_text(el) for el in art.iterfind("PublicationTypeList/PublicationType")]
    corrections = _corrections(citation)
    retracted = "Retracted Publication" in pub_types or any(
        c.type == "RetractionIn" for c in corrections
    )
    authors = [a for a in map(_author, art.iterfind("AuthorList/Author")) if a]
    return Article(
        pmid=pmid,
        title=_text(title_el),
        title_html=_inline_html(title_el),
        abstract=abstract,
        abstract_sections=sections,
        authors=authors,
        journal=journal,
        year=year,
        doi=doi,
        pmcid=ids.get("pmc"),
        publication_types=pub_types,
        mesh_terms=_mesh(citation),
        retracted=retracted,
        corrections=corrections,
        kind="article",
    )


def _book_article(rec: etree._Element) -> Article:
    doc = rec.find("BookDocument")
    if doc is None:
        raise ParseError("PubmedBookArticle without BookDocument")
    pmid = _first_text(doc, "PMID")
    if not pmid:
        raise ParseError("PubmedBookArticle without BookDocument/PMID")
    title_el = doc.find("ArticleTitle")
    if title_el is None:
        title_el = doc.find("Book/BookTitle")
    abstract, sections = _abstract(doc.find("Abstract"))
    authors: list[str] = []
    for lst in doc.iterfind("AuthorList"):
        if lst.get("Type", "authors") == "authors":
            authors.extend(a for a in map(_author, lst.iterfind("Author")) if a)
    ids = _ids(doc.find("ArticleIdList"), rec.find("PubmedBookData/ArticleIdList"))
    # Books have no journal: the publisher stands in for it.
    journal = _first_text(doc, "Book/Publisher/PublisherName") or _first_text(doc, "Book/BookTitle")
    return Article(
        pmid=pmid,
        title=_text(title_el),
        title_html=_inline_html(title_el),
        abstract=abstract,
        abstract_sections=sections,
        authors=authors,
        journal=journal,
        year=_year(
            _first_text(doc, "Book/PubDate/Year"),
            _first_text(doc, "Book/PubDate/MedlineDate"),
            _first_text(doc, "Book/BeginningDate/Year"),
        ),
        doi=ids.get("doi"),
        pmcid=ids.get("pmc"),
        publication_types=[_text(el) for el in doc.iterfind("PublicationType")],
        mesh_terms=[],
        retracted=False,
        corrections=[],
        kind="book",
    )


# --------------------------------------------------------------------------- the stream


def _open(source: bytes | str | os.PathLike[str] | BinaryIO) -> BinaryIO:
    if isinstance(source, bytes | bytearray | memoryview):
        return io.BytesIO(bytes(source))
    if isinstance(source, str | os.PathLike):
        path = os.fspath(source)
        return gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")
    if hasattr(source, "read"):
        return source
    raise TypeError(f"cannot parse {type(source).__name__}: give bytes, a path or a binary file")


class _Guarded(io.RawIOBase):
    """A reader that refuses entity declarations in the document's prolog before lxml sees them."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._head = b""
        self._checked = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._raw.read(len(buffer))
        if not self._checked:
            self._head += data
            if _ENTITY_DECL.search(self._head):
                raise ParseError(
                    "entity declarations are not allowed (possible XXE or entity bomb)"
                )
            if len(self._head) >= HEAD_BYTES or not data or b"<PubmedArticle" in self._head:
                self._checked = True
                self._head = b""
        n = len(data)
        buffer[:n] = data
        return n


def parse_pubmed_xml(source: bytes | str | os.PathLike[str] | BinaryIO) -> Iterator[Article]:
    """Yield one Article per PubmedArticle / PubmedBookArticle in an efetch XML body.

    `source` is the body as bytes, a path (`.gz` is read through gzip) or a binary file
    object. Raises ParseError for malformed or unsafe XML, naming where it broke.
    """
    stream = _open(source)
    close = not hasattr(source, "read")
    last_pmid = None
    try:
        events = etree.iterparse(
            _Guarded(stream),
            events=("end",),
            tag=RECORD_TAGS,
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        for _, el in events:
            parent = el.getparent()
            # Records sit directly under PubmedArticleSet; a file may also hold one bare record.
            if parent is not None and (parent.tag != ROOT_TAG or parent.getparent() is not None):
                raise ParseError(f"<{el.tag}> inside <{parent.tag}>: not a PubMed efetch body")
            try:
                article = _journal_article(el) if el.tag == "PubmedArticle" else _book_article(el)
            except ParseError as exc:
                after = f" (after PMID {last_pmid})" if last_pmid else ""
                raise ParseError(f"{exc}{after}") from None
            last_pmid = article.pmid
            el.clear(keep_tail=False)
            while parent is not None and el.getprevious() is not None:
                del parent[0]
            yield article
        root = events.root
        if root is None or root.tag not in (ROOT_TAG, *RECORD_TAGS):
            tag = root.tag if root is not None else "nothing"
            raise ParseError(f"not a PubMed efetch body: root element is <{tag}>")
    except etree.XMLSyntaxError as exc:
        where = f"line {exc.lineno}, column {exc.offset}" if exc.lineno else "unknown position"
        after = f", after PMID {last_pmid}" if last_pmid else ""
        raise ParseError(f"malformed XML at {where}{after}: {exc.msg}") from None
    except ParseError:
        raise
    except (ValueError, TypeError, UnicodeDecodeError, LookupError) as exc:
        raise ParseError(f"cannot read XML: {exc}") from None
    finally:
        if close:
            stream.close()
