"""The round-trip YAML of a claim file: load and dump with ruamel.yaml so that an edit keeps the
reviewer's comments, key order, quoting and line breaks, and writes new prose folded (`>-`) and
wrapped like the hand-written files. Knows YAML layout only, not what a claim means.
"""

from __future__ import annotations

import io
import re
import textwrap
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import FoldedScalarString

WRAP = 96  # folded text is wrapped like the hand-written claim files


def yaml_for(text: str) -> YAML:
    """A round-trip YAML that writes lists the way this file already does."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap existing lines
    yaml.representer.ignore_aliases = lambda data: True  # no &id001 for a date used twice
    if re.search(r"^- ", text, re.M):
        yaml.indent(mapping=2, sequence=2, offset=0)
    else:
        yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def dump(yaml: YAML, doc: Any) -> str:
    """`doc` as YAML text, the way `yaml` writes it."""
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()


def folded(text: str, indent: int = 6) -> FoldedScalarString | str:
    """Long prose as a folded block (`>-`) wrapped like the hand-written files; short as is."""
    text = " ".join(text.split())
    if len(text) + indent <= WRAP:
        return text
    scalar = FoldedScalarString(text)
    positions, at = [], 0
    for line in textwrap.wrap(text, WRAP - indent, break_long_words=False)[:-1]:
        at += len(line)
        positions.append(at)
        at += 1
    scalar.fold_pos = positions
    return scalar


def set_after(doc: CommentedMap, key: str, value: Any, after: tuple[str, ...]) -> None:
    """Set `key`, placing a new key after the last of `after` present (else at the end)."""
    if key in doc:
        doc[key] = value
        return
    keys = list(doc)
    spots = [keys.index(k) + 1 for k in after if k in keys]
    doc.insert(max(spots) if spots else len(keys), key, value)


def line_of(doc: CommentedMap, key: str) -> int:
    """The 1-based line `key` is on in the file `doc` was loaded from (1 if unknown)."""
    try:
        return doc.lc.key(key)[0] + 1
    except (KeyError, TypeError):
        return 1


def block_list(doc: CommentedMap, key: str) -> CommentedSeq:
    """The list under `key` as a block sequence (a flow `[]` becomes block when it grows)."""
    seq = doc.get(key)
    if not isinstance(seq, CommentedSeq) or not seq:
        seq = CommentedSeq(list(seq or []))
        set_after(doc, key, seq, ("evidence", "query", "quotes"))
    return seq
