"""papers.yaml written for one new appraisal without its whole round trip (issue 23, "fast"):
the new entry is appended to the file's text in its own layout, and must read back exactly as
the round-trip writer would have written it; a file whose list is not its last block, or is
written another way, falls back to the round trip. The validation context re-reads a claim
file whose text changed, even with its size and modification time unchanged."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml

from claimbook.claims.schema import Claim
from claimbook.claims.yaml_lines import parse_remembered
from claimbook.edit.appraisals import PapersDoc, set_study, study_value

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "leg-cramps-quick-tip"


def _appraise(papers: PapersDoc, doi: str) -> None:
    entry = papers.add(None, doi, None)
    set_study(entry, "design", study_value("design", "rct"))
    set_study(entry, "n", study_value("n", 48))
    words = "Adults recruited from general practices who reported the symptom at night, over a year"
    set_study(entry, "population", study_value("population", words))
    entry.yaml_add_eol_comment("not in PubMed: its details typed by the reviewer", "doi")


def _both(claims_dir: Path) -> tuple[PapersDoc, str, str]:
    """papers.yaml with one new appraisal: as appended to its text, and by the round trip."""
    fast = PapersDoc.read(claims_dir)
    _appraise(fast, "10.1000/appended.1")
    slow = PapersDoc.read(claims_dir)
    assert slow.doc is not None  # the round-trip document, loaded before the entry is added
    _appraise(slow, "10.1000/appended.1")
    return fast, fast.dump(), slow.dump()


@pytest.mark.parametrize("claims_dir", [ROOT / "claims", EXAMPLE / "claims"], ids=["root", "ex"])
def test_a_new_appraisal_is_appended_as_the_round_trip_writes_it(claims_dir):
    before = (claims_dir / "papers.yaml").read_text(encoding="utf-8")
    fast, appended, round_trip = _both(claims_dir)
    assert appended == round_trip
    assert appended.startswith(before)  # every entry already there kept byte for byte
    new = yaml.safe_load(appended)["papers"][-1]
    assert new == {"doi": "10.1000/appended.1", "design": "rct", "n": 48,
                   "population": new["population"]}  # fmt: skip
    assert new["population"].startswith("Adults recruited") and new["population"].endswith("year")
    assert fast.peek({"doi:10.1000/appended.1"})[1]["design"] == "rct"


@pytest.mark.parametrize(
    "tail",
    ["# a closing remark of the reviewer\n", "notes: kept after the list\n"],
    ids=["comment", "key"],
)
def test_a_list_that_is_not_the_last_block_takes_the_round_trip(tmp_path, tail):
    shutil.copy(ROOT / "claims" / "papers.yaml", tmp_path / "papers.yaml")
    with (tmp_path / "papers.yaml").open("a", encoding="utf-8") as f:
        f.write(tail)
    _, appended, round_trip = _both(tmp_path)
    assert appended == round_trip
    data = yaml.safe_load(appended)
    assert data["papers"][-1]["doi"] == "10.1000/appended.1"
    assert ("notes" in data) == tail.startswith("notes")


def test_an_existing_entry_found_fast_has_its_line(tmp_path):
    papers = PapersDoc.read(ROOT / "claims")
    first = yaml.safe_load((ROOT / "claims" / "papers.yaml").read_text("utf-8"))["papers"][0]
    i, entry, line = papers.peek({first["pmid"]})
    lines = (ROOT / "claims" / "papers.yaml").read_text("utf-8").splitlines()
    assert i == 0 and entry == first and lines[line - 1].strip() == f'- pmid: "{first["pmid"]}"'
    assert papers.dump() == (ROOT / "claims" / "papers.yaml").read_text("utf-8")  # unchanged


def test_a_claim_file_changed_in_place_is_read_again(tmp_path):
    source = next((ROOT / "claims").glob("C01-*.yaml"))
    path = tmp_path / source.name
    text = source.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    claim, _ = parse_remembered(Claim, path)
    assert claim is not None
    stamp = path.stat()
    changed = text.replace(claim.title, claim.title[::-1], 1)
    assert len(changed) == len(text) and changed != text
    path.write_text(changed, encoding="utf-8")  # same size, same time stamp: another text
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    again, _ = parse_remembered(Claim, path)
    assert again.title == claim.title[::-1]
    assert parse_remembered(Claim, path)[0] is again  # unchanged since: not parsed again


def test_a_list_indented_another_way_is_written_whole(tmp_path):
    (tmp_path / "papers.yaml").write_text(
        'papers:\n    -   pmid: "3735481"\n        design: prospective-cohort\n', encoding="utf-8"
    )
    _, appended, round_trip = _both(tmp_path)
    assert appended == round_trip
    papers = yaml.safe_load(appended)["papers"]
    assert [p.get("pmid") or p["doi"] for p in papers] == ["3735481", "10.1000/appended.1"]
