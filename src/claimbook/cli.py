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


if __name__ == "__main__":  # pragma: no cover
    main()
