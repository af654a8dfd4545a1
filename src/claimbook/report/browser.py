"""Find a Chromium-family browser to print the PDF: CLAIMBOOK_CHROMIUM, then the programs on
PATH, then the standard install places of Chrome, Chromium, Edge and Brave on macOS, Windows and
Linux; for printing, Chrome's headless shell first when it is installed. Nothing here runs the
browser."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path

from claimbook.errors import ClaimbookError

PATH_NAMES = (
    "chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "microsoft-edge",
    "microsoft-edge-stable", "brave-browser", "chrome", "msedge",
)  # fmt: skip

MACOS_APPS = (
    "Google Chrome.app/Contents/MacOS/Google Chrome",
    "Chromium.app/Contents/MacOS/Chromium",
    "Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
    "Brave Browser.app/Contents/MacOS/Brave Browser",
)
WINDOWS_APPS = (
    "Google/Chrome/Application/chrome.exe",
    "Chromium/Application/chrome.exe",
    "Microsoft/Edge/Application/msedge.exe",
    "BraveSoftware/Brave-Browser/Application/brave.exe",
)
LINUX_PATHS = (
    "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome",
    "/usr/bin/microsoft-edge", "/usr/bin/brave-browser", "/snap/bin/chromium",
    "/opt/google/chrome/chrome", "/opt/microsoft/msedge/msedge",
)  # fmt: skip

# Chrome's headless shell: the same engine built for printing and automation, without a browser
# window behind it. It starts in a third of the time and CPU of a full headless Chrome, so the
# PDF uses it when one is installed (Debian: chromium-headless-shell).
HEADLESS_SHELL_NAMES = ("chrome-headless-shell", "chromium-headless-shell")

HOW_TO_GET_ONE = (
    "install Chrome, Chromium, Edge or Brave, or set CLAIMBOOK_CHROMIUM to one of them; or open "
    "the HTML report in any browser and print it (it has print styles)"
)


class BrowserNotFound(ClaimbookError, LookupError):
    """No Chromium-family browser was found, or CLAIMBOOK_CHROMIUM names a missing file."""


def candidates(environ: Mapping[str, str], platform: str, home: Path) -> list[Path]:
    """Where a browser is usually installed on this kind of system, most likely first."""
    if platform == "darwin":
        roots = [Path("/Applications"), home / "Applications"]
        return [root / app for root in roots for app in MACOS_APPS]
    if platform.startswith("win"):
        roots = [environ.get(k) for k in ("PROGRAMFILES", "PROGRAMFILES(X86)", "LOCALAPPDATA")]
        return [Path(root) / app for root in roots if root for app in WINDOWS_APPS]
    return [Path(p) for p in LINUX_PATHS]


def find_browser(
    environ: Mapping[str, str] | None = None,
    platform: str | None = None,
    home: Path | None = None,
    which=None,
) -> str:
    """The browser to print with; BrowserNotFound (saying what to do) when there is none."""
    environ = os.environ if environ is None else environ
    which = which or shutil.which
    explicit = environ.get("CLAIMBOOK_CHROMIUM")
    if explicit:
        if Path(explicit).is_file() or which(explicit):
            return explicit
        raise BrowserNotFound(
            f"CLAIMBOOK_CHROMIUM is {explicit!r}, which is not a program here; point it at "
            "Chrome, Chromium, Edge or Brave"
        )
    for name in PATH_NAMES:
        found = which(name)
        if found:
            return found
    for path in candidates(environ, platform or sys.platform, home or Path.home()):
        if path.is_file():
            return str(path)
    raise BrowserNotFound(f"no browser found to print the PDF report: {HOW_TO_GET_ONE}")


def find_print_browser(environ: Mapping[str, str] | None = None, which=None) -> str:
    """The browser to print the PDF with: CLAIMBOOK_CHROMIUM when set, else a headless shell on
    PATH, else `find_browser()`; BrowserNotFound (saying what to do) when there is none."""
    environ = os.environ if environ is None else environ
    which = which or shutil.which
    if not environ.get("CLAIMBOOK_CHROMIUM"):
        for name in HEADLESS_SHELL_NAMES:
            found = which(name)
            if found:
                return found
    return find_browser(environ, which=which)
