"""The public API: every name the docs promise imports from where they say, the report never
loads IPython, bad grading rules get a located one-line error, and `curate` rebuilds a snapshot
copy exactly as the shipped one was built."""

from __future__ import annotations

import importlib
import re
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

import claimbook
from claimbook.cli.app import main

from conftest import EVIDENCE_DIR, ROOT, need_shared, tree_digest

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
IMPORT_LINE = re.compile(r"^\s*(?:>>> )?from (claimbook[\w.]*) import ([\w, ()]+)$", re.M)
DOTTED = re.compile(r"`(claimbook(?:\.\w+)+)(?:\(\))?`")


def _documented_imports() -> list[tuple[str, str]]:
    """(module, name) for every `from claimbook... import name` line and every `claimbook.x.y`
    the docs mention (a dotted name may be a module itself)."""
    found = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for module, names in IMPORT_LINE.findall(text):
            found += [(module, n.strip()) for n in names.strip("()").split(",") if n.strip()]
        for dotted in DOTTED.findall(text):
            module, _, name = dotted.rpartition(".")
            found.append((module, name))
    return sorted(set(found))


def test_the_docs_name_imports_and_each_one_works():
    names = _documented_imports()
    assert ("claimbook.pubmed", "parse_pubmed_xml") in names  # docs/benchmarks.md names it
    for module, name in names:
        try:
            importlib.import_module(f"{module}.{name}")  # a documented module
        except ModuleNotFoundError:
            assert hasattr(importlib.import_module(module), name), f"from {module} import {name}"


@pytest.mark.parametrize("name", claimbook.__all__)
def test_every_public_name_of_claimbook_resolves(name):
    assert getattr(claimbook, name) is not None


def test_the_pubmed_package_exports_parser_record_client_snapshot_and_errors():
    from claimbook.pubmed import (
        EutilsClient,
        NetworkError,
        PaperRecord,
        ParseError,
        PubMedArticle,
        PubMedError,
        load_snapshot,
        parse_pubmed_xml,
    )

    assert issubclass(NetworkError, PubMedError) and issubclass(ParseError, PubMedError)
    snapshot = load_snapshot(ROOT / "data" / "pubmed")
    assert all(isinstance(r, PaperRecord) for r in snapshot)
    xml = (ROOT / "tests" / "fixtures" / "pubmed" / "tricky.xml").read_bytes()
    assert all(isinstance(a, PubMedArticle) for a in parse_pubmed_xml(xml))
    assert callable(EutilsClient)


def test_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        claimbook.nonsense  # noqa: B018


@pytest.mark.parametrize(
    "module", ["claimbook", "claimbook.report", "claimbook.cli.app", "claimbook.evidence.review"]
)
def test_importing_the_library_never_loads_ipython(module):
    code = f"import sys, {module}; assert 'IPython' not in sys.modules, sorted(sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_import_claimbook_is_cheap():
    """The CLI starts from `import claimbook`: it must not pull pandas or matplotlib."""
    code = "import sys, claimbook; print('pandas' in sys.modules, 'matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.split() == ["False", "False"]


# --------------------------------------------------------------------------- grading rules


def _rules_text() -> str:
    from importlib import resources

    return resources.files("claimbook.evidence").joinpath("rules/grading.yaml").read_text("utf-8")


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("  supported_at_least: 0.75", "", "verdict.supported_at_least: missing required field"),
        ("rct:                  {rank: 5, weight: 4.0}", "rct: {rank: 5, weight: heavy}",
         "designs.rct.weight: Input should be a valid number"),
        ("  contested_at_most: low", "  contested_at_most: so-so",
         "certainty.contested_at_most: Input should be 'high', 'moderate', 'low' or 'very low'"),
        ("    moderate: \"It is probably not true that {claim}.\"\n", "",
         "statements.contradicted: a statement for every certainty; missing moderate"),
        ("  context:     {support: 0.0, contradict: 0.0}", "",
         "stances: every stance needs a share; missing context"),
        ("  size_waived_from_rank: 5", "", "certainty.size_waived_from_rank: missing"),
    ],
)  # fmt: skip
def test_a_bad_rules_file_names_file_and_field(tmp_path, old, new, message):
    from claimbook import RulesError, load_rules

    text = _rules_text()
    assert old in text
    bad = tmp_path / "rules.yaml"
    bad.write_text(text.replace(old, new))
    with pytest.raises(RulesError) as err:
        load_rules(bad)
    assert str(err.value).startswith(f"{bad}: ")
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_report_with_a_bad_rules_file_exits_1_with_one_line(tmp_path):
    bad = tmp_path / "rules.yaml"
    bad.write_text(_rules_text().replace("  min_total_weight: 3.0", ""))
    result = CliRunner().invoke(
        main, ["report", "--project", str(ROOT), "--rules", str(bad), "--format", "md",
               "--out", str(tmp_path / "out"), "-q"],
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"error: {bad}: verdict.min_total_weight: missing required field"
    )
    assert not (tmp_path / "out").exists()


def test_every_number_the_grader_uses_is_read_from_the_rules():
    """The pooled-design waiver of the small-sample downgrade follows the rules file."""
    from claimbook import WeighedCitation, grade, load_rules

    rules = load_rules()
    cits = [
        WeighedCitation(key="1", stance="supports", design="systematic-review", n=500),
        WeighedCitation(key="2", stance="supports", design="rct", n=30),
    ]  # a systematic review (a guideline is context now, never counted: issue 22)
    assert grade(cits, rules).domains["imprecision"] == (
        "not serious: the deciding studies and reviews enrolled 530 people"
    )
    stricter = rules.model_copy(
        update={"certainty": rules.certainty.model_copy(update={"size_waived_from_rank": 8})}
    )
    assert grade(cits, stricter).domains["imprecision"] == (
        "serious: the deciding studies enrolled 30 people"
    )


# --------------------------------------------------------------------------- curate


def test_curate_on_a_copy_rebuilds_the_shipped_snapshot(tmp_path):
    """`curate` from the shared dossiers gives back exactly the shipped records."""
    need_shared(EVIDENCE_DIR)
    shutil.copytree(ROOT / "claims", tmp_path / "claims")
    result = CliRunner().invoke(
        main, ["curate", "--evidence", str(EVIDENCE_DIR), "--project", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"Snapshot .*: 108 records \(108 curated\)\.\n", result.output)
    # The same papers with the same bibliographic facts (dossiers added later may add
    # verification pages and dates to a paper, so provenance is not compared).
    from claimbook.pubmed import load_snapshot

    facts = ("pmid", "doi", "pmcid", "url", "in_pubmed", "title", "authors", "journal", "year")

    def bibliography(folder):
        return {r.key: [getattr(r, f) for f in facts] for r in load_snapshot(folder)}

    rebuilt = bibliography(tmp_path / "data" / "pubmed")
    assert rebuilt == bibliography(ROOT / "data" / "pubmed")
    assert all(r.source == "curated" for r in load_snapshot(tmp_path / "data" / "pubmed"))


def test_curate_refuses_a_paper_missing_from_the_dossiers_and_writes_nothing(tmp_path):
    need_shared(EVIDENCE_DIR)
    shutil.copytree(ROOT / "claims", tmp_path / "claims")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    c01 = next((tmp_path / "claims").glob("C01-*.yaml"))
    first_pmid = re.search(r'pmid: "(\d+)"', c01.read_text()).group(1)
    for path in (tmp_path / "claims").glob("*.yaml"):  # its appraisal too, in papers.yaml
        path.write_text(path.read_text().replace(f'pmid: "{first_pmid}"', 'pmid: "999999999"'))
    before = tree_digest(tmp_path / "data")
    result = CliRunner().invoke(
        main, ["curate", "--evidence", str(EVIDENCE_DIR), "--project", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert result.output.strip() == "error: 999999999: not found in any evidence dossier"
    assert tree_digest(tmp_path / "data") == before


# The public names as they stood before the package was laid out in layers (issue 21): a later
# change may add names, never drop one.
PINNED_TOP = [
    "CERTAINTIES",
    "Citation",
    "Claim",
    "ClaimbookError",
    "ClaimsError",
    "DESIGNS",
    "EditError",
    "Excluded",
    "Grading",
    "PaperAppraisal",
    "PDFError",
    "PaperAlert",
    "Problem",
    "Project",
    "PubMedError",
    "Quote",
    "ReportError",
    "Review",
    "ReviewFolder",
    "ReviewStatus",
    "ReviewedArticle",
    "Rules",
    "RulesError",
    "STANCES",
    "SignOff",
    "Topic",
    "VERDICTS",
    "WeighedCitation",
    "__version__",
    "build_report",
    "evidence_table",
    "find_root",
    "grade",
    "load_article",
    "load_claims",
    "load_review",
    "load_rules",
    "paper_alerts",
    "plots",
    "pubmed",
    "review_status",
    "show_claim",
    "validate_project",
    "verdict_sentence",
    "verdicts",
]
PINNED_PUBMED = [
    "AbstractSection",
    "Correction",
    "Drift",
    "EutilsClient",
    "Mismatch",
    "NCBIError",
    "NetworkError",
    "PaperRecord",
    "ParseError",
    "PubMedArticle",
    "PubMedError",
    "RateLimitedError",
    "SessionExpiredError",
    "Snapshot",
    "SnapshotError",
    "compare",
    "load_drift",
    "load_snapshot",
    "parse_pubmed_xml",
]
PINNED_EDIT = [
    "EditError",
    "Migration",
    "PaperDetails",
    "add_claim",
    "cite",
    "exclude",
    "fetch_paper",
    "find_paper",
    "lookup_paper",
    "migrate",
    "parse_ident",
    "set_advice",
    "set_fields",
    "signoff",
    "split_claim",
    "uncite",
    "update_citation",
]


@pytest.mark.parametrize(
    ("module", "pinned"),
    [
        ("claimbook", PINNED_TOP),
        ("claimbook.pubmed", PINNED_PUBMED),
        ("claimbook.edit", PINNED_EDIT),
    ],
)
def test_the_public_names_are_the_same_or_more(module, pinned):
    """Each pinned name is still in `__all__` and resolves in a fresh interpreter."""
    names = ",".join(pinned)
    script = (
        f"import importlib; m = importlib.import_module({module!r})\n"
        f"wanted = {names!r}.split(',')\n"
        "missing = [n for n in wanted if n not in m.__all__ or getattr(m, n) is None]\n"
        "print(missing)"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", f"{module} lost {out.stdout.strip()}"
