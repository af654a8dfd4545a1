"""The editing API and its CLI, on temp copies of the review: only the edited block changes
(comments, key order, quoting and line breaks stay), a refused edit leaves the bytes identical,
two processes editing one claim lose neither edit, and a sign-off shows in the report."""

from __future__ import annotations

import json
import multiprocessing
import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from claimbook import EditError, load_claims, load_review
from claimbook.cli.app import main
from claimbook.edit import (
    add_claim,
    cite,
    exclude,
    lookup_paper,
    parse_ident,
    set_advice,
    signoff,
    uncite,
    update_citation,
)

from conftest import ARTICLE_TEXT, changed_lines, claim_file, need_shared, tree_digest


def _evidence(review: Path, claim_id: str, i: int) -> dict:
    return yaml.safe_load(claim_file(review, claim_id).read_text(encoding="utf-8"))["evidence"][i]


def test_changing_a_stance_changes_that_line_only(review):
    path = claim_file(review, "C01")
    before = path.read_text(encoding="utf-8")
    first = _evidence(review, "C01", 0)
    new = "contradicts" if first["stance"] != "contradicts" else "supports"
    update_citation(review, "C01", first["pmid"], stance=new)
    after = path.read_text(encoding="utf-8")
    assert changed_lines(before, after) == [
        f"-    stance: {first['stance']}",
        f"+    stance: {new}",
    ]
    assert _evidence(review, "C01", 0)["stance"] == new


def test_comments_and_untouched_blocks_are_kept(review):
    path = claim_file(review, "C05")
    original = path.read_text(encoding="utf-8")
    path.write_text("# reviewer's note: keep me\n" + original.replace(
        "evidence:", "evidence:  # checked twice", 1), encoding="utf-8")  # fmt: skip
    before = path.read_text(encoding="utf-8")
    first = _evidence(review, "C05", 0)
    update_citation(
        review, "C05", first.get("pmid") or first["doi"], note="A note added in a test."
    )
    after = path.read_text(encoding="utf-8")
    assert after.startswith("# reviewer's note: keep me\n")
    assert "evidence:  # checked twice" in after
    changed = changed_lines(before, after)
    # the note's folded lines, and nothing else
    assert [line[:40].rstrip() for line in changed] == [
        "-      Shows a lasting personal tendency",
        "-      cramp after one episode.",
        "+      A note added in a test.",
    ]


def test_the_folded_style_of_a_file_is_kept_on_every_shipped_claim(review):
    """Round-trip an edit that changes nothing on every claim: no byte moves."""
    for path in sorted((review / "claims").glob("C*.yaml")):
        before = path.read_bytes()
        record = yaml.safe_load(before)
        units = [(f"{record['id']}{p['part']}", p) for p in record.get("parts", [])]
        for claim_id, unit in units or [(record["id"], record)]:
            first = unit["evidence"][0]
            ident = first.get("pmid") or first.get("doi")
            if ident is None:
                continue
            update_citation(review, claim_id, ident, stance=first["stance"])
            assert path.read_bytes() == before, (path.name, claim_id)


@pytest.mark.parametrize(
    ("change", "message", "where"),
    [
        ({"finding": "too short"}, "finding: String should have at least 20 characters",
         r"C01-[\w-]+\.yaml:\d+: evidence\[0\]\."),
        # n is the paper's appraisal: refused where it is kept, in papers.yaml
        ({"n": 0}, "n: the number of participants must be from 1 to",
         r"papers\.yaml:\d+: papers\[\d+\]\."),
        ({"stance": "maybe"}, "stance: 'maybe' is not allowed",
         r"C01-[\w-]+\.yaml:\d+: evidence\[0\]\."),
    ],
)  # fmt: skip
def test_a_refused_edit_names_file_line_field_and_leaves_bytes_identical(
    review, change, message, where
):
    before = tree_digest(review / "claims")
    first = _evidence(review, "C01", 0)
    with pytest.raises(EditError) as err:
        update_citation(review, "C01", first["pmid"], **change)
    assert re.match(rf"{re.escape(str(review / 'claims'))}/{where}", str(err.value)), err.value
    assert message in str(err.value)
    assert tree_digest(review / "claims") == before


def test_uncite_and_exclude(review):
    first = _evidence(review, "C02", 0)
    ident = first.get("pmid") or first["doi"]
    n = len(load_review(project=review).claim("C02").evidence)
    claim = exclude(review, "C02", ident, "Screened out: about something else.")
    assert len(claim.evidence) == n - 1
    assert claim.excluded[-1].reason == "Screened out: about something else."
    with pytest.raises(EditError, match="already excluded"):
        exclude(review, "C02", ident, "Twice is once too often.")
    second = _evidence(review, "C02", 0)
    claim = uncite(review, "C02", second.get("pmid") or second["doi"])
    assert len(claim.evidence) == n - 2
    with pytest.raises(EditError, match="is not cited by C02"):
        uncite(review, "C02", second.get("pmid") or second["doi"])


def test_citing_a_paper_already_in_the_snapshot_works_offline(review):
    c01 = {c.key for c in load_review(project=review).claim("C01").evidence}
    other = next(
        c for c in load_review(project=review).claim("C03").evidence if c.pmid and c.pmid not in c01
    )
    claim = cite(
        review, "C01", other.pmid, stance="context", design=other.design,
        finding="Cited from another claim's evidence by a test.", offline=True,
    )  # fmt: skip
    assert claim.evidence[-1].pmid == other.pmid and claim.evidence[-1].stance == "context"


def test_an_unknown_pmid_is_refused_offline_and_nothing_changes(review):
    before = {p: p.read_bytes() for p in (review / "claims").glob("*.yaml")}
    snapshot = (review / "data" / "pubmed" / "records.jsonl").read_bytes()
    with pytest.raises(
        EditError, match="PMID 99999999 is not in the snapshot and cannot be fetched offline"
    ):
        cite(review, "C01", "99999999", stance="supports", design="rct",
             finding="A finding long enough to be valid.", offline=True)  # fmt: skip
    assert {p: p.read_bytes() for p in (review / "claims").glob("*.yaml")} == before
    assert (review / "data" / "pubmed" / "records.jsonl").read_bytes() == snapshot


@pytest.mark.parametrize(
    ("ident", "parsed"),
    [("3735481", ("3735481", None)), ("PMID: 3735481", ("3735481", None)),
     ("https://doi.org/10.1002/mus.20341", (None, "10.1002/mus.20341")),
     ("doi:10.1002/MUS.20341", (None, "10.1002/MUS.20341"))],
)  # fmt: skip
def test_parse_ident(ident, parsed):
    assert parse_ident(ident) == parsed


def test_parse_ident_refuses_anything_else():
    with pytest.raises(ValueError, match="neither a PMID"):
        parse_ident("Maughan 1986")


def test_lookup_paper_reads_the_snapshot_by_pmid_or_doi(review):
    rec = lookup_paper(review, "20351595", offline=True)
    assert rec.title and rec.pmid == "20351595"
    doi_rec = next(r for r in load_review(project=review).snapshot if r.doi and not r.pmid)
    assert lookup_paper(review, doi_rec.doi.upper(), offline=True).key == doi_rec.key


def test_add_a_draft_then_sign_off_needs_evidence(review):
    need_shared(ARTICLE_TEXT)
    claim = add_claim(
        review, quote="The issue is muscle fatigue from repetitive motions.",
        title="Repetition fatigues muscles into cramping", topic="neuromuscular",
    )  # fmt: skip
    assert claim.id == "C18" and claim.is_draft
    assert claim.quotes[0].section == "Cramps in Athletes: The Reality Behind Sports Myths"
    with pytest.raises(EditError, match="a reviewed claim needs"):
        signoff(review, "C18", "Jane Doe")
    assert load_review(project=review).claim("C18").is_draft


def test_add_claim_refuses_a_quote_not_in_the_article(review):
    need_shared(ARTICLE_TEXT)
    with pytest.raises(EditError, match=r"quotes\[0\]\.text: not an exact substring"):
        add_claim(review, quote="Bananas cure every cramp overnight.", title="Bananas cure cramps",
                  topic="neuromuscular")  # fmt: skip
    assert not list((review / "claims").glob("C18-*"))


def test_sign_off_shows_in_report_and_an_evidence_change_returns_it_to_draft(review, tmp_path):
    from claimbook import build_report

    signoff(review, "C04", "Jane Doe", note="Checked every paper against its abstract.")
    c04 = load_review(project=review).claim("C04")
    assert c04.signoff.reviewer == "Jane Doe" and not c04.is_draft
    out = tmp_path / "out"
    build_report(load_review(project=review), out, formats="html,md", progress=False)
    md = (out / "claimbook-report.md").read_text(encoding="utf-8")
    assert f"Reviewed by Jane Doe on {c04.signoff.date.isoformat()}" in md
    reviews = json.loads((out / "claimreview.jsonld").read_text(encoding="utf-8"))
    items = reviews if isinstance(reviews, list) else reviews.get("@graph", [reviews])
    authors = [r["author"] for r in items if r["url"].endswith("#c04")]
    assert authors == [
        {"@type": "Person", "name": "Jane Doe", "affiliation": authors[0]["affiliation"]}
    ]

    first = _evidence(review, "C04", 0)
    claim = update_citation(review, "C04", first.get("pmid") or first["doi"], stance="mixed")
    assert claim.is_draft and claim.signoff is None
    build_report(load_review(project=review), out, formats="md", progress=False)
    assert "Draft — not yet reviewed" in (out / "claimbook-report.md").read_text(encoding="utf-8")


def _set_note(args: tuple[str, str, int]) -> None:
    folder, ident, i = args
    update_citation(folder, "C03", ident, note=f"Note written by process {i}.")


def test_two_processes_editing_one_claim_lose_neither_edit(review):
    data = yaml.safe_load(claim_file(review, "C03").read_text(encoding="utf-8"))["evidence"]
    idents = [e.get("pmid") or e["doi"] for e in data[:2]]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(2) as pool:
        pool.map(_set_note, [(str(review), idents[0], 0), (str(review), idents[1], 1)])
    after = yaml.safe_load(claim_file(review, "C03").read_text(encoding="utf-8"))["evidence"]
    assert after[0]["note"] == "Note written by process 0."
    assert after[1]["note"] == "Note written by process 1."


def test_set_advice(review):
    claim = set_advice(review, "C03", "Tell the client that fatigue is the leading explanation.")
    assert claim.advice == "Tell the client that fatigue is the leading explanation."
    claim = set_advice(review, "C03", None)
    assert claim.advice is None


# --------------------------------------------------------------------------- the CLI


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_cli_cite_exclude_signoff_and_refusals(review):
    first = _evidence(review, "C01", 0)
    result = cli("exclude", "C01", first["pmid"], "--reason", "Off topic for this claim.",
                 "--project", review)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"C01: excludes {first['pmid']}.")
    row = load_review(project=review).verdict_row("C01")
    assert f"Verdict now: {row['label']} ({row['certainty']} certainty)." in result.output

    # the paper is appraised (papers.yaml): another design is refused, none reuses its own
    result = cli("cite", "C01", first["pmid"], "--stance", "supports", "--design", "rct",
                 "--finding", "Back in the evidence, cited again by a test.", "--offline",
                 "--project", review)  # fmt: skip
    assert result.exit_code == 1 and "the design given (rct) disagrees" in result.output
    result = cli("cite", "C01", first["pmid"], "--stance", "supports",
                 "--finding", "Back in the evidence, cited again by a test.", "--offline",
                 "--project", review)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert load_claims(review / "claims")[0].evidence[-1].pmid == first["pmid"]

    result = cli("cite", "C01", "99999999", "--stance", "supports", "--design", "rct",
                 "--finding", "A finding long enough to be valid.", "--offline",
                 "--project", review)  # fmt: skip
    assert result.exit_code == 1
    assert "PMID 99999999 is not in the snapshot" in result.output

    result = cli("uncite", "C01", "1", "--project", review)
    assert result.exit_code == 1 and "1 is not cited by C01" in result.output

    result = cli("signoff", "C01", "--reviewer", "Jane Doe", "--project", review)
    assert result.exit_code == 0, result.output
    assert "signed off by Jane Doe" in result.output
    assert "signoff:\n  reviewer: Jane Doe\n" in claim_file(review, "C01").read_text(
        encoding="utf-8"
    )


def test_cli_add_claim_from_a_quote_and_from_a_candidate(review):
    need_shared(ARTICLE_TEXT)
    result = cli("add-claim", "--quote", "The issue is muscle fatigue from repetitive motions.",
                 "--title", "Repetition fatigues muscles into cramping", "--topic",
                 "neuromuscular", "--project", review)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.startswith("C18 (draft): saved in ")
    from claimbook.article.candidates import find_candidates

    listed = [c.to_dict() for c in find_candidates(ARTICLE_TEXT.read_text(encoding="utf-8"))]
    (review / "candidates.yaml").write_text(yaml.safe_dump(listed), encoding="utf-8")
    result = cli("add-claim", "--candidate", 3, "--title", "The third candidate sentence",
                 "--topic", "nature", "--project", review)  # fmt: skip
    assert result.exit_code == 0, result.output
    c19 = load_review(project=review).claim("C19")
    assert c19.quotes[0].text == listed[2]["text"] and c19.quotes[0].section == listed[2]["section"]
    result = cli("add-claim", "--title", "Neither", "--project", review)
    assert result.exit_code == 2 and "give either --candidate N or --quote TEXT" in result.output


@pytest.mark.parametrize("claim_id", ["C01", "C09", "C17"])
def test_review_updated_with_an_edited_claim_equals_a_full_reload(review, claim_id):
    """The workbench re-grades only the edited claim; that must equal reloading everything."""
    import pandas as pd

    before = load_review(project=review)
    first = _evidence(review, claim_id, 0)
    flipped = "contradicts" if first["stance"] != "contradicts" else "supports"
    edited = update_citation(review, claim_id, first.get("pmid") or first["doi"], stance=flipped)
    fast = before.updated(edited)
    full = load_review(project=review)
    pd.testing.assert_frame_equal(fast.table, full.table)
    pd.testing.assert_frame_equal(fast.verdicts, full.verdicts)
    assert [c.id for c in fast.claims] == [c.id for c in full.claims]
