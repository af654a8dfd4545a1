"""Each paper is appraised once (issue 22, item 1): its study fields (design, n, risk of bias ...)
live in claims/papers.yaml and every claim citing it reads the same appraisal; the older format
(study fields on each citation) still loads with a notice; two places that appraise a paper
differently are refused, naming both; `claimbook migrate` moves an older folder over, all or
nothing; the writers (cite, update_citation) write the paper's appraisal."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimbook import EditError, PaperAppraisal, load_claims, validate_project
from claimbook.claims import ClaimsError
from claimbook.cli.app import main
from claimbook.edit import cite, migrate, update_citation
from claimbook.vocab import DESIGNS, rob_tool, rob_words

from conftest import ROOT, tree_digest

A, B = "3735481", "26284165"  # two papers of the shipped snapshot
ROB = {"rating": "some concerns", "reason": "Observational; self-reported cramps."}
OLD_NOTICE = (
    "claims/ stores study appraisals on citations; run `claimbook migrate --project DIR` to "
    "keep one appraisal per paper in claims/papers.yaml"
)


class _Plain(yaml.SafeDumper):
    """YAML without anchors (a dict used twice is written out twice), keys in order."""

    def ignore_aliases(self, data):
        return True


def _dump(data) -> str:
    return yaml.dump(data, Dumper=_Plain, sort_keys=False, width=96)


def _digest(root: Path) -> dict[str, str]:
    """tree_digest without the claims folder's (empty) lock file, which an edit may create."""
    return {k: v for k, v in tree_digest(root).items() if not k.endswith(".lock")}


def _cit(pmid: str, **study) -> dict:
    return {"pmid": pmid, "stance": "supports", "finding": "A finding long enough for a test.",
            **study}  # fmt: skip


def _claim(cid: str, evidence: list[dict], topic: str) -> str:
    doc = {
        "id": cid, "slug": f"claim-{cid.lower()}", "title": f"Claim {cid} of a test",
        "topic": topic, "claim": "A claim made for this test only.",
        "quotes": [{"section": "Intro", "text": "A quote that is long enough."}],
        "query": "cramp[tiab]", "evidence": evidence, "reviewed": "2026-01-05",
    }  # fmt: skip
    return _dump(doc)


def _folder(root: Path, claims: dict[str, list[dict]], papers: list[dict] | None = None) -> Path:
    """A review folder: the shipped article.yaml and snapshot, the claims given (A01 ...), and
    papers.yaml when `papers` is given. The article text is not there: quotes are not checked."""
    (root / "claims").mkdir(parents=True)
    shutil.copy(ROOT / "claims" / "article.yaml", root / "claims" / "article.yaml")
    shutil.copytree(ROOT / "data", root / "data")
    topic = next(iter(yaml.safe_load((ROOT / "claims" / "article.yaml").read_text())["topics"]))
    for cid, evidence in claims.items():
        (root / "claims" / f"{cid}-claim.yaml").write_text(_claim(cid, evidence, topic))
    if papers is not None:
        (root / "claims" / "papers.yaml").write_text(_dump({"papers": papers}))
    return root


def _line(path: Path, text: str, nth: int = 0) -> int:
    lines = [i for i, ln in enumerate(path.read_text().splitlines(), 1) if text in ln]
    return lines[nth]


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _study(claims) -> dict:
    """(claim, key) -> the study fields of each loaded citation."""
    return {
        (c.id, cit.key): (cit.design, cit.n, cit.randomised, cit.risk_of_bias, cit.includes)
        for c in claims
        for cit in c.evidence
    }


# --------------------------------------------------------------------------- loading


def test_the_old_format_loads_with_one_notice_on_stderr(tmp_path):
    old = {"design": "prospective-cohort", "n": 82, "risk_of_bias": ROB}
    root = _folder(tmp_path, {"A01": [_cit(A, **old)], "A02": [_cit(A, **old), _cit(B, **old)]})
    checked = validate_project(root / "claims", root / "data")
    assert checked.warnings == [OLD_NOTICE]
    assert {c.evidence[0].design for c in checked.claims} == {"prospective-cohort"}
    result = cli("validate", "--project", root)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("OK: 2 claims")
    assert result.stderr.splitlines().count(f"warning: {OLD_NOTICE}") == 1


def test_two_claims_appraising_a_paper_differently_are_refused_naming_both_places(tmp_path):
    high = {"rating": "high", "reason": "Self-selected runners; not randomised."}
    root = _folder(tmp_path, {
        "A01": [_cit(A, design="prospective-cohort", risk_of_bias=ROB)],
        "A02": [_cit(A, design="prospective-cohort", risk_of_bias=high)],
    })  # fmt: skip
    before = _digest(root)
    with pytest.raises(ClaimsError) as err:
        validate_project(root / "claims", root / "data")
    [problem] = err.value.problems
    a01, a02 = root / "claims" / "A01-claim.yaml", root / "claims" / "A02-claim.yaml"
    assert (problem.file, problem.field) == (str(a02), "evidence[0].risk_of_bias")
    assert f"{a01}:{_line(a01, 'risk_of_bias')}" in problem.message
    assert "high" in problem.message and "some concerns" in problem.message
    assert "make the two agree" in problem.message
    result = cli("validate", "--project", root)
    assert result.exit_code == 1 and result.stderr.splitlines()[-1] == "1 problem found."
    assert _digest(root) == before


def test_a_citation_disagreeing_with_papers_yaml_is_refused(tmp_path):
    root = _folder(
        tmp_path, {"A01": [_cit(A, design="case-control")]}, [{"pmid": A, "design": "rct"}]
    )
    with pytest.raises(ClaimsError) as err:
        load_claims(root / "claims")
    [problem] = err.value.problems
    papers = root / "claims" / "papers.yaml"
    assert problem.field == "evidence[0].design"
    assert f"{papers}:{_line(papers, 'design')}" in problem.message
    assert "case-control" in problem.message and "rct" in problem.message
    assert "delete the citation's design" in problem.message


def test_a_paper_with_no_appraisal_is_refused_in_words(tmp_path):
    root = _folder(tmp_path, {"A01": [_cit(B)]})
    with pytest.raises(ClaimsError) as err:
        load_claims(root / "claims")
    path = root / "claims" / "A01-claim.yaml"
    assert [str(p) for p in err.value.problems] == [
        f"{path}:{_line(path, 'pmid:')}: evidence[0] (PMID {B}): this paper has no appraisal; "
        f"add it to {root / 'claims' / 'papers.yaml'} (design, n, risk of bias)"
    ]


@pytest.mark.parametrize(
    ("entry", "field", "message"),
    [
        ({"pmid": A, "design": "vibes"}, "papers[0].design", "'vibes' is not allowed"),
        ({"pmid": A, "design": "rct", "colour": "red"}, "papers[0].colour", "unknown field"),
        ({"pmid": A, "design": "rct", "n": 0}, "papers[0].n", "must be from 1 to"),
        ({"pmid": "PMID1", "design": "rct"}, "papers[0].pmid", "malformed PMID"),
    ],
)
def test_papers_yaml_problems_name_its_line_and_field(tmp_path, entry, field, message):
    root = _folder(tmp_path, {"A01": [_cit(A)]}, [entry])
    result = cli("validate", "--project", root)
    assert result.exit_code == 1
    papers = root / "claims" / "papers.yaml"
    key = field.rpartition(".")[2]
    wanted = f"{papers}:{_line(papers, f' {key}:')}: {field}: "
    assert any(ln.startswith(wanted) and message in ln for ln in result.stderr.splitlines()), (
        result.stderr
    )


def test_broken_yaml_and_a_paper_appraised_twice_are_located(tmp_path):
    root = _folder(tmp_path, {"A01": [_cit(A)]}, [{"pmid": A, "design": "rct"}])
    papers = root / "claims" / "papers.yaml"
    papers.write_text("papers:\n  - pmid: '3735481'\n    design: [rct\n")
    result = cli("validate", "--project", root)
    assert (
        result.exit_code == 1 and f"{papers}:" in result.stderr and "syntax error" in result.stderr
    )
    papers.write_text(_dump({"papers": [{"pmid": A, "design": "rct"}] * 2}))
    with pytest.raises(ClaimsError, match=r"PMID 3735481 is appraised twice \(first at .*:2\)"):
        load_claims(root / "claims")


def test_an_appraisal_no_claim_cites_is_a_warning(tmp_path):
    two = [{"pmid": A, "design": "rct"}, {"pmid": B, "design": "case-control"}]
    root = _folder(tmp_path, {"A01": [_cit(A)]}, two)
    checked = validate_project(root / "claims", root / "data")
    papers = root / "claims" / "papers.yaml"
    assert checked.warnings == [
        f"{papers}:{_line(papers, B)}: papers[1]: PMID {B} is appraised but no claim cites it; "
        "delete the entry, or cite the paper"
    ]


def test_every_citation_carries_its_papers_appraisal_with_the_tools_words(tmp_path):
    entry = {
        "pmid": A, "design": "crossover-trial", "randomised": True, "n": 40,
        "population": "Recreational runners", "setting": "A marathon", "funding": "None declared",
        "risk_of_bias": {"rating": "high", "reason": "Open label; self-reported outcome."},
    }  # fmt: skip
    rob = {"rating": "high", "reason": "Recall.", "tool": "ROBINS-I"}
    other = {"pmid": B, "design": "case-control", "risk_of_bias": rob}
    root = _folder(tmp_path, {"A01": [_cit(A)], "A02": [_cit(A), _cit(B)]}, [entry, other])
    checked = validate_project(root / "claims", root / "data")
    cits = [cit for c in checked.claims for cit in c.evidence if cit.pmid == A]
    assert len(cits) == 2
    for cit in cits:
        assert (cit.design, cit.randomised, cit.n) == ("crossover-trial", True, 40)
        assert (cit.population, cit.setting, cit.funding) == (
            "Recreational runners",
            "A marathon",
            "None declared",
        )
        assert cit.risk_of_bias.tool == "RoB 2"  # a randomised crossover: RoB 2 by default
    assert isinstance(checked.papers[A], PaperAppraisal) and checked.papers[A].n == 40
    b = next(cit for c in checked.claims for cit in c.evidence if cit.pmid == B)
    assert b.risk_of_bias.tool == "ROBINS-I"  # named: kept
    assert rob_words(b.risk_of_bias.rating, b.risk_of_bias.tool) == "Serious risk of bias"
    assert rob_words("some concerns", rob_tool("systematic-review")) == "Moderate confidence"
    assert rob_tool("crossover-trial", randomised=False) == "ROBINS-I"


# --------------------------------------------------------------------------- migrate


def _old_folder(tmp_path: Path) -> Path:
    old = {"design": "prospective-cohort", "n": 82, "risk_of_bias": ROB}
    root = _folder(tmp_path, {"A01": [_cit(A, **old)], "A02": [_cit(B, design="rct"), _cit(A)]})
    a01 = root / "claims" / "A01-claim.yaml"
    a01.write_text(a01.read_text().replace("  stance: supports", "  stance: supports  # re-read"))
    return root


def test_migrate_moves_every_appraisal_into_papers_yaml_keeping_comments(tmp_path):
    root = _old_folder(tmp_path)
    before = _study(load_claims(root / "claims"))
    result = cli("migrate", "--project", root)
    assert result.exit_code == 0, result.output
    papers = root / "claims" / "papers.yaml"
    assert result.output == (f"Moved the appraisal of 2 papers from 2 claim files into {papers}.\n")
    for path in (root / "claims").glob("A*.yaml"):
        text = path.read_text()
        assert not re.search(r"^\s+(design|n|risk_of_bias):", text, re.M), text
    assert "stance: supports  # re-read" in (root / "claims" / "A01-claim.yaml").read_text()
    assert papers.read_text().startswith("# The appraisal of each paper")
    assert _study(load_claims(root / "claims")) == before
    checked = validate_project(root / "claims", root / "data")
    assert checked.warnings == []


def test_migrate_twice_says_nothing_to_migrate_and_changes_nothing(tmp_path):
    root = _old_folder(tmp_path)
    assert migrate(root).written
    digest = _digest(root)
    result = cli("migrate", "--project", root)
    assert result.exit_code == 0 and result.output.startswith("Nothing to migrate")
    assert _digest(root) == digest


def test_migrate_dry_run_writes_nothing(tmp_path):
    root = _old_folder(tmp_path)
    digest = _digest(root)
    result = cli("migrate", "--project", root, "--dry-run")
    assert result.exit_code == 0
    assert result.output.startswith("Would move the appraisal of 2 papers from 2 claim files")
    assert "nothing written" in result.output
    assert _digest(root) == digest


def test_migrate_refuses_conflicts_listing_each_and_leaves_every_file_identical(tmp_path):
    root = _folder(tmp_path, {
        "A01": [_cit(A, design="rct", n=10), _cit(B, design="rct")],
        "A02": [_cit(A, design="case-control", n=11), _cit(B, design="rct")],
    })  # fmt: skip
    digest = _digest(root)
    result = cli("migrate", "--project", root)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[-1] == "2 problems found."
    assert any("evidence[0].design" in ln and "'rct'" not in ln and "rct" in ln for ln in lines)
    assert any("evidence[0].n" in ln and "10" in ln and "11" in ln for ln in lines)
    assert _digest(root) == digest
    with pytest.raises(EditError):
        migrate(root)
    assert _digest(root) == digest


# --------------------------------------------------------------------------- writers


def _new_folder(tmp_path: Path) -> Path:
    return _folder(
        tmp_path, {"A01": [_cit(A)], "A02": [_cit(B)]},
        [{"pmid": A, "design": "prospective-cohort", "n": 82, "risk_of_bias": ROB},
         {"pmid": B, "design": "rct"}],
    )  # fmt: skip


def _uncited(root: Path) -> str:
    from claimbook.pubmed import load_snapshot

    return next(r.pmid for r in load_snapshot(root / "data" / "pubmed") if r.pmid not in (A, B))


def test_cite_reuses_an_existing_appraisal(tmp_path):
    root = _new_folder(tmp_path)
    papers = (root / "claims" / "papers.yaml").read_bytes()
    claim = cite(root, "A02", A, stance="mixed", finding="Cited again, for another claim.",
                 offline=True)  # fmt: skip
    cit = next(c for c in claim.evidence if c.pmid == A)
    assert (cit.design, cit.n, cit.risk_of_bias.rating) == ("prospective-cohort", 82, ROB["rating"])
    assert "design:" not in (root / "claims" / "A02-claim.yaml").read_text()
    assert (root / "claims" / "papers.yaml").read_bytes() == papers
    same = cite(root, "A01", B, stance="supports", design="rct", offline=True,
                finding="Given the design it already has.")  # fmt: skip
    assert same.evidence[-1].design == "rct"


def test_cite_refuses_a_design_that_conflicts_with_the_appraisal(tmp_path):
    root = _new_folder(tmp_path)
    digest = _digest(root)
    with pytest.raises(EditError, match=r"appraised as design prospective-cohort .* the design "
                       r"given \(rct\) disagrees"):  # fmt: skip
        cite(root, "A02", A, stance="supports", design="rct", offline=True,
             finding="A finding long enough to be valid.")  # fmt: skip
    result = cli("cite", "A02", A, "--stance", "supports", "--design", "rct", "--offline",
                 "--finding", "A finding long enough to be valid.", "--project", root)  # fmt: skip
    assert result.exit_code == 1 and "papers.yaml:" in result.stderr
    assert _digest(root) == digest


def test_cite_of_a_new_paper_appraises_it_once_and_needs_a_design(tmp_path):
    root = _new_folder(tmp_path)
    new = _uncited(root)
    digest = _digest(root)
    with pytest.raises(EditError, match="has no appraisal yet: give its design"):
        cite(root, "A01", new, stance="context", offline=True,
             finding="A finding long enough to be valid.")  # fmt: skip
    assert _digest(root) == digest
    cite(root, "A01", new, stance="context", design="case-report", n=1, offline=True,
         finding="A finding long enough to be valid.")  # fmt: skip
    entries = yaml.safe_load((root / "claims" / "papers.yaml").read_text())["papers"]
    assert {"pmid": new, "design": "case-report", "n": 1} in entries


def test_update_citation_changes_the_papers_appraisal_for_every_claim(tmp_path):
    root = _new_folder(tmp_path)
    cite(root, "A02", A, stance="mixed", finding="Cited again, for another claim.", offline=True)
    a01 = (root / "claims" / "A01-claim.yaml").read_bytes()
    update_citation(root, "A02", A, design="retrospective-cohort", n=90)
    assert (root / "claims" / "A01-claim.yaml").read_bytes() == a01  # its claim file: as it was
    designs = {(c.id, cit.design, cit.n) for c in load_claims(root / "claims")
               for cit in c.evidence if cit.pmid == A}  # fmt: skip
    assert designs == {("A01", "retrospective-cohort", 90), ("A02", "retrospective-cohort", 90)}


def test_update_citation_in_an_old_folder_moves_that_citations_appraisal(tmp_path):
    old = {"design": "prospective-cohort", "n": 82, "risk_of_bias": ROB}
    root = _folder(tmp_path, {"A01": [_cit(A, **old)], "A02": [_cit(B, design="rct")]})
    update_citation(root, "A01", A, n=83)
    assert "design:" not in (root / "claims" / "A01-claim.yaml").read_text()
    [cit] = load_claims(root / "claims")[0].evidence
    assert (cit.design, cit.n, cit.risk_of_bias.reason) == ("prospective-cohort", 83, ROB["reason"])


# --------------------------------------------------------------------------- the property


appraisals = st.fixed_dictionaries(
    {"design": st.sampled_from(DESIGNS)},
    optional={
        "n": st.integers(1, 10**6),
        "randomised": st.booleans(),
        "risk_of_bias": st.fixed_dictionaries(
            {
                "rating": st.sampled_from(["low", "some concerns", "high"]),
                "reason": st.sampled_from(["Unblinded outcome.", "Self-selected sample."]),
            }
        ),
    },
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    appraisal=appraisals,
    where=st.lists(st.sampled_from(["own", "bare"]), min_size=1, max_size=4),
    in_papers=st.booleans(),
)
def test_the_same_paper_has_the_same_appraisal_in_every_claim(appraisal, where, in_papers):
    """However a folder writes a paper's appraisal (on some citations in the older format, in
    papers.yaml, or both), every claim citing it loads the same design, n and risk of bias."""
    in_papers = in_papers or "own" not in where  # a bare citation needs papers.yaml
    claims = {
        f"A{i + 1:02d}": [_cit(A, **(appraisal if w == "own" else {}))] for i, w in enumerate(where)
    }
    with tempfile.TemporaryDirectory() as tmp:
        root = _folder(Path(tmp), claims, [{"pmid": A, **appraisal}] if in_papers else None)
        loaded = load_claims(root / "claims")
    seen = [(c.evidence[0].design, c.evidence[0].n, c.evidence[0].randomised,
             c.evidence[0].risk_of_bias) for c in loaded]  # fmt: skip
    assert len(loaded) == len(where) and all(s == seen[0] for s in seen)
    design, n, randomised, rob = seen[0]
    assert (design, n, randomised) == (
        appraisal["design"],
        appraisal.get("n"),
        appraisal.get("randomised"),
    )
    if "risk_of_bias" in appraisal:
        assert rob.rating == appraisal["risk_of_bias"]["rating"]
        assert rob.tool == rob_tool(design, randomised)
    else:
        assert rob is None


def test_checking_one_claim_file_leaves_the_reused_context_as_it_was(review):
    """An edit checks its claim against the others of a context it keeps for the next edit;
    appraising gives citations their study fields (the files hold none: papers.yaml does), so
    it must work on copies of the others' citations: the context is the same afterwards."""
    from claimbook.claims.validate import check_claim_text, claim_context

    context = claim_context(review / "claims", review / "data")
    before = [c.model_dump() for c, _at in context.others]
    assert all(cit.design is None for c, _at in context.others for cit in c.evidence)
    for path in sorted((review / "claims").glob("C1*.yaml")):
        checked = check_claim_text(path, path.read_text(encoding="utf-8"), context)
        assert all(cit.design is not None for cit in checked.evidence)  # appraised
    assert [c.model_dump() for c, _at in context.others] == before
