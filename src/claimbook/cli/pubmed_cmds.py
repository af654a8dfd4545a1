"""Commands that talk to PubMed or fill the snapshot: `fetch`, `curate`, `search`, `show`.

A record PubMed now returns that disagrees with the curated one in the snapshot is *drift*
(`claimbook.pubmed.verify`): `fetch` shows it side by side and does not apply it, `show` prints
both versions, `fetch --accept-changes` applies it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from claimbook.cli import app
from claimbook.cli.app import QUIET_OPT, fail, folder_options, warn_alerts
from claimbook.cli.terminal import plain
from claimbook.folder import ReviewFolder
from claimbook.ids import pmid_problem, short_list
from claimbook.pubmed.search import AUTO, FILTER_CHOICES


@click.command()
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
    records are applied, and the command exits 1. --accept-changes applies those kept from an
    earlier fetch (offline too) and any new disagreement. Cited papers that are retracted, under
    an expression of concern or corrected are announced at the end.
    """
    from claimbook.claims.load import load_claims
    from claimbook.pubmed.sync import accept_drift, cited_pmids, plan_fetch, sync
    from claimbook.pubmed.verify import load_drift

    claims = load_claims(folder.claims)
    load_drift(folder.snapshot)  # a broken drift file stops the fetch before any request
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
    report = sync(plan.todo, folder.snapshot, app.client(quiet), accept_changes=accept_changes)
    click.echo(f"Fetched {len(report.stored)} of {len(plan.todo)} PMIDs into {folder.snapshot}.")
    _accepted(report.accepted, "fetched")
    _announce(folder, claims)
    if report.drifted:
        _show_drift(folder, report.drifted)
    if report.missing:
        fail(
            f"PubMed returned no record for PMID {short_list(report.missing)} "
            "(deleted or unknown); check the claims that cite them."
        )
    if report.drifted:
        sys.exit(1)


def _announce(folder: ReviewFolder, claims: list) -> None:
    """After a fetch: the cited papers retracted, under concern or corrected, as warnings."""
    from claimbook.pubmed import load_snapshot

    warn_alerts(claims, load_snapshot(folder.snapshot))


def _accepted(pmids: list[str], how: str) -> None:
    """One line naming the PMIDs whose drift was applied (`how`: 'waiting' for drift kept from
    an earlier fetch, 'fetched' for drift this fetch found)."""
    if pmids:
        click.echo(
            f"Applied PubMed's {how} record over the curated one for PMID {short_list(pmids)} "
            "(--accept-changes; recorded in manifest.json)."
        )


def _show_drift(folder: ReviewFolder, pmids: list[str]) -> None:
    """Each drifted PMID side by side (curated vs PubMed), then one error line."""
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


@click.command()
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
    from claimbook.claims.load import load_claims
    from claimbook.edit.curated import curate

    done = curate(evidence_dir, load_claims(folder.claims), folder.snapshot)
    click.echo(f"Snapshot {done.store_dir}: {done.total} records ({done.curated} curated).")


@click.command()
@click.argument("claim_id")
@folder_options(data=False)
@click.option(
    "--max", "max_hits", type=click.IntRange(1, 10_000), default=20, show_default=True,
    help="How many new hits to list.",
)  # fmt: skip
@click.option(
    "--filter", "filter_name", type=click.Choice(FILTER_CHOICES), default=AUTO,
    show_default=True,
    help="PubMed Clinical Queries filter added to the query; auto: the one the claim's "
    "question calls for (effect: therapy-broad, harm and cause: etiology-broad, prevalence: "
    "prognosis-broad, description: none); none: the bare query.",
)  # fmt: skip
@click.option("--reviews-only", is_flag=True, help="Only systematic reviews (systematic[sb]).")
@click.option(
    "--save", is_flag=True,
    help="Also store the hits and their records in the review folder, for offline screening.",
)  # fmt: skip
@QUIET_OPT
def search(
    claim_id: str, folder: ReviewFolder, max_hits: int, filter_name: str, reviews_only: bool,
    save: bool, quiet: bool,
) -> None:  # fmt: skip
    """Run a claim's saved PubMed query; list hits neither cited nor excluded.

    The query gets the Clinical Queries filter its question calls for (--filter none turns it
    off); the line `PubMed ran:` is the query as PubMed translated it, saved with the hits.
    """
    from claimbook.claims.load import load_claims
    from claimbook.claims.schema import normal_id
    from claimbook.cli import terminal
    from claimbook.pubmed.search import design_term, new_hits

    claims = {c.id: c for c in load_claims(folder.claims)}
    claim = claims.get(normal_id(claim_id))
    if claim is None:
        fail(f"no claim {claim_id} in {folder.claims} (known: {', '.join(sorted(claims))})")
    if not claim.query:
        fail(f"{claim.id} has no PubMed query yet (a draft); add `query:` to its file first")
    sent = design_term(claim.query, claim.question, filter_name, reviews_only)
    known = {c.pmid for c in [*claim.evidence, *claim.excluded] if c.pmid}
    client = app.client(quiet)
    found = new_hits(client, sent.term, known, max_hits)
    click.echo(f"Searched: {plain(sent.term, one_line=True)}")
    how = "from the claim's question, " if filter_name == AUTO else ""
    click.echo(f"Filter: {sent.described} ({how}{claim.question}; --filter none: the bare query)")
    if found.query_translation:
        click.echo(f"PubMed ran: {plain(found.query_translation, one_line=True)}")
    click.echo(
        f"{claim.id}: {found.count} PubMed hits; {len(found.hits)} shown that are neither "
        "cited nor excluded."
    )
    for h in found.hits:
        click.echo(terminal.hit(h))
    if save:
        from claimbook.edit.screening import save_hits, screening_queue

        saved = save_hits(folder, claim, client, max_hits + len(known), filter_name, reviews_only)
        queued = len(screening_queue(folder, claim))
        click.echo(
            f"Saved {len(saved.records)} hits in {saved.path}: {queued} wait in the screening "
            "queue (offline from now on)."
        )


@click.command()
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
        fail(f"not a PMID: {'; '.join(bad)}", code=2)
    snapshot = load_snapshot(folder.snapshot)
    absent = [p for p in pmids if snapshot.get(p) is None]
    if absent and offline:
        fail(f"not in the snapshot (offline): {', '.join(absent)}")
    records = lookup(pmids, snapshot, app.client(quiet) if absent else None)
    click.echo("\n\n".join(_record_text(p, rec, folder) for p, rec in records.items() if rec))
    missing = [p for p, rec in records.items() if rec is None]
    if missing:
        fail(f"PubMed returned no record for PMID {', '.join(missing)}")


def _record_text(pmid: str, rec, folder: ReviewFolder) -> str:
    """A record as `show` prints it; when it has drifted, PubMed's version too, both labelled."""
    from claimbook.cli import terminal
    from claimbook.pubmed.verify import load_drift

    drift = load_drift(folder.snapshot).get(pmid)
    if drift is None or rec.source != "curated":
        return terminal.paper(rec)
    fields = ", ".join(m.label for m in drift.mismatches)
    return (
        f"== PMID {pmid}: PubMed's record disagrees with the curated one ({fields}) ==\n\n"
        f"-- In the snapshot (curated, used by the review):\n{terminal.paper(rec)}\n\n"
        "-- PubMed's record, not applied (claimbook fetch --accept-changes applies it):\n"
        f"{terminal.paper(drift.fetched)}"
    )


COMMANDS = [fetch, curate, search, show]
