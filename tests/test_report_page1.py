"""Page 1 answers the reader, the report works on a phone and its figures have names (issue 24,
items 1, 4 and 5): the built HTML read with a parser and in Chromium at 390 px, and page 1 of
the PDF read with pdftotext. Expectations come from the review's data, not from the code."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import html as lxml_html

from claimbook.evidence.review import load_review
from claimbook.report import build_report
from claimbook.vocab import CERTAINTIES, DOMAIN_LABELS, NOT_GRADED, VERY_LOW

ROOT = Path(__file__).resolve().parents[1]
FOLDERS = [ROOT, ROOT / "examples" / "leg-cramps-quick-tip"]
CHROMIUM = next(
    (p for p in ("/usr/bin/chromium", shutil.which("chromium")) if p and Path(p).exists()), None
)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright, shared by the phone tests."""
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"], headless=True
        )
        yield chromium
        chromium.close()


def pdf_text(written: dict, *options: str) -> str:
    """The built PDF's text by pdftotext (skips when no PDF was built or poppler is missing)."""
    if "pdf" not in written:
        pytest.skip("Chromium is not installed, so no PDF was built")
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext is not installed (Debian: poppler-utils)")
    return subprocess.run(
        ["pdftotext", *options, str(written["pdf"]), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module", params=FOLDERS, ids=["root", "quick-tip"])
def built(request, tmp_path_factory):
    review = load_review(project=request.param)
    out = tmp_path_factory.mktemp("page1")
    formats = ("html", "md", "pdf") if CHROMIUM else ("html", "md")
    written = build_report(review, out, formats=formats, progress=False)
    doc = lxml_html.fromstring(written["html"].read_bytes())
    return review, written, doc


def test_h1_says_it_is_a_review_of_the_article(built):
    review, _, doc = built
    h1 = words(doc.xpath("//h1")[0].text_content())
    assert h1.startswith("Evidence review of:") and h1.endswith(words(review.article.title))


def test_page1_has_three_to_five_key_messages_from_the_verdicts(built):
    review, _, doc = built
    section = doc.get_element_by_id("summary")
    messages = section.xpath(".//ol[contains(@class,'messages')]/li")
    assert 3 <= len(messages) <= 5
    v = review.verdicts.set_index("claim_id")
    by_anchor = {i.lower(): i for i in v.index}  # anchors are lower case: #c08a for C08a
    linked = [
        [by_anchor.get(a.get("href")[1:]) for a in li.xpath(".//a[starts-with(@href,'#')]")]
        for li in messages
    ]
    assert all(ids and None not in ids for ids in linked)
    # where the article is wrong with some certainty, the first message says so
    wrong = v[(v["verdict"] == "contradicted") & ~v["certainty"].isin([VERY_LOW, NOT_GRADED])]
    if len(wrong):
        surest = min(wrong["certainty"], key=CERTAINTIES.index)
        first = v.loc[linked[0][0]]
        assert first["verdict"] == "contradicted" and first["certainty"] == surest
    # a single-claim message carries that claim's label and its certainty in words
    for li, ids in zip(messages, linked, strict=True):
        if len(ids) == 1:
            text = words(li.text_content()).lower()
            assert v.loc[ids[0], "label"].lower() in text
            assert v.loc[ids[0], "certainty"] in text or "definitions" in text
    text = words(section.text_content()).lower()
    assert "not medical advice" in text and "reviewed by" in text and "searched" in text


def test_every_claim_on_one_line_surest_first_with_advice(built):
    review, _, doc = built
    items = doc.xpath("//section[@id='glance']//ul[contains(@class,'glance-list')]/li")
    v = review.verdicts.set_index("claim_id")
    ids = [li.xpath(".//a[contains(@class,'cid')]")[0].text_content() for li in items]
    assert sorted(ids) == sorted(v.index)

    def rank(cid):
        row = v.loc[cid]
        if row["verdict"] == "insufficient":
            return len(CERTAINTIES) + 1
        return CERTAINTIES.index(row["certainty"]) if row["certainty"] in CERTAINTIES else 2.5

    ranks = [rank(i) for i in ids]
    assert ranks == sorted(ranks), "surest first, too little research last"
    advised = {c.id for c in review.claims if c.advice or c.record.advice}
    for li, cid in zip(items, ids, strict=True):
        badge = li.xpath(".//span[contains(@class,'badge')]")[0]
        assert badge.text_content() == v.loc[cid, "label"]
        assert bool(li.xpath(".//span[@class='tell']")) == (cid in advised)


def test_summary_of_findings_has_a_row_per_outcome_and_lettered_domain_notes(built):
    review, _, doc = built
    section = doc.get_element_by_id("summary-of-findings")
    rows = section.xpath(".//table[contains(@class,'sof-table')]/tbody/tr")
    assert len(rows) == len(review.claims)
    headers = [words(th.text_content()) for th in section.xpath(".//thead//th")]
    assert "№ of participants (studies)" in headers
    assert section.xpath(".//p[contains(@class,'pico')]")  # population / setting
    notes = section.xpath(".//ul[contains(@class,'sof-notes')]/li")
    domains = [d.capitalize() for d in DOMAIN_LABELS.values()]
    lowered = sum(
        1 for _, row in review.verdicts.iterrows() for d in DOMAIN_LABELS if row[d].lowers
    )
    assert len(notes) >= lowered
    for li in notes:
        text = words(li.text_content())
        assert re.match(r"^[a-z]+ [A-Z]\d+[a-z]?: ", text), text
        assert any(d in text for d in domains) or "Upgraded for" in text
        assert ".)." not in text
    marks = [a.get("href") for a in section.xpath(".//td//sup/a")]
    assert sorted(marks) == sorted("#" + li.get("id") for li in notes)


def test_every_svg_is_an_image_with_a_name(built):
    _, _, doc = built
    svgs = doc.xpath("//*[local-name()='svg']")
    assert svgs
    for svg in svgs:
        assert svg.get("role") == "img"
        label = svg.get("aria-label") or ""
        titles = svg.xpath("./*[local-name()='title']")
        assert len(label) > 20 and titles and words(titles[0].text_content()) == words(label)


def test_author_names_keep_particles_and_never_print_an_address(built):
    review, _, doc = built
    body = words(doc.text_content())
    for rec in review.snapshot:
        first = rec.first_author or ""
        if first[:1].islower() and rec.year:  # a name particle: de Jager, van der Berg
            surname = first.rsplit(" ", 1)[0]
            assert f"{surname} {rec.year}" in body
    rationale = " ".join(review.verdicts["rationale"])
    assert "(url:" not in rationale and "url:http" not in body


def test_no_horizontal_scroll_at_390px(built, browser):
    _, written, _ = built
    page = browser.new_page(viewport={"width": 390, "height": 800})
    page.goto(written["html"].as_uri())
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width == page.evaluate("window.innerWidth") == 390
    # every section fits as well (not just the page as a whole)
    wide = page.evaluate(
        "[...document.querySelectorAll('body > *, main > section')]"
        ".filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.id || e.tagName)"
    )
    assert wide == []
    # a table is stacked cards: its cells sit one above the other
    first = page.locator("table.sof-table tbody tr").first
    boxes = [c.bounding_box() for c in first.locator("td").all()]
    assert all(b["y"] < n["y"] for b, n in itertools.pairwise(boxes))
    # a way back to the summary from every claim
    claims = page.locator("main > section").count()
    assert page.locator("main > section .back a[href='#summary']").count() == claims


def test_on_a_phone_each_claims_evidence_folds_behind_one_line_and_opens_on_a_tap(built, browser):
    """At 390 px the timelines and evidence tables are folded (the page far shorter than with
    them all open), the summary line counts the papers by stance, a tap opens one without any
    sideways scroll; at 1280 px they show without a click."""
    _, written, doc = built
    page = browser.new_page(viewport={"width": 390, "height": 800})
    page.goto(written["html"].as_uri())
    folds = page.locator("main > section details.evidence-details")
    assert folds.count() == len(
        doc.xpath("//main/section[contains(@class,'claim ')] | //main/section[@class='claim']")
    )
    tables = page.locator("main > section table.evidence")
    assert not any(t.is_visible() for t in tables.all())
    folded = page.evaluate("document.documentElement.scrollHeight")
    first = folds.first
    summary = first.locator("summary").inner_text()
    assert re.match(r"Evidence: \d+ papers? — \d+ support, \d+ contradict", summary)
    first.locator("summary").click()
    assert first.locator("table.evidence").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    unfolded = page.evaluate("document.documentElement.scrollHeight")
    assert folded < 0.75 * unfolded
    wide = browser.new_page(viewport={"width": 1280, "height": 800})
    wide.goto(written["html"].as_uri())
    assert all(t.is_visible() for t in wide.locator("main > section table.evidence").all())


def test_pdf_page_one_holds_the_key_messages(built):
    _, written, doc = built
    page1 = pdf_text(written, "-f", "1", "-l", "1")
    flat = words(page1)
    for li in doc.xpath("//ol[contains(@class,'messages')]/li/b[1]"):
        assert words(li.text_content()) in flat
    nma = words(doc.xpath("//p[@class='nma']")[0].text_content())
    assert nma in flat


def test_no_pdf_page_holds_one_or_two_stranded_rows_of_an_evidence_table(built):
    """A page that carries an evidence table over from the page before (it opens with the
    table's repeated head) holds at least three of its rows, or the whole rest of the table."""
    _, written, _ = built
    text = pdf_text(written, "-layout")
    carried = 0
    for page in text.split("\f"):
        lines = [line for line in page.splitlines() if line.strip()]
        if not lines or not re.match(r"Ref\s+Study\s+Design\s+n\s+Stance\s+Finding", lines[0]):
            continue
        carried += 1
        # a row opens with its reference number, '[12]' ('[10' when '[105]' wraps in its cell)
        rows = [line for line in lines if re.match(r"\s*\[\d+\]?\s", line)]
        assert len(rows) >= 3, f"a page holds {len(rows)} stranded rows: {lines[1][:60]}"
    assert carried  # the check ran on pages that carry a table over


def test_markdown_page1_matches_the_html(built):
    _, written, doc = built
    md = words(written["md"].read_text(encoding="utf-8").replace("\\", ""))
    for b in doc.xpath("//ol[contains(@class,'messages')]/li/b[1]"):
        assert words(b.text_content()) in md
    assert words(doc.xpath("//p[@class='nma']")[0].text_content()) in md
