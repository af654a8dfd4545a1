"""How one element of a PubMed record is read: its text, and the fields built from it.

The parser (`parse.py`) knows where each element sits in a record; the functions here know
how one element is read, each by walking its direct children once (cheaper than many `find`
calls):

* text: all text nodes (`itertext`), so inline `<i>`, `<sup>`, MathML do not cut a title short;
  whitespace runs collapsed; `inline_html` keeps i/b/sup/sub/u as HTML for the title;
* an author, an AuthorList, an Abstract (plain text and sections), an ArticleIdList, the MeSH
  headings, the corrections (CommentsCorrectionsList) and a year out of a date's text.
"""

from __future__ import annotations

import html
import re

from lxml import etree

from claimbook.pubmed.records import CORRECTION_TYPES, AbstractSection, Correction

__all__ = [
    "INLINE_TAGS",
    "abstract",
    "authors",
    "child_text",
    "clean",
    "collect_ids",
    "corrections",
    "data_ids",
    "inline_html",
    "mesh",
    "text",
    "year",
]

INLINE_TAGS = frozenset({"i", "b", "sup", "sub", "u"})
_WS = re.compile(r"\s+")
_WS_RUN = re.compile(r"\s{2,}|[^\S ]")  # whitespace runs that may need collapsing
_XML_WS = frozenset(" \t\n\r")
_YEAR = re.compile(r"\d{4}")
_INITIAL_SPLIT = re.compile(r"[\s\-]+")


# --------------------------------------------------------------------------- text


def _ws_run(m: re.Match[str]) -> str:
    run = m.group()
    return run if _XML_WS.isdisjoint(run) else " "


def clean(text: str) -> str:
    """Collapse whitespace runs to one space and strip. A lone typographic space (thin or
    no-break, as in "14,000\u2009IU") is content and kept; one beside ordinary whitespace
    is collapsed with it. Cheap tests first: most fields need nothing."""
    if text.isascii():
        if "\n" in text or "\t" in text or "\r" in text or "  " in text:
            return _WS.sub(" ", text).strip()
        return text.strip()
    return _WS_RUN.sub(_ws_run, text).strip()


def text(el: etree._Element | None) -> str:
    """All text under `el` (itertext, so inline tags do not cut it), whitespace collapsed."""
    if el is None:
        return ""
    content = "".join(el.itertext()) if len(el) else el.text
    return clean(content) if content else ""


def child_text(parent: etree._Element, tag: str) -> str | None:
    """Text of the first direct child named `tag`, or None when absent or empty."""
    for child in parent:
        if child.tag == tag:
            return text(child) or None
    return None


def inline_html(el: etree._Element | None) -> str:
    """Text of `el` as HTML, keeping only i/b/sup/sub/u (no attributes); all text escaped."""
    if el is None:
        return ""
    if not len(el):
        return html.escape(clean(el.text or ""), quote=False)
    parts: list[str] = []
    _walk_html(el, parts)
    return clean("".join(parts))


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


def year(*candidates: str | None) -> int | None:
    """The first 4-digit run of the first candidate that has one."""
    for value in candidates:
        if value:
            m = _YEAR.search(value)
            if m:
                return int(m.group())
    return None


# --------------------------------------------------------------------------- fields


def _author(el: etree._Element) -> str | None:
    """'Surname Initials' (plus suffix), or a collective name as written."""
    last = initials = fore = suffix = None
    for child in el:  # one pass over the few children beats several find() calls
        tag = child.tag
        if tag == "LastName":
            last = text(child)
        elif tag == "Initials":
            initials = text(child)
        elif tag == "ForeName":
            fore = text(child)
        elif tag == "Suffix":
            suffix = text(child)
        elif tag == "CollectiveName":
            return text(child) or None
    if not last:
        return None
    if not initials and fore:
        initials = "".join(p[0] for p in _INITIAL_SPLIT.split(fore) if p)
    name = f"{last} {initials}" if initials else last
    return f"{name} {suffix}" if suffix else name


def authors(author_list: etree._Element) -> list[str]:
    """The named authors of an AuthorList, in order ('Surname Initials', or a collective)."""
    out = []
    for el in author_list:
        if el.tag == "Author":
            name = _author(el)
            if name:
                out.append(name)
    return out


def abstract(container: etree._Element | None) -> tuple[str, list[AbstractSection]]:
    """Plain abstract ("LABEL: text" paragraphs joined by blank lines) and its sections."""
    if container is None:
        return "", []
    sections = []
    for el in container:
        if el.tag == "AbstractText":
            label = el.get("Label")
            label = clean(label) if label else None
            sections.append(AbstractSection(label or None, el.get("NlmCategory") or None, text(el)))
    paragraphs = [f"{s.label}: {s.text}" if s.label else s.text for s in sections if s.text]
    return "\n\n".join(paragraphs), sections


def collect_ids(article_id_list: etree._Element, out: dict[str, str]) -> None:
    """ArticleId values by IdType (first one wins) from one ArticleIdList."""
    for el in article_id_list:
        if el.tag == "ArticleId":
            kind = el.get("IdType")
            value = text(el)
            if kind and value and kind not in out:
                out[kind] = value


def data_ids(data: etree._Element | None, ids: dict[str, str]) -> None:
    """Add the ids of a PubmedData/PubmedBookData ArticleIdList (never ReferenceList's) to `ids`."""
    if data is not None:
        for child in data:
            if child.tag == "ArticleIdList":
                collect_ids(child, ids)


def mesh(heading_list: etree._Element) -> list[str]:
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
                name = text(part)
                major = major or part.get("MajorTopicYN") == "Y"
            elif tag == "QualifierName" and part.get("MajorTopicYN") == "Y":
                major = True
        if name:
            out.append(name + "*" if major else name)
    return out


def corrections(cc_list: etree._Element) -> list[Correction]:
    """The CommentsCorrections of a list whose RefType is in CORRECTION_TYPES, in order."""
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
                pmid = text(part) or None
            elif part.tag == "RefSource":
                source = text(part) or None
        out.append(Correction(kind, pmid, source))
    return out
