"""Reading what a user hands claimbook: files capped in size, text that is UTF-8 without NUL
bytes, and YAML that holds plain values only (no anchors, aliases or tags).

Every reader of a claim file, article.yaml, a rules file, the article's text or a review.json
goes through here, so a 340-byte alias bomb, `/dev/zero` or a binary file is refused with one
line naming the file and line instead of hanging or filling the memory.
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from claimbook.errors import ClaimbookError

__all__ = [
    "MAX_ARTICLE_BYTES",
    "MAX_JSON_BYTES",
    "MAX_YAML_BYTES",
    "InputError",
    "check_plain_yaml",
    "decode",
    "read_capped",
    "read_text",
]

MAX_YAML_BYTES = 2 * 1024 * 1024  # a claim file with 200 citations is ~100 kB
MAX_ARTICLE_BYTES = 10 * 1024 * 1024  # a long article is ~100 kB of text
MAX_JSON_BYTES = 64 * 1024 * 1024  # review.json of a large review is a few MB

# Tags a plain YAML document may spell out; anything else (!!python/object, !custom) is refused.
_PLAIN_TAGS = {
    f"tag:yaml.org,2002:{t}"
    for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
}
PLAIN_TAGS = frozenset(_PLAIN_TAGS)  # the tags plain YAML resolves to (what claim files hold)
# libyaml's parser where PyYAML has it: the same events, about nine times faster (every edit
# checks its claim file and papers.yaml before writing them)
PARSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class InputError(ClaimbookError):
    """A file claimbook was handed cannot be read as it must be; `file:line: field: message`."""

    def __init__(self, file: str | os.PathLike[str], line: int, field: str, message: str) -> None:
        self.file, self.line, self.field, self.message = str(file), line, field, message
        super().__init__(f"{self.file}:{line}: {field}: {message}")


def _size(n: int) -> str:
    return f"{n // (1024 * 1024)} MB" if n >= 1024 * 1024 else f"{n // 1024} kB"


def read_capped(path: str | os.PathLike[str], limit: int, what: str) -> bytes:
    """The bytes of `path`, refused when it holds more than `limit` (read, not stat'ed: a
    device or pipe reports size 0)."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = fh.read(limit + 1)
    except IsADirectoryError:
        raise InputError(path, 1, "file", f"is a folder, not a {what}") from None
    except OSError as exc:
        raise InputError(path, 1, "file", f"cannot read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise InputError(
            path, 1, "file",
            f"is larger than {_size(limit)}, far more than any {what}; is this the right file?",
        )  # fmt: skip
    return data


def decode(data: bytes, path: str | os.PathLike[str], what: str) -> str:
    """`data` as UTF-8 text; a bad byte or a NUL is refused with its line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            path, line, "file",
            f"byte {data[exc.start]:#04x} is not UTF-8 text; save the {what} as UTF-8",
        ) from None  # fmt: skip
    nul = text.find("\0")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise InputError(
            path, line, "file", f"contains a NUL byte; a {what} is plain text (binary file?)"
        )
    return text


def read_text(path: str | os.PathLike[str], limit: int, what: str) -> str:
    """`read_capped` + `decode`: the UTF-8 text of a file a user handed claimbook."""
    return decode(read_capped(path, limit, what), path, what)


def check_plain_yaml(text: str, path: str | os.PathLike[str]) -> None:
    """Refuse anchors, aliases and non-standard tags, by scanning the YAML events (linear in
    the text: an alias bomb is never expanded). Syntax errors are left to the parser."""
    try:
        for event in yaml.parse(text, Loader=PARSER):
            line = event.start_mark.line + 1
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise InputError(
                    path, line, "yaml",
                    "anchors and aliases (&name, *name) are not allowed; write the value out",
                )  # fmt: skip
            tag = getattr(event, "tag", None)
            if tag and tag != "!" and tag not in _PLAIN_TAGS:
                raise InputError(
                    path, line, "yaml",
                    f"the tag {tag.replace('tag:yaml.org,2002:', '!!')} is not allowed; "
                    "claim files hold plain text, numbers, dates and lists",
                )  # fmt: skip
    except yaml.YAMLError:
        return  # the parser reports it with its line
