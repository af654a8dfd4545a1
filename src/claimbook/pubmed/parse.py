"""Streaming, safe parser for PubMed efetch XML (PubmedArticleSet) into `PubMedArticle` records.

* Streaming: `lxml.etree.iterparse` on each record's end tag; every record is cleared once read
  and its earlier siblings deleted, so memory does not grow with the number of records.
* Anchored paths only (`MedlineCitation/PMID`, `PubmedData/ArticleIdList/ArticleId`): cited
  references and comment/correction links carry PMIDs and DOIs of *other* papers. Fields are
  read by walking each element's direct children once (cheaper than many `find` calls).
* All text nodes (`itertext`): inline `<i>`, `<sup>`, MathML would otherwise cut titles short.
* Safe: no DTD loading, no network, no entity expansion, input read as UTF-8 only. A document
  whose DOCTYPE has an internal subset (where entities are declared: XXE, "billion laughs") is
  refused with ParseError before lxml sees the subset; entity references are refused too.
"""

from __future__ import annotations

import codecs
import gzip
import html
import io
import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from lxml import etree
from pydantic import ConfigDict

from claimbook.pubmed.errors import ParseError

__all__ = [
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
INLINE_TAGS = frozenset({"i", "b", "sup", "sub", "u"})
# The CommentsCorrections types kept in `PubMedArticle.corrections`: links that change how a paper
# should be read. CommentOn/CommentIn, Cites, SummaryForPatientsIn etc. are left out.
CORRECTION_TYPES = frozenset({
    "ErratumIn", "ErratumFor", "RetractionIn", "RetractionOf", "PartialRetractionIn",
    "PartialRetractionOf", "ExpressionOfConcernIn", "ExpressionOfConcernFor", "UpdateIn",
    "UpdateOf", "RepublishedIn", "RepublishedFrom", "ReprintIn", "ReprintOf",
})  # fmt: skip
_WS = re.compile(r"\s+")
_WS_RUN = re.compile(r"\s{2,}|[^\S ]")  # whitespace runs that may need collapsing
_XML_WS = frozenset(" \t\n\r")
_YEAR = re.compile(r"\d{4}")
_INITIAL_SPLIT = re.compile(r"[\s\-]+")
_POSITION_SUFFIX = re.compile(r", line \d+, column \d+$")
_ENTITY_DECL = b"<!ENTITY"
_ENTITY_MESSAGE = "entity declarations are not allowed (possible XXE or entity bomb)"
PROLOG_LIMIT = 1 << 20  # bytes of prolog inspected before falling back to scanning everything
#: The lxml options every PubMed answer is parsed with (efetch streamed, the others whole): no
#: entity expansion, no network, no DTD loading, no huge trees.
SAFE_XML = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False}


@dataclass(slots=True)
class AbstractSection:
    """One AbstractText: its printed label, NLM category and plain text.

    The snapshot stores these as they are (PaperRecord.abstract_sections); pydantic validates
    them there and refuses unknown fields.
    """

    __pydantic_config__ = ConfigDict(extra="forbid")

    label: str | None
    category: str | None
    text: str


@dataclass(slots=True)
class Correction:
    """A CommentsCorrections link whose RefType is in CORRECTION_TYPES (errata, retractions,
    expressions of concern, updates, republications, reprints); comments and citations are not
    kept. `source` is the RefSource citation text, `pmid` the linked record's PMID if given."""

    __pydantic_config__ = ConfigDict(extra="forbid")

    type: str
    pmid: str | None
    source: str | None


@dataclass(slots=True)
class PubMedArticle:
    """One PubMed record, normalised. `kind` is "article" or "book".

    For books (`kind="book"`) `journal` holds the publisher's name (else the book title),
    `year` comes from Book/PubDate, and there are no MeSH terms or corrections.
    """

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


def _ws_run(m: re.Match[str]) -> str:
    run = m.group()
    return run if _XML_WS.isdisjoint(run) else " "


def _clean(text: str) -> str:
    """Collapse whitespace runs to one space and strip. A lone typographic space (thin or
    no-break, as in "14,000\u2009IU") is content and kept; one beside ordinary whitespace
    is collapsed with it. Cheap tests first: most fields need nothing."""
    if text.isascii():
        if "\n" in text or "\t" in text or "\r" in text or "  " in text:
            return _WS.sub(" ", text).strip()
        return text.strip()
    return _WS_RUN.sub(_ws_run, text).strip()


def _text(el: etree._Element | None) -> str:
    """All text under `el` (itertext, so inline tags do not cut it), whitespace collapsed."""
    if el is None:
        return ""
    text = "".join(el.itertext()) if len(el) else el.text
    return _clean(text) if text else ""


def _child_text(parent: etree._Element, tag: str) -> str | None:
    """Text of the first direct child named `tag`, or None when absent or empty."""
    for child in parent:
        if child.tag == tag:
            return _text(child) or None
    return None


def _inline_html(el: etree._Element | None) -> str:
    """Text of `el` as HTML, keeping only i/b/sup/sub/u (no attributes); all text escaped."""
    if el is None:
        return ""
    if not len(el):
        return html.escape(_clean(el.text or ""), quote=False)
    parts: list[str] = []
    _walk_html(el, parts)
    return _clean("".join(parts))


def _walk_html(node: etree._Element, parts: list[str]) -> None:
    if node.text:
        parts.append(html.escape(node.text, quote=False))
    for child in node:
        tag = child.tag
        keep = tag in INLINE_TAGS  # non-str tags (entities) and other names are dropped
        if keep:
            parts.append(f"<{tag}>")
        _walk_html(child, parts)
        if keep:
            parts.append(f"</{tag}>")
        if child.tail:
            parts.append(html.escape(child.tail, quote=False))


def _year(*candidates: str | None) -> int | None:
    """The first 4-digit run of the first candidate that has one."""
    for value in candidates:
        if value:
            m = _YEAR.search(value)
            if m:
                return int(m.group())
    return None


# --------------------------------------------------------------------------- field helpers


def _author(el: etree._Element) -> str | None:
    """'Surname Initials' (plus suffix), or a collective name as written."""
    last = initials = fore = suffix = None
    for child in el:  # one pass over the few children beats several find() calls
        tag = child.tag
        if tag == "LastName":
            last = _text(child)
        elif tag == "Initials":
            initials = _text(child)
        elif tag == "ForeName":
            fore = _text(child)
        elif tag == "Suffix":
            suffix = _text(child)
        elif tag == "CollectiveName":
            return _text(child) or None
    if not last:
        return None
    if not initials and fore:
        initials = "".join(p[0] for p in _INITIAL_SPLIT.split(fore) if p)
    name = f"{last} {initials}" if initials else last
    return f"{name} {suffix}" if suffix else name


def _authors(author_list: etree._Element) -> list[str]:
    out = []
    for el in author_list:
        if el.tag == "Author":
            name = _author(el)
            if name:
                out.append(name)
    return out


def _abstract(container: etree._Element | None) -> tuple[str, list[AbstractSection]]:
    """Plain abstract ("LABEL: text" paragraphs joined by blank lines) and its sections."""
    if container is None:
        return "", []
    sections = []
    for el in container:
        if el.tag == "AbstractText":
            label = el.get("Label")
            label = _clean(label) if label else None
            sections.append(
                AbstractSection(label or None, el.get("NlmCategory") or None, _text(el))
            )
    paragraphs = [f"{s.label}: {s.text}" if s.label else s.text for s in sections if s.text]
    return "\n\n".join(paragraphs), sections


def _collect_ids(article_id_list: etree._Element, out: dict[str, str]) -> None:
    """ArticleId values by IdType (first one wins) from one ArticleIdList."""
    for el in article_id_list:
        if el.tag == "ArticleId":
            kind = el.get("IdType")
            value = _text(el)
            if kind and value and kind not in out:
                out[kind] = value


def _mesh(heading_list: etree._Element) -> list[str]:
    """DescriptorName of each MeshHeading, with '*' when it or a qualifier is a major topic."""
    out = []
    for heading in heading_list:
        if heading.tag != "MeshHeading":
            continue
        name = None
        major = False
        for part in heading:
            tag = part.tag
            if tag == "DescriptorName" and name is None:
                name = _text(part)
                major = major or part.get("MajorTopicYN") == "Y"
            elif tag == "QualifierName" and part.get("MajorTopicYN") == "Y":
                major = True
        if name:
            out.append(name + "*" if major else name)
    return out


def _corrections(cc_list: etree._Element) -> list[Correction]:
    out = []
    for el in cc_list:
        if el.tag != "CommentsCorrections":
            continue
        kind = el.get("RefType")
        if kind not in CORRECTION_TYPES:
            continue
        pmid = source = None
        for part in el:
            if part.tag == "PMID":
                pmid = _text(part) or None
            elif part.tag == "RefSource":
                source = _text(part) or None
        out.append(Correction(kind, pmid, source))
    return out


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


def _data_ids(data: etree._Element | None, ids: dict[str, str]) -> None:
    """Add the ids of a PubmedData/PubmedBookData ArticleIdList (never ReferenceList's) to `ids`."""
    if data is not None:
        for child in data:
            if child.tag == "ArticleIdList":
                _collect_ids(child, ids)


def _article(
    pmid: str, title_el: etree._Element | None, abstract_el: etree._Element | None, **fields: Any
) -> PubMedArticle:
    """A record from its PMID, its title and abstract elements (read the same way for articles
    and books) and its other fields."""
    abstract, sections = _abstract(abstract_el)
    return PubMedArticle(
        pmid=pmid,
        title=_text(title_el),
        title_html=_inline_html(title_el),
        abstract=abstract,
        abstract_sections=sections,
        **fields,
    )


def _journal_article(rec: etree._Element) -> PubMedArticle:
    citation, data = _record_parts(rec, "MedlineCitation", "PubmedData")

    pmid = art = medline_ta = None
    corrections: list[Correction] = []
    mesh: list[str] = []
    for child in citation:
        tag = child.tag
        if tag == "PMID":
            pmid = pmid or _text(child)
        elif tag == "Article":
            art = child
        elif tag == "MedlineJournalInfo":
            medline_ta = _child_text(child, "MedlineTA")
        elif tag == "CommentsCorrectionsList":
            corrections = _corrections(child)
        elif tag == "MeshHeadingList":
            mesh = _mesh(child)
    if not pmid:
        raise ParseError("<PubmedArticle> without MedlineCitation/PMID")
    if art is None:
        raise ParseError(f"PMID {pmid}: no MedlineCitation/Article")

    title_el = abstract_el = None
    iso = journal_title = year_text = medline_date = article_year = eloc_doi = None
    authors: list[str] = []
    pub_types: list[str] = []
    for child in art:
        tag = child.tag
        if tag == "ArticleTitle":
            title_el = child
        elif tag == "Journal":
            for part in child:
                ptag = part.tag
                if ptag == "ISOAbbreviation":
                    iso = _text(part) or None
                elif ptag == "Title":
                    journal_title = _text(part) or None
                elif ptag == "JournalIssue":
                    for issue_part in part:
                        if issue_part.tag == "PubDate":
                            year_text = _child_text(issue_part, "Year")
                            medline_date = _child_text(issue_part, "MedlineDate")
        elif tag == "Abstract":
            abstract_el = child
        elif tag == "AuthorList":
            authors = _authors(child)
        elif tag == "ELocationID":
            if eloc_doi is None and child.get("EIdType") == "doi":
                eloc_doi = _text(child) or None
        elif tag == "PublicationTypeList":
            pub_types = [_text(p) for p in child if p.tag == "PublicationType"]
        elif tag == "ArticleDate":
            article_year = article_year or _child_text(child, "Year")

    ids: dict[str, str] = {}
    _data_ids(data, ids)
    retracted = "Retracted Publication" in pub_types or any(
        c.type == "RetractionIn" for c in corrections
    )
    return _article(
        pmid,
        title_el,
        abstract_el,
        authors=authors,
        journal=iso or journal_title or medline_ta,
        year=_year(year_text, medline_date, article_year),
        doi=ids.get("doi") or eloc_doi,
        pmcid=ids.get("pmc"),
        publication_types=pub_types,
        mesh_terms=mesh,
        retracted=retracted,
        corrections=corrections,
        kind="article",
    )


def _book_article(rec: etree._Element) -> PubMedArticle:
    doc, data = _record_parts(rec, "BookDocument", "PubmedBookData")

    pmid = title_el = abstract_el = book = None
    ids: dict[str, str] = {}
    authors: list[str] = []
    pub_types: list[str] = []
    for child in doc:
        tag = child.tag
        if tag == "PMID":
            pmid = pmid or _text(child)
        elif tag == "ArticleIdList":
            _collect_ids(child, ids)
        elif tag == "Book":
            book = child
        elif tag == "ArticleTitle":
            title_el = child
        elif tag == "AuthorList":
            if child.get("Type", "authors") == "authors":  # not Type="editors"
                authors.extend(_authors(child))
        elif tag == "PublicationType":
            pub_types.append(_text(child))
        elif tag == "Abstract":
            abstract_el = child
    if not pmid:
        raise ParseError("<PubmedBookArticle> without BookDocument/PMID")
    _data_ids(data, ids)

    publisher = book_title_el = year_text = medline_date = begin_year = None
    if book is not None:
        for child in book:
            tag = child.tag
            if tag == "Publisher":
                publisher = _child_text(child, "PublisherName")
            elif tag == "BookTitle":
                book_title_el = child
            elif tag == "PubDate":
                year_text = _child_text(child, "Year")
                medline_date = _child_text(child, "MedlineDate")
            elif tag == "BeginningDate":
                begin_year = _child_text(child, "Year")
            elif tag == "AuthorList" and not authors and child.get("Type") == "authors":
                authors = _authors(child)  # a whole-book record names its authors here
    if title_el is None:  # a whole-book record has no chapter title
        title_el = book_title_el
    return _article(
        pmid,
        title_el,
        abstract_el,
        authors=authors,
        journal=publisher or _text(book_title_el) or None,
        year=_year(year_text, medline_date, begin_year),
        doi=ids.get("doi"),
        pmcid=ids.get("pmc"),
        publication_types=pub_types,
        mesh_terms=[],
        retracted="Retracted Publication" in pub_types,
        corrections=[],
        kind="book",
    )


# --------------------------------------------------------------------------- safety


_MORE, _BODY, _SCAN = "more", "body", "scan"
_SPACE = re.compile(rb"[ \t\r\n]*")
# A well-formed XML declaration: its values can hold neither "?>" nor "<".
_XML_DECL = re.compile(
    rb"<\?xml[ \t\r\n]+version[ \t\r\n]*=[ \t\r\n]*(?:\"1\.[0-9]+\"|'1\.[0-9]+')"
    rb"(?:[ \t\r\n]+encoding[ \t\r\n]*=[ \t\r\n]*(?:\"[A-Za-z][\w.-]*\"|'[A-Za-z][\w.-]*'))?"
    rb"(?:[ \t\r\n]+standalone[ \t\r\n]*=[ \t\r\n]*(?:\"(?:yes|no)\"|'(?:yes|no)'))?"
    rb"[ \t\r\n]*\?>"
)


def _scan_prolog(head: bytes | bytearray, i: int) -> tuple[str, int]:
    """Walk the XML prolog (declaration, comments, PIs, DOCTYPE) in `head` from offset `i`.

    Returns (_BODY, _) once the root start tag is reached (no DTD can follow), (_MORE, offset
    to resume from) when `head` ends inside the prolog, (_SCAN, _) on anything unexpected (the
    caller then searches every byte for entity declarations). Raises ParseError for a DOCTYPE
    with an internal subset `[...]`, the only place entities can be declared: PubMed bodies
    never have one.
    """
    if i == 0 and head.startswith(codecs.BOM_UTF8):
        i = len(codecs.BOM_UTF8)
    n = len(head)
    while True:
        i = _SPACE.match(head, i).end()
        if n - i < 9:  # enough to tell "<!DOCTYPE", "<!--", "<?xml " and a start tag apart
            return _MORE, i
        if head[i] != 0x3C:  # "<"
            return _SCAN, i
        nxt = head[i + 1]
        if nxt == 0x3F:  # "<?"
            if head[i + 2 : i + 5].lower() == b"xml":  # the XML declaration: checked strictly
                m = _XML_DECL.match(head, i)
                if m is None:
                    return (_MORE if head.find(b"?>", i) < 0 else _SCAN), i
                i = m.end()
                continue
            end = head.find(b"?>", i + 2)  # a processing instruction ends at the first "?>"
            if end < 0:
                return _MORE, i
            i = end + 2
        elif nxt != 0x21:  # "<" + anything but "!": the root element's start tag
            return _BODY, i
        elif head.startswith(b"<!--", i):
            end = head.find(b"-->", i + 4)
            if end < 0:
                return _MORE, i
            i = end + 3
        elif head.startswith(b"<!DOCTYPE", i):
            end = head.find(b">", i + 9)
            if head.find(b"[", i + 9, end if end >= 0 else n) >= 0:
                if head.find(_ENTITY_DECL, i) >= 0:
                    raise ParseError(_ENTITY_MESSAGE)
                raise ParseError(f"a DOCTYPE internal subset is not allowed; {_ENTITY_MESSAGE}")
            if end < 0:
                return _MORE, i
            i = end + 1
        else:
            return _SCAN, i


class _Guard:
    """A reader between the source and lxml that refuses entity declarations before lxml sees
    them: it follows the prolog up to the root element and, if the prolog looks odd or runs
    past PROLOG_LIMIT, searches the whole stream for `<!ENTITY` instead. It also counts the
    bytes read, for error messages."""

    __slots__ = ("_head", "_mode", "_pos", "_raw", "_tail", "consumed")

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._head = bytearray()
        self._pos = 0
        self._tail = b""
        self._mode = _MORE
        self.consumed = 0

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        if data is None:  # a non-blocking raw stream with nothing ready
            data = b""
        if isinstance(data, str):
            raise TypeError("a text-mode file was given: open it in binary mode ('rb')")
        self.consumed += len(data)
        if self._mode is not _BODY:
            self._inspect(bytes(data))
        return data

    def _inspect(self, data: bytes) -> None:
        if self._mode is _MORE:
            self._head += data
            mode, self._pos = _scan_prolog(self._head, self._pos)
            if mode is _MORE and (not data or len(self._head) > PROLOG_LIMIT):
                mode = _SCAN  # end of input, or a prolog too long to follow: scan it all
            if mode is _SCAN:
                data = bytes(self._head)
            if mode is not _MORE:
                self._head = bytearray()
            self._mode = mode
        if self._mode is _SCAN:
            window = self._tail + data
            if _ENTITY_DECL in window:
                raise ParseError(_ENTITY_MESSAGE)
            self._tail = window[-(len(_ENTITY_DECL) - 1) :]


def _check_no_entities(tree: etree._ElementTree) -> None:
    """Second line of defence: the parsed DOCTYPE must declare no entity."""
    dtd = tree.docinfo.internalDTD
    if dtd is not None and next(iter(dtd.iterentities()), None) is not None:
        raise ParseError(_ENTITY_MESSAGE)


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
        message += f": {_clean(error)[:200]}"
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
    guard = _Guard(stream)
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
                _check_no_entities(el.getroottree())
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
            _check_no_entities(root.getroottree())
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


def parse_xml_root(content: bytes) -> etree._Element:
    """The root element of a small XML answer read whole (esearch, epost, elink, an efetch
    ERROR), as safely as `parse_pubmed_xml`: SAFE_XML, and no entity declared in a DOCTYPE.
    Raises ParseError: entity declarations, malformed XML, an empty body."""
    if re.search(_ENTITY_DECL, content[:65536], re.IGNORECASE):
        raise ParseError("entity declarations are not allowed")
    try:
        root = etree.fromstring(content, etree.XMLParser(**SAFE_XML))
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"malformed XML ({exc.msg})") from None
    if root is None:
        raise ParseError("empty body")
    _check_no_entities(root.getroottree())
    return root
