"""papers.yaml as the edits write it: the appraisal of each paper, once, read and written with
the round-trip YAML (the reviewer's comments, order and quoting survive). Knows where an
appraisal sits and how its fields are laid out; what an edit may change is decided by the edits
(citations, migrate), and every write goes through claim_files.edit_claim or migrate.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from claimbook.claims.schema import PAPERS_FILE, STUDY_FIELDS
from claimbook.edit.round_trip import dump, folded, set_after, yaml_for
from claimbook.ids import citation_key
from claimbook.inputs import MAX_YAML_BYTES, InputError, check_plain_yaml, read_text

__all__ = ["PAPERS_HEAD", "PapersDoc", "move_study_fields", "paper_entry", "study_value"]

PAPERS_HEAD = """\
# The appraisal of each paper the claims cite, written once per paper and used by every claim
# that cites it: what belongs to the study itself, whichever claim it is read for (its design,
# whether it was randomised, n, population, setting, risk_of_bias with its reason and tool,
# funding and conflicts, and for a systematic review the PMIDs it pooled). How a paper bears
# on one claim (stance, finding, how direct it is, effect) stays on the citation in the claim file.
"""

IDS = ("pmid", "doi", "url")


def _key_of(entry: Any) -> set[str]:
    """Every key a citation of this entry may have (its PMID, DOI, URL)."""
    if not isinstance(entry, dict):
        return set()
    found = set()
    for name in IDS:
        if entry.get(name):
            found.add(citation_key(*(entry.get(n) if n == name else None for n in IDS)))
    return found


class PapersDoc:
    """papers.yaml of a claims folder and the text it was read from (None: the file is not
    there yet; dumping writes it with its head comment). Read fast (libyaml) to find a paper's
    entry; the round-trip document (`doc`) is loaded only when an entry already there must
    change: a new entry is written in the file's own style and appended to its text, so citing
    a new paper does not parse and rewrite the whole file."""

    def __init__(self, path: Path, text: str | None, fast: _Fast | None) -> None:
        self.path, self.text = path, text
        self._fast = fast  # None: the round-trip document is the only reading
        self._rt: tuple[YAML, CommentedMap] | None = None
        self._new: list[CommentedMap] = []  # entries added while only the fast reading is held

    @classmethod
    def read(cls, claims_dir: Path) -> PapersDoc:
        """papers.yaml as it is now (a new, empty one if there is none); InputError when it
        cannot be read as plain YAML (the loader says so in the same words)."""
        path = Path(claims_dir) / PAPERS_FILE
        if not path.exists():
            papers = cls(path, None, None)
            papers._load(PAPERS_HEAD + "papers: []\n")
            return papers
        text = read_text(path, MAX_YAML_BYTES, "papers file")
        check_plain_yaml(text, path)
        papers = cls(path, text, _read_fast(text))
        if papers._fast is None:
            papers._load(text)
        return papers

    def _load(self, text: str) -> None:
        yaml = yaml_for(text)
        doc = yaml.load(text)
        if not isinstance(doc, CommentedMap):
            raise InputError(self.path, 1, "file", "expected a mapping of fields (papers: ...)")
        self._rt = (yaml, doc)

    def _round_trip(self) -> tuple[YAML, CommentedMap]:
        """The round-trip document, loaded now if it was not (with the entries added so far)."""
        if self._rt is None:
            self._load(self.text or "")
            self._fast = None
            new, self._new = self._new, []
            for entry in new:
                self.entries.append(entry)
        assert self._rt is not None
        return self._rt

    @property
    def yaml(self) -> YAML:
        return self._round_trip()[0]

    @property
    def doc(self) -> CommentedMap:
        return self._round_trip()[1]

    @property
    def entries(self) -> CommentedSeq:
        """The list of papers, as a block list (a flow `[]` becomes block when it grows)."""
        doc = self.doc
        seq = doc.get("papers")
        if not isinstance(seq, CommentedSeq) or not seq:
            seq = CommentedSeq(list(seq or []))
            doc["papers"] = seq
        return seq

    def peek(self, keys: set[str]) -> tuple[int, Any, int] | None:
        """(index, entry, line) of the paper known by any of `keys`, read only (the round-trip
        document is not loaded for it); None when papers.yaml has no entry for it."""
        if self._fast is None:
            for i, entry in enumerate(self.doc.get("papers") or []):
                if _key_of(entry) & keys:
                    return i, entry, self.line(entry)
            return None
        for i, (entry, line) in enumerate(self._fast.entries):
            if _key_of(entry) & keys:
                return i, entry, line
        at = len(self._fast.entries)
        return next(((at + i, e, 1) for i, e in enumerate(self._new) if _key_of(e) & keys), None)

    def find(self, keys: set[str]) -> CommentedMap | None:
        """The entry of the paper known by any of `keys`, to change it; None if there is none."""
        found = self.peek(keys)
        if found is None:
            return None
        if self._fast is not None and found[0] >= len(self._fast.entries):
            return found[1]  # added by this edit
        return self.entries[found[0]]

    def line(self, entry: CommentedMap) -> int:
        """The 1-based line an entry starts on (1 if it is new)."""
        try:
            return entry.lc.line + 1
        except (AttributeError, TypeError):
            return 1

    def add(self, pmid: str | None, doi: str | None, url: str | None) -> CommentedMap:
        """A new entry for a paper, at the end of the list."""
        entry = paper_entry(pmid, doi, url)
        if self._fast is not None and self._fast.appendable:
            self._new.append(entry)
        else:
            self.entries.append(entry)
        return entry

    def dump(self) -> str:
        """The text papers.yaml is to hold: the round-trip document written out, or the text
        read with the new entries appended in the file's own layout."""
        if self._rt is not None:
            return dump(*self._rt)
        text = self.text or ""
        if not self._new:
            return text
        yaml, block = yaml_for(text), CommentedMap()
        block["papers"] = CommentedSeq(self._new)
        added = dump(yaml, block)
        new = text + ("" if text.endswith("\n") else "\n") + added.split("\n", 1)[1]
        if _reads_as(new, self._fast.data, pyyaml.safe_load(added)["papers"]):
            return new
        return dump(*self._round_trip())  # laid out another way (indented more): written whole


@dataclass(frozen=True)
class _Fast:
    """papers.yaml read fast: each entry with its line, and whether a new entry can be
    appended to the text (the list is the file's last block and nothing follows it)."""

    entries: list[tuple[Any, int]]
    appendable: bool
    data: dict  # the whole file, as read


def _reads_as(text: str, data: dict, added: list) -> bool:
    """Whether `text` reads as the file `data` with the entries `added` at the end of its list
    of papers, and nothing else changed."""
    loader = getattr(pyyaml, "CSafeLoader", pyyaml.SafeLoader)
    try:
        new = pyyaml.load(text, Loader=loader)
    except pyyaml.YAMLError:
        return False
    return isinstance(new, dict) and new == {**data, "papers": [*data["papers"], *added]}


def _read_fast(text: str) -> _Fast | None:
    """papers.yaml read with libyaml; None when it is not a mapping with a list of papers
    (the round-trip reading then says what it is)."""
    loader = getattr(pyyaml, "CSafeLoader", pyyaml.SafeLoader)
    try:
        node = pyyaml.compose(text, Loader=loader)
        if not isinstance(node, pyyaml.MappingNode) or not node.value:
            return None
        constructor = pyyaml.SafeLoader("")
        try:
            data = constructor.construct_document(node)
        finally:
            constructor.dispose()
    except (pyyaml.YAMLError, ValueError, TypeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("papers"), list):
        return None
    pairs = [(k, v) for k, v in node.value if k.value == "papers"]
    if len(pairs) != 1 or len(data) != len(node.value):  # a key twice: the slow reading says so
        return None
    key, seq = pairs[0]
    entries = [
        (e, item.start_mark.line + 1) for e, item in zip(data["papers"], seq.value, strict=True)
    ]
    appendable = (
        node.value[-1][0] is key
        and isinstance(seq, pyyaml.SequenceNode)
        and not seq.flow_style
        and bool(seq.value)
        and not text[seq.end_mark.index :].strip()
    )
    return _Fast(entries, appendable, data)


def paper_entry(pmid: str | None, doi: str | None, url: str | None = None) -> CommentedMap:
    """A paper's identity as the claim files and papers.yaml write it: its PMID (quoted), else
    its DOI, else its address."""
    entry = CommentedMap()
    if pmid:
        entry["pmid"] = DoubleQuotedScalarString(pmid)
    elif doi:
        entry["doi"] = doi
    else:
        entry["url"] = url
    return entry


def study_value(name: str, value: Any) -> Any:
    """A study field's value as papers.yaml writes it: a risk_of_bias as its mapping (reason
    folded like the hand-written files), a list of PMIDs quoted."""
    if name == "risk_of_bias" and not isinstance(value, dict):
        value = value.model_dump(exclude_none=True)
    if name == "risk_of_bias":
        rob = CommentedMap()
        for k in ("rating", "reason", "tool"):
            if value.get(k) is not None:
                rob[k] = folded(value[k], indent=8) if k == "reason" else value[k]
        return rob
    if name == "includes":
        return CommentedSeq([DoubleQuotedScalarString(p) for p in value])
    if name in ("population", "setting", "funding"):
        return folded(str(value))
    return value


def set_study(entry: CommentedMap, name: str, value: Any) -> None:
    """Set one study field of an entry in its usual place; None (or empty) removes it."""
    if value in (None, "", []):
        entry.pop(name, None)
        return
    before = (*IDS, *STUDY_FIELDS[: STUDY_FIELDS.index(name)])
    set_after(entry, name, value, before)


def move_study_fields(cit: CommentedMap, entry: CommentedMap | None) -> dict[str, Any]:
    """Take the study fields off a citation's YAML mapping; the ones `entry` lacks are moved
    into it as written (with their comments). Returns what was taken off."""
    taken: dict[str, Any] = {}
    for name in STUDY_FIELDS:
        if name not in cit:
            continue
        comment = cit.ca.items.pop(name, None)
        taken[name] = value = cit.pop(name)
        if entry is not None and name not in entry and value not in (None, "", []):
            set_study(entry, name, value)
            if comment is not None:
                entry.ca.items[name] = comment
    return taken
