"""Claim files and article.yaml read as YAML that remembers where everything is, so that
every problem names its FILE:LINE: the parser (plain YAML only: no anchors, tags or duplicate
keys), the line of any field (`Located.line`), and pydantic's errors turned into `Problem`s in
plain words.

Knows YAML and pydantic, not the claim schema: `parse_file` validates against any model.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from claimbook.errors import Problem
from claimbook.inputs import (
    MAX_YAML_BYTES,
    PLAIN_TAGS,
    InputError,
    check_plain_yaml,
    decode,
    read_text,
)

__all__ = ["Located", "field_name", "parse_file", "problem_at", "read_yaml"]

M = TypeVar("M", bound=BaseModel)


class Located:
    """A parsed YAML document that remembers the line of every key and item."""

    def __init__(self, node: yaml.Node) -> None:
        self.node = node

    def line(self, loc: tuple[Any, ...]) -> int:
        """1-based line of the deepest node the path `loc` reaches (a scalar: its key's line)."""
        node = self.node
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                pair = next(((k, v) for k, v in node.value if k.value == part), None)
                if pair is None:
                    break
                key, node = pair
                if isinstance(node, yaml.ScalarNode):
                    return key.start_mark.line + 1
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if not 0 <= part < len(node.value):
                    break
                node = node.value[part]
            else:
                break
        return node.start_mark.line + 1

    def key_line(self, loc: tuple[Any, ...]) -> int:
        """1-based line of the key that `loc` ends on (a nested mapping's own key line, where
        `line` gives its first field's); `line(loc)` when `loc` does not end on a key."""
        if not loc or isinstance(loc[-1], int):
            return self.line(loc)
        node = self.node
        for part in loc[:-1]:
            if isinstance(node, yaml.MappingNode):
                node = next((v for k, v in node.value if k.value == part), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                node = node.value[part] if 0 <= part < len(node.value) else None
            if node is None:
                return self.line(loc)
        if isinstance(node, yaml.MappingNode):
            key = next((k for k, _ in node.value if k.value == loc[-1]), None)
            if key is not None:
                return key.start_mark.line + 1
        return self.line(loc)

    def duplicate_keys(self) -> list[tuple[int, str]]:
        """(line, dotted key) of every key that appears twice in the same mapping."""
        found: list[tuple[int, str]] = []

        def walk(node: yaml.Node, path: str) -> None:
            if isinstance(node, yaml.MappingNode):
                seen = set()
                for k, v in node.value:
                    name = f"{path}.{k.value}" if path else str(k.value)
                    if k.value in seen:
                        found.append((k.start_mark.line + 1, name))
                    seen.add(k.value)
                    walk(v, name)
            elif isinstance(node, yaml.SequenceNode):
                for i, v in enumerate(node.value):
                    walk(v, f"{path}[{i}]")

        walk(self.node, "")
        return found


def read_yaml(
    path: Path, problems: list[Problem], text: str | None = None
) -> tuple[Any, Located | None]:
    """Parse one YAML file (or `text`, as if it were that file) keeping node positions;
    oversized or binary files, anchors/aliases, tags and syntax errors become problems."""
    try:
        if text is None:
            text = read_text(path, MAX_YAML_BYTES, "claim file")
        else:
            text = decode(text.encode("utf-8", "surrogatepass"), path, "claim file")
        check_plain_yaml(text, path)
    except InputError as exc:
        problems.append(Problem(exc.file, exc.line, exc.field, exc.message))
        return None, None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        problems.append(_yaml_problem(path, exc))
        return None, None
    except yaml.reader.ReaderError as exc:  # a control character YAML does not allow
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        problems.append(
            Problem(str(path), line, "yaml", f"the control character U+{exc.character:04X} is "
                    "not allowed in YAML; delete it")
        )  # fmt: skip
        return None, None
    except yaml.YAMLError as exc:
        problems.append(Problem(str(path), 1, "yaml", " ".join(f"cannot read: {exc}".split())))
        return None, None
    if node is None:
        problems.append(Problem(str(path), 1, "file", "empty file"))
        return None, None
    located = Located(node)
    for line, name in located.duplicate_keys():
        problems.append(Problem(str(path), line, name, "duplicate key"))
    loader = yaml.SafeLoader(text)
    try:
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        problems.append(_yaml_problem(path, exc))
        return None, None
    except ValueError as exc:  # a date that does not exist: 2024-02-30
        line = _bad_value_line(node, str(exc))
        problems.append(Problem(str(path), line, "yaml", f"not a valid value: {exc}"))
        return None, None
    finally:
        loader.dispose()
    return data, located


def _yaml_problem(path: Path, exc: yaml.MarkedYAMLError) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else 1
    what = " ".join(x for x in (exc.context, exc.problem) if x)
    return Problem(str(path), line, "yaml", f"syntax error: {what}")


def _bad_value_line(node: yaml.Node, message: str) -> int:
    """The line of the first timestamp-looking scalar a constructor refused (best effort)."""
    stack = [node]
    while stack:
        n = stack.pop(0)
        if isinstance(n, yaml.ScalarNode):
            if n.tag.endswith(":timestamp"):
                try:
                    yaml.SafeLoader("").construct_yaml_timestamp(n)
                except ValueError:
                    return n.start_mark.line + 1
        elif isinstance(n, yaml.MappingNode):
            stack.extend(v for pair in n.value for v in pair)
        elif isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
    return 1


def field_name(loc: tuple[Any, ...]) -> str:
    """'parts[0].evidence[2].pmid': a YAML path as a problem names the field."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "record"


def _pydantic_problems(path: Path, exc: ValidationError, located: Located) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function")))
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        elif err["type"] == "missing":
            msg = "missing required field"
        elif err["type"] == "literal_error":
            msg = f"{err['input']!r} is not allowed; {msg[0].lower()}{msg[1:]}"
        problems.append(Problem(str(path), located.line(loc), field_name(loc), msg))
    return problems


def parse_file(
    model: type[M], path: Path, problems: list[Problem], text: str | None = None
) -> tuple[M | None, Located | None]:
    """One YAML file (or `text`, as if it were that file) validated as `model`, with where its
    fields are; every problem found is added to `problems` (then the model is None, and so is
    the location when the YAML itself could not be read). The model's `path` is set to `path`.
    A valid file is read fast (`parse_quickly`, libyaml); only a file it refuses is read again
    slowly, to say where and why."""
    obj, located = parse_quickly(model, path, text)
    if obj is not None:
        return obj, located
    data, located = read_yaml(path, problems, text)
    if located is None:
        return None, None
    if not isinstance(data, dict):
        problems.append(Problem(str(path), 1, "file", "expected a mapping of fields"))
        return None, None
    try:
        obj = model.model_validate(data)
    except ValidationError as exc:
        problems.extend(_pydantic_problems(path, exc, located))
        return None, located
    obj.path = path
    return obj, located


def problem_at(where: str, located: Located, loc: tuple[Any, ...], message: str) -> Problem:
    """A problem at the YAML node `loc` (e.g. ("evidence", 2, "pmid")) of a file."""
    return Problem(where, located.line(loc), field_name(loc), message)


def parse_quickly(
    model: type[M], path: Path, text: str | None = None
) -> tuple[M | None, Located | None]:
    """A YAML file (or `text`, as if it were that file) that is expected to be valid, read fast
    (libyaml when PyYAML has it) and validated as `model`; (None, None) when it is not valid
    (`parse_file` says why). For what an edit checks its change against."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        if text is None:
            text = read_text(path, MAX_YAML_BYTES, "claim file")
        for event in yaml.parse(text, Loader=loader):  # plain YAML only, as check_plain_yaml
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                return None, None
            if getattr(event, "tag", None) not in (None, "!", *PLAIN_TAGS):
                return None, None
        node = yaml.compose(text, Loader=loader)
        if node is None or Located(node).duplicate_keys():
            return None, None
        constructor = yaml.SafeLoader("")
        try:
            data = constructor.construct_document(node)
        finally:
            constructor.dispose()
        obj = model.model_validate(data)
    except (InputError, yaml.YAMLError, ValueError, TypeError):  # ValidationError is one
        return None, None
    obj.path = path
    return obj, Located(node)


# path -> (model, text, parsed): what `parse_remembered` read last, so that an edit's check
# re-parses only the files whose text changed since
_REMEMBERED: dict[Path, tuple[type, str, Any, Located | None]] = {}  # as the path was given


def parse_remembered(model: type[M], path: Path) -> tuple[M | None, Located | None]:
    """`parse_quickly` of a file, remembered by its text: a file whose text is what it was at
    the last reading is not parsed again (the edits' validation context reads every claim
    file; an edit changes one). The model given back is shared: copy it before changing it."""
    try:
        text = read_text(path, MAX_YAML_BYTES, "claim file")
    except InputError:
        return None, None
    key = Path(path)
    known = _REMEMBERED.get(key)
    if known is not None and known[0] is model and known[1] == text:
        return known[2], known[3]
    obj, located = parse_quickly(model, path, text)
    if len(_REMEMBERED) > 1024:  # many folders read (tests): start again
        _REMEMBERED.clear()
    _REMEMBERED[key] = (model, text, obj, located)
    return obj, located
