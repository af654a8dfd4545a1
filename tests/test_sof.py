"""The Summary of Findings (issue 24 item 2, issue 22's contract): one row per outcome, № of
participants (studies) from primary studies only, lettered footnotes that each name a GRADE
domain, population and setting from the claim file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from claimbook.evidence.review import load_review
from claimbook.evidence.sof import letter
from claimbook.vocab import DOMAIN_LABELS

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "leg-cramps-quick-tip"


@pytest.fixture(scope="module")
def review():
    return load_review(project=ROOT)


def test_one_row_per_outcome_in_the_claims_order(review):
    sof = review.summary_of_findings()
    assert list(sof["claim_id"]) == [c.id for c in review.claims]  # parts are outcomes too
    assert any(c.part for c in review.claims)
    titles = {c.id: c.title for c in review.claims}
    assert all(row.outcome == titles[row.claim_id] for row in sof.itertuples())


def test_population_and_setting_come_from_the_claim_files(review):
    sof = review.summary_of_findings().set_index("claim_id")
    for claim in review.claims:
        record = yaml.safe_load(claim.path.read_text(encoding="utf-8"))
        assert sof.loc[claim.id, "population"] == record.get("population")
        assert sof.loc[claim.id, "setting"] == record.get("setting")
    assert sof["population"].notna().all()  # the shipped review fills every one


def test_every_footnote_names_a_grade_domain_and_letters_run_in_order(review):
    sof = review.summary_of_findings()
    names = [label.capitalize() for label in DOMAIN_LABELS.values()]
    letters = [x for notes in sof["notes"] for x in notes]
    assert letters == [letter(i) for i in range(len(letters))]
    assert letters, "the shipped review has downgraded outcomes"
    for row in sof.itertuples():
        assert len(row.notes) == len(row.footnotes)
        for note in row.footnotes:
            assert note.startswith((*names, "Upgraded for")), note
            assert ".)." not in note and ".." not in note and "\n" not in note
    # every domain that lowered a certainty has its footnote
    v = review.verdicts.set_index("claim_id")
    for row in sof.itertuples():
        lowered = [DOMAIN_LABELS[d] for d in DOMAIN_LABELS if v.loc[row.claim_id, d].lowers]
        notes = row.footnotes[: len(lowered)]
        assert len(notes) == len(lowered)
        assert all(n.lower().startswith(d + " ") for n, d in zip(notes, lowered, strict=True))


def test_letters_go_past_z():
    assert [letter(i) for i in (0, 1, 25, 26, 27)] == ["a", "b", "z", "aa", "ab"]


def test_design_counts_are_spelled_as_readers_see_them(review):
    designs = " ".join(review.summary_of_findings()["designs"])
    assert " rct" not in designs and "RCT" in designs


# --------------------------------------------------------------------------- counting


@pytest.fixture
def pooled_review(tmp_path):
    """The quick-tip example with one claim's evidence replaced: a systematic review that
    `includes:` a cited primary study (and one study not cited), that primary study, another
    primary study, and a narrative review with a (large) n of its own."""
    shutil.copytree(EXAMPLE / "claims", tmp_path / "claims")
    shutil.copytree(EXAMPLE / "data", tmp_path / "data")
    article = tmp_path / "claims" / "article.yaml"
    text_file = (EXAMPLE / "claims" / yaml.safe_load(article.read_text())["text_file"]).resolve()
    body = article.read_text(encoding="utf-8")
    article.write_text(body.replace(
        yaml.safe_load(body)["text_file"], str(text_file)
    ), encoding="utf-8")  # fmt: skip
    pmids = []
    for line in (tmp_path / "data" / "pubmed" / "records.jsonl").read_text().splitlines():
        rec = json.loads(line)
        if rec["pmid"] and not rec["retracted"]:
            pmids.append(rec["pmid"])
    sr, included, other, narrative, uncited = pmids[:5]
    study = {  # each paper's appraisal, once, in papers.yaml (issue 22)
        sr: {"design": "systematic-review", "n": 500, "includes": [included, uncited]},
        included: {"design": "rct", "n": 120},
        other: {"design": "rct", "n": 60},
        narrative: {"design": "narrative-review", "n": 9000},
    }
    evidence = [
        {"pmid": sr, "stance": "supports", "finding": "A review pooled two trials."},
        {"pmid": included, "stance": "supports", "finding": "A trial the review pooled."},
        {"pmid": other, "stance": "contradicts", "finding": "A trial the review did not pool."},
        {"pmid": narrative, "stance": "supports",
         "finding": "A narrative review: context, never counted."},
    ]  # fmt: skip
    papers_file = tmp_path / "claims" / "papers.yaml"
    papers = yaml.safe_load(papers_file.read_text(encoding="utf-8"))["papers"]
    papers = [p for p in papers if p.get("pmid") not in study]
    papers += [{"pmid": pmid, **fields} for pmid, fields in study.items()]
    papers_file.write_text(yaml.safe_dump({"papers": papers}, sort_keys=False), "utf-8")
    path = next((tmp_path / "claims").glob("Q12-*.yaml"))
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    record.update(evidence=evidence, excluded=[])
    path.write_text(yaml.safe_dump(record, sort_keys=False, allow_unicode=True), "utf-8")
    appraised = [{**c, **study[c["pmid"]]} for c in evidence]  # as the tests read them
    return load_review(project=tmp_path), {**record, "evidence": appraised}


def test_participants_count_primary_studies_once(pooled_review):
    review, record = pooled_review
    row = review.summary_of_findings(["Q12"]).iloc[0]
    cits = record["evidence"]
    sr = next(c for c in cits if c["design"] == "systematic-review")
    primaries = [c for c in cits if c["design"] == "rct"]
    not_pooled = [c for c in primaries if c["pmid"] not in sr["includes"]]
    # the review stands for what it pooled; the study it pooled is not counted again; the
    # narrative review is never counted
    assert row.participants == sr["n"] + sum(c["n"] for c in not_pooled)
    assert row.studies == len(sr["includes"]) + len(not_pooled)
    assert row.studies == review.verdict_row("Q12")["independent_studies"]
    assert "narrative" not in row.designs.lower()


def test_narrative_review_or_context_stance_never_counts(pooled_review):
    review, _ = pooled_review
    before = review.summary_of_findings(["Q12"]).iloc[0]
    table = review.table.copy()
    q12 = table["claim_id"] == "Q12"
    table.loc[q12 & (table["design"] == "rct"), "stance"] = "context"
    after = (
        type(review)(
            review.article, review.claims, review.snapshot, review.rules, table, review.verdicts
        )
        .summary_of_findings(["Q12"])
        .iloc[0]
    )
    rct_n = table.loc[q12 & (table["design"] == "rct"), "n"]
    pooled_rct = table.loc[q12 & (table["design"] == "rct")].iloc[0]
    assert after.participants == before.participants - int(rct_n.iloc[1])
    assert after.studies == before.studies - 1
    assert pooled_rct["stance"] == "context"


def test_effect_is_pooled_or_says_not_pooled_with_directions(review):
    quick = load_review(project=EXAMPLE)
    for r in (review, quick):
        sof = r.summary_of_findings().set_index("claim_id")
        for cid, row in sof.iterrows():
            sub = r.table[(r.table["claim_id"] == cid) & ~r.table["retracted"]]
            pooled_sizes = sub[
                sub["design"].isin(r.rules.pooled - r.rules.context_designs)
                & sub["effect_size"].notna()
                & (sub["stance"] != "context")
            ]
            if len(pooled_sizes):
                assert row.effect.startswith("Pooled: ")
                assert any(s in row.effect for s in pooled_sizes["effect_size"])
            elif len(sub):
                assert row.effect.startswith("Not pooled")
