"""The report as Markdown, for pasting into notes and wikis: the same content as the HTML."""

from __future__ import annotations

import re

from claimbook.report.claimreview import RATING
from claimbook.report.context import ReportContext

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#])")


def md(text: object) -> str:
    """Escape Markdown (and inline HTML) so text from PubMed or claims renders as text."""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def render_markdown(ctx: ReportContext) -> str:
    """The whole report as one Markdown document."""
    a = ctx.article
    out = [
        f"# Evidence review: {md(a.title)}",
        "",
        f"*Published by {md(a.publisher)}.* **What kind of piece this is:** {md(a.kind)}",
        "",
        f"- Reviewed: {a.reviewed.isoformat()}",
        f"- Claims checked: {len(ctx.claims)}; papers cited: {len(ctx.references)}",
        f"- Citation snapshot: {md(ctx.snapshot_summary)}",
        "",
        f"> {md(a.attribution)}",
        "",
        "## Summary",
        "",
        "| Claim | Verdict | Certainty | Support | Contradict |",
        "|---|---|---|---:|---:|",
    ]
    for c in ctx.claims:
        out.append(
            f"| [{c.id}](#{c.id.lower()}) {md(c.title)} | **{c.verdict}** | {c.certainty} "
            f"| {c.counts['supports']} | {c.counts['contradicts']} |"
        )
    for c in ctx.claims:
        out += ["", f'<a id="{c.id.lower()}"></a>', "", f"## {c.id} · {md(c.title)}", ""]
        out.append(f"*{md(c.topic_label)}*")
        out.append("")
        for q in c.quotes:
            out.append(f"> “{md(q.text)}” — {md(a.publisher)}, section “{md(q.section)}”")
            out.append(">")
        out[-1] = ""
        out += [
            f"**The claim, plainly:** {md(c.claim)}",
            "",
            f"**Verdict: {c.verdict.upper()} ({c.certainty} certainty).** {md(c.sentence)}",
            "",
            f"**Why:** {md(c.rationale)}",
            "",
        ]
        if c.advice:
            out += [f"**What to tell a client:** {md(c.advice)}", ""]
        out += [
            "| Ref | Study | Design | n | Stance | Finding | Links |",
            "|---|---|---|---:|---|---|---|",
        ]
        for row in c.rows:
            r = row.ref.record
            study = f"{md(r.first_author or 'Anon.')} {r.year or ''}".strip()
            if row.retracted:
                study += " **RETRACTED**"
            links = " ".join(
                f"[{name}]({url})"
                for name, url in (("PubMed", row.ref.pubmed_url), ("DOI", row.ref.doi_url))
                if url
            ) or (f"[source]({r.url}) (not in PubMed)" if r.url else "")
            finding = md(row.finding) + (f" *{md(row.note)}*" if row.note else "")
            out.append(
                f"| [{row.ref.number}] | {study} | {md(row.design)} | {row.n or '-'} "
                f"| {row.stance} | {finding} | {links} |"
            )
    out += ["", "## References", ""]
    for ref in ctx.references:
        r = ref.record
        ids = []
        if ref.pubmed_url:
            ids.append(f"[PMID {r.pmid}]({ref.pubmed_url})")
        if ref.doi_url:
            ids.append(f"[doi:{md(r.doi)}]({ref.doi_url})")
        if not ids and r.url:
            ids.append(f"<{r.url}> (not indexed in PubMed)")
        flag = " **RETRACTED**" if r.retracted else ""
        out.append(
            f"{ref.number}. {md(ref.citation)} {' '.join(ids)}{flag} "
            f"(cited for {', '.join(ref.cited_by)})"
        )
    v = ctx.rules.verdict
    out += [
        "",
        "## Method",
        "",
        "Each factual claim of the article is a record with the sentences it rests on. Papers "
        "for and against each claim come from curated evidence dossiers (every paper verified "
        "on a public page, which its record keeps) and, where fetched, from PubMed's "
        "E-utilities. Findings are summarised in this project's own words.",
        "",
        f"Verdicts: *supported* when at least {v['supported_at_least']:.0%} of the weighted "
        f"evidence is for the claim, *contradicted* at {v['contradicted_at_most']:.0%} or less, "
        f"*contested* in between, *insufficient* below a total weight of "
        f"{v['min_total_weight']}. Retracted papers never count. Certainty uses GRADE's words. "
        "ClaimReview ratings: "
        + ", ".join(f"{k} = {n}" for k, n in sorted(RATING.items(), key=lambda kv: -kv[1]))
        + ".",
        "",
        "| Design | Rank | Weight |",
        "|---|---:|---:|",
        *[f"| {name} | {rank} | {weight} |" for name, rank, weight in ctx.rules_designs],
        "",
        "PubMed queries a reviewer can rerun:",
        "",
        *[f"- {c.id}: `{c.query.replace('`', '')}`" for c in ctx.claims],
        "",
        "Limitations: the evidence comes from curated dossiers and PubMed records, not a full "
        "systematic review; unverifiable papers were left out; stances are one team's reading.",
    ]
    if ctx.thin:
        out.append(
            "Thin evidence: "
            + ", ".join(f"{c.id} ({c.verdict}, {c.certainty} certainty)" for c in ctx.thin)
            + "."
        )
    return "\n".join(out) + "\n"
