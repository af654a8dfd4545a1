"""Commands for screening a claim's saved hits, alone or as two reviewers: `screen` (a vote),
`queue` (what is left, ranked by your decisions), `conflicts`, `agreement` (Cohen's kappa) and
`prisma` (the PRISMA 2020 flow, as a table or the PRISMA2020 R package's CSV)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from claimbook.cli.app import fail, folder_options
from claimbook.cli.terminal import plain
from claimbook.folder import ReviewFolder
from claimbook.vocab import DECISIONS, FULL_TEXT, STANCES, TITLE_ABSTRACT

REVIEWER_OPT = click.option(
    "--reviewer", default=None, help="Your name: votes are recorded (and shown) per reviewer."
)


def _claim(folder: ReviewFolder, claim_id: str):
    """The claim (or claim part) `claim_id`, or exit with the known ids."""
    from claimbook.claims.load import load_claims
    from claimbook.claims.schema import normal_id

    claims = {u.id: u for c in load_claims(folder.claims) for u in c.units()}
    claim = claims.get(normal_id(claim_id))
    if claim is None:
        fail(f"no claim {claim_id} in {folder.claims} (known: {', '.join(sorted(claims))})")
    return claim


@click.command()
@click.argument("claim_id")
@click.argument("paper")
@click.argument("decision", type=click.Choice(DECISIONS))
@REVIEWER_OPT
@click.option("--reason", default=None, help="Why the paper is excluded (needed to exclude).")
@click.option("--full-text", is_flag=True, help="A decision after reading the paper in full.")
@click.option("--stance", type=click.Choice(STANCES), default=None, help="The paper's stance.")
@folder_options()
def screen(
    claim_id: str, paper: str, decision: str, reviewer: str | None, reason: str | None,
    full_text: bool, stance: str | None, folder: ReviewFolder,
) -> None:  # fmt: skip
    """Record your vote on a saved hit: include or exclude (claim files are not changed).

    Two reviewers screen blind: neither sees the other's votes until both have voted on every
    saved hit; then `claimbook conflicts` lists where they disagree, and the decision is
    settled in the claim file with `claimbook cite` or `claimbook exclude`.
    """
    from claimbook.edit.votes import record_vote

    if not reviewer:
        fail("say who you are: --reviewer NAME", code=2)
    claim = _claim(folder, claim_id)
    stage = FULL_TEXT if full_text else TITLE_ABSTRACT
    vote = record_vote(folder, claim.id, paper, reviewer, decision, stage=stage, reason=reason,
                       stance=stance)  # fmt: skip
    click.echo(
        f"Recorded: {plain(vote.reviewer, one_line=True)} votes {decision} for {vote.key} in "
        f"{claim.id} ({stage}{', ' + stance if stance else ''})."
    )


@click.command()
@click.argument("claim_id")
@REVIEWER_OPT
@click.option("--max", "max_rows", type=click.IntRange(1, 10_000), default=20, show_default=True,
              help="How many papers to list.")  # fmt: skip
@folder_options()
def queue(claim_id: str, reviewer: str | None, max_rows: int, folder: ReviewFolder) -> None:
    """List a claim's saved hits still to screen, most likely relevant first.

    Once the claim has one included and one excluded paper (yours, with --reviewer), the queue
    is ranked by a model of your decisions (TF-IDF and naive Bayes over title and abstract);
    the stopping hint says how many papers you screened in a row were irrelevant.
    """
    from claimbook.edit.screening import EMPTY_QUEUE_HINT, load_hits, screening_queue
    from claimbook.edit.votes import final_votes, load_votes, visible_votes
    from claimbook.evidence.ranking import rank_queue, stopping_hint

    claim = _claim(folder, claim_id)
    saved = load_hits(folder, claim.id)
    if saved is None:
        click.echo(EMPTY_QUEUE_HINT.format(id=claim.id))
        return
    votes = [v for v in load_votes(folder, claim.id) if v.stage == TITLE_ABSTRACT]
    mine = [v for v in votes if reviewer is None or v.reviewer == reviewer]
    mine_final = {v.key: v for v in final_votes(mine).values()}
    by_key = {r.key: r for r in saved.records}
    cited, excluded = {c.key for c in claim.evidence}, {c.key for c in claim.excluded}
    included = [
        r
        for k, r in by_key.items()
        if k in cited or getattr(mine_final.get(k), "decision", "") == "include"
    ]
    out = [
        r
        for k, r in by_key.items()
        if k in excluded or getattr(mine_final.get(k), "decision", "") == "exclude"
    ]
    unseen = [r for r in screening_queue(folder, claim) if r.key not in mine_final]
    ranked = rank_queue(unseen, included, out)  # fmt: skip
    click.echo(f"{claim.id}: {len(unseen)} to screen; {ranked.reason}.")
    others = {}
    if reviewer:
        for v in visible_votes(folder, claim.id, reviewer):
            if v.reviewer != reviewer:
                others.setdefault(v.key, []).append(f"{v.reviewer}: {v.decision}")
    for record, score in list(zip(ranked.records, ranked.scores, strict=True))[:max_rows]:
        shown = f"{score:4.2f}" if score is not None else "  - "
        seen = f"  [{'; '.join(others[record.key])}]" if record.key in others else ""
        click.echo(plain(f"{record.key:>10}  {record.year or '----'}  {shown}  "
                         f"{record.title[:80]}{seen}", one_line=True))  # fmt: skip
    if mine:
        click.echo(stopping_hint([v.decision == "include" for v in mine]))


@click.command()
@click.argument("claim_id")
@folder_options()
def conflicts(claim_id: str, folder: ReviewFolder) -> None:
    """List the papers two reviewers decided differently, once both have screened every hit."""
    from claimbook.edit.votes import blind_done, load_votes, reviewers
    from claimbook.edit.votes import conflicts as find_conflicts

    claim = _claim(folder, claim_id)
    if not blind_done(folder, claim.id):
        names = reviewers(load_votes(folder, claim.id))
        click.echo(f"{claim.id}: screening is blind until two reviewers have voted on every "
                   f"saved hit (voted so far: {', '.join(names) or 'nobody'}).")  # fmt: skip
        return
    found = find_conflicts(folder, claim.id)
    click.echo(f"{claim.id}: {len(found)} conflict{'s' if len(found) != 1 else ''}.")
    for c in found:
        said = "; ".join(f"{v.reviewer}: {v.decision}{' ' + v.stance if v.stance else ''}"
                         for v in c.votes)  # fmt: skip
        click.echo(plain(f"{c.key:>10}  {c.what} at {c.stage}: {said}", one_line=True))
    if found:
        click.echo(f"Settle each one: claimbook cite {claim.id} PAPER ... or claimbook exclude "
                   f"{claim.id} PAPER --reason ...")  # fmt: skip


@click.command()
@folder_options()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def agreement(folder: ReviewFolder, as_json: bool) -> None:
    """Cohen's kappa (95% CI) and raw agreement of two reviewers, for inclusion and stance, per
    claim and overall. Only each reviewer's final vote on a paper counts."""
    from claimbook.claims.load import load_claims
    from claimbook.report.prisma import load_prisma

    found = load_prisma(folder, [u for c in load_claims(folder.claims) for u in c.units()])
    per_claim = found.agreement
    overall = {"inclusion": found.overall.inclusion, "stance": found.overall.stance}
    if as_json:
        body = {
            "claims": {cid: r.as_json() for cid, r in per_claim.items()},
            "overall": {what: k.as_json() for what, k in overall.items()},
        }  # fmt: skip
        click.echo(json.dumps(body, indent=1, ensure_ascii=False))
        return
    if not per_claim:
        click.echo("No screening votes yet: record them with claimbook screen ... --reviewer NAME.")
        return
    for cid, row in per_claim.items():
        who = " and ".join(row.reviewers)
        click.echo(plain(f"{cid} ({who}): inclusion {row.inclusion.in_words()}; stance "
                         f"{row.stance.in_words()}", one_line=True))  # fmt: skip
    click.echo(f"Overall: inclusion {overall['inclusion'].in_words()}; stance "
               f"{overall['stance'].in_words()}")  # fmt: skip


@click.command()
@click.argument("claim_id", required=False)
@folder_options()
@click.option(
    "--csv", "csv_path", default=None, type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the flow as the PRISMA2020 R package's CSV to this file.",
)  # fmt: skip
def prisma(claim_id: str | None, folder: ReviewFolder, csv_path: Path | None) -> None:
    """The PRISMA 2020 flow of a claim's searches and screening (no CLAIM_ID: the review's),
    counted from the saved searches, votes, exclusions and citations."""
    from claimbook.claims.load import load_claims
    from claimbook.evidence.prisma import prisma_csv
    from claimbook.files import write_text
    from claimbook.report.prisma import REVIEW_NOTE, claim_flow, load_prisma

    if claim_id:
        flow = claim_flow(folder, _claim(folder, claim_id))
        flows = [flow]
    else:
        found = load_prisma(folder, [u for c in load_claims(folder.claims) for u in c.units()])
        flow, flows = found.review, found.flows
    click.echo(f"PRISMA 2020 flow: {flow.claim_id if claim_id else 'the review'}")
    for box, n in flow.rows():
        click.echo(plain(f"  {box}: {n}", one_line=True))
    if not claim_id:
        hand = [f.claim_id for f in flows if not f.searched]
        if hand:
            click.echo(f"  Curated by hand, no search recorded: {', '.join(hand)}")
        click.echo(plain(f"  {REVIEW_NOTE}"))
    if csv_path is not None:
        write_text(csv_path, prisma_csv(flow))
        click.echo(f"Wrote {csv_path} (PRISMA2020 R package: PRISMA_data(read.csv(...))).")


COMMANDS = [screen, queue, conflicts, agreement, prisma]
