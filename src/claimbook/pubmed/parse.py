"""Streaming, safe parser for PubMed efetch XML (PubmedArticleSet) into `PubMedArticle` records.

* Streaming: `lxml.etree.iterparse` on each record's end tag; every record is cleared once read
  and its earlier siblings deleted, so memory does not grow with the number of records.
* Anchored paths only (`MedlineCitation/PMID`, `PubmedData/ArticleIdList/ArticleId`): cited
  references and comment/correction links carry PMIDs and DOIs of *other* papers. This module
  knows where each element sits in a record; `fields.py` reads one element (text, authors,
  abstract, ids, MeSH, corrections); `records.py` holds the dataclasses it fills.
* Safe (`safe_xml.py`): no DTD loading, no network, no entity expansion, input read as UTF-8
  only. A document whose DOCTYPE has an internal subset (where entities are declared: XXE,
  "billion laughs") is refused with ParseError before lxml sees the subset; entity references
  are refused too.
"""

from __future__ import annotations

import gzip
import io
import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from lxml import etree

from claimbook.pubmed import fields
from claimbook.pubmed.errors import ParseError
from claimbook.pubmed.records import CORRECTION_TYPES, AbstractSection, Correction, PubMedArticle
from claimbook.pubmed.safe_xml import SAFE_XML, EntityGuard, check_no_entities, parse_xml_root

__all__ = [  # the records and the safe setup are re-exported: this was their home
    "CORRECTION_TYPES",
    "SAFE_XML",
    "AbstractSection",
    "Correction",
    "PubMedArticle",
    "parse_pubmed_xml",
    "parse_xml_root",
]

RECORD_TAGS = ("PubmedArticle", "PubmedBookArticle")
ROOT_TAG = "PubmedArticleSet"
_POSITION_SUFFIX = re.compile(r", line \d+, column \d+$")


# --------------------------------------------------------------------------- records


def _record_parts(
    rec: etree._Element, main_tag: str, data_tag: str
) -> tuple[etree._Element, etree._Element | None]:
    """A record's bibliographic part (required) and its PubMed-data part (may be None)."""
    main = data = None
    for child in rec:
        if child.tag == main_tag:
            main = child
        elif child.tag == data_tag:
            data = child
    if main is None:
        raise ParseError(f"<{rec.tag}> without <{main_tag}>")
    return main, data


def _article(
    pmid: str, title_el: etree._Element | None, abstract_el: etree._Element | None, **other: Any
) -> PubMedArticle:
    """A record from its PMID, its title and abstract elements (read the same way for articles
    and books) and its other fields."""
    abstract, sections = fields.abstract(abstract_el)
    return PubMedArticle(
        pmid=pmid,
        title=fields.text(title_el),
        title_html=fields.inline_html(title_el),
        abstract=abstract,
        abstract_sections=sections,
        **other,
    )


@dataclass(slots=True)
class _ArticleParts:
    """What a MedlineCitation/Article element holds, as `_read_article` finds it."""

    title_el: etree._Element | None = None
    abstract_el: etree._Element | None = None
    iso: str | None = None
    journal_title: str | None = None
    year_text: str | None = None
    medline_date: str | None = None
    article_year: str | None = None
    eloc_doi: str | None = None
    authors: list[str] = field(default_factory=list)
    pub_types: list[str] = field(default_factory=list)


def _read_article(art: etree._Element) -> _ArticleParts:
    """One walk over MedlineCitation/Article: title, journal names and date, abstract, authors,
    the DOI of an ELocationID, publication types, the electronic ArticleDate."""
    got = _ArticleParts()
    for child in art:
        tag = child.tag
        if tag == "ArticleTitle":
            got.title_el = child
        elif tag == "Journal":
            for part in child:
                ptag = part.tag
                if ptag == "ISOAbbreviation":
                    got.iso = fields.text(part) or None
                elif ptag == "Title":
                    got.journal_title = fields.text(part) or None
                elif ptag == "JournalIssue":
                    for issue_part in part:
                        if issue_part.tag == "PubDate":
                            got.year_text = fields.child_text(issue_part, "Year")
                            got.medline_date = fields.child_text(issue_part, "MedlineDate")
        elif tag == "Abstract":
            got.abstract_el = child
        elif tag == "AuthorList":
            got.authors = fields.authors(child)
        elif tag == "ELocationID":
            if got.eloc_doi is None and child.get("EIdType") == "doi":
                got.eloc_doi = fields.text(child) or None
        elif tag == "PublicationTypeList":
            got.pub_types = [fields.text(p) for p in child if p.tag == "PublicationType"]
        elif tag == "ArticleDate":
            got.article_year = got.article_year or fields.child_text(child, "Year")
    return got


def _journal_article(rec: etree._Element) -> PubMedArticle:
    """A PubmedArticle: MedlineCitation (PMID, Article, journal, corrections, MeSH) and the ids
    of PubmedData."""
    citation, data = _record_parts(rec, "MedlineCitation", "PubmedData")

    pmid = art = medline_ta = None
    corrections: list[Correction] = []
    mesh: list[str] = []
    for child in citation:
        tag = child.tag
        if tag == "PMID":
            pmid = pmid or fields.text(child)
        elif tag == "Article":
            art = child
        elif tag == "MedlineJournalInfo":
            medline_ta = fields.child_text(child, "MedlineTA")
        elif tag == "CommentsCorrectionsList":
            corrections = fields.corrections(child)
        elif tag == "MeshHeadingList":
            mesh = fields.mesh(child)
    if not pmid:
        raise ParseError("<PubmedArticle> without MedlineCitation/PMID")
    if art is None:
        raise ParseError(f"PMID {pmid}: no MedlineCitation/Article")
    got = _read_article(art)

    ids: dict[str, str] = {}
    fields.data_ids(data, ids)
    retracted = "Retracted Publication" in got.pub_types or any(
        c.type == "RetractionIn" for c in corrections
    )
    return _article(
        pmid,
        got.title_el,
        got.abstract_el,
        authors=got.authors,
        journal=got.iso or got.journal_title or medline_ta,
        year=fields.year(got.year_text, got.medline_date, got.article_year),
        doi=ids.get("doi") or got.eloc_doi,
        pmcid=ids.get("pmc"),
        publication_types=got.pub_types,
        mesh_terms=mesh,
        retracted=retracted,
        corrections=corrections,
        kind="article",
    )


def _book_article(rec: etree._Element) -> PubMedArticle:
    """A PubmedBookArticle: BookDocument (PMID, ids, chapter title, authors, the Book's
    publisher, title and date) and the ids of PubmedBookData."""
    doc, data = _record_parts(rec, "BookDocument", "PubmedBookData")

    pmid = title_el = abstract_el = book = None
    ids: dict[str, str] = {}
    authors: list[str] = []
    pub_types: list[str] = []
    for child in doc:
        tag = child.tag
        if tag == "PMID":
            pmid = pmid or fields.text(child)
        elif tag == "ArticleIdList":
            fields.collect_ids(child, ids)
        elif tag == "Book":
            book = child
        elif tag == "ArticleTitle":
            title_el = child
        elif tag == "AuthorList":
            if child.get("Type", "authors") == "authors":  # not Type="editors"
                authors.extend(fields.authors(child))
        elif tag == "PublicationType":
            pub_types.append(fields.text(child))
        elif tag == "Abstract":
            abstract_el = child
    if not pmid:
        raise ParseError("<PubmedBookArticle> without BookDocument/PMID")
    fields.data_ids(data, ids)

    publisher = book_title_el = year_text = medline_date = begin_year = None
    if book is not None:
        for child in book:
            tag = child.tag
            if tag == "Publisher":
                publisher = fields.child_text(child, "PublisherName")
            elif tag == "BookTitle":
                book_title_el = child
            elif tag == "PubDate":
                year_text = fields.child_text(child, "Year")
                medline_date = fields.child_text(child, "MedlineDate")
            elif tag == "BeginningDate":
                begin_year = fields.child_text(child, "Year")
            elif tag == "AuthorList" and not authors and child.get("Type") == "authors":
                authors = fields.authors(child)  # a whole-book record names its authors here
    if title_el is None:  # a whole-book record has no chapter title
        title_el = book_title_el
    return _article(
        pmid,
        title_el,
        abstract_el,
        authors=authors,
        journal=publisher or fields.text(book_title_el) or None,
        year=fields.year(year_text, medline_date, begin_year),
        doi=ids.get("doi"),
        pmcid=ids.get("pmc"),
        publication_types=pub_types,
        mesh_terms=[],
        retracted="Retracted Publication" in pub_types,
        corrections=[],
        kind="book",
    )


# --------------------------------------------------------------------------- the stream


def _open(source: bytes | str | os.PathLike[str] | BinaryIO) -> tuple[BinaryIO, bool]:
    """A binary stream for `source`, and whether we opened it (and so must close it)."""
    if isinstance(source, bytes | bytearray | memoryview):
        return io.BytesIO(source), True
    if isinstance(source, str) and source.lstrip().startswith("<"):
        raise TypeError("XML given as str: pass the body as bytes, or a path to a file")
    if isinstance(source, str | os.PathLike):
        path = os.fspath(source)
        return (gzip.open(path, "rb") if path.endswith(".gz") else open(path, "rb")), True
    if hasattr(source, "read"):
        return source, False
    raise TypeError(f"cannot parse {type(source).__name__}: give bytes, a path or a binary file")


def _root_error(root: etree._Element | None) -> ParseError:
    if root is None:
        return ParseError("not a PubMed efetch body: no root element")
    tag = root.tag if isinstance(root.tag, str) else "?"
    message = f"not a PubMed efetch body: root element is <{tag}>"
    error = root.findtext(".//ERROR") if tag != "ERROR" else root.text
    if error and error.strip():
        message += f": {fields.clean(error)[:200]}"
    return ParseError(message)


def parse_pubmed_xml(source: bytes | str | os.PathLike[str] | BinaryIO) -> Iterator[PubMedArticle]:
    """Yield one Article per PubmedArticle / PubmedBookArticle in an efetch XML body.

    `source` is the body as bytes, a path (str or PathLike; `.gz` is read through gzip) or a
    binary file object. Records are yielded as they are read, so memory stays flat however
    long the body. An empty `<PubmedArticleSet/>` (NCBI's answer for unknown PMIDs) yields
    nothing. Raises ParseError for malformed, truncated, unsafe or non-PubMed XML, saying
    where it broke (line/column, and the PMID of the last good record).
    """
    stream, close = _open(source)
    guard = EntityGuard(stream)
    last_pmid = None
    checked = False
    try:
        events = etree.iterparse(
            guard,
            events=("end",),
            tag=RECORD_TAGS,
            encoding="utf-8",  # PubMed is UTF-8; also stops a declared encoding hiding a DTD
            dtd_validation=False,
            remove_comments=True,
            remove_pis=True,
            **SAFE_XML,
        )
        for _, el in events:
            if not checked:
                check_no_entities(el.getroottree())
                checked = True
            parent = el.getparent()
            # Records sit directly under PubmedArticleSet; a baseline file may be one bare record.
            if parent is not None and (parent.tag != ROOT_TAG or parent.getparent() is not None):
                raise ParseError(f"<{el.tag}> inside <{parent.tag}>: not a PubMed efetch body")
            after = f" (after PMID {last_pmid})" if last_pmid else ""
            for entity in el.iter(etree.Entity):
                raise ParseError(f"entity reference {entity.text} is not allowed{after}")
            try:
                article = _journal_article(el) if el.tag == "PubmedArticle" else _book_article(el)
            except ParseError as exc:
                raise ParseError(f"{exc}{after}") from None
            last_pmid = article.pmid
            el.clear(keep_tail=False)
            if parent is not None:
                while el.getprevious() is not None:
                    del parent[0]
            yield article
        root = events.root
        if root is not None and not checked:
            check_no_entities(root.getroottree())
        if root is None or root.tag not in (ROOT_TAG, *RECORD_TAGS):
            raise _root_error(root)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        if not guard.consumed:
            raise ParseError("empty body: no XML at all") from None
        where = f"line {line}, column {column}" if line else f"byte {guard.consumed} or before"
        after = f", after PMID {last_pmid}" if last_pmid else ""
        message = _POSITION_SUFFIX.sub("", exc.msg or "syntax error")
        raise ParseError(f"malformed XML at {where}{after}: {message}") from None
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise ParseError(f"broken gzip stream: {exc}") from None
    except (ValueError, UnicodeError, LookupError) as exc:
        raise ParseError(f"cannot read XML: {exc}") from None
    finally:
        if close:
            stream.close()
