"""Commands that start a review and check where it stands: `init`, `candidates`, `validate`,
`claims`, `status`. They read the review folder (init writes a new one) and print what they
found."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from claimbook.cli import app
from claimbook.cli.app import DirPath, folder_options, warn_alerts
from claimbook.cli.terminal import plain
from claimbook.errors import Problem
from claimbook.folder import ReviewFolder

if TYPE_CHECKING:
    from claimbook.pubmed.verify import Drift


@click.command()
@click.argument("directory", type=DirPath)
@click.option(
    "--article", "article_file", required=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="The article's text (saved as plain text). It is pointed at, not copied.",
)  # fmt: skip
@click.option("--title", default=None, help="The article's title (default: its first line).")
@click.option("--publisher", default=None, help="Who published it (site, clinic, brand).")
@click.option("--url", default=None, help="Where it was published.")
@click.option("--kind", default=None, help="What kind of piece it is, e.g. 'a clinic blog post'.")
@click.option(
    "--force", is_flag=True,
    help="Start the review in a folder that holds other files (never replaces one of them).",
)  # fmt: skip
def init(
    directory: Path, article_file: Path, title: str | None, publisher: str | None,
    url: str | None, kind: str | None, force: bool,
) -> None:  # fmt: skip
    """Create a review folder DIRECTORY for an article: metadata, an empty snapshot, notebooks,
    the sentences worth checking (candidates.yaml) and a README with the next steps."""
    from claimbook.edit.scaffold import CANDIDATES_FILE, init_review

    new = init_review(directory, article_file, title, publisher, url, kind, force=force)
    root = new.folder.root.as_posix()
    click.echo(plain(f'Created a review of "{new.title}" in {root}/:', one_line=True))
    click.echo(f"  claims/article.yaml   the article's metadata; text_file: {new.text_file}")
    click.echo(
        f"  {CANDIDATES_FILE:<20}  {len(new.candidates)} sentences that make checkable claims"
    )
    click.echo("  data/pubmed/          an empty snapshot")
    click.echo(
        f"  notebooks/            {len(new.notebooks)} notebooks (overview, topics, claim, "
        "workbench)"
    )
    click.echo("  README.md             the next steps")
    click.echo(f"Next: write claims in {root}/claims/, then claimbook validate --project {root}")


@click.command()
@click.argument("article_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list of objects.")
def candidates(article_file: Path, as_json: bool) -> None:
    """List the sentences of an article that make checkable claims, with their section and why
    each was picked."""
    import json

    from claimbook.article.candidates import find_candidates, format_candidates
    from claimbook.edit.scaffold import read_article

    found = find_candidates(read_article(article_file))
    if as_json:
        click.echo(json.dumps([c.to_dict() for c in found], ensure_ascii=False, indent=2))
    else:
        click.echo(f"{len(found)} sentences of {article_file} make checkable claims:\n")
        click.echo(plain(format_candidates(found)))


@click.command()
@folder_options()
@click.option(
    "--article", "article_file", default=None,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Article text to check quotes against (default: text_file in article.yaml, if present).",
)  # fmt: skip
def validate(folder: ReviewFolder, article_file: Path | None) -> None:
    """Check claim files, the snapshot and the article quotes; list every problem.

    Exits 0 when all is well and 1 with one FILE:LINE: field: message line per problem.
    Cited papers that are retracted, under an expression of concern or corrected, refresh
    disagreements not yet accepted, appraisals in papers.yaml no claim cites and a folder that
    still keeps appraisals on citations (run claimbook migrate) are listed as warnings (exit 0).
    """
    from claimbook.claims.load import ClaimsError
    from claimbook.claims.validate import validate_project
    from claimbook.pubmed import SnapshotError
    from claimbook.pubmed.verify import load_drift

    checked = validate_project(folder.claims, folder.data, article_file)
    try:
        drift = load_drift(folder.snapshot)
    except SnapshotError as exc:  # validate lists it as a problem, like the ones above
        raise ClaimsError([Problem(exc.file, exc.line, exc.field, exc.message)]) from exc
    click.echo(f"OK: {checked.summary()}.")
    for warning in checked.warnings:  # an older folder's appraisals; an appraisal not cited
        click.echo(plain(f"warning: {warning}", one_line=True), err=True)
    warn_alerts(checked.claims, checked.snapshot)
    _warn_drift(drift)
    _warn_review_gaps(checked)


def _warn_review_gaps(checked) -> None:
    """One warning line per cited review whose own GRADE rating is more than a level from
    claimbook's with no reason given (the rationale says so too)."""
    from claimbook.evidence.review_rating import unexplained_gaps
    from claimbook.evidence.table import evidence_table, verdicts

    table = evidence_table(checked.claims, checked.snapshot)
    for line in unexplained_gaps(table, verdicts(checked.claims, checked.snapshot, table=table)):
        click.echo(f"warning: {plain(line, one_line=True)}", err=True)


def _warn_drift(drift: dict[str, Drift]) -> None:
    """One warning line per PMID whose drift is not yet accepted."""
    for pmid, d in drift.items():
        fields = ", ".join(m.label for m in d.mismatches)
        click.echo(
            f"warning: PMID {pmid}: PubMed's record disagrees with the curated one ({fields}); "
            f"not applied: see claimbook show {pmid}",
            err=True,
        )


@click.command(name="claims")
@folder_options(data=False)
def claims_cmd(folder: ReviewFolder) -> None:
    """Print the claim table: id, topic, title and citations by stance."""
    from claimbook.claims.load import load_claims
    from claimbook.cli import terminal

    click.echo(terminal.claim_table(load_claims(folder.claims)))


@click.command()
@folder_options()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option(
    "--offline", is_flag=True, help="Never touch the network (new PubMed hits are not counted)."
)
def status(folder: ReviewFolder, as_json: bool, offline: bool) -> None:
    """What a reviewer should know now: records by source and age; cited papers retracted,
    under an expression of concern or corrected; refresh disagreements not yet accepted; draft
    claims; stale claims; and, online, how many new PubMed hits each claim's query has.

    A claim is stale when its `reviewed` date is older than the publication of its newest
    cited paper (records give the year: a paper counts as published on 1 January of its year).
    New hits: one search per claim, counting the records added to PubMed (Entrez date) since
    the claim's review date; without a network they are reported as not checked.
    """
    import json

    from claimbook.evidence.status import review_status

    found = review_status(folder, None if offline else app.client(quiet=True))
    if as_json:
        click.echo(json.dumps(found.to_dict(), ensure_ascii=False, indent=2))
    else:
        from claimbook.cli import terminal

        click.echo(terminal.status(found, folder.snapshot, offline))


COMMANDS = [init, candidates, validate, claims_cmd, status]
