"""papers.yaml as the edits write it: the appraisal of each paper, once, read and written with
the round-trip YAML (the reviewer's comments, order and quoting survive). Knows where an
appraisal sits and how its fields are laid out; what an edit may change is decided by the edits
(citations, migrate), and every write goes through claim_files.edit_claim or migrate.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


@dataclass
class PapersDoc:
    """papers.yaml of a claims folder, as a round-trip YAML document, and the text it was read
    from (None: the file is not there yet; dumping writes it with its head comment)."""

    path: Path
    text: str | None
    yaml: YAML
    doc: CommentedMap

    @classmethod
    def read(cls, claims_dir: Path) -> PapersDoc:
        """papers.yaml as it is now (a new, empty one if there is none); InputError when it
        cannot be read as plain YAML (the loader says so in the same words)."""
        path = Path(claims_dir) / PAPERS_FILE
        if not path.exists():
            yaml = yaml_for("")
            doc = yaml.load(PAPERS_HEAD + "papers: []\n")
            return cls(path, None, yaml, doc)
        text = read_text(path, MAX_YAML_BYTES, "papers file")
        check_plain_yaml(text, path)
        yaml = yaml_for(text)
        doc = yaml.load(text)
        if not isinstance(doc, CommentedMap):
            raise InputError(path, 1, "file", "expected a mapping of fields (papers: ...)")
        return cls(path, text, yaml, doc)

    @property
    def entries(self) -> CommentedSeq:
        """The list of papers, as a block list (a flow `[]` becomes block when it grows)."""
        seq = self.doc.get("papers")
        if not isinstance(seq, CommentedSeq) or not seq:
            seq = CommentedSeq(list(seq or []))
            self.doc["papers"] = seq
        return seq

    def find(self, keys: set[str]) -> CommentedMap | None:
        """The entry of the paper known by any of `keys`, or None."""
        for entry in self.doc.get("papers") or []:
            if _key_of(entry) & keys:
                return entry
        return None

    def line(self, entry: CommentedMap) -> int:
        """The 1-based line an entry starts on (1 if it is new)."""
        try:
            return entry.lc.line + 1
        except AttributeError:
            return 1

    def add(self, pmid: str | None, doi: str | None, url: str | None) -> CommentedMap:
        """A new entry for a paper, at the end of the list."""
        entry = paper_entry(pmid, doi, url)
        self.entries.append(entry)
        return entry

    def dump(self) -> str:
        return dump(self.yaml, self.doc)


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
