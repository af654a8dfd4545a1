"""Commands that build what a review is read in: `report` (HTML, PDF, Markdown and citation
exports), `diff` (what changed between two builds) and `notebooks` (build and run them)."""

from __future__ import annotations

from pathlib import Path

import click

from claimbook.cli.app import QUIET_OPT, DirPath, folder_options
from claimbook.cli.terminal import plain
from claimbook.folder import ReviewFolder


@click.command()
@click.option(
    "--format", "formats", default=None,
    help="Comma-separated formats: html, pdf, md. Citation exports are always written. "
    "[default: html,pdf,md; the PDF only when a browser is found]",
)  # fmt: skip
@click.option(
    "--out", "out_dir", default=None, type=DirPath,
    help="Folder to write the report and exports into.  [default: DIR/reports]",
)  # fmt: skip
@folder_options()
@click.option(
    "--rules", "rules_file", default=None,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Grading rules YAML (default: the built-in rules/grading.yaml).",
)  # fmt: skip
@QUIET_OPT
def report(
    formats: str | None, out_dir: Path | None, folder: ReviewFolder, rules_file: Path | None,
    quiet: bool,
) -> None:  # fmt: skip
    """Build the claim-by-claim report (HTML, PDF, Markdown) and citation exports, offline."""
    from claimbook.evidence.changes import REVIEW_JSON
    from claimbook.evidence.review import load_review
    from claimbook.report import FORMATS, build_report, parse_formats
    from claimbook.report.annotate import ANNOTATED, skipped
    from claimbook.report.cache import grading_cache

    try:
        wanted = parse_formats(formats or ",".join(FORMATS))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--format") from None
    out_dir = out_dir or folder.reports
    review = load_review(folder.claims, folder.data, rules_file, cache=grading_cache(out_dir))
    written = build_report(
        review, out_dir, wanted, progress=None if not quiet else False,
        pdf_if_browser=formats is None,
    )  # fmt: skip
    main_files = [str(written[f]) for f in FORMATS if f in written]
    n_exports = len([k for k in written if k not in (*FORMATS, *ANNOTATED) and k != REVIEW_JSON])
    click.echo(f"Wrote {', '.join(main_files)} and {n_exports} exports in {out_dir}.")
    if "pdf" in wanted and "pdf" not in written:
        from claimbook.report.browser import HOW_TO_GET_ONE

        click.echo(f"PDF skipped: no browser found to print it; {HOW_TO_GET_ONE}.")
    if "annotated" in written:
        click.echo(f"Wrote {written['annotated']}: it holds the article's full text, for your own "
                   "use only (do not share or commit it).")  # fmt: skip
    for line in skipped(review):
        click.echo(line)
    _say_changes(out_dir)


def _say_changes(out_dir: Path) -> None:
    """One line on what changed since the last review built into `out_dir`, if anything."""
    from claimbook.evidence.changes import (
        REVIEW_JSON,
        ReviewJSONError,
        diff_reviews,
        load_review_json,
    )
    from claimbook.report import PREVIOUS_JSON

    try:
        changes = diff_reviews(
            load_review_json(out_dir / PREVIOUS_JSON), load_review_json(out_dir / REVIEW_JSON)
        )
    except ReviewJSONError:  # no earlier build to compare with
        return
    if not changes:
        return
    click.echo(
        f"Changes since the last review: {changes.counts_in_words()} (see the report; "
        f"claimbook diff {out_dir / PREVIOUS_JSON} {out_dir / REVIEW_JSON} lists them)."
    )


@click.command("diff")
@click.argument("old", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("new", required=False, type=click.Path(dir_okay=False, path_type=Path))
@folder_options()
def diff_command(old: Path, new: Path | None, folder: ReviewFolder) -> None:
    """What changed between two report builds (their review.json files): verdicts, certainty,
    citations added, removed or retracted, stances, sign-offs. Without NEW, OLD is compared
    with the review as it stands now."""
    from claimbook.evidence.changes import diff_reviews, load_review_json, review_record
    from claimbook.evidence.review import load_review

    before = load_review_json(old)
    if new is None:
        after = review_record(load_review(folder.claims, folder.data))
    else:
        after = load_review_json(new)
    click.echo(plain(diff_reviews(before, after).text()))


@click.command()
@folder_options(claims=False, data=False)
@click.option(
    "--dir", "notebooks_dir", default=None,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Only re-run the notebooks in this folder, as they are (no rebuild).",
)  # fmt: skip
@click.option("--claim", "claim_id", default=None, help="Render the claim notebook for one claim.")
@click.option(
    "--out", default=None, type=click.Path(dir_okay=False, path_type=Path),
    help="Where --claim writes its notebook (default: DIR/reports/notebooks/claim-ID.ipynb).",
)  # fmt: skip
@QUIET_OPT
def notebooks(
    folder: ReviewFolder, notebooks_dir: Path | None, claim_id: str | None, out: Path | None,
    quiet: bool,
) -> None:  # fmt: skip
    """Build the review notebooks from the claims and run them in place, or render one
    claim's notebook. With --dir, only re-run the notebooks of that folder as they are."""
    from claimbook.claims.schema import normal_id
    from claimbook.notebooks import run as nbs

    progress = False if quiet else None
    if claim_id:
        claim_id = nbs.claim_to_render(normal_id(claim_id), notebooks_dir or folder.notebooks)
        out = out or folder.reports / "notebooks" / f"claim-{claim_id}.ipynb"
        nbs.render_claim(claim_id, out, notebooks_dir or folder.notebooks)
        click.echo(f"Wrote {out}")
        return
    if notebooks_dir is None:
        done = nbs.build_and_execute(folder.root, progress)
        notebooks_dir = folder.notebooks
    else:
        done = nbs.execute_all(notebooks_dir, progress)
    click.echo(f"Executed {len(done)} notebooks in place in {notebooks_dir}.")


COMMANDS = [report, diff_command, notebooks]
