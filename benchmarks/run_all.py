"""Run every benchmark and write docs/benchmarks.md: machine, versions, tables, target checks.

make bench        (installs the `bench` extra, then runs this)
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import date
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent


def run(script: str, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, str(HERE / script), *args],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    return proc.stdout.strip()


def versions() -> str:
    names = ["claimbook", "lxml", "biopython", "pubmed_parser", "requests", "urllib3", "pandas",
             "matplotlib", "Jinja2"]  # fmt: skip
    out = []
    for name in names:
        try:
            out.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name} (not installed)")
    chromium = subprocess.run(["chromium", "--version"], capture_output=True, text=True,
                              check=False).stdout.strip()  # fmt: skip
    return ", ".join(out) + (f"; {chromium}" if chromium else "")


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} cores; "
            f"Python {platform.python_version()}")  # fmt: skip


def parse_checks(rows: list[dict]) -> list[str]:
    """The issue's targets, checked against the 10 MB and 100 MB measurements."""
    lines = []
    by = {(r["mb"], r["tool"]): r for r in rows if "seconds" in r}
    for mb in sorted({r["mb"] for r in rows}):
        ours = by.get((mb, "claimbook"))
        if not ours:
            continue
        for tool, factor, label in (
            ("Biopython Entrez.read", 5.0, "at least 5x Biopython Entrez.read"),
            ("pubmed_parser parse_medline_xml (.gz input)", 1.5, "at least 1.5x pubmed_parser"),
        ):
            other = by.get((mb, tool))
            if other:
                speed = other["seconds"] / ours["seconds"]
                ok = "met" if speed >= factor else "MISSED"
                lines.append(f"- {mb} MB, {label}: {speed:.1f}x ({ok})")
        floor = by.get((mb, "lxml iterparse (floor)"))
        if floor:
            ratio = ours["seconds"] / floor["seconds"]
            ok = "met" if ratio <= 2 else "MISSED"
            lines.append(f"- {mb} MB, within 2x of the bare lxml floor: {ratio:.2f}x ({ok})")
    peaks = [by[(mb, "claimbook")]["peak_mb"] for mb in (10, 100) if (mb, "claimbook") in by]
    if len(peaks) == 2:
        flat = "flat" if peaks[1] <= peaks[0] * 1.25 + 5 else "NOT flat"
        lines.append(
            f"- claimbook peak memory 10 MB -> 100 MB: {peaks[0]:.0f} -> {peaks[1]:.0f} MB ({flat})"
        )
    return lines


def main() -> None:
    sizes = os.environ.get("BENCH_SIZES", "1,10,100")
    runs = os.environ.get("BENCH_RUNS", "3")
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "parse.json"
        parse_table = run("parse_bench.py", "--sizes", sizes, "--runs", runs, "--json", str(raw))
        rows = json.loads(raw.read_text())
    requests_table = run("requests_bench.py")
    scale_table = run("scale.py", "--runs", runs)
    doc = f"""# Benchmarks

Measured {date.today().isoformat()} with `make bench` (which runs `benchmarks/run_all.py`).

- Machine: {machine()}
- Versions: {versions()}

Every figure is a median over several runs (`BENCH_RUNS`, default 3); parsers run each in a
fresh process so peak memory (maximum resident set size) is their own.

## Parsing PubMed XML

`claimbook.pubmed.parse_pubmed_xml` against Biopython (`Bio.Entrez.read`, `Bio.Entrez.parse`),
pubmed_parser (`parse_medline_xml`, which only reads gzip files, so claimbook is also timed on
the same `.gz`) and a bare `lxml.etree.iterparse` pass that extracts nothing (the floor).
Input: real PubMed records from the shared E-utilities fixtures, repeated to each size.

{parse_table}

Targets:

{chr(10).join(parse_checks(rows))}

`Bio.Entrez.parse` refuses a PubmedArticleSet in this Biopython version ("does not represent
a list"), so it has no timing. What limits claimbook is lxml building each record's element
tree (the floor) plus reading about fifteen fields per record in Python (profiled with
cProfile: about 45% of the time is lxml, the rest field extraction). The first version
measured 2.4x the floor at 10 MB; cheaper paths for leaf text and author names cut that to
about 1.8x in quiet runs. Timings on this shared 2-core machine vary by about 20% from run to
run, so a ratio close to a target can land on either side of it; the table above is one run.

## Requests planned

HTTP requests and bytes to fetch N PMIDs, counted at a loopback E-utilities server.

{requests_table}

claimbook needs ceil(N/200) efetch requests, and none on a warm snapshot (`claimbook fetch`
with every cited PMID already fetched makes zero requests; the test suite checks it). One
request per PMID multiplies requests by 200 and, at NCBI's limit of 3 requests a second,
turns 10,000 PMIDs into at least 55 minutes (claimbook: 50 requests, at least 17 s; 5 s with
an API key). Biopython's tutorial call sends all ids in one POST: fewer requests, but one
failure loses everything and NCBI asks for batches of a few hundred ids.

## End to end

From a warm snapshot, for the shipped article and for a project scaled to 100 claims and
5,000 citations (the shipped claims replicated, citing only the real snapshot records).

{scale_table}
"""
    (ROOT / "docs" / "benchmarks.md").write_text(doc, encoding="utf-8")
    print(doc)


if __name__ == "__main__":
    main()
