"""Commands that change claim files: `cite`, `uncite`, `exclude`, `add-claim`, `signoff`,
`migrate`. Each calls one writer of `claimbook.edit` and prints what it did (and, for an edit of
a claim, the claim's verdict after it)."""

from __future__ import annotations

import click

from claimbook.cli import app
from claimbook.cli.app import fail, folder_options, warn_alerts
from claimbook.cli.terminal import plain
from claimbook.folder import ReviewFolder
from claimbook.vocab import DESIGNS, MAX_PARTICIPANTS, STANCES


def _edited(folder: ReviewFolder, claim, done: str) -> None:
    """Print what an edit did and the claim's verdict after it."""
    from claimbook.evidence.review import load_review
    from claimbook.vocab import NOT_GRADED

    review = load_review(folder.claims, folder.data)
    state = " (draft)" if claim.is_draft else ""
    click.echo(plain(f"{claim.id}{state}: {done}. {claim.path}", one_line=True))
    units = claim.units()  # a sign-off of a claim in parts: each part's verdict
    for unit in units:
        row = review.verdict_row(unit.id)
        who = f"{unit.id}: " if len(units) > 1 else ""
        sure = "" if row["certainty"] == NOT_GRADED else f" ({row['certainty']} certainty)"
        click.echo(f"{who}Verdict now: {row['label']}{sure}.")


STANCE_OPT = click.option(
    "--stance", required=True, type=click.Choice(STANCES),
    help="How the paper bears on the claim as the article makes it.",
)  # fmt: skip
DESIGN_OPT = click.option(
    "--design", default=None, type=click.Choice(DESIGNS),
    help="The study design: the paper's appraisal in claims/papers.yaml, for every claim citing "
    "it (needed only for a paper not yet appraised).",
)  # fmt: skip


@click.command()
@click.argument("claim_id")
@click.argument("paper")
@STANCE_OPT
@DESIGN_OPT
@click.option(
    "--n", "n", type=click.IntRange(min=1, max=MAX_PARTICIPANTS), default=None,
    help="Participants (the paper's appraisal, like --design).",
)  # fmt: skip
@click.option("--finding", required=True, help="What the paper found, in your own words.")
@click.option("--note", default=None, help="Caveats: small sample, indirect evidence, ...")
@click.option("--title", default=None, help="For a paper not in PubMed: its title.")
@click.option("--first-author", default=None, help="For a paper not in PubMed: e.g. Miller KC.")
@click.option("--journal", default=None, help="For a paper not in PubMed: its journal.")
@click.option(
    "--year", type=click.IntRange(min=1800, max=2999), default=None,
    help="For a paper not in PubMed: its year.",
)  # fmt: skip
@click.option(
    "--anyway", is_flag=True,
    help="Cite a paper whose title and MeSH share no word with the claim (refused otherwise).",
)  # fmt: skip
@click.option("--offline", is_flag=True, help="Never fetch: refuse a paper the snapshot lacks.")
@folder_options()
def cite(
    claim_id: str, paper: str, stance: str, design: str | None, n: int | None, finding: str,
    note: str | None, title: str | None, first_author: str | None, journal: str | None,
    year: int | None, anyway: bool, offline: bool, folder: ReviewFolder,
) -> None:  # fmt: skip
    """Cite PAPER (a PMID, DOI, PubMed or doi.org address) for CLAIM_ID. A paper the snapshot
    lacks is fetched first (a DOI through its PMID); one PubMed lacks is cited with --title,
    --first-author, --journal and --year, marked "not in PubMed". An appraised paper keeps its
    appraisal (design, n, risk_of_bias) from claims/papers.yaml."""
    from claimbook import edit
    from claimbook.edit.papers import PaperDetails, paper_ref
    from claimbook.pubmed import load_snapshot

    typed_in = (title, first_author, journal, year)
    details = None
    if any(v is not None for v in typed_in):
        if title is None or first_author is None or year is None:
            raise click.UsageError("a paper not in PubMed needs --title, --first-author and --year")
        details = PaperDetails(title, first_author, year, journal)
    claim = edit.cite(
        folder, claim_id, paper, stance=stance, design=design, finding=finding, n=n, note=note,
        offline=offline, client=None if offline else app.client(quiet=True), details=details,
        check_related=not anyway,
    )  # fmt: skip
    cited = claim.evidence[-1]  # a cite appends its citation
    rec = load_snapshot(folder.snapshot).find(cited.pmid, cited.doi, cited.url)
    shown = design or cited.design
    named = cited.key if cited.pmid else (f"DOI {cited.doi}" if cited.doi else cited.url)
    how = f" (PubMed's record of {paper})" if paper_ref(paper).key != cited.key else ""
    gone = ", not in PubMed" if rec is not None and rec.in_pubmed is False else ""
    _edited(folder, claim, f"cites {named}{how} ({stance}{f', {shown}' if shown else ''}{gone})")
    warn_alerts([claim], load_snapshot(folder.snapshot))


@click.command()
@click.argument("claim_id")
@click.argument("paper")
@folder_options()
def uncite(claim_id: str, paper: str, folder: ReviewFolder) -> None:
    """Stop citing PAPER (a PMID or DOI) for CLAIM_ID."""
    from claimbook import edit

    claim = edit.uncite(folder, claim_id, paper)
    _edited(folder, claim, f"no longer cites {paper}")


@click.command()
@click.argument("claim_id")
@click.argument("paper")
@click.option("--reason", required=True, help="Why the paper is screened out.")
@click.option(
    "--full-text",
    is_flag=True,
    help="Read in full: also record it as your full-text exclude vote (--reviewer).",
)
@click.option("--reviewer", default=None, metavar="NAME",
              help="Your name, for the full-text vote (with --full-text).")  # fmt: skip
@folder_options()
def exclude(
    claim_id: str, paper: str, reason: str, full_text: bool, reviewer: str | None,
    folder: ReviewFolder,
) -> None:  # fmt: skip
    """Screen PAPER (a PMID or DOI) out of CLAIM_ID's evidence, with the reason.

    With --full-text --reviewer NAME, the paper (a saved search hit, read in full) is also
    recorded as your full-text exclude vote, with the same reason: both or neither.
    """
    from claimbook import edit

    if full_text:
        from claimbook.edit.votes import exclude_after_full_text

        if not reviewer:
            fail("say who read it in full: --full-text needs --reviewer NAME", code=2)
        vote, claim = exclude_after_full_text(folder, claim_id, paper, reviewer, reason)
        click.echo(plain(f"Recorded: {vote.reviewer} votes exclude for {vote.key} in {claim.id} "
                         "(full-text).", one_line=True))  # fmt: skip
    elif reviewer:
        fail("--reviewer is for the full-text vote: add --full-text", code=2)
    else:
        claim = edit.exclude(folder, claim_id, paper, reason)
    _edited(folder, claim, f"excludes {paper}")


@click.command(name="add-claim")
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


@click.command()
@click.argument("claim_id")
@click.option("--reviewer", required=True, help="Your name, as the report should show it.")
@click.option("--note", default=None, help="What you checked, or what is left open.")
@folder_options()
def signoff(claim_id: str, reviewer: str, note: str | None, folder: ReviewFolder) -> None:
    """Sign CLAIM_ID off: its evidence was checked. A draft becomes reviewed."""
    from claimbook import edit

    claim = edit.signoff(folder, claim_id, reviewer, note)
    _edited(folder, claim, f"signed off by {reviewer} on {claim.signoff.date}")


@click.command()
@click.option("--dry-run", is_flag=True, help="Say what would move; write nothing.")
@folder_options(data=False)
def migrate(dry_run: bool, folder: ReviewFolder) -> None:
    """Keep one appraisal per paper: move the study fields (design, n, risk_of_bias ...) off
    every citation into claims/papers.yaml. Refused, with every file unchanged, when two claims
    appraise a paper differently: make them agree, then run it again."""
    from claimbook.edit.migrate import migrate as run

    click.echo(plain(run(folder, dry_run=dry_run).summary(), one_line=True))


COMMANDS = [cite, uncite, exclude, add_claim, signoff, migrate]
