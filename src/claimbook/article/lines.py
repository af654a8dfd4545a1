"""The lines of an article, classified: chrome (navigation, adverts, "Learn more", copyright,
phone numbers, menus), epigraphs (a quote followed by a "~ Name" line), headings (short lines
without final punctuation, Markdown `#` or setext headings), list lead-ins (a line ending in
":"), list items (bulleted, or short lines under a lead-in), rules and prose; and the prose
lines joined back into the paragraphs a hard wrap split.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from claimbook.article.cues import CHROME_SHORT, COPYRIGHT, NAV_SEPARATORS, PHONE, URL
from claimbook.article.sentences import (
    SMALL,
    TERMINAL,
    WORD,
    heading_like,
    sentence_spans,
    title_case,
)

__all__ = ["Line", "classify", "prose_units", "read_lines"]

_ATTRIBUTION = re.compile(
    r"^(?:~|--|\u2014|\u2015)\s*[A-Z][\w.'\u2019-]*(?:\s+[A-Z][\w.'\u2019-]*){0,4}$"
)
_BULLET = re.compile(
    r"^(?:[-*+\u2022\u00b7\u2023\u25e6\u25aa\u2013\u2014]|\d{1,2}[.)]|[a-z][)])\s+"
)
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_SETEXT = re.compile(r"^(?:=+|-+)$")


@dataclass
class Line:
    """One non-blank line of the input: its span (trimmed) and what it was taken for."""

    no: int
    start: int
    end: int
    text: str
    kind: str = "prose"  # chrome, epigraph, rule, heading, lead, item, prose, joined
    body_start: int = 0  # for items: where the text after the bullet begins
    words: int = 0
    block: int = 0


def read_lines(text: str) -> list[Line]:
    """The non-blank lines of text with trimmed spans and their block (paragraph) number."""
    out: list[Line] = []
    pos, no, block, blank = 0, 1, 0, True
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            if blank and out:
                block += 1
            lead = len(raw) - len(raw.lstrip())
            a = pos + lead
            b = a + len(stripped)
            out.append(Line(no, a, b, stripped, body_start=a, words=len(WORD.findall(stripped))))
            out[-1].block = block
            blank = False
        else:
            blank = True
        pos += len(raw) + 1
        no += 1
    return out


def _is_chrome(line: Line) -> bool:
    """Page furniture by its own look: link labels, copyright, phone numbers, nav bars."""
    t = line.text
    if COPYRIGHT.search(t):
        return True
    if line.words <= 6 and (CHROME_SHORT.search(t) or URL.search(t) or PHONE.search(t)):
        return True
    if line.words <= 12 and PHONE.search(t) and not re.search(r"[a-z]{4,}.*[.!]$", t):
        return True
    parts = NAV_SEPARATORS.split(t)
    return len(parts) >= 3 and all(len(WORD.findall(p)) <= 4 for p in parts)


def _is_item_like(line: Line) -> bool:
    """Short enough to be one list item (at most 30 words, at most two sentences)."""
    if line.text.endswith(":") or line.words > 30:
        return False
    return len(sentence_spans(line.text)) <= 2


def classify(lines: list[Line]) -> None:
    """Set each line's kind: chrome, epigraph, heading, lead, item or prose."""
    for ln in lines:
        if _is_chrome(ln):
            ln.kind = "chrome"
    _mark_menus(lines)
    _mark_epigraphs(lines)
    _mark_structure(lines)
    _mark_chrome_runs(lines)


def _mark_menus(lines: list[Line]) -> None:
    """A block of three or more one-to-four-word unpunctuated lines is a menu."""
    blocks = _blocks(lines)
    for i, blk in enumerate(blocks):
        if len(blk) < 3:
            continue
        prev = blocks[i - 1][-1] if i else None
        if prev is not None and prev.text.endswith(":"):
            continue
        if blk[0].text.endswith(":") or any(_BULLET.match(ln.text) for ln in blk):
            continue
        if all(ln.words <= 4 and ln.text[-1] not in TERMINAL for ln in blk):
            for ln in blk:
                ln.kind = "chrome"


def _mark_epigraphs(lines: list[Line]) -> None:
    """A "~ Name" line and the quote block just above it are an epigraph, not the article."""
    for i, ln in enumerate(lines):
        if ln.kind != "prose" or not _ATTRIBUTION.match(ln.text) or i == 0:
            continue
        above = lines[i - 1]
        if above.text.endswith(":") or _BULLET.match(above.text):
            continue
        ln.kind = "epigraph"
        target = above.block
        for other in lines[:i]:
            if other.block == target and other.words <= 120:
                other.kind = "epigraph"


def _blocks(lines: list[Line]) -> list[list[Line]]:
    """Lines grouped by paragraph block (runs of lines with no blank line between)."""
    out: list[list[Line]] = []
    for ln in lines:
        if out and out[-1][-1].block == ln.block:
            out[-1].append(ln)
        else:
            out.append([ln])
    return out


def _mark_structure(lines: list[Line]) -> None:
    """Headings, list lead-ins, list items and prose among the lines that are left."""
    content = [ln for ln in lines if ln.kind == "prose"]
    lst: list[Line] | None = None  # the current list: its lead-in (if any), then its items
    for i, ln in enumerate(content):
        t = ln.text
        prev = content[i - 1] if i else None
        nxt = content[i + 1] if i + 1 < len(content) else None
        if not any(ch.isalnum() for ch in t):
            ln.kind = "rule"  # "-----", "* * *": a rule or a setext underline
            if _SETEXT.match(t) and prev and prev.no == ln.no - 1 and heading_like(prev.text):
                prev.kind, lst = "heading", None
            continue
        md = _MD_HEADING.match(t)
        bullet = _BULLET.match(t)
        if md:
            ln.kind = "heading"
            ln.start += md.end()
            ln.text = t[md.end() :].strip()
            lst = None
        elif bullet:
            ln.kind = "item"
            ln.body_start = ln.start + bullet.end()
            lst = [] if lst is None else lst
            lst.append(ln)
        elif t.endswith(":"):
            ln.kind = "lead"
            lst = [ln]
        elif lst is not None and _continues_list(lst, ln, nxt):
            ln.kind = "item"
            lst.append(ln)
        elif heading_like(t) and not _runs_on(ln, nxt):
            ln.kind = "heading"
            lst = None
        else:
            ln.kind = "prose"
            lst = None


def _continues_list(lst: list[Line], ln: Line, nxt: Line | None) -> bool:
    """Whether an unbulleted line under a lead-in is one more item of that list.

    It is not when the list so far was bulleted, when the line is too long for an item, when
    it looks like a heading of the paragraph after it, when it comes after a blank line below a
    tight run of items, or when it is an unpunctuated line after punctuated items (or the
    reverse) and looks like a heading.
    """
    items = [x for x in lst if x.kind == "item"]
    if any(_BULLET.match(x.text) for x in items) or not _is_item_like(ln):
        return False
    if _ends_list(ln, nxt):
        return False
    if not items:
        return True
    tight = len(items) >= 2 and len({x.block for x in items}) == 1
    if tight and ln.block != items[-1].block:
        return False
    punctuated = all(x.text[-1] in ".!?\u2026" for x in items)
    return not (punctuated != (ln.text[-1] in ".!?\u2026") and heading_like(ln.text))


def _runs_on(ln: Line, nxt: Line | None) -> bool:
    """A short line whose sentence runs on into the next line (hard-wrapped prose)."""
    return (
        nxt is not None
        and nxt.no == ln.no + 1
        and nxt.text[:1].islower()
        and not title_case(ln.text)
    )


def _ends_list(ln: Line, nxt: Line | None) -> bool:
    """A Title Case line of three or more words followed by a real paragraph is a heading."""
    if not heading_like(ln.text) or not title_case(ln.text):
        return False
    if len([w for w in WORD.findall(ln.text) if w.lower() not in SMALL]) < 3:
        return False
    return nxt is not None and (nxt.words >= 25 or len(sentence_spans(nxt.text)) >= 3)


def _mark_chrome_runs(lines: list[Line]) -> None:
    """Teaser text and heading-like lines among chrome (advert titles, captions) are chrome too.

    In a block (paragraph) that holds a chrome line, the other lines under 25 words are chrome.
    Then, in each run of consecutive chrome and heading lines that holds chrome, the headings
    before its last chrome line are chrome; those after it head the text that follows the run.
    """
    for blk in _blocks(lines):
        if any(ln.kind == "chrome" for ln in blk):
            for ln in blk:
                if ln.kind in ("prose", "item", "lead") and ln.words < 25:
                    ln.kind = "chrome"
    seq = [ln for ln in lines if ln.kind not in ("rule", "epigraph")]
    i = 0
    while i < len(seq):
        if seq[i].kind not in ("chrome", "heading"):
            i += 1
            continue
        j = i
        while j < len(seq) and seq[j].kind in ("chrome", "heading"):
            j += 1
        run = seq[i:j]
        last_chrome = max((k for k, ln in enumerate(run) if ln.kind == "chrome"), default=-1)
        for k, ln in enumerate(run):
            if ln.kind == "heading" and (k < last_chrome or (last_chrome >= 0 and j == len(seq))):
                ln.kind = "chrome"
        i = j


def prose_units(lines: list[Line]) -> dict[int, int]:
    """End offset of each prose unit, by its first line number: a prose line joined with the
    lines that continue a hard-wrapped paragraph (no final punctuation above, lower case next).
    Joined lines get kind "joined" so they are not read twice."""
    units: dict[int, int] = {}
    first: Line | None = None
    prev: Line | None = None
    for ln in lines:
        if ln.kind != "prose":
            continue
        if (
            first is not None
            and prev is not None
            and ln.no == prev.no + 1
            and prev.text[-1] not in ".!?:;\u2026"
            and ln.text[0].islower()
        ):
            units[first.no] = ln.end
            ln.kind = "joined"
        else:
            first = ln
            units[ln.no] = ln.end
        prev = ln
    return units
