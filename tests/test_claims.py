"""Claim records: the shipped claims load and validate; every kind of error is located exactly."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from claimbook.claims import ClaimsError, load_claims, validate_project
from claimbook.cli.app import main
from claimbook.pubmed.store import load_snapshot

from conftest import ARTICLE_TEXT, EVIDENCE_DIR, ROOT, need_shared, tree_digest

# --------------------------------------------------------------------------- the shipped claims


def test_shipped_claims_load_with_unique_ids_and_evidence():
    claims = load_claims(ROOT / "claims")
    ids = [c.id for c in claims]
    assert len(ids) >= 15
    assert len(set(ids)) == len(ids)
    # The fifteen claims the evidence dossiers are organised by are all there (C10 in parts).
    assert {f"C{i:02d}" for i in range(1, 16)} <= {c.record_id for c in claims}
    for c in claims:
        assert c.evidence, c.id
        assert c.quotes, c.id


def test_shipped_project_validates():
    project = validate_project(
        ROOT / "claims", ROOT / "data", ARTICLE_TEXT if ARTICLE_TEXT.exists() else None
    )
    cited = {cit.key for c in project.claims for cit in c.evidence}
    # Every cited paper resolves to exactly one snapshot record, and nothing else is stored.
    resolved = {
        project.snapshot.find(c.pmid, c.doi, c.url).key
        for cl in project.claims
        for c in cl.evidence
    }
    assert resolved == {r.key for r in project.snapshot}
    assert len(cited) >= len(resolved)


def test_every_topic_of_the_article_is_used():
    project = validate_project(ROOT / "claims", ROOT / "data")
    assert {c.topic for c in project.claims} == set(project.article.topics)


def _dossier_papers() -> list[dict]:
    papers = []
    for f in sorted(need_shared(EVIDENCE_DIR).glob("*.json")):
        papers.extend(json.loads(f.read_text(encoding="utf-8"))["papers"])
    return papers


def _norm(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", title.lower()).strip()


def test_every_shipped_pmid_and_doi_is_in_the_dossiers_with_that_title():
    by_pmid: dict[str, set[str]] = {}
    by_doi: dict[str, set[str]] = {}
    for p in _dossier_papers():
        if p.get("title"):
            if p.get("pmid"):
                by_pmid.setdefault(str(p["pmid"]), set()).add(_norm(p["title"]))
            if p.get("doi"):
                by_doi.setdefault(p["doi"].lower(), set()).add(_norm(p["title"]))
    snapshot = load_snapshot(ROOT / "data" / "pubmed")
    assert len(snapshot) > 0
    for rec in snapshot:
        if rec.pmid:
            assert rec.pmid in by_pmid, f"PMID {rec.pmid} is not in ../shared/evidence"
            assert _norm(rec.title) in by_pmid[rec.pmid], rec.pmid
        elif rec.doi:
            assert rec.doi.lower() in by_doi, f"DOI {rec.doi} is not in ../shared/evidence"
            assert _norm(rec.title) in by_doi[rec.doi.lower()], rec.doi
    papers = _dossier_papers()
    any_pmid = {str(p["pmid"]) for p in papers if p.get("pmid")}
    any_doi = {p["doi"].lower() for p in papers if p.get("doi")}
    for claim in load_claims(ROOT / "claims"):
        for cit in claim.evidence:
            if cit.pmid:
                assert cit.pmid in by_pmid, f"{claim.id}: PMID {cit.pmid} not in the dossiers"
            elif cit.doi:
                assert cit.doi.lower() in by_doi, f"{claim.id}: DOI {cit.doi} not in the dossiers"
        for exc in claim.excluded:  # screened-out papers may lack a title, but must be real
            if exc.pmid:
                assert exc.pmid in any_pmid, f"{claim.id}: excluded PMID {exc.pmid} unknown"
            else:
                assert exc.doi.lower() in any_doi, f"{claim.id}: excluded DOI {exc.doi} unknown"


def test_every_quote_is_an_exact_substring_of_the_article():
    text = need_shared(ARTICLE_TEXT).read_text(encoding="utf-8")
    for claim in load_claims(ROOT / "claims"):
        for q in claim.quotes:
            assert q.text in text, f"{claim.id}: {q.text[:60]!r}"
            assert q.section in text.splitlines(), f"{claim.id}: heading {q.section!r}"


def test_claims_with_research_on_both_sides_cite_both_sides():
    """Where the dossiers hold citable papers that support AND papers that contradict a
    claim, the claim record must cite at least one of each (balanced on purpose)."""
    sides: dict[str, dict[str, int]] = {}
    for p in _dossier_papers():
        citable = p.get("title") and p.get("year") and (p.get("pmid") or p.get("doi"))
        for cid, stance in (p.get("claims") or {}).items():
            if citable and stance in ("supports", "contradicts"):
                sides.setdefault(cid, {"supports": 0, "contradicts": 0})[stance] += 1
    claims = {c.id: c for c in load_claims(ROOT / "claims")}
    checked = 0
    for cid, n in sides.items():
        if n["supports"] and n["contradicts"] and cid in claims:
            counts = claims[cid].stance_counts()
            assert counts["supports"] >= 1 and counts["contradicts"] >= 1, (cid, counts)
            checked += 1
    assert checked >= 5


# --------------------------------------------------------------------------- validation errors


def _run(project: Path, *extra: str):
    runner = CliRunner()
    args = ["validate", "--claims", str(project / "claims"), "--data", str(project / "data")]
    args += ["--article", str(project / "article.txt"), *extra]
    return runner.invoke(main, args)


def _c01(project: Path) -> Path:
    return next((project / "claims").glob("C01-*.yaml"))


def _line_of(path: Path, needle: str, nth: int = 1) -> int:
    hits = [
        i
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if needle in line
    ]
    return hits[nth - 1]


def test_fixture_project_is_valid(project):
    result = _run(project)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: 1 claims")


def _break(project: Path, old: str, new: str, count: int = 1) -> Path:
    path = _c01(project)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def _expect(project: Path, path: Path, line: int, field: str, message: str):
    before = tree_digest(project)
    result = _run(project)
    assert result.exit_code == 1, result.output
    expected = f"{path}:{line}: {field}: "
    matching = [ln for ln in result.output.splitlines() if ln.startswith(expected)]
    assert matching, f"no line starting {expected!r} in:\n{result.output}"
    assert message in matching[0]
    assert tree_digest(project) == before  # nothing written
    return result.output


def test_yaml_syntax_error_names_file_and_line(project):
    path = _break(project, "topic: dehydration\n", "topic: [dehydration\n")
    _expect(project, path, _line_of(path, "topic: [") + 1, "yaml", "syntax error")


def test_unknown_field(project):
    path = _break(project, "topic: dehydration\n", "topic: dehydration\ncolour: blue\n")
    _expect(project, path, _line_of(path, "colour:"), "colour", "unknown field")


def test_missing_field(project):
    path = _break(project, "reviewed: 2026-11-24\n", "")
    _expect(project, path, 1, "reviewed", "missing required field")


def test_missing_field_in_a_citation_points_at_the_citation(project):
    path = _c01(project)
    data = path.read_text(encoding="utf-8")
    start = data.index('  - pmid: "20351595"')
    end = data.index("  - pmid:", start + 5)
    block = data[start:end]
    trimmed = re.sub(r"    finding: >-\n(      .*\n)+", "", block)
    path.write_text(data.replace(block, trimmed), encoding="utf-8")
    output = _expect(project, path, _line_of(path, '"20351595"'), "evidence[4].finding", "missing")
    assert "1 problem found" in output


def _break_papers(project: Path, old: str, new: str) -> tuple[Path, int]:
    """Change the first `old` of papers.yaml into `new`: the file and the entry it is in."""
    path = project / "claims" / "papers.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    at = text.index(old)
    entry = text[:at].count("\n- ") + text[:at].startswith("- ") - 1
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path, entry


def test_wrong_type(project):
    path, i = _break_papers(project, "  n: 82\n", "  n: eighty-two\n")
    _expect(project, path, _line_of(path, "n: eighty-two"), f"papers[{i}].n", "whole number")


def test_duplicate_id(project):
    c01 = _c01(project)
    dup = project / "claims" / "C01-copy.yaml"
    dup.write_text(
        c01.read_text(encoding="utf-8").replace("slug: dehydration-not-the-cause", "slug: other")
    )
    paths = sorted([c01, dup])
    _expect(project, paths[1], 1, "id", f"duplicate id C01 (also in {paths[0]})")


def test_unknown_stance(project):
    path = _break(project, "stance: mixed", "stance: maybe")
    _expect(
        project,
        path,
        _line_of(path, "stance: maybe"),
        "evidence[9].stance",
        "'maybe' is not allowed",
    )


def test_unknown_design(project):
    path, i = _break_papers(project, "design: lab-experiment", "design: vibes")
    _expect(
        project,
        path,
        _line_of(path, "design: vibes"),
        f"papers[{i}].design",
        "'vibes' is not allowed",
    )


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ('pmid: "3735481"', 'pmid: "PMID3735481"', "evidence[0].pmid", "malformed PMID"),
        ('pmid: "3735481"', "pmid: 3735481", "evidence[0].pmid", "valid string"),
        (
            "doi: 10.1136/bjsm.2010.078535",
            "doi: https://doi.org/10.1136/x",
            "evidence[3].doi",
            "malformed DOI",
        ),
    ],
)
def test_malformed_identifiers(project, old, new, field, message):
    path = _break(project, old, new)
    line = _line_of(path, new.split(": ", 1)[1])
    _expect(project, path, line, field, message)


def test_pmid_missing_from_snapshot(project):
    records = project / "data" / "pubmed" / "records.jsonl"
    kept = [
        ln
        for ln in records.read_text(encoding="utf-8").splitlines()
        if '"pmid": "20351595"' not in ln
    ]
    records.write_text("\n".join(kept) + "\n", encoding="utf-8")
    path = _c01(project)
    _expect(
        project,
        path,
        _line_of(path, '"20351595"'),
        "evidence[4].pmid",
        "20351595 is not in the snapshot",
    )


def test_quote_not_in_article(project):
    path = _break(project, "the same old story", "the very same old story")
    _expect(
        project,
        path,
        _line_of(path, "the very same old story"),
        "quotes[0].text",
        "not an exact substring",
    )


def test_quotes_are_not_checked_without_article(project):
    _break(project, "the same old story", "the very same old story")
    result = CliRunner().invoke(
        main, ["validate", "--claims", str(project / "claims"), "--data", str(project / "data")]
    )
    # article.yaml names ../shared/article/... relative to the project root, absent in tmp.
    assert result.exit_code == 0, result.output
    assert "quotes NOT checked" in result.output


def test_duplicate_key_in_a_mapping(project):
    path = _break(project, "topic: dehydration\n", "topic: dehydration\ntopic: nature\n")
    _expect(project, path, _line_of(path, "topic: nature"), "topic", "duplicate key")


def test_unknown_topic(project):
    path = _break(project, "topic: dehydration\n", "topic: astrology\n")
    _expect(project, path, _line_of(path, "topic: astrology"), "topic", "unknown topic 'astrology'")


def test_cited_and_excluded_at_once(project):
    path = _break(project, "excluded: []", 'excluded:\n  - pmid: "3735481"\n    reason: off topic')
    _expect(
        project, path, _line_of(path, "excluded:") + 1, "excluded[0]", "both cited and excluded"
    )


def test_broken_snapshot_line_is_located(project):
    records = project / "data" / "pubmed" / "records.jsonl"
    lines = records.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2][:40]
    records.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _expect(project, records, 3, "json", "invalid JSON")


def test_every_problem_is_reported_not_just_the_first(project):
    _break(project, "stance: mixed", "stance: maybe")
    _break_papers(project, "design: lab-experiment", "design: vibes")
    result = _run(project)
    assert result.exit_code == 1
    assert "2 problems found." in result.output


def test_claims_table_counts_stances(project):
    result = CliRunner().invoke(main, ["claims", "--claims", str(project / "claims")])
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(_c01(project).read_text(encoding="utf-8"))
    stances = [e["stance"] for e in data["evidence"]]
    row = next(ln for ln in result.output.splitlines() if ln.startswith("C01"))
    counts = [int(x) for x in row.split()[-4:]]
    assert counts == [stances.count(s) for s in ("supports", "contradicts", "mixed", "context")]


def test_load_claims_raises_with_every_problem(project):
    _break(project, "stance: mixed", "stance: maybe")
    with pytest.raises(ClaimsError) as info:
        load_claims(project / "claims")
    assert len(info.value.problems) == 1
    assert "evidence[9].stance" in str(info.value)


def test_console_script_exits_nonzero_on_problems(project):
    """The installed entry point (a real process), not only the click test runner."""
    _break(project, "stance: mixed", "stance: maybe")
    exe = Path(sys.executable).with_name("claimbook")
    proc = subprocess.run(
        [
            str(exe),
            "validate",
            "--claims",
            str(project / "claims"),
            "--data",
            str(project / "data"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    assert "evidence[9].stance" in proc.stderr
    assert proc.stdout == ""
