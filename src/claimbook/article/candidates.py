"""Candidate claims: the sentences of an article that make checkable health claims.

`find_candidates(text)` reads plain article text (often a saved web page, with navigation and
adverts between the paragraphs, and headings without markup) and lists, in document order, the
sentences and list items that say something a reviewer could check against the literature:
causes, cures and relief, prevention, doses and numbers, research, comparisons, who is at risk
and what to do. Every candidate's `text` is an exact substring of the input, so it can become a
quote as it stands.

How it works, in four passes (standard library only):

1. Lines are classified: chrome (navigation, adverts, "Learn more", copyright, phone numbers,
   menus), epigraphs (a quote followed by a "~ Name" line), headings (short lines without
   final punctuation, Markdown `#` or setext headings), list lead-ins (a line ending in ":"),
   list items (bulleted, or short lines under a lead-in) and prose.
2. Teaser text in the same paragraph as a chrome line is chrome, and so are heading-like lines
   among chrome (advert titles, captions), except those after the last chrome line of the run,
   which head the prose that follows.
3. Prose is split into sentences (abbreviations such as "e.g.", "Dr.", "mg. of" do not end a
   sentence; "conditions.Lack" does), and a Title Case question glued to the end of a paragraph
   is taken as the heading of what follows.
4. Each sentence or item is kept when plain-word cues give it at least one reason and it is
   neither a question, a call to action, nor too short to claim anything.

See docs/candidates.md for the cues and the measured recall on the two reviewed articles.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

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


# --------------------------------------------------------------------------- cues

# Each reason is a plain-words label and a pattern matched against the lower-cased sentence with
# curly quotes straightened. Order here is the order reasons are listed in.
_REASON_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        "names a cause",
        r"\b(?:caus(?:e|es|ed|ing)|due to|because|lead(?:s|ing)? to|led to|trigger(?:s|ed|ing)?"
        r"|culprits?|result(?:s|ed|ing)? (?:in|from)|responsible for|linked (?:to|with)"
        r"|associated with|contribut(?:e|es|ed|ing)|risk factors?|factors?|blam(?:e|ed|es)"
        r"|(?:a |the )?sign (?:of|that)|deficien\w*|lack of|not (?:getting )?enough"
        r"|brought on|stem(?:s|med)? from|the (?:real )?(?:problem|issue|reason) is"
        r"|(?:that|this) is why|that's why|this makes|exacerbat\w*|worsen\w*|aggravat\w*"
        r"|malfunction\w*|dysfunction\w*|failure)\b",
    ),
    (
        "gives a number or dose",
        # a quantity (digits, or a number word) and a unit or count; "%" needs no word end
        r"(?:(?<![\d,.])\d[\d,.]*(?:\s*(?:[-\u2013]|to)\s*\d[\d,.]*)?|\b(?:two|three|four"
        r"|five|six|seven|eight|nine|ten|twelve|a few|several|a couple of))\s*(?:%|(?:mg|mcg"
        r"|\u00b5g|g|kg|ml|l|iu|units?|percent|per ?cent|times|hours?|hrs?|minutes?|mins?"
        r"|seconds?|days?|weeks?|months?|years?|mmol|calories|kcal|glass(?:es)?|cups?"
        r"|servings?|tablets?|capsules?|doses?|people|patients|adults|children|participants)\b)"
        r"|\b(?:one|two|three|four|five) (?:in|out of) (?:\w+)\b|\bper day\b|\bdaily dose\b"
        r"|\b(?:twice|three times) (?:a|per) (?:day|week)\b|\bhalf of\b",
    ),
    (
        "says who is at risk",
        r"\b(?:at (?:a )?(?:higher |greater |increased |high |more |lower |low )?risk|risk of"
        r"|prone|more likely|less likely|likelier|susceptib\w*|vulnerab\w*"
        r"|(?:people|those|anyone|someone) (?:with|who)|women|men|children|child|kids|teen\w*"
        r"|infants?|babies|elderly|older (?:people|adults)|the older|as you age|ag(?:e|ing|eing)"
        r"|pregnan\w*|athletes?|runners?|patients?|sufferers?|seniors?|smokers?"
        r"|diabetics?|exempt)\b",
    ),
    (
        "tells the reader what to do",
        # an imperative at the start of the sentence or of a clause, or plain advice words
        r"(?:^|[,;:]\s+|\s[-\u2013\u2014]\s+|\b(?:then|and|or)\s+)"
        r"(?:just |gently |simply |also |please |always |never |first )?"
        r"(?:(?:take|drink|eat|avoid|try|consult|seek|apply|pull|push|bend|elevate|keep"
        r"|make sure|be sure|stay|don't|do not|never|always)\b"
        r"|(?:rest|sleep|walk|use|check|increase|reduce|limit|cut|add|see"
        r"|talk|call|hold|lie|sit|point|raise|flex|warm up|cool down|get|put|wear|ask|give"
        r"|lower|switch|choose|eat)\s+(?:the|your|a|an|some|it|them|to|with|up|down|for|on"
        r"|off|at|more|less|plenty|enough|regularly|gently|slowly|every|each|daily|before"
        r"|after)\b)"
        r"|\b(?:you )?(?:should|must|need to|ought to)\b|\brecommend\w*|\badvis\w*"
        r"|\b(?:it's|it is) (?:best|important|wise|advisable|essential)\b"
        r"|\b(?:see|talk to|consult|ask|call|visit) (?:a|your) (?:doctor|gp|physician"
        r"|pharmacist|health\w*)\b|\bmedical (?:help|attention|advice)\b|\basap\b",
    ),
    (
        "cites research",
        r"\b(?:research\w*|stud(?:y|ies|ied)|trials?|evidence|scientists?|scientific\w*"
        r"|experts?|according to|journals?|data|surveys?|meta-analys\w*|systematic review"
        r"|show(?:s|n|ed)? that|has been shown|have shown|proven|prove[sd]?|found that"
        r"|findings?|observations?|observed|anecdot\w*|theor(?:y|ies)|well[- ]recogni[sz]ed"
        r"|well[- ]known|recogni[sz]ed|doctors (?:say|recommend)|clinical\w*|experiments?"
        r"|myths?)\b",
    ),
    (
        "makes a comparison",
        r"\b(?:than|compared|comparison|versus|vs|rather than|instead of|unlike|as \w+ as"
        r"|just as|the same|no different|difference|differ\w*|superior|inferior|most often"
        r"|main cause|only part|far from|more of a|better|worse|best|worst|higher|lower"
        r"|greater|quicker|faster|slower|stronger|weaker)\b",
    ),
    (
        "claims a cure or relief",
        r"\b(?:reliev\w*|relief|cur(?:e|es|ed|ing)|heal\w*|treat\w*|therap\w*|remed(?:y|ies)"
        r"|fix(?:es)?|solv(?:e|es|ed|ing)|solution|alleviat\w*|eas(?:e|es|ed|ing)"
        r"|help(?:s|ed|ing)?|stop(?:s|ped|ping)?|go(?:es)? away|resolv\w*|effective\w*"
        r"|improv\w*|restor\w*|releas\w*|reprogram\w*|retrain\w*|transform\w*|eliminat\w*"
        r"|get rid|reduc\w*|sooth\w*|recover\w*|benefit\w*|save you|tackl\w*|medicat\w*"
        r"|supplement\w*|medicines?|drugs?|pills?|tablets?|works)\b"
        r"|\b(?:does(?:n't| not)?|do(?:n't| not)|won't|will not|what|that) work\b",
    ),
    (
        "claims prevention",
        r"\b(?:prevent\w*|avoid\w*|ward(?:s|ing)? off|protect\w*|(?:reduce|lower|cut)s? (?:your"
        r"|the) risk|[\w-]{1,30}-free|free from|keep (?:\w+ ){1,2}(?:from|away)"
        r"|never again|no more)\b",
    ),
    (
        "says how serious it is or how long it lasts",
        r"\b(?:last(?:s|ing)? (?:for|about|up to|only|a few|several)|go(?:es)? away|recur\w*"
        r"|come(?:s)? back|coming back|slip back|return\w*|again|persist\w*|chronic"
        r"|temporar\w*|permanent\w*|short-term|long-term|long haul|harmless|benign|serious"
        r"|dangerous|life-threatening|nuisance|severe|painful|excruciating|safe|safely|unsafe"
        r"|harmful|toxic|side effects?)\b",
    ),
    (
        "says when or where it happens",
        r"\b(?:occur\w*|happen\w*|develop\w*|strike(?:s)?|affect\w*|target\w*|appear\w*"
        r"|during|at night|at bedtime|overnight|in the (?:morning|afternoon|evening)"
        r"|(?:before|after) (?:bed|meals?|eating|sleep\w*)|while (?:you )?(?:sleep|rest)\w*"
        r"|usually|often|typically|commonly|common|rarely"
        r"|frequent\w*|locally)\b",
    ),
    (
        "makes an absolute claim",
        r"\b(?:always|never|every(?:one|body)|no one|nobody|nothing but|completely|entirely"
        r"|totally|guarantee\w*|the only|(?:the|a) (?:real|true|root|one) (?:cause|reason"
        r"|solution|cure|answer|fix)|once and for all|for good|forever|certainly|definitely"
        r"|without (?:a )?doubt|no doubt)\b",
    ),
    (
        "explains how the body works",
        r"\b(?:nerv(?:e|es|ous)|neuro\w*|brain|reflex\w*|blood|circulation|oxygen|nutrients?"
        r"|toxins?|waste products?|minerals?|vitamins?|hormon\w*|metaboli\w*"
        r"|contract(?:s|ed|ing|ion|ions)?|relax(?:es|ed|ing|ation)?"
        r"|inflamm\w*|immune|signals?|cells?|tissues?|organs?"
        r"|levels?|imbalances?|process(?:es)?|mechanisms?|break(?:s|ing)? down)\b",
    ),
)
_REASONS = tuple((label, re.compile(rx)) for label, rx in _REASON_PATTERNS)

# Calls to action and page furniture that read like sentences.
_CTA = re.compile(
    r"^(?:book|order|buy|shop|subscribe|sign up|click|follow us|share|download|register"
    r"|join us|call us|contact us|schedule (?:a|an|your)|reserve|get in touch|learn more"
    r"|read more|find out more|discover more|visit (?:us|our))\b",
    re.IGNORECASE,
)
_PHONE = re.compile(r"(?<![\w.])\+?\(?\d[\d ()./-]{7,18}\d(?!\s*(?:mg|mcg|g|ml|%|iu)\b)")
_URL = re.compile(
    r"(?:https?://|www\.)\S+|(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}\.[\w.]{2,63}", re.IGNORECASE
)
_COPYRIGHT = re.compile(r"\u00a9|\(c\)\s*\d{4}|\bcopyright\b|\ball rights reserved\b", re.I)
_CHROME_SHORT = re.compile(
    r"(?:learn more|read more|discover more|see more|find out more|\bmore articles"
    r"|more interesting|related (?:posts|articles|pages)|you may also like|book now"
    r"|book online|shop now|buy now|order now|sign up|subscribe|log ?in|sign in|share this"
    r"|share on|follow us|contact us|click here|skip to|back to top|advertisement|sponsored"
    r"|cookies?|privacy policy|terms of|newsletter|add to cart|opening hours|posted by"
    r"|leave a (?:comment|reply)|comments?)\b|^(?:menu|home|search|share|tags?|categories"
    r"|about(?: us)?|blog|services|contact|next|previous|prev|close|top)$",
    re.IGNORECASE,
)
_NAV_SEPARATORS = re.compile(r"\s[|\u203a\u00bb>/\u00b7\u2022]\s")
_ATTRIBUTION = re.compile(
    r"^(?:~|--|\u2014|\u2015)\s*[A-Z][\w.'\u2019-]*(?:\s+[A-Z][\w.'\u2019-]*){0,4}$"
)
_BULLET = re.compile(
    r"^(?:[-*+\u2022\u00b7\u2023\u25e6\u25aa\u2013\u2014]|\d{1,2}[.)]|[a-z][)])\s+"
)
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_SETEXT = re.compile(r"^(?:=+|-+)$")
_WORD = re.compile(r"[A-Za-z0-9\u00c0-\u024f][\w\u2019'-]*")

# Small words that Title Case leaves in lower case.
_SMALL = frozenset({
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
_TERMINAL = ".!?\u2026:;,"
_CLOSERS = "\"'\u201d\u2019)]"
_OPENERS = "\"'\u201c\u2018(["


# --------------------------------------------------------------------------- sentences


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
        punct = m.group().rstrip(_CLOSERS)
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
            if first in _OPENERS:
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


# --------------------------------------------------------------------------- lines


@dataclass
class _Line:
    """One non-blank line of the input: its span (trimmed) and what it was taken for."""

    no: int
    start: int
    end: int
    text: str
    kind: str = "prose"  # chrome, epigraph, rule, heading, lead, item, prose, joined
    body_start: int = 0  # for items: where the text after the bullet begins
    words: int = 0
    block: int = 0


def _lines(text: str) -> list[_Line]:
    """The non-blank lines of text with trimmed spans and their block (paragraph) number."""
    out: list[_Line] = []
    pos, no, block, blank = 0, 1, 0, True
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            if blank and out:
                block += 1
            lead = len(raw) - len(raw.lstrip())
            a = pos + lead
            b = a + len(stripped)
            out.append(_Line(no, a, b, stripped, body_start=a, words=len(_WORD.findall(stripped))))
            out[-1].block = block
            blank = False
        else:
            blank = True
        pos += len(raw) + 1
        no += 1
    return out


def _title_case(s: str) -> bool:
    """True when most significant words are capitalised ("Age and the Risk of Falls")."""
    words = [w for w in _WORD.findall(s) if w.lower() not in _SMALL and not w[0].isdigit()]
    if not words:
        return False
    caps = sum(1 for w in words if w[0].isupper())
    return caps / len(words) >= 0.75 and (caps >= 2 or len(words) == 1)


def _heading_like(s: str) -> bool:
    """One short sentence without final punctuation ("?" allowed), starting with a capital."""
    if not s or s[-1] in _TERMINAL.replace("?", "") or len(s) > 120:
        return False
    words = _WORD.findall(s)
    if not words or len(words) > 14:
        return False
    first = s.lstrip(_OPENERS)[:1]
    return (first.isupper() or first.isdigit()) and len(sentence_spans(s)) == 1


def _is_chrome(line: _Line) -> bool:
    """Page furniture by its own look: link labels, copyright, phone numbers, nav bars."""
    t = line.text
    if _COPYRIGHT.search(t):
        return True
    if line.words <= 6 and (_CHROME_SHORT.search(t) or _URL.search(t) or _PHONE.search(t)):
        return True
    if line.words <= 12 and _PHONE.search(t) and not re.search(r"[a-z]{4,}.*[.!]$", t):
        return True
    parts = _NAV_SEPARATORS.split(t)
    return len(parts) >= 3 and all(len(_WORD.findall(p)) <= 4 for p in parts)


def _is_item_like(line: _Line) -> bool:
    """Short enough to be one list item (at most 30 words, at most two sentences)."""
    if line.text.endswith(":") or line.words > 30:
        return False
    return len(sentence_spans(line.text)) <= 2


def _classify(lines: list[_Line]) -> None:
    """Set each line's kind: chrome, epigraph, heading, lead, item or prose."""
    for ln in lines:
        if _is_chrome(ln):
            ln.kind = "chrome"
    _mark_menus(lines)
    _mark_epigraphs(lines)
    _mark_structure(lines)
    _mark_chrome_runs(lines)


def _mark_menus(lines: list[_Line]) -> None:
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
        if all(ln.words <= 4 and ln.text[-1] not in _TERMINAL for ln in blk):
            for ln in blk:
                ln.kind = "chrome"


def _mark_epigraphs(lines: list[_Line]) -> None:
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


def _blocks(lines: list[_Line]) -> list[list[_Line]]:
    """Lines grouped by paragraph block (runs of lines with no blank line between)."""
    out: list[list[_Line]] = []
    for ln in lines:
        if out and out[-1][-1].block == ln.block:
            out[-1].append(ln)
        else:
            out.append([ln])
    return out


def _mark_structure(lines: list[_Line]) -> None:
    """Headings, list lead-ins, list items and prose among the lines that are left."""
    content = [ln for ln in lines if ln.kind == "prose"]
    lst: list[_Line] | None = None  # the current list: its lead-in (if any), then its items
    for i, ln in enumerate(content):
        t = ln.text
        prev = content[i - 1] if i else None
        nxt = content[i + 1] if i + 1 < len(content) else None
        if not any(ch.isalnum() for ch in t):
            ln.kind = "rule"  # "-----", "* * *": a rule or a setext underline
            if _SETEXT.match(t) and prev and prev.no == ln.no - 1 and _heading_like(prev.text):
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
        elif _heading_like(t) and not _runs_on(ln, nxt):
            ln.kind = "heading"
            lst = None
        else:
            ln.kind = "prose"
            lst = None


def _continues_list(lst: list[_Line], ln: _Line, nxt: _Line | None) -> bool:
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
    return not (punctuated != (ln.text[-1] in ".!?\u2026") and _heading_like(ln.text))


def _runs_on(ln: _Line, nxt: _Line | None) -> bool:
    """A short line whose sentence runs on into the next line (hard-wrapped prose)."""
    return (
        nxt is not None
        and nxt.no == ln.no + 1
        and nxt.text[:1].islower()
        and not _title_case(ln.text)
    )


def _ends_list(ln: _Line, nxt: _Line | None) -> bool:
    """A Title Case line of three or more words followed by a real paragraph is a heading."""
    if not _heading_like(ln.text) or not _title_case(ln.text):
        return False
    if len([w for w in _WORD.findall(ln.text) if w.lower() not in _SMALL]) < 3:
        return False
    return nxt is not None and (nxt.words >= 25 or len(sentence_spans(nxt.text)) >= 3)


def _mark_chrome_runs(lines: list[_Line]) -> None:
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


# --------------------------------------------------------------------------- picking


def _norm(s: str) -> str:
    """Lower case with curly quotes straightened (same length), for matching cues."""
    return s.translate(_STRAIGHT).lower()


_STRAIGHT = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})


def _reasons(s: str) -> list[str]:
    """The plain-word reasons a sentence gives for being a checkable claim."""
    n = _norm(s)
    return [label for label, rx in _REASONS if rx.search(n)]


# "I", "me", "my": the writer's own story. Kept only with one of the strong reasons.
_FIRST_PERSON = re.compile(r"\b(?:i(?!\.[a-z])|i'm|i've|i'd|i'll|me|my|mine|myself)\b")
_STRONG = frozenset({"gives a number or dose", "cites research", "tells the reader what to do"})


def _is_question(s: str) -> bool:
    """Ends in a question mark, perhaps inside closing quotes or brackets."""
    return s.rstrip(_CLOSERS + " ").endswith("?")


def _skip(s: str, item: bool) -> bool:
    """Questions, calls to action, contact details, and (outside lists) fragments of under three
    words: a list item as short as "Being pregnant." claims something with its lead-in."""
    if _is_question(s) or _CTA.match(s.lstrip(_OPENERS)):
        return True
    if _URL.search(s) or _COPYRIGHT.search(s):
        return True
    if _PHONE.search(s) and not re.search(r"\b(?:mg|mcg|g|ml|%|iu)\b", s.lower()):
        return True
    return not item and len(_WORD.findall(s)) < 3


def _glued_heading(s: str) -> bool:
    """A Title Case question or unpunctuated phrase that ended up at the end of a paragraph."""
    if not (_is_question(s) or s[-1] not in _TERMINAL):
        return False
    words = _WORD.findall(s)
    sig = [w for w in words if w.lower() not in _SMALL]
    return (
        3 <= len(words) <= 12
        and len(sig) >= 3
        and _title_case(s)
        and all(w[0].isupper() for w in sig)
    )


def _prose_units(lines: list[_Line]) -> dict[int, int]:
    """End offset of each prose unit, by its first line number: a prose line joined with the
    lines that continue a hard-wrapped paragraph (no final punctuation above, lower case next).
    Joined lines get kind "joined" so they are not read twice."""
    units: dict[int, int] = {}
    first: _Line | None = None
    prev: _Line | None = None
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


def find_candidates(text: str) -> list[Candidate]:
    """List, in document order, the sentences and list items of `text` that make checkable
    claims, each with its section heading, the reasons it was picked and its list lead-in."""
    lines = _lines(text)
    _classify(lines)
    headings = [ln for ln in lines if ln.kind == "heading"]
    section = headings[0].text if headings else ""  # before the first heading: the title
    unit_end = _prose_units(lines)

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
            lead = (text[a:b], _reasons(text[a:b]))
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
    own = _reasons(s)
    reasons = own + [r for r in (context[1] if context else ()) if r not in own]
    if not reasons:
        return ()
    if _FIRST_PERSON.search(_norm(s)) and not _STRONG.intersection(reasons):
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
