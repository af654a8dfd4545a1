"""Text from a review folder, made inert for Markdown: the report's .md, notebook Markdown cells
and `show_claim`. Shared so that every writer escapes the same way.

Markdown passes raw HTML through and turns `[x](...)` into links, so a title such as
`<img src=x onerror=...>` or `[x](javascript:...)` would be live. `md()` writes `<` as `&lt;`
(an entity every Markdown dialect understands: CommonMark, GFM, Python-Markdown, pandoc), `&` as
`&amp;` where it would start an entity, and backslash-escapes the other characters Markdown acts
on; `md_link()` writes a link only to an address `safe_url` accepts (http(s) or doi:), else the
plain label.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from claimbook.ids import safe_url

__all__ = ["code", "md", "md_link", "md_paragraphs", "md_url"]

# `&` only where it would start an entity (`&lt;`, `&#60;`): "Heart & Lung" stays readable.
_ENTITY_START = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
# Emphasis, code, links and images, tables, headings, quotes, strikethrough, math ($ is TeX in
# Jupyter).
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]|#~!$>])")
# What starts a list item or a setext heading when the text begins a line: "- ", "+ ", "1. ".
_LINE_START = re.compile(r"^(?:([-+=])|(\d+)(?=[.)]))")


def md(text: object) -> str:
    """Escape Markdown and inline HTML so text renders as itself, on one line."""
    one_line = " ".join(str(text).split())
    escaped = _MD_SPECIAL.sub(r"\\\1", _ENTITY_START.sub("&amp;", one_line))
    escaped = escaped.replace("<", "&lt;")
    # "- x" -> "\- x"; "1. x" -> "1\. x"
    return _LINE_START.sub(lambda m: f"\\{m[1]}" if m[1] else f"{m[2]}\\", escaped)


def md_paragraphs(text: object) -> str:
    """Like `md()`, keeping the blank lines between paragraphs (a topic's intro)."""
    paras = re.split(r"\n\s*\n", str(text).strip())
    return "\n\n".join(md(p) for p in paras if p.strip())


def md_url(url: str) -> str:
    """A link target that cannot break out of `(...)` or a table cell."""
    return quote(url, safe=":/?#@$&'*+,;=%~-._!")


def md_link(text: object, url: object) -> str:
    """`[text](url)` when `url` is a safe link (http(s), doi:), else just the escaped text."""
    href = safe_url(url)
    return f"[{md(text)}]({md_url(href)})" if href else md(text)


def code(text: object) -> str:
    """An inline code span (backticks in the text are replaced; code is not escaped)."""
    return "`" + " ".join(str(text).split()).replace("`", "'") + "`"
