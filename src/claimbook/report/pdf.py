"""PDF from the HTML report with headless Chromium (Debian's `chromium`): paginated, page
numbers from CSS @page margin boxes, links kept clickable."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from claimbook.pubmed.store import atomic_write

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    # The report is self-contained: refuse any network lookup it might still try.
    "--host-resolver-rules=MAP * ~NOTFOUND",
]


class PDFError(RuntimeError):
    """The PDF could not be made (no Chromium, or Chromium failed)."""


def find_chromium() -> str:
    """Path of a Chromium binary, or a clear error saying how to install one."""
    explicit = os.environ.get("CLAIMBOOK_CHROMIUM")
    if explicit:
        return explicit
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    raise PDFError(
        "no Chromium found for the PDF report: install Debian's 'chromium' package "
        "(make report does it) or set CLAIMBOOK_CHROMIUM"
    )


def chromium_command(chromium: str, profile: str, *extra: str) -> list[str]:
    return [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra]


def html_to_pdf(html_path: Path, pdf_path: Path, timeout: float = 120) -> Path:
    """Print an HTML file to PDF (A4, no browser header/footer), written atomically."""
    chromium = find_chromium()
    with tempfile.TemporaryDirectory(prefix="claimbook-chromium-") as tmp:
        out = Path(tmp) / "report.pdf"
        cmd = chromium_command(
            chromium,
            str(Path(tmp) / "profile"),
            "--no-pdf-header-footer",
            f"--print-to-pdf={out}",
            html_path.resolve().as_uri(),
        )
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        if proc.returncode != 0 or not out.exists() or out.stat().st_size == 0:
            tail = (proc.stderr or "").strip().splitlines()[-1:] or ["no output"]
            raise PDFError(f"Chromium could not print {html_path} to PDF: {tail[0]}")
        atomic_write(pdf_path, out.read_bytes())
    return pdf_path
