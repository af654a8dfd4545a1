"""Candidate claims: the sentences of an article that make checkable health claims.

`find_candidates(text)` reads plain article text (often a saved web page, with navigation and
adverts between the paragraphs, and headings without markup) and lists, in document order, the
sentences and list items that say something a reviewer could check against the literature:
causes, cures and relief, prevention, doses and numbers, research, comparisons, who is at risk
and what to do. Every candidate's `text` is an exact substring of the input, so it can become a
quote as it stands.

How it works, in four passes (standard library only):

1. Lines are classified (lines.py): chrome (navigation, adverts, "Learn more", copyright, phone
   numbers, menus), epigraphs (a quote followed by a "~ Name" line), headings (short lines
   without final punctuation, Markdown `#` or setext headings), list lead-ins (a line ending in
   ":"), list items (bulleted, or short lines under a lead-in) and prose.
2. Teaser text in the same paragraph as a chrome line is chrome, and so are heading-like lines
   among chrome (advert titles, captions), except those after the last chrome line of the run,
   which head the prose that follows (lines.py too).
3. Prose is split into sentences (sentences.py: abbreviations such as "e.g.", "Dr.", "mg. of"
   do not end a sentence; "conditions.Lack" does), and a Title Case question glued to the end
   of a paragraph is taken as the heading of what follows (here).
4. Each sentence or item is kept (here) when plain-word cues (cues.py) give it at least one
   reason and it is neither a question, a call to action, nor too short to claim anything.

See docs/candidates.md for the cues and the measured recall on the two reviewed articles.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from claimbook.article.cues import (
    COPYRIGHT,
    CTA,
    FIRST_PERSON,
    PHONE,
    STRONG,
    URL,
    norm,
    reasons_of,
)
from claimbook.article.lines import classify, prose_units, read_lines
from claimbook.article.sentences import (
    OPENERS,
    SMALL,
    TERMINAL,
    WORD,
    is_question,
    sentence_spans,
    title_case,
)

__all__ = ["Candidate", "find_candidates", "format_candidates", "sentence_spans"]


@dataclass(frozen=True)
class Candidate:
    """One sentence or list item that makes a checkable claim, with where and why."""

    text: str
    section: str
    reasons: tuple[str, ...]
    context: str | None
    line: int

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form: text, section, reasons (a list), context and line."""
        return {
            "text": self.text,
            "section": self.section,
            "reasons": list(self.reasons),
            "context": self.context,
            "line": self.line,
        }


# --------------------------------------------------------------------------- picking


def _skip(s: str, item: bool) -> bool:
    """Questions, calls to action, contact details, and (outside lists) fragments of under three
    words: a list item as short as "Being pregnant." claims something with its lead-in."""
    if is_question(s) or CTA.match(s.lstrip(OPENERS)):
        return True
    if URL.search(s) or COPYRIGHT.search(s):
        return True
    if PHONE.search(s) and not re.search(r"\b(?:mg|mcg|g|ml|%|iu)\b", s.lower()):
        return True
    return not item and len(WORD.findall(s)) < 3


def _glued_heading(s: str) -> bool:
    """A Title Case question or unpunctuated phrase that ended up at the end of a paragraph."""
    if not (is_question(s) or s[-1] not in TERMINAL):
        return False
    words = WORD.findall(s)
    sig = [w for w in words if w.lower() not in SMALL]
    return (
        3 <= len(words) <= 12
        and len(sig) >= 3
        and title_case(s)
        and all(w[0].isupper() for w in sig)
    )


def find_candidates(text: str) -> list[Candidate]:
    """List, in document order, the sentences and list items of `text` that make checkable
    claims, each with its section heading, the reasons it was picked and its list lead-in."""
    lines = read_lines(text)
    classify(lines)
    headings = [ln for ln in lines if ln.kind == "heading"]
    section = headings[0].text if headings else ""  # before the first heading: the title
    unit_end = prose_units(lines)

    out: list[Candidate] = []
    lead: tuple[str, list[str]] | None = None  # the list lead-in and its reasons
    for ln in lines:
        spans: list[tuple[int, int]] = []
        after = section  # the section for what follows this line
        if ln.kind == "heading":
            section = after = ln.text
            lead = None
        elif ln.kind == "lead":
            spans = sentence_spans(text, ln.start, ln.end)
            a, b = spans.pop()
            lead = (text[a:b], reasons_of(text[a:b]))
        elif ln.kind == "item":
            spans = sentence_spans(text, ln.body_start, ln.end)
        elif ln.kind == "prose":
            lead = None
            spans = sentence_spans(text, ln.start, unit_end[ln.no])
            if len(spans) > 1 and _glued_heading(text[spans[-1][0] : spans[-1][1]]):
                a, b = spans.pop()
                after = text[a:b]
        for a, b in spans:
            s = text[a:b]
            context = lead if ln.kind == "item" else None
            reasons = _judge(s, item=ln.kind == "item", context=context)
            if reasons:
                line = ln.no + text.count("\n", ln.start, a)
                out.append(Candidate(s, section, reasons, context[0] if context else None, line))
        section = after
    return out


def _judge(s: str, item: bool, context: tuple[str, list[str]] | None) -> tuple[str, ...]:
    """The reasons `s` is a checkable claim (with its list lead-in's), or () when it is not."""
    if _skip(s, item):
        return ()
    own = reasons_of(s)
    reasons = own + [r for r in (context[1] if context else ()) if r not in own]
    if not reasons:
        return ()
    if FIRST_PERSON.search(norm(s)) and not STRONG.intersection(reasons):
        return ()  # a personal story, unless it gives a dose, cites research or advises
    return tuple(reasons)


def format_candidates(cands: Iterable[Candidate]) -> str:
    """A numbered plain-text listing: line, section, the sentence, its reasons and lead-in."""
    out: list[str] = []
    for i, c in enumerate(cands, 1):
        out.append(f"{i:>3}. line {c.line} \u00b7 {c.section or '(no heading)'}")
        if c.context:
            out.append(f"     after: {c.context}")
        out.append("     " + c.text.replace("\n", "\n     "))  # a hard-wrapped one stays indented
        out.append(f"     why: {'; '.join(c.reasons)}")
    return "\n".join(out)
