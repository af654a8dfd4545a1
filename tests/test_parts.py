"""Claims the article makes in one sentence but that are two claims (an effect and its cause):
a record with `parts`, each part graded on its own (C10a, C10b) and shown together."""

from __future__ import annotations

import re

import pytest
import yaml
from click.testing import CliRunner

from claimbook import load_claims, load_review
from claimbook.claims import ClaimsError, validate_project
from claimbook.cli.app import main
from claimbook.edit import EditError, signoff, uncite, update_citation
from claimbook.report import build_report

from conftest import ROOT, claim_file, need_shared


def _record(review, claim_id="C10") -> dict:
    return yaml.safe_load(claim_file(review, claim_id).read_text(encoding="utf-8"))


class _NoAliases(yaml.SafeDumper):
    """Claim files may not hold anchors/aliases: write a value used twice out twice."""

    def ignore_aliases(self, data) -> bool:
        return True


def _write(review, data: dict, claim_id="C10") -> None:
    path = claim_file(review, claim_id)
    text = yaml.dump(data, Dumper=_NoAliases, sort_keys=False, allow_unicode=True)
    path.write_text(text, encoding="utf-8")


def _problems(review) -> list[str]:
    with pytest.raises(ClaimsError) as info:
        validate_project(review / "claims", review / "data")
    return [str(p) for p in info.value.problems]


# --------------------------------------------------------------------------- loading


def test_a_record_in_parts_is_graded_as_one_claim_per_part():
    claims = {c.id: c for c in load_claims(ROOT / "claims")}
    assert "C10" not in claims
    a, b = claims["C10a"], claims["C10b"]
    assert (a.record_id, a.part, b.record_id, b.part) == ("C10", "a", "C10", "b")
    # Each part has its own sentence, quote and evidence ...
    assert a.claim != b.claim and a.quotes != b.quotes
    assert {c.key for c in a.evidence} != {c.key for c in b.evidence}
    # ... and shares the record's topic, review date and sign-off.
    assert a.topic == b.topic == a.record.topic
    assert a.reviewed == b.reviewed == a.record.reviewed
    # Parts sort with their record, between C09 and C11.
    ids = list(claims)
    assert ids.index("C09") < ids.index("C10a") < ids.index("C10b") < ids.index("C11")


def test_each_part_gets_its_own_verdict_and_statement():
    review = load_review(ROOT / "claims", ROOT / "data")
    v = review.verdicts.set_index("claim_id")
    assert "C10" not in v.index
    relief, reflex = v.loc["C10a"], v.loc["C10b"]
    # No paper cited for the relief contradicts it; the reflex has contradicting studies. The
    # relief's backing is narrative reviews (context since issue 22, never counted) and small
    # studies: too little counted evidence.
    assert relief["contradicts"] == 0 and relief["verdict"] == "insufficient"
    assert reflex["contradicts"] > 0 and reflex["verdict"] != "supported"
    for cid in ("C10a", "C10b"):
        claim = review.claim(cid)
        assert claim.claim.rstrip(".").lower() in v.loc[cid, "statement"].lower()
    with pytest.raises(KeyError, match="C10 is graded in parts: C10a, C10b"):
        review.claim("C10")


def test_validate_counts_records_and_says_which_are_in_parts():
    result = CliRunner().invoke(main, ["validate", "--project", str(ROOT)])
    assert result.exit_code == 0, result.output
    records = [yaml.safe_load(p.read_text(encoding="utf-8"))
               for p in sorted((ROOT / "claims").glob("C*.yaml"))]  # fmt: skip
    in_parts = ", ".join(f"{r['id']} in {len(r['parts'])} parts" for r in records if "parts" in r)
    assert in_parts.count("parts") >= 2  # the shipped review has records in parts
    assert f"{len(records)} claims ({in_parts})," in result.output


# --------------------------------------------------------------------------- bad records


def test_evidence_beside_parts_is_refused_with_file_line_and_field(review):
    data = _record(review)
    data["evidence"] = data["parts"][0]["evidence"][:1]
    _write(review, data)
    problems = _problems(review)
    assert any(
        re.search(r"C10-[^:]+\.yaml:\d+: evidence: a claim in parts keeps its evidence in each", p)
        for p in problems
    ), problems


def test_a_single_part_and_repeated_letters_are_refused(review):
    data = _record(review)
    parts = data["parts"]
    data["parts"] = parts[:1]
    _write(review, data)
    assert any("parts: a claim split into parts needs at least two" in p for p in _problems(review))
    data["parts"] = parts
    data["parts"][1]["part"] = "a"
    _write(review, data)
    assert any("part letters must differ: a, a" in p for p in _problems(review))


def test_a_reviewed_part_without_evidence_names_the_part(review):
    data = _record(review)
    data["parts"][1]["evidence"] = []
    _write(review, data)
    problems = _problems(review)
    assert any(
        "parts[1].evidence: a reviewed claim needs at least one citation in part b" in p
        for p in problems
    ), problems


def test_a_part_quote_is_checked_against_the_article(review):
    need_shared(ROOT.parent / "shared" / "article")
    data = _record(review)
    data["parts"][1]["quotes"][0]["text"] = "Stretching resets the brain within seconds."
    _write(review, data)
    problems = _problems(review)
    assert any("parts[1].quotes[0].text: not an exact substring" in p for p in problems), problems


# --------------------------------------------------------------------------- editing


def test_editing_a_part_changes_only_that_part(review):
    path = claim_file(review, "C10")
    signoff(review, "C10", "Ann Reviewer")
    before = _record(review)
    claim = uncite(review, "C10b", "8434879")
    assert claim.id == "C10b" and claim.is_draft  # the record's sign-off no longer holds
    after = _record(review)
    assert after["status"] == "draft"
    assert after["parts"][0] == before["parts"][0]  # part a still cites 8434879
    b_keys = [e.get("pmid") or e.get("doi") for e in after["parts"][1]["evidence"]]
    assert "8434879" not in b_keys
    assert len(b_keys) == len(before["parts"][1]["evidence"]) - 1
    # Both parts are drafts now, in the regraded review.
    review_now = load_review(review / "claims", review / "data")
    assert review_now.claim("C10a").is_draft and review_now.claim("C10b").is_draft
    assert "8434879" in path.read_text(encoding="utf-8")


def test_a_citation_edit_must_name_the_part(review):
    path = claim_file(review, "C10")
    before = path.read_bytes()
    with pytest.raises(EditError, match=r"C10 is in parts \(C10a, C10b\); name the part"):
        update_citation(review, "C10", "8434879", stance="mixed")
    with pytest.raises(EditError, match="C10 has no part c"):
        update_citation(review, "C10c", "8434879", stance="mixed")
    assert path.read_bytes() == before


def test_signing_off_a_part_signs_off_the_record_and_the_cli_shows_both_verdicts(review):
    signoff(review, "C10", "Bo Reviewer")
    uncite(review, "C10a", "8434879")  # now a draft
    assert _record(review)["status"] == "draft"
    claim = signoff(review, "c10a", "Ann Reviewer")  # ids as typed, any case
    assert claim.id == "C10a" and not claim.is_draft
    assert _record(review)["signoff"]["reviewer"] == "Ann Reviewer"
    result = CliRunner().invoke(
        main, ["signoff", "C10", "--reviewer", "Ann Reviewer", "--project", str(review)]
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"^C10a: Verdict now: ", result.output, re.M)
    assert re.search(r"^C10b: Verdict now: ", result.output, re.M)


def test_review_updated_regrades_every_part_of_an_edited_record(review):
    before = load_review(review / "claims", review / "data")
    claim = uncite(review, "C10a", "34185846")
    after = before.updated(claim)
    fresh = load_review(review / "claims", review / "data")
    cols = ["claim_id", "verdict", "certainty", "supports", "status"]
    assert after.verdicts[cols].equals(fresh.verdicts[cols])
    assert [c.id for c in after.claims] == [c.id for c in fresh.claims]


# --------------------------------------------------------------------------- shown together


def test_the_report_shows_the_record_then_its_parts(tmp_path):
    review = load_review(ROOT / "claims", ROOT / "data")
    built = build_report(review, tmp_path, formats="html,md", progress=False)
    html = built["html"].read_text(encoding="utf-8")
    record = html.index('id="c10"')
    assert record < html.index('id="c10a"') < html.index('id="c10b"') < html.index('id="c11"')
    whole = html[record : html.index('id="c10a"')]
    assert "This sentence makes 2 claims" in whole
    assert review.claim("C10a").record.claim.split()[0] in whole
    # Each part has a Summary of Findings row and its own export.
    sof = html[html.index('id="summary-of-findings"') : html.index("<main>")]
    assert 'href="#c10a"' in sof and 'href="#c10b"' in sof
    assert (tmp_path / "exports" / "C10a.ris").exists()
    md = built["md"].read_text(encoding="utf-8")
    assert md.index("## C10 ·") < md.index("## C10a ·") < md.index("## C10b ·")
    assert re.search(r"^\*[^*\n]+ · part b of C10\*$", md, re.M)


def test_a_notebook_shows_the_record_before_its_first_part_only():
    from claimbook.jupyter.display import claim_markdown

    review = load_review(ROOT / "claims", ROOT / "data")
    first, second = claim_markdown(review, "C10a"), claim_markdown(review, "C10b")
    assert first.startswith("## C10 ·") and "This sentence makes 2 claims" in first
    assert first.index("## C10 ·") < first.index("### C10a ·")
    assert second.startswith("### C10b ·") and "## C10 ·" not in second
    assert "*Part b of C10, graded on its own.*" in second
