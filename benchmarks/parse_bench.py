"""Parse throughput and peak memory: claimbook against Biopython (Entrez.read, Entrez.parse),
pubmed_parser (parse_medline_xml) and a bare lxml iterparse pass (the floor), on the same input:
real PubMed records from the shared fixtures, repeated to 1, 10 and 100 MB.

Each measurement runs in a fresh process (so peak RSS is that parser's own) and is the median
of several runs. Peers come from the `bench` extra: pip install -e '.[bench]'.

    python benchmarks/parse_bench.py [--sizes 1,10,100] [--runs 3]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT.parent / "shared" / "fixtures" / "eutils" / "efetch-pubmed"
HEADER = (
    b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
    b'1st January 2025//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n'
    b"<PubmedArticleSet>\n"
)
FOOTER = b"</PubmedArticleSet>\n"

# Each runner: (imports, timed body that parses PATH and sets n); run in its own process.
RUNNERS = {
    "claimbook": (
        "from claimbook.pubmed.parse import parse_pubmed_xml",
        "n = sum(1 for _ in parse_pubmed_xml(PATH))",
    ),
    "lxml iterparse (floor)": (
        "from lxml import etree",
        """
n = 0
for _, el in etree.iterparse(PATH, events=("end",), tag="PubmedArticle", load_dtd=False,
                             no_network=True, resolve_entities=False):
    n += 1
    el.clear()
    while el.getprevious() is not None:
        del el.getparent()[0]
""",
    ),
    "Biopython Entrez.read": (
        "from Bio import Entrez",
        """
with open(PATH, "rb") as fh:
    n = len(Entrez.read(fh, validate=False)["PubmedArticle"])
""",
    ),
    "Biopython Entrez.parse": (
        "from Bio import Entrez",
        """
with open(PATH, "rb") as fh:
    n = sum(1 for _ in Entrez.parse(fh, validate=False))
""",
    ),
    "claimbook (.gz input)": (
        "from claimbook.pubmed.parse import parse_pubmed_xml",
        "n = sum(1 for _ in parse_pubmed_xml(PATH + '.gz'))",
    ),
    # pubmed_parser only reads gzip-compressed files (baseline files are .xml.gz).
    "pubmed_parser parse_medline_xml (.gz input)": (
        "import pubmed_parser",
        "n = sum(1 for _ in pubmed_parser.parse_medline_xml(PATH + '.gz'))",
    ),
}

HARNESS = """
import json, resource, sys, time
PATH = sys.argv[1]
{setup}
t0 = time.perf_counter()
{code}
elapsed = time.perf_counter() - t0
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"n": n, "seconds": elapsed, "peak_mb": peak_kb / 1024}}))
"""


# Pre-2014 records put <Affiliation> outside <AffiliationInfo>; Biopython's parser, driven by the
# current DTD, rejects them, so they are left out to give every parser the same input.


def records() -> list[bytes]:
    """Every distinct real <PubmedArticle> element in the shared efetch fixtures."""
    seen: dict[bytes, bytes] = {}
    for path in sorted(FIXTURES.glob("*.xml")):
        for m in re.finditer(rb"<PubmedArticle>.*?</PubmedArticle>", path.read_bytes(), re.S):
            if m.group(0).count(b"<Affiliation>") != m.group(0).count(b"<AffiliationInfo>"):
                continue
            pmid = re.search(rb"<PMID[^>]*>(\d+)</PMID>", m.group(0)).group(1)
            seen.setdefault(pmid, m.group(0))
    return list(seen.values())


def build_input(path: Path, megabytes: int, recs: list[bytes]) -> int:
    """Write a PubmedArticleSet of about `megabytes` MB by repeating the real records."""
    target = megabytes * 1_000_000
    count = 0
    with open(path, "wb") as fh:
        fh.write(HEADER)
        size = len(HEADER)
        while size < target:
            rec = recs[count % len(recs)]
            fh.write(rec + b"\n")
            size += len(rec) + 1
            count += 1
        fh.write(FOOTER)
    return count


def run_once(tool: str, path: Path) -> dict:
    setup, body = RUNNERS[tool]
    code = HARNESS.format(setup=setup, code=body)
    proc = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        return {"error": proc.stderr.strip().splitlines()[-1][:120]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(tool: str, path: Path, runs: int) -> dict:
    results = [run_once(tool, path) for _ in range(runs)]
    if any("error" in r for r in results):
        return next(r for r in results if "error" in r)
    return {
        "n": results[0]["n"],
        "seconds": statistics.median(r["seconds"] for r in results),
        "peak_mb": statistics.median(r["peak_mb"] for r in results),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1,10,100", help="input sizes in MB")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--tools", default=",".join(RUNNERS))
    parser.add_argument("--json", type=Path, help="also write raw results here")
    args = parser.parse_args()
    recs = records()
    if not recs:
        sys.exit(f"parse_bench: no PubMed records in {FIXTURES} (../shared beside the repo?)")
    tools = [t for t in RUNNERS if t in args.tools.split(",")]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for mb in (int(s) for s in args.sizes.split(",")):
            path = Path(tmp) / f"pubmed-{mb}mb.xml"
            n_records = build_input(path, mb, recs)
            with open(path, "rb") as src, gzip.open(f"{path}.gz", "wb", compresslevel=6) as dst:
                shutil.copyfileobj(src, dst)
            size_mb = path.stat().st_size / 1e6
            for tool in tools:
                r = measure(tool, path, args.runs)
                r.update(tool=tool, mb=mb, size_mb=size_mb, records=n_records)
                rows.append(r)
                print(json.dumps(r), file=sys.stderr)
    print(f"Input: {len(recs)} distinct real PubMed records from the shared fixtures, repeated.")
    print(f"Median of {args.runs} runs, each in a fresh process.\n")
    print("| input | parser | records | seconds | records/s | MB/s | peak RSS MB | vs claimbook |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for mb in sorted({r["mb"] for r in rows}):
        ours = next((r for r in rows if r["mb"] == mb and r["tool"] == "claimbook"), None)
        for r in (r for r in rows if r["mb"] == mb):
            if "error" in r:
                print(f"| {mb} MB | {r['tool']} | - | failed: {r['error']} | | | | |")
                continue
            rel = (
                f"{r['seconds'] / ours['seconds']:.2f}x time" if ours and "seconds" in ours else ""
            )
            print(
                f"| {mb} MB | {r['tool']} | {r['n']:,} | {r['seconds']:.2f} | "
                f"{r['n'] / r['seconds']:,.0f} | {r['size_mb'] / r['seconds']:.1f} | "
                f"{r['peak_mb']:.0f} | {rel} |"
            )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
