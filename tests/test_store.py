"""The snapshot store: sorted records, atomic writes, manifest hashes, located errors."""

from __future__ import annotations

import gzip
import hashlib
import json
import multiprocessing
import os
from pathlib import Path

import pytest

from claimbook.pubmed import store
from claimbook.pubmed.store import PaperRecord, SnapshotError, load_snapshot, save_snapshot

from conftest import ROOT


def _rec(pmid=None, doi=None, url=None, title="A title", **kw) -> PaperRecord:
    return PaperRecord(pmid=pmid, doi=doi, url=url, title=title, source="curated", **kw)


def test_shipped_snapshot_loads_and_is_sorted_by_key():
    path = ROOT / "data" / "pubmed" / "records.jsonl"
    snap = load_snapshot(path.parent)
    keys = [json.loads(line)["pmid"] for line in path.read_text().splitlines()]
    pmids = [k for k in keys if k]
    assert pmids == sorted(pmids, key=int)
    # PMIDs come first, then DOI-only records.
    assert keys[: len(pmids)] == pmids
    assert len(snap) == len(keys)


def test_records_round_trip_and_sort_numerically(tmp_path):
    recs = [_rec("900"), _rec(doi="10.1000/B"), _rec("25"), _rec(url="https://example.org/x")]
    save_snapshot(tmp_path, recs)
    lines = (tmp_path / "records.jsonl").read_text().splitlines()
    assert [json.loads(x)["pmid"] for x in lines[:2]] == ["25", "900"]
    assert json.loads(lines[2])["doi"] == "10.1000/B"
    snap = load_snapshot(tmp_path)
    assert [r.key for r in snap] == ["25", "900", "doi:10.1000/b", "url:https://example.org/x"]
    # A DOI is found whatever its case.
    assert snap.find(doi="10.1000/b").key == "doi:10.1000/b"


def test_saving_twice_gives_identical_bytes(tmp_path):
    recs = [_rec("2"), _rec("1", authors=["Müller K"])]
    save_snapshot(tmp_path, recs)
    first = (tmp_path / "records.jsonl").read_bytes()
    save_snapshot(tmp_path, list(reversed(recs)))
    assert (tmp_path / "records.jsonl").read_bytes() == first
    assert "Müller".encode() in first  # non-ASCII kept readable, not \u-escaped


def test_manifest_counts_and_hashes(tmp_path):
    store.write_raw(tmp_path, "efetch-x", b"<PubmedArticleSet/>")
    save_snapshot(tmp_path, [_rec("1"), _rec("2")], {"action": "test"})
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    body = (tmp_path / "records.jsonl").read_bytes()
    assert manifest["records"] == {"total": 2, "by_source": {"curated": 2}}
    assert manifest["hashes"]["records.jsonl"] == hashlib.sha256(body).hexdigest()
    raw = (tmp_path / "raw" / "efetch-x.xml.gz").read_bytes()
    assert manifest["hashes"]["raw/efetch-x.xml.gz"] == hashlib.sha256(raw).hexdigest()
    assert manifest["history"] == [{"action": "test"}]


def test_raw_is_kept_exactly(tmp_path):
    body = b'<?xml version="1.0"?>\n<PubmedArticleSet>\xc3\xa9</PubmedArticleSet>\n'
    rel = store.write_raw(tmp_path, "r", body)
    assert store.read_raw(tmp_path, rel) == body
    assert gzip.decompress((tmp_path / rel).read_bytes()) == body


def test_atomic_write_leaves_old_file_when_writing_fails(tmp_path, monkeypatch):
    target = tmp_path / "records.jsonl"
    target.write_bytes(b"old\n")

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", boom)  # fail after the temp file got its bytes
    with pytest.raises(OSError, match="disk full"):
        store.atomic_write(target, b"new\n")
    assert target.read_bytes() == b"old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["records.jsonl"]  # no temp left behind


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ("{not json", "json", "invalid JSON"),
        ('{"pmid": "12a", "title": "t", "source": "curated"}', "pmid", "malformed PMID"),
        ('{"pmid": "1", "title": "t", "source": "guess"}', "source", "Input should be"),
        ('{"pmid": "1", "title": "t", "source": "curated", "colour": 1}', "colour", "Extra"),
    ],
)
def test_bad_snapshot_lines_are_located(tmp_path, line, field, message):
    good = json.dumps({"pmid": "5", "title": "t", "source": "curated"})
    (tmp_path / "records.jsonl").write_text(good + "\n" + line + "\n")
    with pytest.raises(SnapshotError) as info:
        load_snapshot(tmp_path)
    err = info.value
    assert (err.line, err.field) == (2, field)
    assert message in err.message
    assert str(err).startswith(f"{tmp_path / 'records.jsonl'}:2: {field}: ")


def test_duplicate_keys_are_refused(tmp_path):
    line = json.dumps({"pmid": "5", "title": "t", "source": "curated"})
    (tmp_path / "records.jsonl").write_text(line + "\n" + line + "\n")
    with pytest.raises(SnapshotError, match="duplicate record 5 \\(first on line 1\\)"):
        load_snapshot(tmp_path)


def _hold_lock(directory: str, ready, release) -> None:
    with store.lock(directory):
        ready.set()
        release.wait(10)


def test_lock_excludes_a_second_process(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    ready, release = ctx.Event(), ctx.Event()
    proc = ctx.Process(target=_hold_lock, args=(str(tmp_path), ready, release))
    proc.start()
    try:
        assert ready.wait(20)
        # Waiting too long for the lock is a one-line error naming the lock file, not
        # filelock's Timeout.
        with (
            pytest.raises(SnapshotError, match="holds its lock") as info,
            store.lock(tmp_path, timeout=0.2),
        ):
            pass
        assert str(tmp_path / ".lock") in str(info.value)
    finally:
        release.set()
        proc.join(10)
    with store.lock(tmp_path, timeout=5):
        pass


def test_missing_snapshot_is_empty(tmp_path):
    assert len(load_snapshot(tmp_path / "nothing")) == 0


def test_citation_needs_an_identifier():
    with pytest.raises(ValueError, match="needs a pmid, a doi or a url"):
        store.citation_key(None, None, None)


def test_record_written_and_read_keeps_every_field(tmp_path):
    rec = _rec(
        "3735481",
        doi="10.1080/02640418608732095",
        pmcid="PMC1",
        authors=["Maughan RJ"],
        year=1986,
        retracted=True,
        corrections=[store.Correction(type="RetractionIn", pmid="7", source="J 2000")],
        abstract_sections=[store.AbstractSection(label="AIM", category="OBJECTIVE", text="x")],
    )
    save_snapshot(tmp_path, [rec])
    back = load_snapshot(tmp_path).get("3735481")
    assert back == rec
    assert Path(tmp_path / "records.jsonl").read_text().count("\n") == 1


def test_concern_and_corrected_come_from_the_correction_links(tmp_path):
    def link(kind: str) -> store.Correction:
        return store.Correction(type=kind, pmid="35767954", source="Cell Rep. 2022")

    plain = _rec("35649368")
    assert (plain.retracted, plain.concern, plain.corrected) == (False, False, False)
    corrected = _rec("35649368", corrections=[link("ErratumIn")])
    assert (corrected.concern, corrected.corrected) == (False, True)
    concern = _rec("35649368", corrections=[link("ExpressionOfConcernIn")])
    assert (concern.concern, concern.corrected) == (True, False)
    # The notices themselves (ErratumFor, ExpressionOfConcernFor) flag nothing.
    notice = _rec("35767954", corrections=[link("ErratumFor"), link("ExpressionOfConcernFor")])
    assert (notice.concern, notice.corrected) == (False, False)
    # Derived, never stored: the snapshot format is unchanged.
    save_snapshot(tmp_path, [concern])
    line = json.loads((tmp_path / "records.jsonl").read_text())
    assert "concern" not in line and "corrected" not in line
