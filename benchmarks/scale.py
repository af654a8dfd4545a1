"""End-to-end cost at scale: validate, grade and report for the shipped article and for a
project scaled to 100 claims and 5,000 citations (made in a temp dir from the shipped claims,
citing only the real snapshot records, so no citation is invented).

    python benchmarks/scale.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def write_article(claims_dir: Path) -> None:
    """article.yaml with an absolute text_file, so quotes are still checked from a temp dir."""
    article = yaml.safe_load((ROOT / "claims" / "article.yaml").read_text(encoding="utf-8"))
    article["text_file"] = str((ROOT / article["text_file"]).resolve())
    (claims_dir / "article.yaml").write_text(
        yaml.safe_dump(article, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )


def scaled_project(dest: Path, n_claims: int = 100, per_claim: int = 50, seed: int = 1) -> Path:
    """A copy of the project with `n_claims` claims of `per_claim` citations each."""
    from claimbook.claims.load import load_claims
    from claimbook.pubmed.store import load_snapshot

    rnd = random.Random(seed)
    claims_dir = dest / "claims"
    claims_dir.mkdir(parents=True)
    write_article(claims_dir)
    shutil.copytree(ROOT / "data", dest / "data")
    snapshot = load_snapshot(ROOT / "data" / "pubmed")
    records = list(snapshot)
    base = [c for c in load_claims(ROOT / "claims") if not c.part]  # whole records as models
    stances = ["supports", "contradicts", "mixed", "context"]
    for i in range(n_claims):
        proto = base[i % len(base)]
        data = yaml.safe_load(proto.path.read_text(encoding="utf-8"))
        # Two-digit ids up to C99 (then C100), like the shipped ones.
        data["id"] = f"C{i + 1:02d}"
        data["slug"] = f"{proto.slug}-{i + 1}"
        picks = rnd.sample(records, min(per_claim, len(records)))
        evidence = []
        for rec in picks:
            cit = (
                {"pmid": rec.pmid}
                if rec.pmid
                else {"doi": rec.doi}
                if rec.doi
                else {"url": rec.url}
            )
            cit |= {
                "stance": rnd.choice(stances),
                "design": "prospective-cohort",
                "n": rnd.randint(5, 500),
                "finding": "Scaled copy for benchmarking only.",
            }
            evidence.append(cit)
        data["evidence"] = evidence
        data["excluded"] = []
        (claims_dir / f"{data['id']}-{data['slug']}.yaml").write_text(
            yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
    return dest


def timed(fn: Callable[[], object], runs: int) -> float:
    """Median wall time of `runs` calls (after one warm-up)."""
    fn()
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def measure(project: Path, runs: int, out: Path) -> dict[str, float]:
    from claimbook.claims.validate import validate_project
    from claimbook.evidence.review import load_review

    checked = validate_project(project / "claims", project / "data").article_text_checked
    assert checked is not None, "the article text must be found, or quotes go unchecked"
    results = {
        "validate": timed(lambda: validate_project(project / "claims", project / "data"), runs),
        "grade (load_review)": timed(
            lambda: load_review(project / "claims", project / "data"), runs
        ),
    }
    from claimbook.notebooks.build import build_notebooks
    from claimbook.notebooks.run import execute_all
    from claimbook.report import build_report

    review = load_review(project / "claims", project / "data")
    results["report html + md + exports"] = timed(
        lambda: build_report(review, out, formats=("html", "md")), runs
    )
    results["report pdf (HTML printed by Chromium)"] = timed(
        lambda: build_report(review, out, formats=("pdf",)), runs
    )
    results["all formats, from the YAML files"] = timed(
        lambda: build_report(load_review(project / "claims", project / "data"), out), runs
    )
    build_notebooks(project)  # overview, one per topic, claim: from the project's own claims
    results["notebooks (execute all)"] = timed(lambda: execute_all(project / "notebooks"), 1)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, help="also write the raw seconds here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        shipped_copy = tmp / "shipped"
        for part in ("claims", "data", "notebooks"):
            shutil.copytree(ROOT / part, shipped_copy / part)
        write_article(shipped_copy / "claims")
        shipped = measure(shipped_copy, args.runs, tmp / "out-shipped")
        big = measure(scaled_project(tmp / "scaled"), args.runs, tmp / "out-scaled")
    if args.json:
        args.json.write_text(json.dumps({"shipped": shipped, "scaled": big}, indent=2))
    print("| step | shipped article | 100 claims / 5,000 citations |\n|---|---:|---:|")
    for step in shipped:
        print(f"| {step} | {shipped[step]:.3f} s | {big.get(step, float('nan')):.3f} s |")


if __name__ == "__main__":
    main()
