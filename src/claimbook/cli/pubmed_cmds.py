"""The `claimbook` command line: each command parses its options, calls one library function
and prints the outcome (in the style of sqlite-utils' cli.py). No work is done here, and no
command catches an error to print it: every ClaimbookError reaches the one handler in
`_Claimbook.invoke`, which prints one line per problem."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from claimbook import __version__
from claimbook.claims.model import (
    MAX_PARTICIPANTS,
    ClaimsError,
    load_claims,
    normal_id,
    validate_project,
)
from claimbook.cli.terminal import plain
from claimbook.errors import ClaimbookError, Problem
from claimbook.files import os_reason
from claimbook.folder import ReviewFolder
from claimbook.ids import pmid_problem, short_list
from claimbook.vocab import DESIGNS, STANCES

DirPath = click.Path(file_okay=False, path_type=Path)


def folder_options(*, claims: bool = True, data: bool = True) -> Callable:
    """--project DIR, and --claims/--data where the command reads them; passes `folder`."""

    def decorate(f: Callable) -> Callable:
        @wraps(f)
        def wrapper(*args: Any, project: Path, **kw: Any) -> Any:
            folder = ReviewFolder.at(project, kw.pop("claims_dir", None), kw.pop("data_dir", None))
            return f(*args, folder=folder, **kw)

        if data:
            wrapper = click.option(
                "--data", "data_dir", default=None, type=DirPath,
                help="Data folder; the snapshot lives in DATA/pubmed.  [default: DIR/data]",
            )(wrapper)  # fmt: skip
        if claims:
            wrapper = click.option(
                "--claims", "claims_dir", default=None, type=DirPath,
                help="Folder of claim YAML files (with article.yaml).  [default: DIR/claims]",
            )(wrapper)  # fmt: skip
        return click.option(
            "--project", default=".", show_default=True, type=DirPath,
            help="The review folder (claims/, data/, notebooks/, reports/).",
        )(wrapper)  # fmt: skip

    return decorate


QUIET_OPT = click.option("--quiet", "-q", is_flag=True, help="No progress bar.")


def _error(message: str, code: int = 1) -> None:
    click.echo(f"error: {plain(message, one_line=True)}", err=True)
    sys.exit(code)


def _client(quiet: bool):
    """The E-utilities client (a PubMedError if a time limit in the environment is not a
    number)."""
    from claimbook.pubmed.client import EutilsClient

    return EutilsClient(progress=False if quiet else None)


def _warn_alerts(claims: list, snapshot) -> None:
    """One warning line per cited paper that is retracted, under concern or corrected."""
    from claimbook.pubmed.watch import paper_alerts

    for alert in paper_alerts(claims, snapshot):
        click.echo(f"warning: {plain(alert.message, one_line=True)}", err=True)


def _warn_drift(drift: dict) -> None:
    """One warning line per refresh disagreement not yet accepted."""
    from claimbook.pubmed.verify import FIELD_LABELS

    for pmid, d in drift.items():
        fields = ", ".join(FIELD_LABELS[f] for f in d.fields)
        click.echo(
            f"warning: PMID {pmid}: PubMed's record disagrees with the curated one ({fields}); "
            f"not applied: see claimbook show {pmid}",
            err=True,
        )


def _announce(folder: ReviewFolder, claims: list) -> None:
    """After a fetch: the cited papers retracted, under concern or corrected, as warnings."""
    from claimbook.pubmed import load_snapshot

    _warn_alerts(claims, load_snapshot(folder.snapshot))


class _Claimbook(click.Group):
    """claimbook's commands, with the one error handler: any ClaimbookError is printed as its
    lines (`FILE:LINE: field: message` per problem then `N problems found.`, or one `error:`
    line) and exit 1, whichever command raised it; any other OSError (disk full, read-only
    folder) is one `error:` line naming the file. Never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ClaimbookError as exc:
            for line in exc.lines():
                click.echo(plain(line, one_line=True), err=True)
            sys.exit(1)
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            _error(f"{where}{os_reason(exc)} (no file was left half-written)")


@click.group(cls=_Claimbook, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="claimbook")
def main() -> None:
    """Check a health article's claims against the research literature."""


@main.command()
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


@main.command()
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


@main.command()
@folder_options()
@click.option(
    "--article", "article_file", default=None,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Article text to check quotes against (default: text_file in article.yaml, if present).",
)  # fmt: skip
def validate(folder: ReviewFolder, article_file: Path | None) -> None:
    """Check claim files, the snapshot and the article quotes; list every problem.

    Exits 0 when all is well and 1 with one FILE:LINE: field: message line per problem.
    Cited papers that are retracted, under an expression of concern or corrected, and refresh
    disagreements not yet accepted, are listed as warnings (exit 0).
    """
    from claimbook.pubmed import SnapshotError
    from claimbook.pubmed.verify import load_drift

    checked = validate_project(folder.claims, folder.data, article_file)
    try:
        drift = load_drift(folder.snapshot)
    except SnapshotError as exc:  # validate lists it as a problem, like the ones above
        raise ClaimsError([Problem(exc.file, exc.line, exc.field, exc.message)]) from exc
    click.echo(f"OK: {checked.summary()}.")
    _warn_alerts(checked.claims, checked.snapshot)
    _warn_drift(drift)


@main.command(name="claims")
@folder_options(data=False)
def claims_cmd(folder: ReviewFolder) -> None:
    """Print the claim table: id, topic, title and citations by stance."""
    from claimbook.cli import terminal

    click.echo(terminal.claim_table(load_claims(folder.claims)))


@main.command()
@click.option(
    "--evidence", "evidence_dir", default="../shared/evidence", show_default=True,
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Folder of curated evidence dossiers (*.json).",
)  # fmt: skip
@folder_options()
def curate(evidence_dir: Path, folder: ReviewFolder) -> None:
    """Add curated records for every cited paper to the snapshot (maintainers).

    Records already fetched from E-utilities are kept; curated ones are rebuilt.
    """
    from claimbook.edit.curated import curate

    done = curate(evidence_dir, load_claims(folder.claims), folder.snapshot)
    click.echo(f"Snapshot {done.store_dir}: {done.total} records ({done.curated} curated).")


@main.command()
@folder_options()
@click.option(
    "--refresh", is_flag=True, help="Fetch every cited PMID again, not only missing ones."
)
@click.option("--offline", is_flag=True, help="Never touch the network; say what is missing.")
@click.option(
    "--accept-changes", is_flag=True,
    help="Apply PubMed's records even where they disagree with the curated ones (recorded in "
    "the manifest's history).",
)  # fmt: skip
@QUIET_OPT
def fetch(
    folder: ReviewFolder, refresh: bool, offline: bool, accept_changes: bool, quiet: bool
) -> None:
    """Fetch cited PMIDs from PubMed E-utilities into the snapshot.

    Only PMIDs without an E-utilities record are fetched (all of them with --refresh); a warm
    snapshot makes no request at all. Each batch is stored as soon as it arrives.

    A fetched record that would replace a curated one must agree with it (title, first author,
    year ±1, DOI). One that disagrees is not applied: both versions are shown, the agreeing
    records are applied, and the command exits 1. --accept-changes applies the waiting ones
    (offline too) and any new disagreement. Cited papers that are retracted, under an
    expression of concern or corrected are announced at the end.
    """
    from claimbook.pubmed.sync import accept_drift, cited_pmids, plan_fetch, sync
    from claimbook.pubmed.verify import load_drift

    claims = load_claims(folder.claims)
    load_drift(folder.snapshot)  # a broken pending.jsonl stops the fetch before any request
    if accept_changes:
        _accepted(accept_drift(folder.snapshot, cited_pmids(claims)), "waiting")
    plan = plan_fetch(claims, folder.snapshot, refresh=refresh)
    if not plan.todo:
        click.echo(
            f"Snapshot up to date: all {len(plan.cited)} cited PMIDs come from E-utilities; "
            "no request made."
        )
        return _announce(folder, claims)
    if offline:
        click.echo(
            f"Offline: {len(plan.todo)} of {len(plan.cited)} cited PMIDs have no E-utilities "
            f"record yet (curated records are used meanwhile): {short_list(plan.todo)}"
        )
        return _announce(folder, claims)
    report = sync(plan.todo, folder.snapshot, _client(quiet), accept_changes=accept_changes)
    click.echo(f"Fetched {len(report.stored)} of {len(plan.todo)} PMIDs into {folder.snapshot}.")
    _accepted(report.accepted, "fetched")
    _announce(folder, claims)
    if report.disagreed:
        _disagreements(folder, report.disagreed)
    if report.missing:
        _error(
            f"PubMed returned no record for PMID {short_list(report.missing)} "
            "(deleted or unknown); check the claims that cite them."
        )
    if report.disagreed:
        sys.exit(1)


def _accepted(pmids: list[str], how: str) -> None:
    if pmids:
        click.echo(
            f"Applied PubMed's {how} record over the curated one for PMID {short_list(pmids)} "
            "(--accept-changes; recorded in manifest.json)."
        )


def _disagreements(folder: ReviewFolder, pmids: list[str]) -> None:
    """Each disagreeing PMID side by side (curated vs PubMed), then one error line."""
    from claimbook.cli import terminal
    from claimbook.pubmed import load_snapshot
    from claimbook.pubmed.verify import load_drift

    snapshot, drift = load_snapshot(folder.snapshot), load_drift(folder.snapshot)
    n = len(pmids)
    click.echo(
        f"PubMed's record disagrees with the curated one for {n} PMID{'s' if n != 1 else ''}; "
        "the curated record is kept:"
    )
    for pmid in pmids:
        click.echo("\n" + terminal.drift(snapshot.get(pmid), drift[pmid]))
    click.echo(
        f"error: not applied: PMID {short_list(pmids)}. Check with claimbook show PMID; if "
        "PubMed is right, run claimbook fetch --accept-changes.",
        err=True,
    )


@main.command()
@click.argument("claim_id")
@folder_options(data=False)
@click.option(
    "--max", "max_hits", type=click.IntRange(1, 10_000), default=20, show_default=True,
    help="How many new hits to list.",
)  # fmt: skip
@click.option(
    "--save", is_flag=True,
    help="Also store the hits and their records in the review folder, for offline screening.",
)  # fmt: skip
@QUIET_OPT
def search(claim_id: str, folder: ReviewFolder, max_hits: int, save: bool, quiet: bool) -> None:
    """Run a claim's saved PubMed query; list hits neither cited nor excluded."""
    from claimbook.cli import terminal
    from claimbook.pubmed.search import new_hits

    claims = {c.id: c for c in load_claims(folder.claims)}
    claim = claims.get(normal_id(claim_id))
    if claim is None:
        _error(f"no claim {claim_id} in {folder.claims} (known: {', '.join(sorted(claims))})")
    if not claim.query:
        _error(f"{claim.id} has no PubMed query yet (a draft); add `query:` to its file first")
    known = {c.pmid for c in [*claim.evidence, *claim.excluded] if c.pmid}
    client = _client(quiet)
    found = new_hits(client, claim.query, known, max_hits)
    click.echo(
        f"{claim.id}: {found.count} PubMed hits; {len(found.hits)} shown that are neither "
        "cited nor excluded."
    )
    for h in found.hits:
        click.echo(terminal.hit(h))
    if save:
        from claimbook.edit.screening import save_hits, screening_queue

        saved = save_hits(folder, claim, client, max_hits + len(known))
        waiting = len(screening_queue(folder, claim))
        click.echo(
            f"Saved {len(saved.records)} hits in {saved.path}: {waiting} wait in the screening "
            "queue (offline from now on)."
        )


@main.command()
@click.argument("pmids", nargs=-1, required=True)
@folder_options(claims=False)
@click.option("--offline", is_flag=True, help="Only the snapshot; never touch the network.")
@QUIET_OPT
def show(pmids: tuple[str, ...], folder: ReviewFolder, offline: bool, quiet: bool) -> None:
    """Print records from the snapshot, fetching the ones it lacks (not stored). A curated
    record that PubMed's disagrees with is shown with PubMed's version, both labelled."""
    from claimbook.pubmed import load_snapshot
    from claimbook.pubmed.sync import lookup

    bad = [f"{p[:20]}{'...' if len(p) > 20 else ''} ({why})"
           for p in pmids if (why := pmid_problem(p))]  # fmt: skip
    if bad:
        _error(f"not a PMID: {'; '.join(bad)}", code=2)
    snapshot = load_snapshot(folder.snapshot)
    absent = [p for p in pmids if snapshot.get(p) is None]
    if absent and offline:
        _error(f"not in the snapshot (offline): {', '.join(absent)}")
    records = lookup(pmids, snapshot, _client(quiet) if absent else None)
    click.echo("\n\n".join(_record_text(p, rec, folder) for p, rec in records.items() if rec))
    missing = [p for p, rec in records.items() if rec is None]
    if missing:
        _error(f"PubMed returned no record for PMID {', '.join(missing)}")


@main.command()
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

    found = review_status(folder, None if offline else _client(quiet=True))
    if as_json:
        click.echo(json.dumps(found.to_dict(), ensure_ascii=False, indent=2))
    else:
        from claimbook.cli import terminal

        click.echo(terminal.status(found, folder.snapshot, offline))


def _record_text(pmid: str, rec, folder: ReviewFolder) -> str:
    """A record as `show` prints it; with PubMed's disagreeing version too, both labelled."""
    from claimbook.cli import terminal
    from claimbook.pubmed.verify import FIELD_LABELS, load_drift

    waiting = load_drift(folder.snapshot).get(pmid)
    if waiting is None or rec.source != "curated":
        return terminal.paper(rec)
    fields = ", ".join(FIELD_LABELS[f] for f in waiting.fields)
    return (
        f"== PMID {pmid}: PubMed's record disagrees with the curated one ({fields}) ==\n\n"
        f"-- In the snapshot (curated, used by the review):\n{terminal.paper(rec)}\n\n"
        "-- Waiting, not applied (PubMed; claimbook fetch --accept-changes applies it):\n"
        f"{terminal.paper(waiting.fetched)}"
    )


# --------------------------------------------------------------------------- editing


def _edited(folder: ReviewFolder, claim, done: str) -> None:
    """Print what an edit did and the claim's verdict after it."""
    from claimbook.evidence.review import load_review
    from claimbook.vocab import verdict_sentence

    review = load_review(folder.claims, folder.data)
    state = " (draft)" if claim.is_draft else ""
    click.echo(plain(f"{claim.id}{state}: {done}. {claim.path}", one_line=True))
    units = claim.units()  # a sign-off of a claim in parts: each part's verdict
    for unit in units:
        row = review.verdict_row(unit.id)
        who = f"{unit.id}: " if len(units) > 1 else ""
        click.echo(f"{who}Verdict now: {verdict_sentence(row['verdict'], row['certainty'])}")


STANCE_OPT = click.option(
    "--stance", required=True, type=click.Choice(STANCES),
    help="How the paper bears on the claim as the article makes it.",
)  # fmt: skip
DESIGN_OPT = click.option(
    "--design", required=True, type=click.Choice(DESIGNS), help="The study design."
)


@main.command()
@click.argument("claim_id")
@click.argument("paper")
@STANCE_OPT
@DESIGN_OPT
@click.option(
    "--n", "n", type=click.IntRange(min=1, max=MAX_PARTICIPANTS), default=None,
    help="Participants.",
)  # fmt: skip
@click.option("--finding", required=True, help="What the paper found, in your own words.")
@click.option("--note", default=None, help="Caveats: small sample, indirect evidence, ...")
@click.option("--offline", is_flag=True, help="Never fetch: refuse a paper the snapshot lacks.")
@folder_options()
def cite(
    claim_id: str, paper: str, stance: str, design: str, n: int | None, finding: str,
    note: str | None, offline: bool, folder: ReviewFolder,
) -> None:  # fmt: skip
    """Cite PAPER (a PMID or DOI) for CLAIM_ID. A paper the snapshot lacks is fetched first."""
    from claimbook import edit

    claim = edit.cite(
        folder, claim_id, paper, stance=stance, design=design, finding=finding, n=n, note=note,
        offline=offline, client=None if offline else _client(quiet=True),
    )  # fmt: skip
    _edited(folder, claim, f"cites {paper} ({stance}, {design})")
    from claimbook.pubmed import load_snapshot

    _warn_alerts([claim], load_snapshot(folder.snapshot))


@main.command()
@click.argument("claim_id")
@click.argument("paper")
@folder_options()
def uncite(claim_id: str, paper: str, folder: ReviewFolder) -> None:
    """Stop citing PAPER (a PMID or DOI) for CLAIM_ID."""
    from claimbook import edit

    claim = edit.uncite(folder, claim_id, paper)
    _edited(folder, claim, f"no longer cites {paper}")


@main.command()
@click.argument("claim_id")
@click.argument("paper")
@click.option("--reason", required=True, help="Why the paper is screened out.")
@folder_options()
def exclude(claim_id: str, paper: str, reason: str, folder: ReviewFolder) -> None:
    """Screen PAPER (a PMID or DOI) out of CLAIM_ID's evidence, with the reason."""
    from claimbook import edit

    claim = edit.exclude(folder, claim_id, paper, reason)
    _edited(folder, claim, f"excludes {paper}")


@main.command(name="add-claim")
@click.option(
    "--candidate",
    "candidate",
    type=click.IntRange(min=1),
    default=None,
    help="Number of a sentence in candidates.yaml (as `claimbook candidates` lists).",
)
@click.option("--quote", default=None, help="The exact sentence(s) of the article.")
@click.option("--title", required=True, help="A short headline for the claim.")
@click.option("--topic", default=None, help="A topic of article.yaml (optional if only one).")
@click.option("--section", default=None, help="The heading the quote sits under.")
@click.option("--claim", "claim_text", default=None, help="The claim in plain words.")
@click.option("--id", "claim_id", default=None, help="The new claim's id (default: the next).")
@folder_options()
def add_claim(
    candidate: int | None, quote: str | None, title: str, topic: str | None,
    section: str | None, claim_text: str | None, claim_id: str | None, folder: ReviewFolder,
) -> None:  # fmt: skip
    """Save a new draft claim from a candidate sentence or a quote."""
    from claimbook import edit

    if (candidate is None) == (quote is None):
        raise click.UsageError("give either --candidate N or --quote TEXT")
    if candidate is not None:
        from claimbook.edit.scaffold import saved_candidate

        quote, found = saved_candidate(folder, candidate)
        section = section or found
    claim = edit.add_claim(
        folder, quote=quote, title=title, topic=topic, section=section, claim=claim_text,
        claim_id=claim_id,
    )  # fmt: skip
    click.echo(f"{claim.id} (draft): saved in {claim.path}; add a query and evidence next.")


@main.command()
@click.argument("claim_id")
@click.option("--reviewer", required=True, help="Your name, as the report should show it.")
@click.option("--note", default=None, help="What you checked, or what is left open.")
@folder_options()
def signoff(claim_id: str, reviewer: str, note: str | None, folder: ReviewFolder) -> None:
    """Sign CLAIM_ID off: its evidence was checked. A draft becomes reviewed."""
    from claimbook import edit

    claim = edit.signoff(folder, claim_id, reviewer, note)
    _edited(folder, claim, f"signed off by {reviewer} on {claim.signoff.date}")


@main.command()
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

    try:
        wanted = parse_formats(formats or ",".join(FORMATS))
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--format") from None
    out_dir = out_dir or folder.reports
    review = load_review(folder.claims, folder.data, rules_file)
    written = build_report(
        review, out_dir, wanted, progress=None if not quiet else False,
        pdf_if_browser=formats is None,
    )  # fmt: skip
    main_files = [str(written[f]) for f in FORMATS if f in written]
    n_exports = len([k for k in written if k not in FORMATS and k != REVIEW_JSON])
    click.echo(f"Wrote {', '.join(main_files)} and {n_exports} exports in {out_dir}.")
    if "pdf" in wanted and "pdf" not in written:
        from claimbook.report.browser import HOW_TO_GET_ONE

        click.echo(f"PDF skipped: no browser found to print it; {HOW_TO_GET_ONE}.")
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
    n, v = len(changes.claims), len(changes.verdict_changes)
    click.echo(
        f"Changes since the last review: {n} claim{'s' if n != 1 else ''} changed, {v} "
        f"verdict{'s' if v != 1 else ''} (see the report; claimbook diff "
        f"{out_dir / PREVIOUS_JSON} {out_dir / REVIEW_JSON} lists them)."
    )


@main.command("diff")
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


@main.command()
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


if __name__ == "__main__":  # pragma: no cover
    main()
