"""The PDF printed over the DevTools pipe: a real browser run that gives paginated text and
clickable links, the same bytes on every rebuild and through the one-shot fallback, and no
browser process left behind, whether the print worked, failed, timed out or was interrupted.
Fake browsers (small scripts) make the failures happen on cue; nothing here is timed."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import ClassVar

import pytest

import claimbook.report as report
from claimbook.evidence.review import load_review
from claimbook.report import PDFError, build_report
from claimbook.report.devtools import DevToolsError, PipeBrowser, live_members, pipe_supported
from claimbook.report.pdf import HIDE_ON_SCREEN, PdfPrinter, find_printer, hidden_on_screen

pytestmark = pytest.mark.skipif(not pipe_supported(), reason="the DevTools pipe needs POSIX")


def needs_browser() -> str:
    try:
        return find_printer()
    except PDFError:
        pytest.skip("no Chromium-family browser here (Debian: apt-get install chromium)")


def needs_tool(name: str) -> None:
    if not shutil.which(name):
        pytest.skip(f"{name} is not installed (Debian: apt-get install poppler-utils)")


def running_with(marker: str) -> list[str]:
    """Command lines of live processes that mention `marker` (Linux /proc)."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if marker in text:
            found.append(text)
    return found


def fake_browser(tmp_path: Path, body: str) -> str:
    """An executable shell script standing in for the browser."""
    script = tmp_path / "fake-browser"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)
    return str(script)


class Recording(PdfPrinter):
    """A PdfPrinter that remembers each instance, so a test can look for its processes."""

    made: ClassVar[list[Recording]] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        Recording.made.append(self)


@pytest.fixture
def recorded(monkeypatch):
    Recording.made = []
    monkeypatch.setattr(report, "PdfPrinter", Recording)
    return Recording.made


@pytest.fixture
def small_review(project):
    return load_review(project / "claims", project / "data")


def assert_gone(printer: PdfPrinter) -> None:
    """No process of the printer's browser is alive, and its temp folder is deleted."""
    assert running_with(str(printer.profile)) == []
    if printer._browser is not None and sys.platform.startswith("linux"):
        assert live_members(printer._browser.pid) == []
    assert not printer.profile.parent.exists()


# --------------------------------------------------------------------------- real browser


def test_the_pdf_has_pages_text_and_links_and_the_browser_is_gone(small_review, tmp_path, recorded):
    needs_browser()
    needs_tool("pdftotext")
    written = build_report(small_review, tmp_path, formats=("pdf",), progress=False)
    pdf = written["pdf"]
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = int(re.search(r"Page 1 of (\d+)", text).group(1))
    assert pages > 1 and f"Page {pages} of {pages}" in text
    assert "C01" in text and "References" in text and "Method" in text
    data = pdf.read_bytes()
    assert b"/URI (https://pubmed.ncbi.nlm.nih.gov/" in data  # outside links
    assert b"/Dest" in data  # links within the document ([1] to the reference list)
    assert b"/CreationDate (D:" + small_review.article.reviewed.strftime("%Y%m%d").encode() in data
    (printer,) = recorded
    assert printer._browser is not None  # printed over the pipe, not by the fallback
    assert_gone(printer)


def test_rebuilds_and_the_one_shot_fallback_give_the_same_bytes(small_review, tmp_path):
    needs_browser()
    first = build_report(small_review, tmp_path / "a", formats=("html", "pdf"), progress=False)
    again = build_report(small_review, tmp_path / "b", formats=("pdf",), progress=False)
    assert again["pdf"].read_bytes() == first["pdf"].read_bytes()
    html = first["html"].read_text(encoding="utf-8")
    with PdfPrinter(pipe=False) as printer:  # what a system without the pipe (Windows) does
        printer.submit(html)
        once = printer.write(tmp_path / "once.pdf", small_review.article.reviewed)
    assert once.read_bytes() == first["pdf"].read_bytes()
    assert_gone(printer)


def test_a_browser_that_dies_is_a_one_line_error_and_leaves_no_pdf(tmp_path):
    needs_browser()
    target = tmp_path / "out.pdf"
    with pytest.raises(PDFError) as err, PdfPrinter() as printer:
        printer._session.result()  # the browser is up and has a page
        printer._browser.kill()  # then it dies (as if it crashed)
        printer.submit("<!doctype html><title>t</title><p>text</p>")
        printer.write(target, date(2026, 1, 1))
    message = str(err.value)
    assert message.startswith("Chromium could not print the report to PDF: the browser stopped")
    assert "\n" not in message
    assert not target.exists() and list(tmp_path.iterdir()) == []
    assert_gone(printer)


def test_an_interrupted_build_ends_the_browser(small_review, tmp_path, recorded, monkeypatch):
    needs_browser()

    def interrupted(ctx, cache=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(report, "render_figures", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_report(small_review, tmp_path, progress=False)
    (printer,) = recorded
    assert_gone(printer)
    assert not (tmp_path / "claimbook-report.pdf").exists()


# --------------------------------------------------------------------------- fake browsers


def test_a_browser_that_never_answers_times_out_and_is_ended(tmp_path):
    silent = fake_browser(tmp_path, "exec sleep 600")
    printer = PdfPrinter(timeout=1, chromium=silent)
    with pytest.raises(PDFError) as err, printer:
        printer.submit("<p>never printed</p>")
        printer.write(tmp_path / "out.pdf")
    assert str(err.value) == "Chromium did not finish printing the PDF within 1 s"
    assert not (tmp_path / "out.pdf").exists()
    assert_gone(printer)


def test_a_browser_without_the_pipe_falls_back_and_its_error_is_reported(tmp_path):
    broken = fake_browser(tmp_path, 'echo "first line" >&2; echo "cannot print here" >&2; exit 3')
    with pytest.raises(PDFError) as err, PdfPrinter(chromium=broken) as printer:
        printer.submit("<p>x</p>")
        printer.write(tmp_path / "out.pdf")
    # The pipe got no answer (the script exited), so the one-shot print ran, and failed.
    assert str(err.value) == "Chromium could not print the report to PDF: cannot print here"
    assert not (tmp_path / "out.pdf").exists()
    assert_gone(printer)


PEER = r"""
import json, os
buffer = b""
while True:
    chunk = os.read(3, 65536)
    if not chunk:
        break
    buffer += chunk
    while b"\0" in buffer:
        line, buffer = buffer.split(b"\0", 1)
        msg = json.loads(line)
        out = [{"method": "Demo.event", "params": {"n": msg["id"]}}]
        if msg["method"] == "Demo.fail":
            out.append({"id": msg["id"], "error": {"message": "no such method"}})
        else:
            out.append({"id": msg["id"], "result": {"echo": msg["params"]}})
        os.write(4, b"".join(json.dumps(m).encode() + b"\0" for m in out))
"""


def test_the_pipe_protocol_with_a_stand_in_peer(tmp_path):
    """Commands go out on the child's fd 3 and replies come back on its fd 4, NUL-ended; an
    event that arrives while a call waits is kept for wait_for; an error reply raises."""
    peer = tmp_path / "peer.py"
    peer.write_text(PEER)
    browser = PipeBrowser([sys.executable, str(peer)], tmp_path / "peer.log")
    try:
        assert browser.call("Demo.echo", {"x": [1, "ü"]}) == {"echo": {"x": [1, "ü"]}}
        assert browser.wait_for("Demo.event", n=1) == {"n": 1}
        with pytest.raises(DevToolsError, match=r"Demo\.fail: no such method"):
            browser.call("Demo.fail")
    finally:
        browser.close()
    assert live_members(browser.pid) == []


def test_the_page_is_hidden_only_on_a_screen_wider_than_any_page():
    html = "<!doctype html><html><head><title>t</title></HEAD><body>x</body></html>"
    assert hidden_on_screen(html) == html.replace("</HEAD>", HIDE_ON_SCREEN + "</HEAD>")
    assert "@media (min-width: 3000px)" in HIDE_ON_SCREEN
    assert hidden_on_screen("<p>no head</p>") == "<p>no head</p>"


def test_a_headless_shell_is_preferred_for_printing(monkeypatch):
    from claimbook.report.browser import find_print_browser

    monkeypatch.delenv("CLAIMBOOK_CHROMIUM", raising=False)
    both = {"chromium-headless-shell": "/x/shell", "chromium": "/usr/bin/chromium"}.get
    assert find_print_browser({}, which=both) == "/x/shell"
    assert find_print_browser({"CLAIMBOOK_CHROMIUM": "chromium"}, which=both) == "chromium"
    assert find_print_browser({}, which={"chromium": "/usr/bin/chromium"}.get) == (
        "/usr/bin/chromium"
    )
