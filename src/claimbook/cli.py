"""The `claimbook` command line: a thin layer over the library (validate, claims, curate, ...)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from claimbook import __version__
from claimbook.claims import ClaimsError, Project, load_claims, validate_project
from claimbook.pubmed import store

CLAIMS_OPT = click.option(
    "--claims",
    "claims_dir",
    default="claims",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of claim YAML files (with article.yaml).",
)
DATA_OPT = click.option(
    "--data",
    "data_dir",
    default="data",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Data folder; the PubMed snapshot lives in DATA/pubmed.",
)
ARTICLE_OPT = click.option(
    "--article",
    "article_file",
    default=None,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Article text to check quotes against (default: text_file in article.yaml, if present).",
)


def _fail(problems: list) -> None:
    for p in problems:
        click.echo(str(p), err=True)
    n = len(problems)
    click.echo(f"{n} problem{'s' if n != 1 else ''} found.", err=True)
    sys.exit(1)


def _project(claims_dir: Path, data_dir: Path, article_file: Path | None) -> Project:
    try:
        return validate_project(claims_dir, data_dir, article_file)
    except ClaimsError as exc:
        _fail(exc.problems)
        raise  # unreachable


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="claimbook")
def main() -> None:
    """Check a health article's claims against the research literature."""


@main.command()
@CLAIMS_OPT
@DATA_OPT
@ARTICLE_OPT
def validate(claims_dir: Path, data_dir: Path, article_file: Path | None) -> None:
    """Check claim files, the snapshot and the article quotes; list every problem.

    Exits 0 when all is well and 1 with one FILE:LINE: field: message line per problem.
    """
    project = _project(claims_dir, data_dir, article_file)
    n_cit = sum(len(c.evidence) for c in project.claims)
    sources = ", ".join(f"{n} {s}" for s, n in sorted(project.snapshot.count_by_source().items()))
    quotes = (
        f"quotes checked against {project.article_text_checked}"
        if project.article_text_checked
        else "quotes NOT checked (article text not found; pass --article FILE)"
    )
    click.echo(
        f"OK: {len(project.claims)} claims, {n_cit} citations, "
        f"snapshot of {len(project.snapshot)} records ({sources}); {quotes}."
    )


@main.command(name="claims")
@CLAIMS_OPT
def claims_cmd(claims_dir: Path) -> None:
    """Print the claim table: id, topic, title and citations by stance."""
    try:
        claims = load_claims(claims_dir)
    except ClaimsError as exc:
        _fail(exc.problems)
    click.echo(format_claim_table(claims))


def format_claim_table(claims: list) -> str:
    """A plain-text table of claims with citation counts by stance."""
    headers = ["id", "topic", "title", "sup", "con", "mix", "ctx"]
    rows = []
    for c in claims:
        s = c.stance_counts()
        rows.append(
            [c.id, c.topic, c.title]
            + [str(s[k]) for k in ("supports", "contradicts", "mixed", "context")]
        )
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def fmt(row: list[str]) -> str:
        cells = [
            cell.rjust(w) if i >= 3 else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    lines = [fmt(headers), "  ".join("-" * w for w in widths)]
    lines += [fmt(r) for r in rows]
    lines.append("sup/con/mix/ctx = citations that support / contradict / are mixed / give context")
    return "\n".join(lines)


@main.command()
@click.option(
    "--evidence",
    "evidence_dir",
    default="../shared/evidence",
    show_default=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Folder of curated evidence dossiers (*.json).",
)
@CLAIMS_OPT
@DATA_OPT
def curate(evidence_dir: Path, claims_dir: Path, data_dir: Path) -> None:
    """Add curated records for every cited paper to the snapshot (maintainers).

    Records already fetched from E-utilities are kept; curated ones are rebuilt.
    """
    from claimbook.curated import CurationError, merge_into, read_dossiers, records_for

    try:
        claims = load_claims(claims_dir)
    except ClaimsError as exc:
        _fail(exc.problems)
    cited = [(c.pmid, c.doi, c.url) for claim in claims for c in claim.evidence]
    try:
        curated = records_for(cited, read_dossiers(evidence_dir))
    except CurationError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    store_dir = data_dir / "pubmed"
    with store.lock(store_dir):
        snapshot = store.load_snapshot(store_dir)
        records = merge_into(snapshot, curated)
        store.save_snapshot(
            store_dir,
            records,
            {
                "action": "curate",
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
                "evidence": [p.name for p in sorted(evidence_dir.glob("*.json"))],
                "cited": len({r.key for r in curated}),
            },
        )
    click.echo(f"Snapshot {store_dir}: {len(records)} records ({len(curated)} curated).")


QUIET_OPT = click.option("--quiet", "-q", is_flag=True, help="No progress bar.")


def _client(quiet: bool):
    from claimbook.pubmed.client import EutilsClient

    return EutilsClient(progress=False if quiet else None)


def _load_claims_or_fail(claims_dir: Path) -> list:
    try:
        return load_claims(claims_dir)
    except ClaimsError as exc:
        _fail(exc.problems)
        raise  # unreachable


def _short_list(items: list[str], limit: int = 10) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" (+{len(items) - limit} more)" if len(items) > limit else "")


@main.command()
@CLAIMS_OPT
@DATA_OPT
@click.option(
    "--refresh", is_flag=True, help="Fetch every cited PMID again, not only missing ones."
)
@click.option("--offline", is_flag=True, help="Never touch the network; say what is missing.")
@QUIET_OPT
def fetch(claims_dir: Path, data_dir: Path, refresh: bool, offline: bool, quiet: bool) -> None:
    """Fetch cited PMIDs from PubMed E-utilities into the snapshot.

    Only PMIDs without an E-utilities record are fetched (all of them with --refresh); a warm
    snapshot makes no request at all. Each batch is stored as soon as it arrives.
    """
    from claimbook.pubmed import PubMedError
    from claimbook.pubmed.sync import cited_pmids, plan, sync

    claims = _load_claims_or_fail(claims_dir)
    store_dir = data_dir / "pubmed"
    try:
        snapshot = store.load_snapshot(store_dir)
    except store.SnapshotError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    pmids = cited_pmids(claims)
    todo = plan(pmids, snapshot, refresh=refresh)
    if not todo:
        click.echo(
            f"Snapshot up to date: all {len(pmids)} cited PMIDs come from E-utilities; "
            "no request made."
        )
        return
    if offline:
        click.echo(
            f"Offline: {len(todo)} of {len(pmids)} cited PMIDs have no E-utilities record "
            f"yet (curated records are used meanwhile): {_short_list(todo)}"
        )
        return
    try:
        report = sync(todo, store_dir, _client(quiet))
    except PubMedError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Fetched {len(report.stored)} of {len(todo)} PMIDs into {store_dir}.")
    if report.missing:
        click.echo(
            f"error: PubMed returned no record for PMID {_short_list(report.missing)} "
            "(deleted or unknown); check the claims that cite them.",
            err=True,
        )
        sys.exit(1)


@main.command()
@click.argument("claim_id")
@CLAIMS_OPT
@click.option("--max", "max_hits", default=20, show_default=True, help="How many new hits to list.")
@QUIET_OPT
def search(claim_id: str, claims_dir: Path, max_hits: int, quiet: bool) -> None:
    """Run a claim's saved PubMed query; list hits neither cited nor excluded."""
    from claimbook.designs import design_from_pubmed
    from claimbook.pubmed import PubMedError

    claims = {c.id: c for c in _load_claims_or_fail(claims_dir)}
    claim = claims.get(claim_id.upper())
    if claim is None:
        click.echo(
            f"error: no claim {claim_id} in {claims_dir} (known: {', '.join(sorted(claims))})",
            err=True,
        )
        sys.exit(1)
    known = {c.pmid for c in list(claim.evidence) + list(claim.excluded) if c.pmid}
    client = _client(quiet)
    try:
        result = client.esearch(claim.query, retmax=max_hits + len(known))
        new = [pmid for pmid in result.ids if pmid not in known][:max_hits]
        summaries = client.esummary(new) if new else {}
    except PubMedError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(
        f"{claim.id}: {result.count} PubMed hits; {len(new)} shown that are neither "
        "cited nor excluded."
    )
    for pmid in new:
        doc = summaries.get(pmid, {})
        year = (doc.get("pubdate") or "")[:4] or "----"
        design = design_from_pubmed(doc.get("pubtype") or []) or "-"
        click.echo(f"{pmid:>9}  {year}  {design:<20}  {doc.get('title', '')}")


@main.command()
@click.argument("pmids", nargs=-1, required=True)
@DATA_OPT
@click.option("--offline", is_flag=True, help="Only the snapshot; never touch the network.")
@QUIET_OPT
def show(pmids: tuple[str, ...], data_dir: Path, offline: bool, quiet: bool) -> None:
    """Print records from the snapshot, fetching the ones it lacks (not stored)."""
    from claimbook.pubmed import PubMedError
    from claimbook.pubmed.sync import record_from_article

    bad = [p for p in pmids if not store.PMID_RE.match(p)]
    if bad:
        click.echo(f"error: not a PMID: {', '.join(bad)} (digits only)", err=True)
        sys.exit(2)
    snapshot = store.load_snapshot(data_dir / "pubmed")
    records = {p: snapshot.get(p) for p in pmids}
    absent = [p for p, r in records.items() if r is None]
    if absent and offline:
        click.echo(f"error: not in the snapshot (offline): {', '.join(absent)}", err=True)
        sys.exit(1)
    if absent:
        from claimbook.pubmed.parse import parse_pubmed_xml

        try:
            result = _client(quiet).efetch(absent)
        except PubMedError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        for batch in result.batches:
            for art in parse_pubmed_xml(batch.raw):
                records[art.pmid] = record_from_article(art, batch.fetched_at, "(not stored)")
    found = [rec for rec in records.values() if rec is not None]
    click.echo("\n\n".join(format_record(rec) for rec in found))
    missing = [p for p, r in records.items() if r is None]
    if missing:
        click.echo(f"error: PubMed returned no record for PMID {', '.join(missing)}", err=True)
        sys.exit(1)


def format_record(rec: store.CitationRecord) -> str:
    """A citation record as a few readable lines for the terminal."""
    ids = [
        f"PMID {rec.pmid}" if rec.pmid else None,
        f"doi:{rec.doi}" if rec.doi else None,
        rec.pmcid,
        rec.url,
    ]
    if rec.source == "curated":
        prov = f"curated {rec.curated_on}, verified on {', '.join(rec.verified_from[:2])}"
    else:
        prov = f"PubMed E-utilities, fetched {rec.fetched_at:%Y-%m-%d}"
    authors = ", ".join(rec.authors[:6]) + (", et al." if len(rec.authors) > 6 else "")
    lines = [
        "  ".join(i for i in ids if i),
        rec.title,
        f"{authors}. {rec.journal or ''} {rec.year or ''}".strip(),
    ]
    if rec.publication_types:
        lines.append("Publication types: " + ", ".join(rec.publication_types))
    if rec.retracted:
        lines.append("RETRACTED")
    if rec.abstract:
        lines.append("")
        lines.append(rec.abstract)
    lines.append(f"[source: {prov}]")
    return "\n".join(lines)


@main.command()
@click.option(
    "--format",
    "formats",
    default="html,pdf,md",
    show_default=True,
    help="Comma-separated formats: html, pdf, md. Citation exports are always written.",
)
@click.option(
    "--out",
    "out_dir",
    default="reports",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write the report and exports into.",
)
@CLAIMS_OPT
@DATA_OPT
@click.option(
    "--rules",
    "rules_file",
    default=None,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Grading rules YAML (default: the built-in rules/grading.yaml).",
)
@QUIET_OPT
def report(
    formats: str, out_dir: Path, claims_dir: Path, data_dir: Path, rules_file: Path | None,
    quiet: bool,
) -> None:  # fmt: skip
    """Build the claim-by-claim report (HTML, PDF, Markdown) and citation exports, offline."""
    from claimbook.report import FORMATS, ReportError, build_report
    from claimbook.review import load_review

    wanted = [f.strip().lower() for f in formats.split(",") if f.strip()]
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise click.BadParameter(
            f"unknown format {', '.join(unknown) or '(none)'}; choose from {', '.join(FORMATS)}",
            param_hint="--format",
        )
    try:
        review = load_review(claims_dir, data_dir, rules_file)
    except ClaimsError as exc:
        _fail(exc.problems)
    try:
        written = build_report(review, out_dir, wanted, progress=None if not quiet else False)
    except ReportError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    main_files = [str(written[f]) for f in FORMATS if f in written]
    n_exports = len(written) - len(main_files)
    click.echo(f"Wrote {', '.join(main_files)} and {n_exports} exports in {out_dir}.")


@main.command()
@click.option(
    "--dir",
    "notebooks_dir",
    default="notebooks",
    show_default=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Folder of the review notebooks.",
)
@click.option("--claim", "claim_id", default=None, help="Render the claim notebook for one claim.")
@click.option(
    "--out",
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where --claim writes its notebook (default: reports/notebooks/claim-ID.ipynb).",
)
@QUIET_OPT
def notebooks(notebooks_dir: Path, claim_id: str | None, out: Path | None, quiet: bool) -> None:
    """Re-execute the review notebooks in place, or render one claim's notebook."""
    from tqdm import tqdm

    from claimbook import notebooks as nbs

    if claim_id:
        claim_id = claim_id.upper()
        out = out or Path("reports") / "notebooks" / f"claim-{claim_id}.ipynb"
        nbs.render_claim(claim_id, out, notebooks_dir)
        click.echo(f"Wrote {out}")
        return
    paths = nbs.review_notebooks(notebooks_dir)
    with tqdm(total=len(paths), unit="notebook", disable=quiet or None) as bar:
        for path in paths:
            bar.set_postfix_str(path.name)
            nbs.execute_in_place(path)
            bar.update()
    click.echo(f"Executed {len(paths)} notebooks in place in {notebooks_dir}.")


if __name__ == "__main__":  # pragma: no cover
    main()
