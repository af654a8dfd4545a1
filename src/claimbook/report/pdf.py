"""PDF from the HTML report with headless Chromium (Debian's `chromium`): A4, paginated, page
numbers from CSS @page margin boxes, links kept clickable, no browser header/footer.

`PdfPrinter` starts the browser first (Chrome's headless shell when installed: it starts
fastest), so it is up by the time the HTML is ready, and prints in the background over the
DevTools pipe while the caller writes the other formats. Where the pipe cannot be used (not
POSIX, or the browser does not answer on it) it prints with the one-shot
`chromium --print-to-pdf` instead; both give the same bytes.
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import tempfile
import time
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import date
from pathlib import Path
from types import TracebackType

from claimbook.files import atomic_write
from claimbook.report.browser import BrowserNotFound, find_browser, find_print_browser
from claimbook.report.context import ReportError
from claimbook.report.devtools import DevToolsError, DevToolsTimeout, PipeBrowser, pipe_supported

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
    # New headless Chromium builds a hidden browser window and preloads its address-bar popup
    # (a WebUI page): about 0.7 s of CPU on every start, competing with the print for a core.
    # Unknown feature names are ignored, so this is harmless on browsers without them.
    "--disable-features=WebUIOmniboxPopup,WebUIOmniboxAimPopup",
    # The report is self-contained; should anything still try the network, it goes nowhere:
    # every host name fails to resolve and any proxied request hits the local discard port.
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=127.0.0.1:9",
]
# The page size and margins come from the CSS @page rule, backgrounds print, no header or footer
# from the browser. Tagged (the structure tree screen readers follow), as before: it costs about
# 0.15 s with a headless shell and 0.3 s with full Chrome, and a practitioner who listens to the
# PDF needs it; the full build stays within 1.5 times the HTML and Markdown build with the shell
# (docs/benchmarks.md).
PRINT_OPTIONS = {
    "preferCSSPageSize": True,
    "printBackground": True,
    "displayHeaderFooter": False,
    "generateTaggedPDF": True,
    "generateDocumentOutline": False,
}
# The same settings for the one-shot `--print-to-pdf`, which prints the pages identically.
ONE_SHOT_FLAGS = ["--no-pdf-header-footer"]
# Chromium lays a page out as it loads, and again after printing (for the screen): two layouts
# of the whole report, each as slow as the print's own. The page it prints is the report plus
# one rule that hides it on a screen wider than any printed page; its screen is made that wide,
# so both of those layouts are of nothing. The printed pages are the same, byte for byte.
SCREEN = {"width": 4000, "height": 1000, "deviceScaleFactor": 1, "mobile": False}
HIDE_ON_SCREEN = "<style>@media (min-width: 3000px) { html { display: none !important; } }</style>"
_PDF_DATE = re.compile(rb"/(CreationDate|ModDate) \(D:(\d{14})([^)]*)\)")


class PDFError(ReportError):
    """The PDF could not be made (no Chromium, or Chromium failed)."""


def find_chromium() -> str:
    """A full Chromium-family browser (see report.browser), or PDFError saying what to do;
    `find_printer` picks the one that prints."""
    try:
        return find_browser()
    except BrowserNotFound as exc:
        raise PDFError(str(exc)) from None


def find_printer() -> str:
    """The browser to print with (a headless shell when there is one, see report.browser), or
    PDFError saying what to do."""
    try:
        return find_print_browser()
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


def hidden_on_screen(html: str) -> str:
    """`html` with HIDE_ON_SCREEN at the end of its head (unchanged if it has no </head>)."""
    head_end = html.lower().find("</head>")
    return html if head_end < 0 else html[:head_end] + HIDE_ON_SCREEN + html[head_end:]


def timeout_error(timeout: float) -> PDFError:
    """The one-line error for a print that took longer than `timeout` seconds."""
    return PDFError(f"Chromium did not finish printing the PDF within {timeout:g} s")


def failure_error(detail: str) -> PDFError:
    """The one-line error for a print that failed, with Chromium's last word."""
    line = detail.strip().splitlines()[-1] if detail.strip() else "no message"
    return PDFError(f"Chromium could not print the report to PDF: {line}")


class PdfPrinter:
    """One headless Chromium, started on entry and ended on exit (also on errors and Ctrl-C),
    that prints one HTML document to PDF in the background::

        with PdfPrinter() as printer:        # the browser starts now
            html = ...                       # meanwhile: content, figures, HTML
            printer.submit(html)             # printing starts
            ...                              # meanwhile: Markdown, exports
            printer.write(pdf_path, when)    # wait, then write the PDF atomically

    `timeout` bounds the start-up and, separately, the print; exceeding either is a PDFError.
    """

    def __init__(
        self, timeout: float = 180, chromium: str | None = None, pipe: bool | None = None
    ) -> None:
        self.timeout = timeout
        self.chromium = chromium or find_printer()
        self.use_pipe = pipe_supported() if pipe is None else pipe
        self._tmp = Path(tempfile.mkdtemp(prefix="claimbook-chromium-"))
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="claimbook-pdf")
        self._browser: PipeBrowser | None = None
        self._one_shot: subprocess.Popen[str] | None = None
        self._session: Future[str | None] | None = None
        self._job: Future[bytes] | None = None
        self._deadline = 0.0
        self._closing = False

    def __enter__(self) -> PdfPrinter:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    @property
    def profile(self) -> Path:
        """The browser's fresh profile folder (deleted by close)."""
        return self._tmp / "profile"

    def start(self) -> None:
        """Start the browser (pipe mode) and open a page for printing, in the background."""
        if not self.use_pipe:
            return
        argv = chromium_command(
            self.chromium, str(self.profile), "--remote-debugging-pipe", "about:blank"
        )
        try:
            self._browser = PipeBrowser(argv, self._tmp / "chromium.log")
        except NotImplementedError:  # posix_spawn cannot start a new session here
            self.use_pipe = False
            return
        except OSError as exc:
            raise PDFError(f"could not run Chromium ({self.chromium}): {exc}") from exc
        self._session = self._worker.submit(self._open_page, time.monotonic() + self.timeout)

    def _open_page(self, deadline: float) -> str | None:
        """A page that shows print styles, or None when the browser does not answer on the
        pipe (a timeout is still an error)."""
        assert self._browser is not None
        b = self._browser
        try:
            target = b.call("Target.createTarget", {"url": "about:blank"}, deadline=deadline)
            attach = {"targetId": target["targetId"], "flatten": True}
            session = b.call("Target.attachToTarget", attach, deadline=deadline)["sessionId"]
            b.call("Page.enable", session=session, deadline=deadline)
            b.call("Page.setLifecycleEventsEnabled", {"enabled": True}, session, deadline)
            # See hidden_on_screen: a screen wider than any page hides the report on screen.
            b.call("Emulation.setDeviceMetricsOverride", SCREEN, session, deadline)
            # Print styles on screen too: with any HTML, a layout on loading does half the work.
            b.call("Emulation.setEmulatedMedia", {"media": "print"}, session, deadline)
        except DevToolsTimeout:
            raise
        except DevToolsError:
            b.kill()
            return None
        return session

    def submit(self, html: str) -> None:
        """Start printing `html` in the background."""
        self._deadline = time.monotonic() + self.timeout
        self._job = self._worker.submit(self._print, html, self._deadline)

    def _print(self, html: str, deadline: float) -> bytes:
        session = self._session.result() if self._session else None
        # The same page both ways (one-shot's screen is narrow, so the rule does nothing there):
        # the same document gives the same tagged structure, so the same bytes.
        page = self._tmp / "report-hidden-on-screen.html"
        page.write_text(hidden_on_screen(html), encoding="utf-8")
        if session is None:
            return self._print_one_shot(page, deadline)
        assert self._browser is not None
        b = self._browser
        nav = b.call("Page.navigate", {"url": page.as_uri()}, session, deadline)
        if nav.get("errorText"):
            raise DevToolsError(f"could not open the report: {nav['errorText']}")
        b.wait_for("Page.lifecycleEvent", session, deadline, name="load", loaderId=nav["loaderId"])
        printed = b.call("Page.printToPDF", PRINT_OPTIONS, session, deadline)
        return base64.b64decode(printed["data"])

    def _print_one_shot(self, page: Path, deadline: float) -> bytes:
        """Print with `chromium --print-to-pdf`: one browser run, started and ended here."""
        out = self._tmp / "report.pdf"
        cmd = chromium_command(
            self.chromium, str(self._tmp / "profile-once"), *ONE_SHOT_FLAGS,
            f"--print-to-pdf={out}", page.as_uri(),
        )  # fmt: skip
        try:
            self._one_shot = subprocess.Popen(
                cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
            )
        except OSError as exc:
            raise DevToolsError(f"could not run Chromium ({self.chromium}): {exc}") from exc
        if self._closing:  # close() ran while this was starting: it may have missed the process
            self._end_one_shot()
        try:
            _, err = self._one_shot.communicate(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired as exc:
            raise DevToolsTimeout("the browser did not finish in time") from exc
        finally:
            self._end_one_shot()
        if self._one_shot.returncode != 0 or not out.exists() or out.stat().st_size == 0:
            raise DevToolsError(err or f"exit status {self._one_shot.returncode}, no output")
        return out.read_bytes()

    def _end_one_shot(self) -> None:
        if self._one_shot and self._one_shot.poll() is None:
            self._one_shot.kill()
            self._one_shot.wait()

    def pdf_bytes(self) -> bytes:
        """The printed PDF once it is ready; PDFError if printing failed or took too long."""
        if self._job is None:
            raise RuntimeError("submit() the HTML first")
        try:
            return self._job.result(timeout=max(0.0, self._deadline - time.monotonic()) + 5)
        except (FutureTimeout, DevToolsTimeout):
            raise timeout_error(self.timeout) from None
        except DevToolsError as exc:
            raise failure_error(str(exc)) from None

    def write(self, pdf_path: Path, fixed_date: date | None = None) -> Path:
        """Wait for the PDF and write it to `pdf_path` atomically; `fixed_date` pins its dates."""
        data = self.pdf_bytes()
        return atomic_write(pdf_path, fix_dates(data, fixed_date) if fixed_date else data)

    def close(self) -> None:
        """End the browser and its helpers, wait for the background work, delete the profile."""
        self._closing = True
        if self._browser is not None:
            self._browser.kill()  # a print in progress then fails at once
        self._end_one_shot()
        self._worker.shutdown(wait=True, cancel_futures=True)
        if self._browser is not None:
            self._browser.close()
        shutil.rmtree(self._tmp, ignore_errors=True)


def html_to_pdf(
    html: str, pdf_path: Path, fixed_date: date | None = None, timeout: float = 180
) -> Path:
    """Print an HTML document to `pdf_path` (A4), atomically; `fixed_date` pins its dates."""
    with PdfPrinter(timeout=timeout) as printer:
        printer.submit(html)
        return printer.write(pdf_path, fixed_date)
