"""The report as Markdown, for pasting into notes and wikis: the same content as the HTML.

Tables are GitHub-style pipe tables. Every piece of text from claims or PubMed goes through
`md()` (claimbook.markup), which writes `<`, `>`, `&` as entities and backslash-escapes the
rest of Markdown's syntax (including `|`), so a title holding markup renders as text; a link
is written only to an http(s) or doi address (`link()`), else its text stands alone.
"""

from __future__ import annotations

import html

from claimbook import __version__
from claimbook.evidence.absolute import NO_ABSOLUTE
from claimbook.ids import doi_url, pubmed_url
from claimbook.markup import code, md, md_link, md_url
from claimbook.report.context import (
    DASH,
    RATING,
    ClaimSection,
    ReportContext,
    changes_verdicts,
    stance_tally,
)
from claimbook.report.figures import alt_texts, prisma_alt
from claimbook.report.prisma import REVIEW_NOTE
from claimbook.vocab import certainty_range


def link(text: str, url: str | None) -> str:
    """A Markdown link, or only its text when the address is not http(s)/doi (never live)."""
    return md_link(text, url)


def anchor(name: str) -> str:
    """The raw HTML anchor a section starts with (its name escaped, though ids are safe)."""
    return f'<a id="{html.escape(name, quote=True)}"></a>'


def sup(text: str) -> str:
    return f"<sup>{html.escape(text)}</sup>"


def here(text: str, target: str) -> str:
    """A link to a section of this report: `[C01](#c01)`."""
    return f"[{md(text)}](#{md_url(target)})"


def _pct(x: float) -> str:
    return f"{x * 100:.0f}%"


def _cover(ctx: ReportContext) -> list[str]:
    """Page 1: the title, the key messages, the not-medical-advice line and the facts."""
    a = ctx.article
    by = md(a.publisher) + (f" · {link(a.url, a.url)}" if a.url else "")
    papers = f"{len(ctx.references)}"
    if ctx.retracted:
        papers += f" ({len(ctx.retracted)} retracted, flagged and not counted)"
    reviewed = "; ".join(md(r) for r in ctx.reviewers) or (
        f"no claim is signed off by a named reviewer yet (reviewed {a.reviewed.isoformat()})"
    )
    sources = "; ".join(f"{n} {md(name)}" for name, n in ctx.snapshot_sources)
    searched = f"papers as of {ctx.snapshot_date}: {ctx.snapshot_size} records ({sources})"
    if ctx.gathered:
        searched += ", " + "; ".join(md(g) for g in ctx.gathered)
    out = [
        f"# Evidence review of: {md(a.title)}",
        "",
        "*Evidence review · claim by claim against PubMed*",
        "",
        f"An article by {by}.",
        "",
        anchor("summary"),
        "",
        "## Key messages",
        "",
    ]
    for i, m in enumerate(ctx.key_messages, 1):
        see = ", ".join(here(cid, cid.lower()) for cid in m.claim_ids)
        client = f" **For a client:** {md(m.client)}" if m.client else ""
        out.append(f"{i}. **{md(m.headline)}** {md(m.text)}{client} See {see}.")
    return [
        *out,
        "",
        f"**{md(ctx.not_medical_advice)}**",
        "",
        f"- **Reviewed by:** {reviewed}",
        f"- **Evidence searched:** {searched}; the searches are in the Method",
        f"- **Claims checked:** {len(ctx.claims)}, with {papers} papers",
        f"- **The article:** {md(a.kind)}",
    ]


def _summary(ctx: ReportContext, figures_dir: str | None) -> list[str]:
    """Every claim on one line, surest first, with what to tell a client."""
    out = ["", anchor("glance"), "", "## Every claim, surest first", ""]
    for c in ctx.glance:
        flag = f" **{c.retracted} retracted**" if c.retracted else ""
        tell = f" — {md(c.tell)}" if c.tell else ""
        out.append(f"- **{md(c.label)}** {here(c.id, c.anchor)} {md(c.title)}{flag}{tell}")
    if figures_dir:
        alt = md(ctx_alt(ctx, "overview"))
        out += ["", f"![{alt}]({figures_dir}/overview.svg)"]
    return [*out, "", f"> {md(ctx.article.attribution)}"]


def ctx_alt(ctx: ReportContext, key: str) -> str:
    """A figure's alt text (what it shows), as the HTML gives it."""
    return alt_texts(ctx).get(key, key)


def _sof_row(c: ClaimSection, shared: tuple[str | None, str | None], letters: list[str]) -> str:
    sof = c.sof
    who = [f"{label}: {sof[key]}" for label, key, common in
           (("Population", "population", shared[0]), ("Setting", "setting", shared[1]))
           if sof[key] and not common]  # fmt: skip
    outcome = f"{here(c.id, c.anchor)} {md(c.title)}" + (f" ({md('; '.join(who))})" if who else "")
    n = sof["studies"]
    people = f"{sof['participants']}" if sof["participants"] else "not reported"
    count = f"{people} ({n} stud{'y' if n == 1 else 'ies'})"
    if sof["designs"]:
        count += f": {md(sof['designs'])}"
    notes = sup(",".join(letters)) if letters else ""
    effect = md(sof["effect"]) + (f" ({md(sof['reported'])})" if sof["reported"] else "")
    if sof["absolute"]:
        effect += f". Absolute: {md(sof['absolute'])}"
    elif sof["no_absolute"] and sof["no_absolute"] != NO_ABSOLUTE:
        effect += f". {md(sof['no_absolute'])}"
    return (
        f"| {outcome} | {count} | {effect} | {c.symbols} {md(c.certainty)}{notes} "
        f"| {md(c.statement)} |"
    )


def _sof(ctx: ReportContext) -> list[str]:
    """GRADEpro's Summary of Findings: one table per topic, one row per outcome."""
    out = [
        "",
        anchor("summary-of-findings"),
        "",
        "## Summary of findings",
        "",
        "In the layout of GRADE's Summary of Findings tables (GRADEpro), one row per outcome. "
        "№ of participants (studies) counts primary studies only, each once: a systematic "
        "review stands for the studies it pooled; narrative reviews, guidelines and papers "
        f"cited as context are not counted. The certainty is {certainty_range()}; each "
        "lettered note names the GRADE domain that lowered it and why.",
    ]
    for g in ctx.sof_groups:
        out += [
            "",
            f"### {md(g.title)}",
            "",
            f"**Patient or population:** {md(g.population or 'as each outcome says')} · "
            f"**Setting:** {md(g.setting or 'as each outcome says')}",
            "",
            "| Outcome | № of participants (studies) | Effect | Certainty of the evidence "
            "(GRADE) | What it means |",
            "|---|---|---|---|---|",
            *[_sof_row(c, (g.population, g.setting), g.letters.get(c.id, [])) for c in g.rows],
        ]
        out += ["", md(g.no_absolute())] if g.no_absolute() else []
        notes = [f"- {sup(x)} {md(cid)}: {md(note)}" for x, cid, note in g.notes]
        out += ["", *notes] if notes else []
    return out


def _changes(ctx: ReportContext) -> list[str]:
    """'Changes since the last review', when the output folder held an earlier build."""
    diff = ctx.changes
    if not diff:
        return []
    n = len(diff.claims)
    other = ", which used another snapshot of the papers" if diff.snapshot else ""
    out = ["", "## Changes since the last review", ""]
    claims = f"{n} claim{'' if n == 1 else 's'}"
    out += [f"What differs from the previous build of this report{other}: {claims} changed; "
            f"{changes_verdicts(diff)}.", ""]  # fmt: skip
    for change in diff.claims:
        out.append(f"- {md(change.headline)}")
        out += [f"  - {md(d)}" for d in ctx.change_details(change)]
    return out


def _links(row) -> str:
    ref = row.ref
    links = [link(n, u) for n, u in (("PubMed", ref.pubmed_url), ("DOI", ref.doi_url)) if u]
    if ref.source_url:
        links.append(link("Source", ref.source_url) + " (not in PubMed)")
    elif ref.record.in_pubmed is False:  # cited by DOI, its details typed by the reviewer
        links.append("(not in PubMed)")
    return " ".join(links)


def _whole(c: ClaimSection) -> list[str]:
    """The record of a claim graded in parts, before its first part."""
    w = c.whole
    if w is None:
        return []
    parts = "; ".join(f"{here(pid, pid.lower())} {md(title)}" for pid, title in w.parts)
    out = ["", anchor(w.anchor), "", f"## {md(w.id)} · {md(w.title)}", ""]
    out += [f"*{md(c.topic_label)}*", "", f"**The claim as the article makes it:** {md(w.claim)}"]
    out += ["", f"This sentence makes {len(w.parts)} claims, and the research answers them "
            f"differently, so each is graded on its own: {parts}."]  # fmt: skip
    if w.advice:
        out += ["", f"**What to tell a client:** {md(w.advice)}"]
    return out


def _claim(c: ClaimSection, ctx: ReportContext, figures_dir: str | None) -> list[str]:
    publisher = md(ctx.article.publisher)
    out = [*_whole(c), "", anchor(c.anchor), "", f"## {md(c.id)} · {md(c.title)}", ""]
    part = f" · part {md(c.part)} of {md(c.id[:-1])}" if c.part else ""
    out += [f"*{md(c.topic_label)}{part}*", "", "**What the article says**", ""]
    for i, q in enumerate(c.quotes):
        if i:
            out.append(">")
        out += [f"> “{md(q.text)}”  ", f"> — {publisher}, section “{md(q.section)}”"]
    out += [
        "",
        f"**The claim, plainly:** {md(c.claim)}",
        "",
        f"**Verdict: {md(c.label)}** — {md(c.sentence)}",
        "",
        f"**Why:** {md(c.rationale)}",
        "",
    ]
    out += [
        f"**Certainty: {c.symbols} {md(c.certainty)}**, by GRADE's five domains:",
        "",
        *[f"- **{md(label)}**: {md(rating)}" for label, rating in c.domains],
        "",
    ]
    if c.review_line:
        out += [f"*{md(c.review_line)}*", ""]
    if c.advice:
        out += [f"**What to tell a client:** {md(c.advice)}", ""]
    if c.alerts:
        out += ["**PubMed flags papers cited here** (read the notice before relying on the "
                "paper; a retracted paper is given no weight):", ""]  # fmt: skip
        out += [*(f"- {md(a)}" for a in c.alerts), ""]
    counts = f"{len(c.rows)} paper{'' if len(c.rows) == 1 else 's'}: {stance_tally(c.counts)}"
    out += ["### The evidence", "", counts + ". Numbers in brackets refer to the references.", ""]
    if figures_dir:
        out += [f"![{md(ctx_alt(ctx, c.id))}]({figures_dir}/{c.id}.svg)", ""]
    out += [
        "| Ref | Study | Design | n | Stance | Finding | Links |",
        "|---|---|---|---:|---|---|---|",
    ]
    for row in c.rows:
        flags = [a for a in row.alert.split("; ") if a]
        study = md(row.ref.short) + "".join(f" **{md(a.upper())}**" for a in flags)
        finding = md(row.finding) + (f" *{md(row.note)}*" if row.note else "")
        out.append(
            f"| [{row.ref.number}] | {study} | {md(row.design)} | {row.n or DASH} "
            f"| {md(row.stance)} | {finding} | {_links(row)} |"
        )
    if c.excluded:
        out += ["", "**Screened out**: papers looked at for this claim and not used.", ""]
        for x in c.excluded:
            target = (
                link(f"PMID {x.pmid}", pubmed_url(x.pmid))
                if x.pmid
                else link(f"doi:{x.doi}", doi_url(x.doi))
            )
            out.append(f"- {target}: {md(x.reason)}")
    return out


def _references(ctx: ReportContext) -> list[str]:
    out = [
        "",
        "## References",
        "",
        "Every paper cited, once, numbered in order of first citation.",
        "",
    ]
    for ref in ctx.references:
        r = ref.record
        ids = []
        if ref.pubmed_url:
            ids.append(link(f"PMID {r.pmid}", ref.pubmed_url))
        if ref.doi_url:
            ids.append(link(f"doi:{r.doi}", ref.doi_url))
        if ref.source_url:
            ids.append(link(ref.source_url, ref.source_url) + " (not indexed in PubMed)")
        flag = " **RETRACTED**" if r.retracted else ""
        cited = ", ".join(here(cid, cid.lower()) for cid in ref.cited_by)
        out.append(f"{ref.number}. {md(ref.citation)} {' · '.join(ids)}{flag} Cited for {cited}.")
    return out


def _method(ctx: ReportContext) -> list[str]:
    """The method appendix: how the evidence was gathered, how it is graded, the limits."""
    return [
        "",
        "## Method",
        *_method_gathered(ctx),
        *_method_graded(ctx),
        *_method_limitations(ctx),
        "",
        f"*Made with claimbook {__version__}.*",
    ]


def _method_gathered(ctx: ReportContext) -> list[str]:
    sources = "; ".join(f"{n} {md(name)}" for name, n in ctx.snapshot_sources)
    return [
        "",
        "### How the evidence was gathered",
        "",
        "Each factual claim of the article was written down as a record holding the sentences "
        "it rests on, quoted exactly. Papers for *and against* each claim come from curated "
        "evidence dossiers, in which every paper was verified on a public PubMed, PMC or "
        "publisher page that the record keeps, and, where fetched, from PubMed's E-utilities. "
        "Findings are summarised in this review's own words. The citation snapshot is dated "
        f"{ctx.snapshot_date}: {sources}. These are the PubMed searches a reviewer can rerun "
        "for each claim:",
        "",
        *[f"- **{c.id}**: {code(c.query)}" for c in ctx.claims],
    ]


def _method_graded(ctx: ReportContext) -> list[str]:
    rules = ctx.rules
    return [
        "",
        "### How the verdicts are graded",
        "",
        f"The rules are data ({md(rules.source)}) that anyone can read, change and rerun. Each "
        "paper takes a *stance* towards the claim as the article makes it and carries a "
        "*weight* from its study design; a primary study's weight is scaled by its size. "
        "Retracted papers get no weight.",
        "",
        "| Design | Rank | Weight |",
        "|---|---:|---:|",
        *[
            f"| {md(name)}{' (not scaled by size)' if name in rules.pooled else ''} "
            f"| {rank} | {weight:g} |"
            for name, rank, weight in rules.designs
        ],
        "",
        "| Stance | For | Against |",
        "|---|---:|---:|",
        *[f"| {s} | {sup:g} | {con:g} |" for s, sup, con in rules.stances],
        "",
        f"**Size** (primary studies): {md('; '.join(rules.size))}.",
        "",
        *[line for para in rules.explained for line in (md(para), "")],
        "In the machine-readable ClaimReview data (schema.org) the verdicts are rated "
        + ", ".join(f"{n} ({k})" for k, n in sorted(RATING.items(), key=lambda kv: -kv[1]))
        + ", on a scale from 1 to 5.",
    ]


def _method_limitations(ctx: ReportContext) -> list[str]:
    out = ["", "### Limitations", ""]
    if ctx.curated:
        out.append(
            f"- {ctx.curated} of the {len(ctx.references)} cited records are curated: their "
            "bibliographic details were copied from public PubMed, PMC or publisher pages and "
            "verified there (each record keeps the page), not fetched from PubMed's "
            "E-utilities, so they carry no abstracts or publication types and the study design "
            "comes from this review's reading. Running `claimbook fetch` online replaces them "
            "with PubMed's records."
        )
    else:
        out.append("- Every cited record was fetched from PubMed's E-utilities.")
    out += [
        "- This is a structured review of selected evidence, not a full systematic review; "
        "papers whose PMID, DOI, title or year could not be verified were left out, which "
        "removes some small trials.",
        "- Stances and findings are one reviewing team's reading of each paper; the grading "
        "rules are simple and public so that others can disagree precisely.",
    ]
    out += [f"- {md(text)}" for text in ctx.article.limitations]  # the review's own
    thin = ", ".join(
        f"{c.id} ({md(c.label)}, {c.independent} stud{'y' if c.independent == 1 else 'ies'})"
        for c in ctx.thin
    )
    listed = (
        f"{len(ctx.thin)} of the {len(ctx.claims)} claims: {thin}. Read these verdicts as what "
        "the little research there is suggests."
        if ctx.thin
        else "No claim's evidence is that thin."
    )
    out.append(f"- **Thin evidence** means {md(ctx.thin_rule)}. {listed}")
    if ctx.retracted:
        nums = ", ".join(f"\\[{r.number}\\]" for r in ctx.retracted)
        out.append(
            f"- **Retracted papers:** {nums}; flagged wherever they are cited and given no weight."
        )
    return out


def _prisma(ctx: ReportContext, figures_dir: str | None) -> list[str]:
    """The PRISMA 2020 section: the review's flow diagram, one row per claim, the agreement."""
    p = ctx.prisma
    out = ["", anchor("prisma"), "", "## Search and screening (PRISMA 2020)", ""]
    if p is None:
        return [*out, "The saved searches and votes were not read (a review built in memory)."]
    if not p.searched:
        return [*out, f"No claim's evidence came from a saved PubMed search: the papers of all "
                f"{len(p.flows)} claims were curated by hand, so there are no PRISMA counts to "
                "show."]  # fmt: skip
    if figures_dir:
        out += [f"![{md(prisma_alt(p.review))}]({figures_dir}/prisma-review.svg)", ""]
    out += [md(REVIEW_NOTE), "", "| Claim | Identified | Duplicates | Screened | Excluded at "
            "screening | Assessed in full | Excluded after reading | Included (by other "
            "methods) |", "|---|---:|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for f in [*p.flows, p.review]:
        name = "**Review**" if f is p.review else here(f.claim_id, f.claim_id.lower())
        if not f.searched:
            out.append(f"| {name} | {md(f.rows()[0][1])} ||||||| ")
            continue
        n = (f.identified, f.duplicates, f.screened, f.excluded, f.assessed,
             f.excluded_full_text, f"{f.total_included} ({f.other_included})")  # fmt: skip
        out.append(f"| {name} | " + " | ".join(str(x) for x in n) + " |")
    a = p.overall
    if a.two:
        out += ["", f"Agreement of {md(' and '.join(a.reviewers[:2]))}: on inclusion, "
                f"{a.inclusion.in_words()}; on the stance, {a.stance.in_words()}."]  # fmt: skip
    return out


def render_markdown(ctx: ReportContext, figures_dir: str | None = None) -> str:
    """The whole report as one Markdown document; `figures_dir` (relative) holds the SVGs."""
    out = _cover(ctx) + _summary(ctx, figures_dir) + _sof(ctx) + _changes(ctx)
    for c in ctx.claims:
        out += _claim(c, ctx, figures_dir)
    out += _references(ctx) + _prisma(ctx, figures_dir) + _method(ctx)
    return "\n".join(out) + "\n"
