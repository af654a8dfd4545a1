"""The workbench as an app, in a real browser: `claimbook workbench --no-browser --port N`
serves it (Voilà, no code cells) and stops on Ctrl-C; a whole review is done in it from an
empty review folder of a shipped article, with papers from the loopback E-utilities; and
blind screening hides the other reviewer's votes.

Screenshots of each stage go to the test's temp folder and, with CLAIMBOOK_SCREENSHOTS=DIR,
to DIR (docs/ keeps the ones docs/workbench.md shows).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from jupyter_servers import (
    CHROMIUM,
    chromium,
    jupyter_env,
    local_only,
    review_copy,
    workbench_app,
)
from werkzeug import Response

from conftest import ROOT, SHARED, need_shared

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")

ARTICLE = SHARED / "article" / "leg-cramps-quick-tip.txt"
WAIT = 120_000  # ms: the kernel starts, imports, reads the review
STEP = 30_000  # ms: one edit, saved and drawn
# real records from the recorded efetch bodies: an RCT, a meta-analysis, two reviews
PAPERS = ["28731372", "35830032", "36400559", "33856845", "23435529"]


def _efetch(records):
    from urllib.parse import parse_qs

    def answer(request):
        form = parse_qs(request.get_data(as_text=True)) or parse_qs(request.query_string.decode())
        ids = form.get("id", [""])[0].split(",")
        body = (
            b'<?xml version="1.0" ?>\n<PubmedArticleSet>\n'
            + b"\n".join(records[i] for i in ids if i in records)
            + b"\n</PubmedArticleSet>\n"
        )
        return Response(body, content_type="text/xml")

    return answer


def _shoot(page, tmp: Path, name: str, part: tuple[str, str] | None = None) -> None:
    """The whole app, top to bottom (or the `part` from the top of one element to the bottom
    of another): Voilà scrolls in its own container, so the viewport is made as tall as the
    app for the shot (then put back); scaled to 1000 pixels wide in 256 colours, so each PNG
    stays small for docs/."""
    from PIL import Image

    path = tmp / f"workbench-app-{name}.png"
    size = page.viewport_size
    bench = page.locator(".cb-workbench")
    top = "() => { for (const e of document.querySelectorAll('*')) e.scrollTop = 0;" \
        " window.scrollTo(0, 0); }"  # fmt: skip
    page.evaluate(top)  # an edit lower down scrolled Voilà's container
    tall = page.evaluate(
        "() => { const b = document.querySelector('.cb-workbench');"
        " return Math.ceil(b.scrollHeight + b.getBoundingClientRect().top) + 40; }"
    )
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], tall)})
    try:
        page.evaluate(top)
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 50)))")
        if part is None:
            bench.screenshot(path=str(path))
        else:
            top, end = (page.locator(x).first.bounding_box() for x in part)
            edge = bench.bounding_box()
            y = max(edge["y"], top["y"] - 40)  # with the heading line above the first
            clip = {"x": edge["x"], "y": y, "width": edge["width"],
                    "height": end["y"] + end["height"] - y}  # fmt: skip
            page.screenshot(path=str(path), clip=clip)
    finally:
        page.set_viewport_size(size)
    with Image.open(path) as shot:
        wide = 1000
        small = shot.convert("RGB").resize((wide, round(shot.height * wide / shot.width)),
                                           Image.LANCZOS)  # fmt: skip
    small.quantize(256).save(path, optimize=True)
    keep = os.environ.get("CLAIMBOOK_SCREENSHOTS")
    if keep:
        shutil.copy(path, Path(keep) / path.name)


def _message(page):
    return page.locator(".cb-message")


def _saved(page, text: str) -> None:
    from playwright.sync_api import expect

    expect(_message(page).locator(".cb-ok")).to_contain_text(text, timeout=STEP)


def _type(page, selector: str, text: str) -> None:
    """Type into a field and leave it (a field saves when the reviewer leaves it)."""
    field = page.locator(selector)
    field.fill(text)
    field.press("Tab")


def _new_claim(page, title: str, words: str) -> str:
    """Start a claim from the candidate sentence holding `words`; its id."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    picker = page.locator(".cb-candidates select")
    option = picker.locator("option", has_text=words)
    for attempt in range(3):  # the list is drawn again after each new claim: find it anew
        expect(option).to_have_count(1, timeout=STEP)
        try:
            picker.select_option(index=option.evaluate("o => o.index"), timeout=5000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    quote = page.locator(".cb-new-quote textarea")
    expect(quote).to_have_value(re.compile(re.escape(words)), timeout=STEP)
    page.locator(".cb-new-title input").fill(title)
    page.locator(".cb-new-claim-button").click()
    _saved(page, "new claim")
    return re.search(r"Saved (\w+):", _message(page).inner_text())[1]


def _look_up(page, ident: str) -> None:
    from playwright.sync_api import expect

    page.locator(".cb-cite-ident input").fill(ident)
    page.locator(".cb-lookup").click()
    expect(page.locator(".cb-record .cb-record-box")).to_be_visible(timeout=STEP)


def _cite(page, ident: str, stance: str, finding: str, looked_up: bool = False) -> None:
    """Look the paper up (unless done), choose the stance, write the finding, cite it: the
    design is left as the form holds it (suggested from the record, or the default)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect

    if not looked_up:
        _look_up(page, ident)
    page.locator(".cb-cite-stance select").select_option(stance)
    page.locator(".cb-cite-finding textarea").fill(finding)
    button = page.locator(".cb-cite-button")
    expect(button).to_be_enabled(timeout=STEP)
    button.click()
    anyway = page.locator(".cb-cite-anyway")  # a paper sharing no word with the claim asks first
    try:
        anyway.wait_for(state="visible", timeout=5000)
        anyway.click()
    except PlaywrightTimeout:
        pass  # it looked related: saved at once
    _saved(page, f"cited {ident}")


def _pick(page, claim_id: str) -> None:
    from playwright.sync_api import expect

    picker = page.locator(".cb-claim-picker select")
    labels = picker.locator("option").all_inner_texts()
    picker.select_option(index=next(i for i, t in enumerate(labels) if t.startswith(claim_id)))
    expect(page.locator(".cb-claim h3")).to_contain_text(f"{claim_id} ·", timeout=STEP)
    expect(page.locator(".cb-cite-ident input")).to_be_enabled(timeout=STEP)


def _open(page, url: str):
    from playwright.sync_api import expect

    page.route("**/*", local_only)
    page.goto(url)
    bench = page.locator(".cb-workbench")
    expect(bench).to_be_visible(timeout=WAIT)
    return bench


def _init(tmp_path: Path) -> Path:
    root = tmp_path / "review"
    subprocess.run(
        [sys.executable, "-m", "claimbook.cli", "init", str(root), "--article", str(ARTICLE)],
        check=True, capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )  # fmt: skip
    return root


def test_the_app_starts_serves_with_a_token_and_stops_on_ctrl_c(tmp_path):
    import urllib.request

    need_shared(ARTICLE)
    root = _init(tmp_path)
    before = {p for p in Path("/proc").iterdir() if p.name.isdigit()}
    with workbench_app(root, tmp_path) as app:
        assert app.url.startswith("http://127.0.0.1:") and "?token=" in app.url
        bare = app.url.split("?")[0]
        with urllib.request.urlopen(bare, timeout=60) as answer:  # no token: the login page
            assert "/login" in answer.geturl()
            assert b"application/vnd.jupyter.widget-view" not in answer.read()
    assert app.returncode == 0
    said = app.log.read_text(encoding="utf-8")
    assert "Traceback" not in said and "Stopped the workbench." in said
    left = {p for p in Path("/proc").iterdir() if p.name.isdigit()} - before
    # what the app started is gone: Voilà in the app's session (it was started in a new
    # one), kernels with their connection files under this test's folder; other programs on
    # the machine may run Voilà meanwhile
    strays = [p for p in left if _session_of(p) == app.process.pid or str(tmp_path) in
              _cmdline(p)]  # fmt: skip
    assert not strays, [(_cmdline(p)) for p in strays]


def test_a_page_opened_at_once_uses_the_preheated_kernel_and_asks_for_its_scripts_first(
    tmp_path, monkeypatch
):
    """The URL is given once Voilà's preheated kernel is known to its pages: a page asked for
    at once is served by that kernel, not by a second one started for it (two kernels reading
    the review at once on two cores slowed the first screen). And the page asks for Voilà's
    scripts before the notebook's output, so the browser loads them while the kernel runs."""
    import urllib.request

    from claimbook.folder import ReviewFolder
    from claimbook.jupyter.serve import start_app, stop_app

    for name, value in jupyter_env(tmp_path / "jupyter").items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PYTHONPATH", str(ROOT / "src"))
    root = review_copy(tmp_path / "review")
    url, server = start_app(ReviewFolder.at(root))
    try:
        with urllib.request.urlopen(url, timeout=120) as answer:  # as soon as it is given
            page = answer.read().decode("utf-8")
        said = server.log.read_text(encoding="utf-8")
    finally:
        stop_app(server)
    assert "Using pre-heated kernel" in said, said[-2000:]
    scripts = page.index('/voila.js"></script>')
    output = page.index("application/vnd.voila.cell-output+json")
    assert page.index('id="jupyter-config-data"') < scripts < output
    assert page.count('/voila.js"></script>') == 1 and "application/vnd.jupyter.widget-view" in page


def _cmdline(proc: Path) -> str:
    try:
        return (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _session_of(proc: Path) -> int | None:
    """The session id of a process (None once it is gone)."""
    try:
        stat = (proc / "stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[3])  # after "pid (comm)": state ppid pgrp session


def _text_of_html(path: Path) -> str:
    """The words of an HTML page as a reader sees them (tags dropped, spaces collapsed)."""
    import lxml.html

    tree = lxml.html.fromstring(path.read_bytes())
    for gone in tree.xpath("//script|//style"):
        gone.drop_tree()
    return " ".join(tree.text_content().split())


def _selected_label(page, selector: str) -> str:
    return page.locator(selector).evaluate("s => s.options[s.selectedIndex].text")


def test_a_whole_review_in_the_app(tmp_path, httpserver, records):
    """From `claimbook init` to a report, in the app only: three claims from the article's
    candidate sentences, their queries, five papers cited from the loopback PubMed (one typed
    by DOI only and resolved to its PMID through esearch, one with the design its record
    suggests, confirmed by the reviewer), one excluded, a stance changed, two claims signed
    off; then the claim files (YAML) and the HTML report say what was done."""
    from playwright.sync_api import expect, sync_playwright
    from test_cite_papers import Resolver

    from claimbook.pubmed.parse import parse_pubmed_xml
    from claimbook.vocab import design_label

    need_shared(ARTICLE)
    assert set(PAPERS) <= set(records)
    httpserver.expect_request(re.compile(r".*efetch.*")).respond_with_handler(_efetch(records))
    resolver = Resolver(httpserver, records)  # esearch: a DOI -> the PMID whose record has it
    xml = b"<PubmedArticleSet>" + records[PAPERS[4]] + b"</PubmedArticleSet>"
    doi = next(iter(parse_pubmed_xml(xml))).doi  # the last paper is typed by its DOI only
    assert doi and PAPERS[4] not in doi
    # PubMed indexes the first paper as a randomised trial (its own record says so)
    assert b">Randomized Controlled Trial</PublicationType>" in records[PAPERS[0]]
    root = _init(tmp_path)
    env = jupyter_env(tmp_path / "jupyter", CLAIMBOOK_EUTILS_URL=httpserver.url_for("/"))
    env.pop("NCBI_API_KEY", None)
    titles = ["Cramps come after long exercise in the heat", "Stretching eases a cramp",
              "Cramps are common at night"]  # fmt: skip
    sentences = ["develop after prolonged", "Relieving cramps", "distressing forms of cramp"]
    assert all(words in ARTICLE.read_text(encoding="utf-8") for words in sentences)
    finding = "The paper reports an outcome that bears on this claim."
    with workbench_app(root, tmp_path, env) as app, sync_playwright() as pw:
        browser = chromium(pw)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1400})
            _open(page, app.url)
            expect(page.locator(".cb-no-claim")).to_contain_text("no claims yet")
            _shoot(page, tmp_path, "1-empty")
            page.locator(".cb-reviewer input").fill("Ann Lee")
            ids = []
            for i, title in enumerate(titles):
                ids.append(_new_claim(page, title, sentences[i]))
                _type(page, ".cb-claim-query textarea", f'"Muscle Cramp"[MeSH] AND topic{i}[tiab]')
                _saved(page, "PubMed query")
                # with its query, the claim's queue offers to search PubMed
                expect(page.locator(".cb-search-button")).to_be_visible(timeout=STEP)
                if i == 0:
                    _shoot(page, tmp_path, "2-new-claim")
            # a refused edit: plain words, where on click, the field put back
            _type(page, ".cb-claim-title input", "abc")
            expect(_message(page).locator(".cb-error")).to_contain_text(
                "the title needs at least 5 characters", timeout=STEP
            )
            expect(page.locator(".cb-claim-title input")).to_have_value(titles[2])
            _shoot(page, tmp_path, "3-refused")
            # the first paper: the design its record suggests, shown with the rule, kept
            _pick(page, ids[0])
            _look_up(page, PAPERS[0])
            expect(page.locator(".cb-suggestions")).to_contain_text(
                "Randomized Controlled Trial", timeout=STEP
            )
            assert _selected_label(page, ".cb-cite-design select") == design_label("rct")
            _shoot(page, tmp_path, "4-suggested")
            _cite(page, PAPERS[0], "supports", f"{finding} ({PAPERS[0]})", looked_up=True)
            for pmid in PAPERS[1:3]:
                _cite(page, pmid, "supports", f"{finding} ({pmid})")
            _pick(page, ids[1])
            _cite(page, PAPERS[3], "supports", f"{finding} ({PAPERS[3]})")
            _cite(page, doi, "supports", f"{finding} (by DOI)")  # PubMed's record, by its DOI
            expect(page.locator(f".cb-evidence .cb-row-1.cb-for-{ids[1]}")).to_contain_text(
                PAPERS[4], timeout=STEP
            )
            _shoot(page, tmp_path, "5-cited")
            # exclude one of the first claim's papers, change another's stance
            _pick(page, ids[0])
            row = page.locator(f".cb-evidence .cb-row-2.cb-for-{ids[0]}")
            row.locator(".cb-exclude").click()
            page.locator(".cb-exclude-reason-2 input").fill("Not about muscle cramps at all.")
            page.locator(".cb-exclude-confirm-2").click()
            _saved(page, f"excluded {PAPERS[2]}")
            page.locator(f".cb-evidence .cb-row-0.cb-for-{ids[0]} .cb-stance select").select_option(
                "contradicts"
            )
            _saved(page, f"stance of {PAPERS[0]}")
            _shoot(page, tmp_path, "6-excluded")
            # sign two claims off
            for claim_id in ids[:2]:
                _pick(page, claim_id)
                page.locator(".cb-signoff-note input").fill("Checked in the app.")
                page.locator(".cb-signoff-button").click()
                _saved(page, "signed off by Ann Lee")
            expect(page.locator(".cb-signoff-state")).to_contain_text("Signed off")
            _shoot(page, tmp_path, "7-signed-off")
        finally:
            browser.close()
    assert app.returncode == 0
    # the DOI was asked of PubMed in its Article Identifier field (at look-up, and at cite)
    assert resolver.terms and set(resolver.terms) == {f'"{doi}"[aid]'}

    files = {p.name.split("-")[0]: yaml.safe_load(p.read_text("utf-8"))
             for p in (root / "claims").glob("A*.yaml")}  # fmt: skip
    assert sorted(files) == sorted(ids)
    first, second, third = (files[i] for i in ids)
    assert [c["pmid"] for c in first["evidence"]] == PAPERS[:2]
    assert first["evidence"][0]["stance"] == "contradicts"
    assert first["excluded"] == [{"pmid": PAPERS[2], "reason": "Not about muscle cramps at all."}]
    assert [c["pmid"] for c in second["evidence"]] == PAPERS[3:5]  # the DOI cited by its PMID
    assert second["evidence"][1]["finding"] == f"{finding} (by DOI)"
    assert all(c["finding"].startswith(finding) for f in (first, second) for c in f["evidence"])
    for signed in (first, second):
        assert signed["signoff"]["reviewer"] == "Ann Lee" and "status" not in signed
        assert signed["signoff"]["note"] == "Checked in the app."
    assert third["status"] == "draft" and third["title"] == titles[2] and "topic2" in third["query"]
    assert "evidence" not in third or not third["evidence"]
    for i, f in enumerate(files[c] for c in ids):
        assert f["query"] == f'"Muscle Cramp"[MeSH] AND topic{i}[tiab]'
    text = ARTICLE.read_text(encoding="utf-8")
    assert all(q["text"] in text for f in files.values() for q in f["quotes"])
    for f, words in zip((first, second, third), sentences, strict=True):
        assert [words in q["text"] for q in f["quotes"]] == [True]  # the sentence picked
    papers = yaml.safe_load((root / "claims" / "papers.yaml").read_text("utf-8"))["papers"]
    appraised = {str(p.get("pmid")): p for p in papers}
    assert appraised[PAPERS[0]]["design"] == "rct"  # the suggested design, as confirmed

    out = tmp_path / "report"
    done = subprocess.run(
        [sys.executable, "-m", "claimbook.cli", "report", "--project", str(root), "--out",
         str(out), "--format", "html"],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = _text_of_html(next(out.rglob("*.html")))
    for title in titles:
        assert title in report
    assert report.count("Ann Lee") >= 2 and "Not about muscle cramps at all." in report
    assert all(p in report for p in (*PAPERS[:2], *PAPERS[3:5]))
