"""What a PubMed record suggests to the cite form (issue 23): the design from its publication
types and MeSH headings, n from what its abstract states, each with the rule shown; and the
"looks unrelated" rule, on the real records of the shipped snapshot and the shared fixtures.

The shipped snapshot (data/pubmed/records.jsonl) holds curated records: titles, no abstracts,
no MeSH. The abstracts, publication types and MeSH headings here are those of the real efetch
records recorded in the shared fixtures.
"""

from __future__ import annotations

import html
import re

import pytest
from test_fetch_cli import Eutils

from claimbook.edit.papers import claim_texts, content_words, looks_unrelated
from claimbook.evidence.review import load_review
from claimbook.jupyter.workbench import Workbench
from claimbook.pubmed.client import LIMITER
from claimbook.pubmed.designs import suggest_design, suggest_n
from claimbook.pubmed.parse import parse_pubmed_xml
from claimbook.pubmed.store import load_snapshot

from conftest import ROOT, claim_file


def _article(records: dict[str, bytes], pmid: str):
    """The parsed real record of `pmid` from the shared efetch fixtures."""
    return next(parse_pubmed_xml(b"<PubmedArticleSet>" + records[pmid] + b"</PubmedArticleSet>"))


# --------------------------------------------------------------------------- design

MESH = "PubMed's MeSH headings include"


@pytest.mark.parametrize(
    ("pmid", "design", "rule"),
    [
        ("23435529", "rct", "PubMed indexes it as Randomized Controlled Trial"),
        ("29768149", "rct", "PubMed indexes it as Randomized Controlled Trial"),
        ("35830032", "meta-analysis", "PubMed indexes it as Meta-Analysis"),
        ("38958301", "guideline", "PubMed indexes it as Practice Guideline"),
        (
            "36987902",
            "retrospective-cohort",
            "PubMed's MeSH headings include Retrospective Studies",
        ),
        ("23657305", "case-control", f"{MESH} Case-Control Studies"),
        ("34529508", None, None),  # an editorial: nothing to suggest
        ("29963580", None, None),  # a journal article, no design indexed
    ],
)
def test_the_design_is_suggested_from_publication_types_and_mesh(records, pmid, design, rule):
    art = _article(records, pmid)
    found = suggest_design(art.publication_types, art.mesh_terms)
    if design is None:
        assert found is None
    else:
        assert (found.value, found.rule) == (design, rule)
        label = rule.split(" as ")[-1].split(" include ")[-1]
        assert label in art.publication_types or label in {m.rstrip("*") for m in art.mesh_terms}


# --------------------------------------------------------------------------- n


@pytest.mark.parametrize(
    ("pmid", "n", "quoted"),
    [
        ("23435529", 408, "A total of 408 patients"),
        ("29768149", 3849, "A total of 3849 patients"),
        ("36987902", 101, "included 101 patients"),
        ("28775130", 679, "679 men enrolled"),
        ("28731372", None, None),  # two arms, n = 30 and n = 23: unsure
        ("28786991", None, None),  # "100 hypothetical participants": no study population
        ("30078747", None, None),  # "8,705 patients detects ...": not a stated enrolment
        ("29963580", None, None),  # no number of people at all
    ],
)
def test_n_is_read_from_real_abstracts_or_left_out(records, pmid, n, quoted):
    art = _article(records, pmid)
    found = suggest_n(art.abstract)
    if n is None:
        assert found is None
    else:
        assert found.value == n and quoted in found.rule
        assert quoted in " ".join(art.abstract.split())  # the rule quotes the abstract


@pytest.mark.parametrize(
    ("text", "n"),
    [
        ("Twelve clinics took part (n = 42).", 42),
        ("In all, 42 patients were randomised to stretching or rest.", 42),
        ("A total of 1,234 participants completed the survey.", 1234),
        ("We enrolled 60 runners before the race.", 60),
        ("Cramps occurred in 1.5% of the 300 races.", None),
        ("", None),
    ],
)
def test_n_rules_as_the_issue_states_them(text, n):
    found = suggest_n(text)
    assert (found.value if found else None) == n


# --------------------------------------------------------------------------- unrelated


def test_every_paper_the_shipped_claims_cite_shares_a_word_with_its_claim():
    """No false alarm on 200-odd real citations: each paper's title shares a content word with
    the claim (or part) that cites it."""
    review = load_review(project=ROOT)
    checked = 0
    for claim in review.claims:
        for unit in claim.units():
            for cit in unit.evidence:
                rec = review.snapshot.find(cit.pmid, cit.doi, cit.url)
                assert not looks_unrelated(rec, claim_texts(claim, unit)), (unit.id, rec.title)
                checked += 1
    assert checked > 100


def test_a_real_unrelated_paper_warns_and_a_related_one_does_not(records):
    review = load_review(project=ROOT)
    c01 = review.claim("C01")
    texts = claim_texts(c01)
    snapshot = load_snapshot(ROOT / "data" / "pubmed")
    assert not looks_unrelated(snapshot.get("3735481"), texts)  # cramp in marathon runners
    massage = snapshot.get("1589464")  # massage and the H-reflex: nothing of fluids or cramp
    assert looks_unrelated(massage, texts)
    aids = _article(records, "12091962")  # AIDS in prisons, with its real MeSH headings
    from claimbook.pubmed.sync import record_from_article

    rec = record_from_article(aids, None, None)
    assert rec.mesh_terms and looks_unrelated(rec, texts)
    # shared words are whole content words, stemmed: 'cramping' meets the query's 'cramp*'
    assert "cramp" in content_words(["Predictors of Calf Cramping"]) & content_words(texts)
    assert not content_words(["The effect of a study on the results"])  # stopwords only


# --------------------------------------------------------------------------- the cite form


@pytest.fixture
def pubmed(httpserver, records, monkeypatch):
    LIMITER.reset()
    monkeypatch.setenv("CLAIMBOOK_EUTILS_URL", httpserver.url_for("/"))
    monkeypatch.delenv("NCBI_API_KEY", raising=False)
    return Eutils(httpserver, records)


def test_the_cite_form_presets_the_suggestions_and_saves_what_it_holds(review, pubmed, records):
    pmid = "23435529"  # a real RCT record: PubMed indexes its design, the abstract states n
    bench = Workbench(project=review, claim_id="C01")
    bench.cite_ident.value = pmid
    bench.lookup_button.click()
    panel = bench.cite_panel
    assert bench.cite_design.value == "rct" and bench.cite_n.value == "408"
    shown = html.unescape(panel.suggest_html.value)
    assert "PubMed indexes it as Randomized Controlled Trial" in shown
    assert "A total of 408 patients" in shown and "Check them" in shown
    # the reviewer corrects the suggestion: the form's value is what is saved
    bench.cite_n.value = "400"
    bench.cite_finding.value = "A chemotherapy trial cited to check the cite form's suggestions."
    bench.cite_button.click()  # a lung-cancer trial for C01: asked first
    assert "looks unrelated" in html.unescape(panel.confirm_html.value)
    assert f'"{pmid}"' not in (review / "claims" / "papers.yaml").read_text(encoding="utf-8")
    panel.anyway_button.click()
    papers = (review / "claims" / "papers.yaml").read_text(encoding="utf-8")
    entry = re.search(rf'- pmid: "{pmid}"\n((?:    .*\n)+)', papers).group(1)
    assert "design: rct" in entry and "n: 400" in entry
    assert f'pmid: "{pmid}"' in claim_file(review, "C01").read_text(encoding="utf-8")
