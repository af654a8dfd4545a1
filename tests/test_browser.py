"""Browser discovery for the PDF, on fake install trees (this machine has only Debian's
chromium, so macOS and Windows layouts are built in temp folders), and the report without a
browser: everything but the PDF, one line saying why, exit 0 (exit 1 when the PDF was asked for)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimbook.cli.app import main
from claimbook.report import browser
from claimbook.report.browser import BrowserNotFound, find_browser

from conftest import ROOT


def _program(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def nothing_on_path(name: str) -> None:
    return None


@pytest.fixture
def no_system_browser(monkeypatch):
    """Hide this machine's browsers (PATH and the Linux locations): what a laptop without one
    looks like. The only way to test that here; the discovery code itself runs unchanged."""
    monkeypatch.delenv("CLAIMBOOK_CHROMIUM", raising=False)
    monkeypatch.setattr(browser.shutil, "which", nothing_on_path)
    monkeypatch.setattr(browser, "LINUX_PATHS", ())


def test_macos_applications_folders(tmp_path, no_system_browser, monkeypatch):
    home = tmp_path / "home"
    edge = _program(home / "Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge")
    assert find_browser({}, "darwin", home) == str(edge)  # in ~/Applications, no admin rights
    chrome = tmp_path / "Applications/Google Chrome.app/Contents/MacOS/Google Chrome"
    monkeypatch.setattr(browser, "candidates", lambda env, platform, home: [chrome, edge])
    _program(chrome)
    assert find_browser({}, "darwin", home) == str(chrome)  # Chrome first when both exist


def test_windows_program_files_and_local_app_data(tmp_path, no_system_browser):
    local = tmp_path / "LocalAppData"
    program_files = tmp_path / "Program Files"
    env = {"LOCALAPPDATA": str(local), "PROGRAMFILES": str(program_files)}
    brave = _program(local / "BraveSoftware/Brave-Browser/Application/brave.exe")
    assert find_browser(env, "win32", tmp_path) == str(brave)
    edge = _program(program_files / "Microsoft/Edge/Application/msedge.exe")
    assert find_browser(env, "win32", tmp_path) == str(edge)  # Program Files before LocalAppData


def test_linux_standard_paths(tmp_path, no_system_browser, monkeypatch):
    chrome = _program(tmp_path / "opt/google/chrome/chrome")
    monkeypatch.setattr(browser, "LINUX_PATHS", (str(tmp_path / "usr/bin/chromium"), str(chrome)))
    assert find_browser({}, "linux", tmp_path) == str(chrome)


def test_path_comes_before_install_locations_and_the_variable_before_both(tmp_path, monkeypatch):
    on_path = _program(tmp_path / "bin" / "google-chrome")
    monkeypatch.setattr(browser, "LINUX_PATHS", ("/usr/bin/chromium",))
    found = find_browser(
        {}, "linux", tmp_path, which=lambda n: str(on_path) if n == "google-chrome" else None
    )
    assert found == str(on_path)
    mine = _program(tmp_path / "my" / "chrome")
    assert find_browser({"CLAIMBOOK_CHROMIUM": str(mine)}, "linux", tmp_path) == str(mine)


def test_a_variable_naming_a_missing_program_is_a_clear_error(tmp_path):
    with pytest.raises(BrowserNotFound, match=r"CLAIMBOOK_CHROMIUM is '.*nowhere', which is not"):
        find_browser({"CLAIMBOOK_CHROMIUM": str(tmp_path / "nowhere")}, "linux", tmp_path)


def test_no_browser_anywhere_says_what_to_do(tmp_path, no_system_browser):
    with pytest.raises(BrowserNotFound) as err:
        find_browser({}, "darwin", tmp_path)
    message = str(err.value)
    assert "install Chrome, Chromium, Edge or Brave" in message
    assert "CLAIMBOOK_CHROMIUM" in message and "print it" in message


def test_report_without_a_browser_writes_everything_else_and_exits_0(tmp_path, no_system_browser):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["report", "--project", str(ROOT), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert (out / "claimbook-report.html").exists() and (out / "claimbook-report.md").exists()
    assert (out / "exports" / "all.ris").exists()
    assert not (out / "claimbook-report.pdf").exists()
    skipped = [x for x in result.output.splitlines() if x.startswith("PDF skipped: no browser")]
    assert len(skipped) == 1 and "print it;" in skipped[0], result.output


def test_asking_for_the_pdf_without_a_browser_exits_1_and_writes_nothing(
    tmp_path, no_system_browser
):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["report", "--project", str(ROOT), "--out", str(out), "--format", "pdf", "-q"]
    )
    assert result.exit_code == 1
    assert result.output.startswith("error: no browser found to print the PDF report: install")
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.skipif(os.name != "posix", reason="checks this machine's own chromium")
def test_this_machines_chromium_is_found_without_any_setting(monkeypatch):
    monkeypatch.delenv("CLAIMBOOK_CHROMIUM", raising=False)
    found = find_browser()
    assert Path(found).name in {"chromium", "chromium-browser", "google-chrome"}
