"""Claim records: the schema, loading from `claims/*.yaml`, and validation.

Every problem is reported as ``FILE:LINE: field: message`` so a reviewer can jump straight to
it. Loading never writes anything.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from claimbook.errors import ClaimbookError, Problem
from claimbook.folder import shown_path
from claimbook.ids import check_doi, check_pmid, check_url, citation_key
from claimbook.inputs import (
    MAX_ARTICLE_BYTES,
    MAX_YAML_BYTES,
    InputError,
    check_plain_yaml,
    decode,
    read_text,
)
from claimbook.pubmed.store import Snapshot, SnapshotError, load_snapshot
from claimbook.vocab import (
    STANCES,
    Design,
    EffectDirection,
    IndirectnessRating,
    RiskOfBiasRating,
    Stance,
)

__all__ = [
    "Citation",
    "Claim",
    "ClaimPart",
    "ClaimsError",
    "Excluded",
    "Problem",
    "Quote",
    "ReviewedArticle",
    "SignOff",
    "Topic",
    "load_article",
    "load_claims",
    "load_snapshot",
    "validate_project",
]

ARTICLE_FILE = "article.yaml"
MAX_PARTICIPANTS = 1_000_000_000  # more than any study has had; bounds what a typo can do


def check_participants(value: Any) -> int | None:
    """A number of participants: a whole number from 1 to MAX_PARTICIPANTS (not true/false,
    not 12.5, not 10**30)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"the number of participants must be a whole number, not {value!r}")
    if not 1 <= value <= MAX_PARTICIPANTS:
        raise ValueError(f"the number of participants must be from 1 to {MAX_PARTICIPANTS:,}")
    return value


# --------------------------------------------------------------------------- models


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Quote(_Model):
    """An exact, short quote from the article and the section it sits in."""

    section: str = Field(min_length=1)
    text: str = Field(min_length=8, max_length=600)


class RiskOfBias(_Model):
    """How far the study's own design or conduct could have biased its result (RoB 2 words)."""

    rating: RiskOfBiasRating
    reason: str = Field(
        min_length=5, description="e.g. not randomised; unblinded, self-reported outcome"
    )


class Indirectness(_Model):
    """How far the study answers a different question from the claim's."""

    rating: IndirectnessRating
    note: str | None = Field(None, description="e.g. children only, for a claim about adults")

    @model_validator(mode="after")
    def _explained(self) -> Indirectness:
        if self.rating != "none" and not self.note:
            raise ValueError(f"say how it is indirect ({self.rating}) in a note")
        return self


class Effect(_Model):
    """The effect the paper reports, in its own numbers."""

    direction: EffectDirection
    size: str | None = Field(None, description="e.g. 'OR 2.9', '21% fewer admissions'")
    ci: str | None = Field(None, description="e.g. '95% CI 1.2 to 6.9'")
    dose_response: bool = Field(False, description="the paper shows a dose-response gradient")


class Citation(_Model):
    """One piece of evidence for or against a claim, by PMID, DOI or (not in PubMed) URL."""

    pmid: str | None = None
    doi: str | None = None
    url: str | None = None
    stance: Stance
    design: Design
    n: int | None = Field(None, description=f"participants, 1 to {MAX_PARTICIPANTS:,}")
    finding: str = Field(min_length=20, max_length=700)
    note: str | None = None
    risk_of_bias: RiskOfBias | None = None
    indirectness: Indirectness | None = None
    effect: Effect | None = None

    _pmid = field_validator("pmid")(check_pmid)
    _doi = field_validator("doi")(check_doi)
    _url = field_validator("url")(check_url)
    _n = field_validator("n", mode="before")(check_participants)

    @model_validator(mode="after")
    def _has_id(self) -> Citation:
        if not (self.pmid or self.doi or self.url):
            raise ValueError("a citation needs a pmid, a doi or (for sources not in PubMed) a url")
        return self

    @property
    def key(self) -> str:
        return citation_key(self.pmid, self.doi, self.url)


class Excluded(_Model):
    """A paper screened out of a claim's evidence, with the reason."""

    pmid: str | None = None
    doi: str | None = None
    reason: str = Field(min_length=5)

    _pmid = field_validator("pmid")(check_pmid)
    _doi = field_validator("doi")(check_doi)

    @model_validator(mode="after")
    def _has_id(self) -> Excluded:
        if not (self.pmid or self.doi):
            raise ValueError("an excluded paper needs a pmid or a doi")
        return self

    @property
    def key(self) -> str:
        return citation_key(self.pmid, self.doi)


class SignOff(_Model):
    """Who signed a claim off, when, and why (a reviewed claim's evidence was checked)."""

    reviewer: str = Field(min_length=2)
    date: dt.date
    note: str | None = None


_NEEDS = {"query": "a PubMed query", "evidence": "at least one citation"}
CLAIM_ID = r"^[A-Z]\d{2,3}$"
UNIT_ID = re.compile(r"^([A-Za-z]\d{2,3})([A-Za-z]?)$")


class ClaimPart(_Model):
    """One of the claims a record makes together (an effect and its cause, say): its own
    sentence, quotes and evidence, graded on its own as claim `<id><part>` (C10a, C10b)."""

    part: str = Field(pattern=r"^[a-z]$", description="a, b, c ...: the part's letter")
    title: str = Field(min_length=5, max_length=120)
    claim: str = Field(min_length=10)
    quotes: list[Quote] = Field(min_length=1)
    query: str | None = Field(None, min_length=5)
    evidence: list[Citation] = Field(default_factory=list)
    excluded: list[Excluded] = Field(default_factory=list)
    advice: str | None = Field(None, min_length=20)


class Claim(_Model):
    """One factual claim of the article, with its quotes, PubMed query and graded evidence.

    A record whose sentence makes two claims (an effect and its cause) lists them as `parts`
    instead of one query and evidence list; `load_claims` hands out each part as a claim of
    its own (C10a, C10b) that remembers its record (`record_id`, `record`, `part`).
    """

    id: str = Field(pattern=CLAIM_ID)
    slug: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    title: str = Field(min_length=5, max_length=120)
    topic: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    status: Literal["reviewed", "draft"] = Field(
        "reviewed", description="draft: saved from a candidate, evidence not gathered yet"
    )
    claim: str = Field(min_length=10)
    parts: list[ClaimPart] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list, validate_default=True)
    query: str | None = Field(None, min_length=5, validate_default=True)
    evidence: list[Citation] = Field(default_factory=list, validate_default=True)
    excluded: list[Excluded] = Field(default_factory=list)
    advice: str | None = Field(
        None, min_length=20, description="what to tell a client, in plain words (optional)"
    )
    reviewed: date
    signoff: SignOff | None = None
    # Set by the loader, not by the YAML file.
    path: Path | None = Field(None, exclude=True)
    _record: Claim | None = PrivateAttr(None)
    _part: str | None = PrivateAttr(None)

    @field_validator("parts")
    @classmethod
    def _distinct_parts(cls, v: list[ClaimPart]) -> list[ClaimPart]:
        letters = [p.part for p in v]
        if len(v) == 1:
            raise ValueError("a claim split into parts needs at least two (or none)")
        if len(set(letters)) != len(letters):
            raise ValueError(f"part letters must differ: {', '.join(letters)}")
        return v

    @field_validator("quotes")
    @classmethod
    def _quoted(cls, v: list[Quote], info: ValidationInfo) -> list[Quote]:
        """A claim quotes the article; a record in parts quotes it in each part instead."""
        if info.data.get("parts"):
            if v:
                raise ValueError("a claim in parts keeps its quotes in each part")
        elif not v:
            raise ValueError("a claim needs at least one quote from the article")
        return v

    @field_validator("query", "evidence")
    @classmethod
    def _needed_once_reviewed(cls, v: Any, info: ValidationInfo) -> Any:
        """A reviewed claim needs a query and evidence; a draft may have neither yet. A record
        in parts keeps them in each part."""
        if info.data.get("parts"):
            if v:
                raise ValueError(f"a claim in parts keeps its {info.field_name} in each part")
            return v
        if not v and info.data.get("status", "reviewed") == "reviewed":
            what = _NEEDS[info.field_name]
            raise ValueError(f"a reviewed claim needs {what} (or set status: draft)")
        return v

    @model_validator(mode="after")
    def _no_signed_draft(self) -> Claim:
        if self.signoff is not None and self.status == "draft":
            raise ValueError("a draft cannot be signed off; set status: reviewed or remove signoff")
        if self.parts and self.excluded:
            raise ValueError("a claim in parts keeps its excluded papers in each part")
        return self

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"

    @property
    def part(self) -> str | None:
        """This claim's letter within its record (C10a: 'a'); None for a whole record."""
        return self._part

    @property
    def record(self) -> Claim:
        """The record in the claim file: this claim itself, or the record it is a part of."""
        return self._record or self

    @property
    def record_id(self) -> str:
        """The claim file's id: C10 for C10a."""
        return self.record.id

    def units(self) -> list[Claim]:
        """What gets graded: the record itself, or one claim per part (C10a, C10b ...) that
        keeps the record's topic, status, review dates and sign-off (its advice stays with the
        record: `claim.record.advice`)."""
        if not self.parts:
            return [self]
        out = []
        for p in self.parts:
            unit = self.model_copy(
                update={
                    "id": f"{self.id}{p.part}",
                    "slug": f"{self.slug}-{p.part}",
                    "title": p.title,
                    "claim": p.claim,
                    "parts": [],
                    "quotes": p.quotes,
                    "query": p.query,
                    "evidence": p.evidence,
                    "excluded": p.excluded,
                    "advice": p.advice,  # the record's own advice is shown once, with it
                }
            )
            unit._record, unit._part = self, p.part
            out.append(unit)
        return out

    @property
    def review_line(self) -> str | None:
        """'Reviewed by NAME on DATE[: note]', 'Draft \N{EM DASH} not yet reviewed', or None."""
        if self.is_draft:
            return "Draft \N{EM DASH} not yet reviewed"
        if self.signoff is not None:
            s = self.signoff
            note = f": {s.note}" if s.note else ""
            return f"Reviewed by {s.reviewer} on {s.date.isoformat()}{note}"
        return None

    def stance_counts(self) -> dict[str, int]:
        """How many citations take each stance (every stance present, zero included)."""
        counts = dict.fromkeys(STANCES, 0)
        for c in self.evidence:
            counts[c.stance] += 1
        return counts


def claim_order(claim: Claim) -> tuple[str, str]:
    """Sort key: by record id, then part (C10 < C10a < C10b < C11, also past C99)."""
    return (f"{claim.record_id[0]}{int(claim.record_id[1:]):04d}", claim.part or "")


def normal_id(claim_id: str) -> str:
    """A claim id as typed ('c10A', ' c01') in its stored form ('C10a', 'C01')."""
    try:
        record, part = split_id(claim_id)
    except ValueError:
        return claim_id.strip().upper()
    return record + (part or "")


def split_id(claim_id: str) -> tuple[str, str | None]:
    """('C10', 'a') for 'C10a' (any case), ('C10', None) for 'C10'; ValueError otherwise."""
    m = UNIT_ID.match(claim_id.strip())
    if not m:
        raise ValueError(f"{claim_id!r} is not a claim id (like C01, or C10a for a part)")
    return m.group(1).upper(), (m.group(2).lower() or None)


class Topic(_Model):
    """A topic of the review: its heading and, optionally, a short intro for its notebook."""

    title: str = Field(min_length=3)
    intro: str | None = None


class ReviewedArticle(_Model):
    """The reviewed article: metadata and attribution (its text is never committed)."""

    title: str
    publisher: str
    kind: str = Field(description="what kind of piece it is, e.g. a promotional article")
    attribution: str
    url: str | None = None
    language: str = "en"
    text_file: str | None = Field(
        None, description="where the full text lives locally, relative to the project root"
    )
    reviewed: date
    topics: dict[str, Topic] = Field(min_length=1)
    notes: str | None = None
    limitations: list[Annotated[str, Field(min_length=10, max_length=1000)]] = Field(
        default_factory=list,
        description=(
            "this review's own limitations, one plain sentence each (what the evidence it found "
            "is like: lab models, recall, few trials); the report lists them after its generic ones"
        ),
    )
    path: Path | None = Field(None, exclude=True)

    _url = field_validator("url")(check_url)

    @field_validator("topics", mode="before")
    @classmethod
    def _plain_topics(cls, v: Any) -> Any:
        """A topic may be written as just its title: `sleep: Sleep and memory`."""
        if isinstance(v, dict):
            return {k: {"title": t} if isinstance(t, str) else t for k, t in v.items()}
        return v


# --------------------------------------------------------------------------- problems


class ClaimsError(ClaimbookError):
    """Claims or snapshot failed to load or validate; `problems` lists every one found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        head = str(problems[0]) if problems else "invalid claims"
        more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(head + more)


# --------------------------------------------------------------------------- YAML with lines


class _Located:
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


def _read_yaml(
    path: Path, problems: list[Problem], text: str | None = None
) -> tuple[Any, _Located | None]:
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
    located = _Located(node)
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


def _field_name(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "record"


def _pydantic_problems(path: Path, exc: ValidationError, located: _Located) -> list[Problem]:
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
        problems.append(Problem(str(path), located.line(loc), _field_name(loc), msg))
    return problems


def _parse(model: type[_Model], path: Path, problems: list[Problem], text: str | None = None):
    data, located = _read_yaml(path, problems, text)
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


# --------------------------------------------------------------------------- loading


def load_article(directory: str | os.PathLike[str]) -> ReviewedArticle:
    """Read `article.yaml` from a claims directory; raise ClaimsError when it is invalid."""
    path = Path(directory) / ARTICLE_FILE
    problems: list[Problem] = []
    if not path.exists():
        raise ClaimsError([Problem(str(path), 1, "file", "missing: every claims folder needs one")])
    article, _ = _parse(ReviewedArticle, path, problems)
    if problems:
        raise ClaimsError(problems)
    return article


def _claim_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.y*ml") if p.name != ARTICLE_FILE)


def _load(directory: Path, problems: list[Problem]) -> list[tuple[Claim, _Located]]:
    if not directory.is_dir():
        problems.append(Problem(str(directory), 1, "directory", "not found"))
        return []
    files = _claim_files(directory)
    loaded = []
    for path in files:
        claim, located = _parse(Claim, path, problems)
        if claim is not None:
            loaded.append((claim, located))
    first: dict[tuple[str, str], Path] = {}  # (field, value) -> first file with it
    for claim, located in loaded:
        where = str(claim.path)
        for field in ("id", "slug"):
            value = getattr(claim, field)
            if (field, value) in first:
                problems.append(
                    _at(
                        where,
                        located,
                        (field,),
                        f"duplicate {field} {value} (also in {first[field, value]})",
                    )
                )
            first.setdefault((field, value), claim.path)
        _check_claim_file(claim, located, problems)
    return loaded


def _at(where: str, located: _Located, loc: tuple[Any, ...], message: str) -> Problem:
    """A problem at the YAML node `loc` (e.g. ("evidence", 2, "pmid")) of a claim file."""
    return Problem(where, located.line(loc), _field_name(loc), message)


def _units_at(claim: Claim) -> list[tuple[tuple[Any, ...], Claim]]:
    """Each graded claim of a record with where it sits in the file: ((), C01) for a whole
    record, (("parts", 0), C10a) ... for one in parts."""
    if not claim.parts:
        return [((), claim)]
    return [(("parts", i), unit) for i, unit in enumerate(claim.units())]


def _check_claim_file(claim: Claim, located: _Located, problems: list[Problem]) -> None:
    """Checks within one claim file: its name, no paper cited twice or cited and excluded (in
    the claim or in one part), and a reviewed record's parts each have a query and evidence."""
    where = str(claim.path)
    if not claim.path.stem.startswith(claim.id):
        problems.append(
            _at(where, located, ("id",), f"file name should start with the claim id {claim.id}")
        )
    for at, unit in _units_at(claim):
        if claim.parts and not claim.is_draft:
            for field, what in _NEEDS.items():
                if not getattr(unit, field):
                    problems.append(
                        _at(where, located, (*at, field), f"a reviewed claim needs {what} in "
                            f"part {unit.part} (or set status: draft)")
                    )  # fmt: skip
        cited: dict[str, int] = {}  # key -> where in evidence it is first cited
        for section in ("evidence", "excluded"):
            for i, cit in enumerate(getattr(unit, section)):
                first = cited.get(cit.key)
                if first is None:
                    if section == "evidence":
                        cited[cit.key] = i
                    continue
                again = (
                    f"cited twice (first at evidence[{first}])"
                    if section == "evidence"
                    else "both cited and excluded"
                )
                problems.append(_at(where, located, (*at, section, i), f"{cit.key} is {again}"))


def _graded(loaded: list[tuple[Claim, _Located]]) -> list[Claim]:
    """The claims to grade, in order: whole records, and each part of a record in parts."""
    return sorted((u for c, _ in loaded for u in c.units()), key=claim_order)


def load_claims(directory: str | os.PathLike[str]) -> list[Claim]:
    """Load and validate every claim file in `directory`: the claims to grade, sorted by id (a
    record in parts gives one claim per part: C10a, C10b; see `Claim.units`).

    Raises ClaimsError listing every problem (syntax, unknown/missing fields, types, duplicate
    ids, bad stance/design, malformed PMID/DOI). Cross-checks against the snapshot and the
    article are done by `validate_project`.
    """
    problems: list[Problem] = []
    loaded = _load(Path(directory), problems)
    if problems:
        raise ClaimsError(problems)
    return _graded(loaded)


# --------------------------------------------------------------------------- project checks


@dataclass
class Project:
    """A validated claims folder with its article and snapshot."""

    article: ReviewedArticle
    claims: list[Claim]
    snapshot: Snapshot
    article_text_checked: Path | None

    def summary(self) -> str:
        """'17 claims, 210 citations, snapshot of 108 records (108 curated); quotes checked
        against FILE': what `claimbook validate` reports when all is well."""
        n_cit = sum(len(c.evidence) for c in self.claims)
        counts = self.snapshot.count_by_source()
        sources = ", ".join(f"{n} {s}" for s, n in counts.items())
        quotes = (
            f"quotes checked against {shown_path(self.article_text_checked)}"
            if self.article_text_checked
            else "quotes NOT checked (article text not found; pass --article FILE)"
        )
        records = list(dict.fromkeys(c.record_id for c in self.claims))
        split = Counter(c.record_id for c in self.claims if c.part)
        in_parts = ", ".join(f"{r} in {n} parts" for r, n in split.items())
        drafts = len({c.record_id for c in self.claims if c.is_draft})
        waiting = f" ({drafts} still draft{'s' if drafts != 1 else ''})" if drafts else ""
        return (
            f"{len(records)} claims{f' ({in_parts})' if split else ''}{waiting}, "
            f"{n_cit} citations, "
            f"snapshot of {len(self.snapshot)} records ({sources or 'empty'}); {quotes}"
        )


def _article_text(
    article: ReviewedArticle | None, claims_dir: Path, article_file: Path | None
) -> Path | None:
    if article_file is not None:
        return article_file
    if article is not None and article.text_file:
        # normpath, not resolve(): a path through a symlink stays as the user wrote it
        candidate = Path(os.path.normpath(claims_dir.absolute().parent / article.text_file))
        if candidate.exists():
            return candidate
    return None


@dataclass
class ProjectContext:
    """What a claim is checked against: the article, the snapshot and the article's text."""

    article: ReviewedArticle | None
    snapshot: Snapshot | None  # None: unreadable (a problem already says why)
    store_dir: Path
    text: str | None
    text_path: Path | None


def _check_in_project(
    claim: Claim,
    located: _Located,
    context: ProjectContext,
    problems: list[Problem],
) -> None:
    """Checks a claim needs its project for: topic known, citations in the snapshot, quotes
    and sections exact substrings of the article text (when that text is available)."""
    article, snapshot, store_dir = context.article, context.snapshot, context.store_dir
    text, text_path = context.text, context.text_path
    where = str(claim.path)
    if article is not None and claim.topic not in article.topics:
        problems.append(
            _at(
                where,
                located,
                ("topic",),
                f"unknown topic {claim.topic!r}; article.yaml lists "
                + ", ".join(sorted(article.topics)),
            )
        )
    for at, unit in _units_at(claim) if snapshot is not None else []:
        for i, cit in enumerate(unit.evidence):
            if snapshot.find(cit.pmid, cit.doi, cit.url) is None:
                field = "pmid" if cit.pmid else "doi" if cit.doi else "url"
                value = cit.pmid or cit.doi or cit.url
                problems.append(
                    _at(
                        where,
                        located,
                        (*at, "evidence", i, field),
                        f"{value} is not in the snapshot {store_dir / 'records.jsonl'}; "
                        "run claimbook fetch (online) to add it",
                    )
                )
        if text is None:
            continue
        wrong = {"text": f"not an exact substring of {text_path}",
                 "section": f"no such heading in {text_path}"}  # fmt: skip
        for i, q in enumerate(unit.quotes):
            for field, message in wrong.items():
                value = getattr(q, field)
                if value not in text:
                    message += _near_miss(value, text)
                    problems.append(_at(where, located, (*at, "quotes", i, field), message))


_INVISIBLE = {
    "\u00ad": "SOFT HYPHEN", "\u200b": "ZERO WIDTH SPACE", "\u200c": "ZERO WIDTH NON-JOINER",
    "\u200d": "ZERO WIDTH JOINER", "\u2060": "WORD JOINER", "\ufeff": "ZERO WIDTH NO-BREAK SPACE",
    "\u200e": "LEFT-TO-RIGHT MARK", "\u200f": "RIGHT-TO-LEFT MARK",
}  # fmt: skip


def _near_miss(quote: str, text: str) -> str:
    """Why a quote that looks right is not found: an invisible character or another Unicode
    normalisation (a quote pasted from a PDF or a web page), said in words; else ''."""
    hidden = sorted({c for c in quote if c in _INVISIBLE})
    if hidden:
        bare = "".join(c for c in quote if c not in _INVISIBLE)
        names = ", ".join(f"U+{ord(c):04X} ({_INVISIBLE[c]})" for c in hidden)
        if bare in text:
            return f"; it contains the invisible {names}, which the article does not: delete it"
        return f"; note it contains the invisible {names}"
    for form in ("NFC", "NFD"):
        if unicodedata.normalize(form, quote) in text:
            other = "NFD" if form == "NFC" else "NFC"
            return (
                f"; it matches only after Unicode normalisation (the quote is {other}, "
                f"the article {form}): retype the accented letters or copy them from the article"
            )
    return ""


def _context(
    claims_dir: Path, data_dir: Path, article_file: Path | None, problems: list[Problem]
) -> ProjectContext:
    article = None
    try:
        article = load_article(claims_dir)
    except ClaimsError as exc:
        problems.extend(exc.problems)
    snapshot: Snapshot | None = None
    store_dir = Path(data_dir) / "pubmed"
    try:
        snapshot = load_snapshot(store_dir)
    except SnapshotError as exc:  # one problem, not one per citation it would then lack
        problems.append(Problem(exc.file, exc.line, exc.field, exc.message))
    text_path = _article_text(article, claims_dir, article_file)
    text = None
    if text_path is not None:
        try:
            text = read_text(text_path, MAX_ARTICLE_BYTES, "article text")
        except InputError as exc:
            problems.append(Problem(exc.file, exc.line, "article", exc.message))
    return ProjectContext(article, snapshot, store_dir, text, text_path)


def project_context(
    claims_dir: str | os.PathLike[str], data_dir: str | os.PathLike[str]
) -> ProjectContext:
    """The article, snapshot and article text claims are checked against; ClaimsError if any
    of them is broken."""
    problems: list[Problem] = []
    context = _context(Path(claims_dir), Path(data_dir), None, problems)
    if problems:
        raise ClaimsError(problems)
    return context


def check_claim_text(path: str | os.PathLike[str], text: str, context: ProjectContext) -> Claim:
    """Validate `text` as the claim file `path` would hold it, within its project, without
    writing anything; raise ClaimsError with every problem found."""
    path = Path(path)
    problems: list[Problem] = []
    claim, located = _parse(Claim, path, problems, text)
    if claim is not None:
        _check_claim_file(claim, located, problems)
        _check_in_project(claim, located, context, problems)
    if problems:
        raise ClaimsError(problems)
    return claim


def validate_project(
    claims_dir: str | os.PathLike[str] = "claims",
    data_dir: str | os.PathLike[str] = "data",
    article_file: str | os.PathLike[str] | None = None,
) -> Project:
    """Load article, claims and snapshot and check they agree; raise ClaimsError otherwise.

    Checks, beyond `load_claims`: topics are those of `article.yaml`; every cited PMID/DOI/URL
    is in the snapshot `data_dir/pubmed`; every quote (and its section heading) is an exact
    substring of the article text, when that text is available (`article_file`, or the
    `text_file` named in article.yaml).
    """
    claims_dir = Path(claims_dir)
    problems: list[Problem] = []
    context = _context(
        claims_dir, Path(data_dir), Path(article_file) if article_file else None, problems
    )
    loaded = _load(claims_dir, problems)
    for claim, located in loaded:
        _check_in_project(claim, located, context, problems)
    if problems:
        raise ClaimsError(problems)
    claims = _graded(loaded)
    return Project(context.article, claims, context.snapshot, context.text_path)
