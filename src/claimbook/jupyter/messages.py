"""Refusals in plain words: one sentence a practitioner reads, naming the field in words
("The finding needs at least 20 characters."), with the technical `FILE:LINE: field: message`
kept beside it for whoever wants to see where (the workbench shows it on click).

    plain_problem(Problem("claims/A01.yaml", 45, "evidence[4].finding",
                          "String should have at least 20 characters"))
    # 'The finding needs at least 20 characters.'

No widget here: the session and the views use it, and it is tested without a browser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from claimbook.errors import Problem

__all__ = ["FIELD_WORDS", "Plain", "field_words", "plain_of", "plain_problem"]

# a field's last name in a claim file (or an edit's) -> what a practitioner calls it
FIELD_WORDS = {
    "advice": "what to tell a client",
    "claim": "the plain wording of the claim",
    "decision": "the screening decision",
    "design": "the study design",
    "doi": "the DOI",
    "evidence": "the evidence",
    "excluded": "the list of excluded papers",
    "file": "the claim file",
    "finding": "the finding",
    "id": "the claim",
    "n": "the number of participants",
    "note": "the note",
    "paper": "the paper",
    "parts": "the claim's parts",
    "pmid": "the PMID",
    "polarity": "the polarity",
    "population": "the population",
    "query": "the PubMed query",
    "question": "the question kind",
    "quote": "the quote",
    "quotes": "the quotes",
    "reason": "the reason",
    "reviewer": "the reviewer's name",
    "section": "the quote's section heading",
    "setting": "the setting",
    "signoff": "the sign-off",
    "slug": "the claim's file name",
    "stance": "the stance",
    "status": "the claim's status",
    "text": "the quote",
    "title": "the title",
    "topic": "the topic",
    "topics": "the topic",
}
PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"String should have at least (\d+) characters?"),
     "{F} needs at least {0} characters"),
    (re.compile(r"String should have at most (\d+) characters?"),
     "{F} can have at most {0} characters"),
    (re.compile(r"List should have at least 1 item.*"), "{F} needs at least one entry"),
    (re.compile(r"Field required"), "{F} is missing"),
    (re.compile(r"Extra inputs are not permitted"), "{F} is not something a claim file can hold"),
    (re.compile(r"Input should be (.*)"), "{F} must be {0}"),
    (re.compile(r"a reviewed claim needs (.*?) in part (\w) \(or set status: draft\)"),
     "Part {1} needs {0} before the claim can be signed off"),
    (re.compile(r"a reviewed claim needs (.*?) \(or set status: draft\)"),
     "The claim needs {0} before it can be signed off"),
    (re.compile(r"not an exact substring of .*"), "{F} is not an exact quote of the article"),
    (re.compile(r"no such heading in .*"), "{F} is not a heading of the article"),
]  # fmt: skip
PATTERN_WORDS = {  # a pattern refused: what the field must look like instead
    "topic": "The topic must be lower-case words joined by hyphens, like sports-drinks",
    "slug": "The claim's file name must be lower-case words joined by hyphens",
    "id": "A claim id is a capital letter and two or three digits, like C12",
}


@dataclass(frozen=True)
class Plain:
    """A refusal as the reviewer reads it (`text`) and where it is (`detail`, '' if nowhere)."""

    text: str
    detail: str = ""


def field_words(field: str) -> str:
    """`evidence[4].finding` -> 'the finding'; an unknown name is kept, as words."""
    leaf = re.sub(r"\[\d+\]", "", field).split(".")[-1] if field else ""
    return FIELD_WORDS.get(leaf, leaf.replace("_", " ") and f"the {leaf.replace('_', ' ')}")


def _sentence(text: str) -> str:
    text = text.strip().removeprefix("Value error, ")
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


def plain_problem(problem: Problem) -> str:
    """One validation problem as a sentence naming its field in words."""
    words = field_words(problem.field) or "this change"
    leaf = re.sub(r"\[\d+\]", "", problem.field).split(".")[-1]
    message = problem.message.strip().removeprefix("Value error, ")
    if message.startswith("String should match pattern"):
        return _sentence(PATTERN_WORDS.get(leaf, f"{words} is not in the form it needs"))
    for pattern, template in PATTERNS:
        m = pattern.fullmatch(message)
        if m:
            return _sentence(template.format(*m.groups(), F=words))
    return _sentence(message)


def plain_of(exc: BaseException, fallback: str) -> Plain:
    """An error as a `Plain`: its first problem in words (`+N more` when there are several),
    the located lines as the detail; `fallback` (the one-line text) for an error without
    located problems."""
    problems = [p for p in getattr(exc, "problems", []) if isinstance(p, Problem)]
    if not problems:
        return Plain(fallback)
    text = plain_problem(problems[0])
    if len(problems) > 1:
        more = len(problems) - 1
        text += f" ({more} more problem{'s' if more > 1 else ''}: see where.)"
    return Plain(text, "\n".join(str(p) for p in problems))
