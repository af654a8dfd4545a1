"""PDF from the HTML report with headless Chromium (Debian's `chromium`): A4, paginated, page
numbers from CSS @page margin boxes, links kept clickable, no browser header/footer."""

from __future__ import annotations

import re
import subprocess
import tempfile
from datetime import date
from pathlib import Path

from claimbook.files import atomic_write
from claimbook.report.browser import BrowserNotFound, find_browser
from claimbook.report.context import ReportError

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
    "--disable-default-apps",
    # The report is self-contained; should anything still try the network, it goes nowhere:
    # every host name fails to resolve and any proxied request hits the local discard port.
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=127.0.0.1:9",
]
_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:(\d{14})([^)]*)\)")


class PDFError(ReportError):
    """The PDF could not be made (no Chromium, or Chromium failed)."""


def find_chromium() -> str:
    """The browser that prints the PDF (see report.browser), or PDFError saying what to do."""
    try:
        return find_browser()
    except BrowserNotFound as exc:
        raise PDFError(str(exc)) from None


def chromium_command(chromium: str, profile: str, *extra: str) -> list[str]:
    """A headless Chromium command line with a fresh profile and no network."""
    return [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *extra]


def fix_dates(pdf: bytes, when: date) -> bytes:
    """Set the PDF's creation/modification dates to `when`, so rebuilding gives the same bytes.
    Same-length substitution: the cross-reference offsets stay valid."""

    def sub(m: re.Match[bytes]) -> bytes:
        stamp = when.strftime("%Y%m%d000000").encode()
        return b"/%s (D:%s%s)" % (m.group(1), stamp, m.group(3))

    return _PDF_DATE.sub(sub, pdf)


def html_to_pdf(
    html: str, pdf_path: Path, fixed_date: date | None = None, timeout: float = 180
) -> Path:
    """Print an HTML document to `pdf_path` (A4), atomically; `fixed_date` pins its dates."""
    chromium = find_chromium()
    with tempfile.TemporaryDirectory(prefix="claimbook-chromium-") as tmp:
        page, out = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        cmd = chromium_command(
            chromium,
            str(Path(tmp) / "profile"),
            "--no-pdf-header-footer",
            f"--print-to-pdf={out}",
            page.as_uri(),
        )
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise PDFError(
                f"Chromium did not finish printing the PDF within {timeout:g} s"
            ) from exc
        except OSError as exc:
            raise PDFError(f"could not run Chromium ({chromium}): {exc}") from exc
        if proc.returncode != 0 or not out.exists() or out.stat().st_size == 0:
            lines = [ln for ln in (proc.stderr or "").splitlines() if ln.strip()]
            detail = lines[-1] if lines else f"exit status {proc.returncode}, no output"
            raise PDFError(f"Chromium could not print the report to PDF: {detail}")
        data = out.read_bytes()
    atomic_write(pdf_path, fix_dates(data, fixed_date) if fixed_date else data)
    return pdf_path
