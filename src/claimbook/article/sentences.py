"""Sentences, and the look of a short piece of text: where a sentence ends ("e.g.", "Dr.",
"Fig. 2" do not end one; "conditions.Lack" does), whether a line is in Title Case or looks like
a heading, whether it asks a question. Pure text shapes: nothing here knows what a claim is.
"""

from __future__ import annotations

import re

__all__ = [
    "CLOSERS",
    "OPENERS",
    "SMALL",
    "TERMINAL",
    "WORD",
    "heading_like",
    "is_question",
    "sentence_spans",
    "title_case",
]

WORD = re.compile(r"[A-Za-z0-9\u00c0-\u024f][\w\u2019'-]*")

# Small words that Title Case leaves in lower case.
SMALL = frozenset({
    "a", "an", "the", "and", "or", "but", "nor", "of", "to", "in", "on", "at", "for", "from",
    "by", "with", "as", "is", "vs", "via", "per", "into", "onto", "over", "up", "off", "out",
    "than", "so", "if",
})  # fmt: skip
# Abbreviations after which a period never ends a sentence.
_NO_SPLIT = frozenset({
    "e.g", "eg", "i.e", "ie", "cf", "vs", "al", "dr", "mr", "mrs", "ms", "mx", "prof", "st",
    "sr", "jr", "rev", "gen", "sgt", "capt", "lt", "col", "approx", "incl", "esp", "viz",
    "dept", "mt", "ca",
})  # fmt: skip
# Abbreviations that do not end a sentence when a number follows ("Fig. 2", "No. 5").
_NUMERIC_ABBR = frozenset({
    "no", "nos", "fig", "figs", "vol", "p", "pp", "ch", "sec", "ref", "tab", "eq",
})  # fmt: skip

_SPACE = re.compile(r"\s*")
_END = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*")
TERMINAL = ".!?\u2026:;,"
CLOSERS = "\"'\u201d\u2019)]"
OPENERS = "\"'\u201c\u2018(["


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences in text[start:end], trimmed of whitespace.

    A newline is only whitespace here; callers split lines first. A period ends a sentence when
    whitespace and a capital, digit or opening quote follow, unless the word before it is an
    abbreviation ("e.g.", "Dr.", "Fig. 2"); with no space ("conditions.Lack") it ends one when
    a lower-case word of three letters or more comes before and a capitalised word after.
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    cut = start
    for m in _END.finditer(text, start, end):
        e = m.end()
        gap = _SPACE.match(text, e, end)
        ws = gap.end() - e if gap else 0
        if e + ws >= end:
            break
        nxt = text[e + ws : e + ws + 2]
        punct = m.group().rstrip(CLOSERS)
        before = text[max(cut, m.start() - 40) : m.start()]  # enough to see the last word
        if ws == 0:
            if not (
                len(punct) == 1
                and re.match(r"[A-Z][a-z]", nxt)
                and re.search(r"(?:^|[^\w.])[a-z]{3,}$", before)
            ):
                continue
        else:
            first = nxt[:1]
            if first in OPENERS:
                first = nxt[1:2]
            if not (first.isupper() or first.isdigit()):
                continue
            if punct == ".":
                token = re.search(r"([A-Za-z][A-Za-z.]*)$", before)
                word = token.group(1).lower() if token else ""
                if word in _NO_SPLIT or "." in word:
                    continue
                if word in _NUMERIC_ABBR and first.isdigit():
                    continue
        _add_span(text, cut, e, spans)
        cut = e
    _add_span(text, cut, end, spans)
    return spans


def _add_span(text: str, a: int, b: int, spans: list[tuple[int, int]]) -> None:
    """Append text[a:b] trimmed of whitespace, if anything is left."""
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if a < b:
        spans.append((a, b))


def title_case(s: str) -> bool:
    """True when most significant words are capitalised ("Age and the Risk of Falls")."""
    words = [w for w in WORD.findall(s) if w.lower() not in SMALL and not w[0].isdigit()]
    if not words:
        return False
    caps = sum(1 for w in words if w[0].isupper())
    return caps / len(words) >= 0.75 and (caps >= 2 or len(words) == 1)


def heading_like(s: str) -> bool:
    """One short sentence without final punctuation ("?" allowed), starting with a capital."""
    if not s or s[-1] in TERMINAL.replace("?", "") or len(s) > 120:
        return False
    words = WORD.findall(s)
    if not words or len(words) > 14:
        return False
    first = s.lstrip(OPENERS)[:1]
    return (first.isupper() or first.isdigit()) and len(sentence_spans(s)) == 1


def is_question(s: str) -> bool:
    """Ends in a question mark, perhaps inside closing quotes or brackets."""
    return s.rstrip(CLOSERS + " ").endswith("?")
