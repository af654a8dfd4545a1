"""The verdicts on the article itself (issue 24, item 3): `annotated-article.html`, the article's
own text with every claimed sentence marked and linked to its verdict, and `annotations.jsonld`,
one W3C Web Annotation per claim.

The annotations are checked against the Web Annotation Data Model's required keys and types
(https://www.w3.org/TR/annotation-model/: an Annotation has @context, an IRI id, type
"Annotation" and at least one target; a SpecificResource has a source; a TextQuoteSelector has
`exact`; a TextualBody has a value). This is a structural check: there is no network here to
fetch the JSON-LD context and expand the document against it."""

from __future__ import annotations

import json
import re

import lxml.html
import pytest
from click.testing import CliRunner

from claimbook.cli import main
from claimbook.evidence.review import load_review
from claimbook.report import build_report
from claimbook.report.annotate import AFFIX, ANNO_CONTEXT

from conftest import ROOT, SHARED, need_shared

EXAMPLE = ROOT / "examples" / "leg-cramps-quick-tip"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The quick-tip review (its article text from ../shared, its url in article.yaml) built."""
    need_shared(SHARED / "article" / "leg-cramps-quick-tip.txt")
    review = load_review(project=EXAMPLE)
    assert review.text_path is not None and review.article.url.startswith("http")
    out = tmp_path_factory.mktemp("annotated")
    written = build_report(review, out, formats=("html",), progress=False)
    return review, written, review.text_path.read_text(encoding="utf-8")


def _strings(node):
    if isinstance(node, dict):
        for v in node.values():
            yield from _strings(v)
    elif isinstance(node, list):
        for v in node:
            yield from _strings(v)
    elif isinstance(node, str):
        yield node


def test_every_annotation_has_the_models_required_keys(built):
    review, written, _text = built
    items = json.loads(written["annotations"].read_text(encoding="utf-8"))
    assert isinstance(items, list) and items
    with_quotes = [c.id for c in review.claims if c.quotes]
    assert len(items) == len(with_quotes)  # one per claim
    ids = set()
    for a in items:
        assert a["@context"] == ANNO_CONTEXT == "http://www.w3.org/ns/anno.jsonld"
        assert a["type"] == "Annotation" and a["motivation"] == "assessing"
        assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", a["id"])  # an IRI, one per annotation
        ids.add(a["id"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", a["created"])  # xsd:dateTime
        assert isinstance(a["target"], list) and a["target"]
        for t in a["target"]:
            assert t["type"] == "SpecificResource" and t["source"] == review.article.url
            sel = t["selector"]
            assert sel["type"] == "TextQuoteSelector"
            assert all(isinstance(sel[k], str) for k in ("exact", "prefix", "suffix"))
        bodies = a["body"]
        assert all(b["type"] == "TextualBody" and isinstance(b["value"], str) for b in bodies)
        assert {b["purpose"] for b in bodies} == {"assessing", "tagging"}
    assert len(ids) == len(items)


def test_every_selector_is_found_in_the_article_and_carries_no_full_text(built):
    review, written, text = built
    items = json.loads(written["annotations"].read_text(encoding="utf-8"))
    quotes = {c.id: {q.text for q in c.quotes} for c in review.claims}
    for a in items:
        claim_id = a["body"][0]["value"].split()[0]
        verdict = review.verdict_row(claim_id)
        assert a["body"][1]["value"] == verdict["verdict"]
        assert verdict["statement"] in a["body"][0]["value"]
        for t in a["target"]:
            sel = t["selector"]
            assert sel["exact"] in text and sel["exact"] in quotes[claim_id]
            assert sel["prefix"] + sel["exact"] + sel["suffix"] in text  # where it sits
            assert len(sel["prefix"]) <= AFFIX and len(sel["suffix"]) <= AFFIX
    longest_quote = max(len(q) for qs in quotes.values() for q in qs)
    assert max(len(s) for s in _strings(items)) <= max(longest_quote, 600)
    assert len(text) > 4 * longest_quote  # so the check above would catch the whole text


def test_the_annotated_article_is_the_text_with_each_quote_marked_and_linked(built):
    review, written, text = built
    html = written["annotated"].read_text(encoding="utf-8")
    doc = lxml.html.document_fromstring(html)
    assert "full text of the article" in doc.xpath("//p[@class='private']")[0].text_content()
    article = doc.xpath("//div[@class='article']")[0]
    for tag in article.xpath(".//span[@class='verdict']"):
        tag.drop_tree()  # the verdicts taken out, what is left is the article, byte for byte
    assert article.text_content() == text
    marked = "".join(m.text_content() for m in doc.xpath("//mark"))
    links = set(lxml.html.document_fromstring(html).xpath("//span[@class='verdict']/a/@href"))
    for c in review.claims:
        for q in c.quotes:
            assert q.text in marked, c.id
        if c.quotes:
            assert f"claimbook-report.html#{c.id.lower()}" in links
            verdict = review.verdict_row(c.id)
            assert verdict["statement"] in html.replace("&#39;", "'")


def test_without_the_article_text_the_build_says_so_in_one_line(project, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["report", "--project", str(project), "--out", str(out), "--format", "html", "-q"]
    )
    assert result.exit_code == 0, result.output
    said = [line for line in result.output.splitlines() if "annotated-article.html" in line]
    assert len(said) == 1 and "skipped" in said[0] and "text is not available" in said[0]
    assert not (out / "annotated-article.html").exists()
    assert not (out / "annotations.jsonld").exists()


def test_with_the_text_but_no_url_only_the_annotated_article_is_written(project, tmp_path):
    article = project / "claims" / "article.yaml"
    text = article.read_text(encoding="utf-8")
    article.write_text(
        re.sub(r"^text_file: .*$", "text_file: article.txt", text, flags=re.M), encoding="utf-8"
    )  # the fixture's text sits beside claims/: text_file is relative to the review folder
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["report", "--project", str(project), "--out", str(out), "--format", "html", "-q"]
    )
    assert result.exit_code == 0, result.output
    assert (out / "annotated-article.html").exists()
    assert not (out / "annotations.jsonld").exists()
    assert "annotations.jsonld skipped: claims/article.yaml has no http(s) url" in result.output
