"""Hostile markup: whatever a review folder holds, nothing claimbook writes is live.

A copy of the review whose article.yaml, claims and snapshot carry script tags, event
handlers, iframes, `javascript:` and `data:` links is turned into everything claimbook writes:
the HTML report, its PDF, the Markdown report, the notebooks (also after `jupyter nbconvert
--to html`) and `show_claim`'s output. Each is parsed with a real HTML parser (lxml), Markdown
first rendered to HTML by mistune (nbconvert's renderer), with its own link sanitising turned
off so that only claimbook's escaping is tested. Addresses that validation may one day refuse
(a `javascript:` article URL, a record's URL) are put into the loaded objects, so the writers
are tested on them whatever the readers accept.

The same module checks the newcomer items of the notebooks: no "TCP without encryption"
warning from any `claimbook notebooks` run, the kernelspec JupyterLab writes, and rules named
in a way that holds for a pip install.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import zlib
from importlib import resources
from pathlib import Path

import jupyter_servers
import lxml.html
import mistune
import nbformat
import pytest
import test_workbench_browser as browser
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from mistune.renderers.html import HTMLRenderer
from nbformat.v4 import new_code_cell

from claimbook.evidence.review import load_review
from claimbook.ids import safe_url
from claimbook.jupyter.display import claim_markdown
from claimbook.markup import md, md_link, md_paragraphs
from claimbook.notebooks.build import build_notebooks
from claimbook.notebooks.ipynb import KERNELSPEC, make_notebook
from claimbook.report import build_report

from conftest import ROOT

lab = browser.lab  # JupyterLab on 127.0.0.1 over a copy of the review (a fixture)

# Every trick of the issue (and a few more): raw HTML, event handlers, frames and plugins,
# Markdown links and images to script and data URLs, an autolink, a MathJax \href.
PAYLOADS = (
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "<iframe src=https://example.org></iframe>",
    '<a href="javascript:alert(2)">a</a>',
    "![i](data:text/html;base64,PHNjcmlwdD5hbGVydCgzKTwvc2NyaXB0Pg==)",
    "<svg onload=alert(4)>",
    "<object data=x></object><embed src=x>",
    "<javascript:alert(5)>",
    "[y]: javascript:alert(6)",
    "$\\href{javascript:alert(7)}{m}$",
)
HOSTILE = " ".join(PAYLOADS)
SHORT = "<img src=x onerror=alert(1)> [x](javascript:alert(1))"  # a claim title is <= 120
BAD_URL = "javascript:alert(1)"
BAD_DOI = '10.1234/x"><img/src=x/onerror=alert(8)>'  # a DOI may hold anything but spaces
CLAIMS = ("C01", "C02", "C10")  # C02 cites a source by URL; C10 is graded in parts
PYTHON = [sys.executable, "-m", "claimbook.cli"]
WARNING = "without encryption"


# --------------------------------------------------------------------------- the scanner


def render(markdown: str, autolinks: bool = True) -> str:
    """Markdown to HTML by mistune as nbconvert uses it (raw HTML passes), but with no link
    sanitising of its own: what a permissive renderer (a wiki, pandoc) would make of the text.
    `autolinks`: GitHub's bare-URL links (http(s) only; they take a URL's neighbours along, so
    the text-fidelity checks use plain CommonMark)."""
    permissive = HTMLRenderer(escape=False, allow_harmful_protocols=True)
    plugins = ["table", "strikethrough", *(["url"] if autolinks else [])]
    return mistune.create_markdown(renderer=permissive, plugins=plugins)(markdown)


URL_ATTRS = {"href", "src", "action", "formaction", "data", "poster", "background", "srcset",
             "cite", "ping", "xlink:href", "lowsrc", "dynsrc"}  # fmt: skip
BANNED = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal"}


def _scheme(url: str) -> str | None:
    """The scheme a browser would see: it drops whitespace and control characters first."""
    m = re.match(r"([a-z][a-z0-9+.-]*):", re.sub(r"[\x00-\x20\x7f]", "", url).lower())
    return m.group(1) if m else None


def live_markup(html: str, jsonld: bool = False, png: bool = False, own: set = frozenset()):
    """What in `html` could run or lead anywhere but http(s): scripts (`jsonld`: claimbook's
    JSON-LD is allowed; `own`: scripts of nbconvert's template), on* handlers, frames and
    plugins, srcdoc, and any URL attribute with a scheme other than http(s) (`png`: a PNG
    figure as a data: image is allowed). [] when nothing is live."""
    doc = lxml.html.document_fromstring(html)
    found = []
    for el in doc.iter():
        if not isinstance(el.tag, str):  # comments, processing instructions
            continue
        tag = el.tag.lower().rsplit("}", 1)[-1]
        if tag == "script":
            text = el.text or ""
            if jsonld and el.get("type") == "application/ld+json" and "<" not in text:
                continue
            if _script_id(el) in own:
                continue
            found.append(f"<script>{text[:60]}")
        if tag in BANNED:
            found.append(f"<{tag}>")
        if tag == "meta" and el.get("http-equiv"):
            found.append(f"<meta http-equiv={el.get('http-equiv')}>")
        for name, value in el.attrib.items():
            name = name.lower()
            if name.startswith("on") or name == "srcdoc":
                found.append(f"<{tag} {name}=...>")
            elif name in URL_ATTRS or name.endswith("href"):
                scheme = _scheme(value)
                is_png = png and tag == "img" and value.startswith("data:image/png;base64,")
                if scheme not in (None, "http", "https") and not is_png:
                    found.append(f"<{tag} {name}={value[:40]}>")
            elif name == "style" and re.search(r"javascript:|expression\(", value, re.I):
                found.append(f"<{tag} style={value[:40]}>")
    return found


def _script_id(el) -> tuple:
    return (el.get("type"), el.get("src"), (el.text or "").strip())


def text_of(html: str) -> str:
    """The text a reader sees, white space folded."""
    return " ".join(lxml.html.document_fromstring(html).text_content().split())


def test_the_scanner_finds_each_payload_when_it_is_live():
    """The check is not blind: each payload pasted raw into Markdown or HTML is caught."""
    for payload in PAYLOADS[:-1]:  # TeX is not HTML by itself
        assert live_markup(render(f"{payload}\n\n[y]")), payload
    assert live_markup(render(HOSTILE + "\n\n[y]"))
    assert live_markup('<a href=" JaVa\tScRiPt:alert(1)">x</a>')  # what a browser also sees
    assert live_markup('<p style="background:url(javascript:alert(1))">')
    assert live_markup('<script type="application/ld+json">{"a": "</script>"}</script>')
    assert not live_markup('<a href="https://x.org/">x</a> <a href="#c01">C01</a> <p>ok</p>')
    assert not live_markup(render("[PMID 1](https://pubmed.ncbi.nlm.nih.gov/1/)"))


# --------------------------------------------------------------------------- escaping


def test_safe_url_links_only_http_and_doi():
    assert safe_url("https://pubmed.ncbi.nlm.nih.gov/1/") == "https://pubmed.ncbi.nlm.nih.gov/1/"
    assert safe_url("HTTP://Example.org") == "HTTP://Example.org"
    assert safe_url("doi:10.1249/MSS.0b013e3181dd5e3a") == (
        "https://doi.org/10.1249/MSS.0b013e3181dd5e3a"
    )
    for bad in (
        "javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)",
        "java\tscript:alert(1)", "java\nscript:alert(1)", "data:text/html,<script>",
        "vbscript:x", "file:///etc/passwd", "//evil.example/x", "https://", "https:///x",
        "https://exa mple.org", "https://x.org/\u2028", "https://x.org\x00", "doi:javascript:x",
        "doi:10.1/x", "ftp://x.org/", "mailto:a@b.org", "", None, 42,
    ):  # fmt: skip
        assert safe_url(bad) is None, bad


def test_every_payload_renders_as_its_own_text():
    for payload in (*PAYLOADS, HOSTILE, "- a list?", "1. or not", "# heading", "a | b", "x\\"):
        assert live_markup(render(md(payload))) == [], payload
        assert text_of(render(md(payload), autolinks=False)) == " ".join(payload.split())
    html = render(md_paragraphs(f"{HOSTILE}\n\n  {HOSTILE}  \n"), autolinks=False)
    assert live_markup(html) == [] and text_of(html) == f"{HOSTILE} {HOSTILE}"
    assert html.count("<p>") == 2  # the paragraphs are kept


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn")), max_size=80))
def test_any_text_renders_as_itself_in_markdown(text):
    """md() for any text: rendered, it is one paragraph of exactly that text, nothing live."""
    assert live_markup(render(md(text)) or "<p></p>") == []
    html = render(md(text), autolinks=False) or "<p></p>"
    assert text_of(html) == " ".join(text.split())
    tags = {el.tag for el in lxml.html.document_fromstring(html).iter()}
    assert tags <= {"html", "body", "p"}, tags  # one paragraph of text, no other element


def test_a_markdown_link_is_written_only_to_http_or_doi():
    assert md_link("PubMed", "https://pubmed.ncbi.nlm.nih.gov/1/") == (
        "[PubMed](https://pubmed.ncbi.nlm.nih.gov/1/)"
    )
    assert md_link("doi", "doi:10.1002/mus.21170") == "[doi](https://doi.org/10.1002/mus.21170)"
    for bad in (BAD_URL, "data:text/html,x", "https://x.org/a) [y](javascript:alert(1)"):
        html = render(md_link(bad, bad) + " " + md_link("label", bad))
        assert live_markup(html) == [] and BAD_URL not in re.findall(r'href="([^"]*)"', html)


# --------------------------------------------------------------------------- a hostile review


def _write_yaml(path: Path, data: dict) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def make_hostile(dest: Path) -> Path:
    """A review folder (article.yaml, three claims, the real snapshot) with markup everywhere a
    user or PubMed writes text. The quotes are hostile too, so the article text is left out
    (the quotes are then not checked against it)."""
    claims = dest / "claims"
    claims.mkdir(parents=True)
    article = yaml.safe_load((ROOT / "claims" / "article.yaml").read_text(encoding="utf-8"))
    article.pop("text_file", None)
    article.update(title=HOSTILE, publisher=HOSTILE, kind=HOSTILE, attribution=HOSTILE)
    article["limitations"] = [HOSTILE, SHORT]  # the review's own, listed in the report
    article["url"] = "https://example.org/article"  # the javascript: one is set on the object
    used = {"dehydration", "stretching"}  # the topics of CLAIMS: fewer notebooks to run
    article["topics"] = {
        key: {"title": f"{key} {HOSTILE}", "intro": f"{HOSTILE}\n\n{HOSTILE}"}
        for key in article["topics"]
        if key in used
    }
    _write_yaml(claims / "article.yaml", article)
    for cid in CLAIMS:
        path = next((ROOT / "claims").glob(f"{cid}-*.yaml"))
        claim = yaml.safe_load(path.read_text(encoding="utf-8"))
        claim.update(title=SHORT, claim=HOSTILE, advice=HOSTILE)
        for unit in claim.get("parts") or [claim]:
            unit["title"] = SHORT
            unit["quotes"] = [{"section": HOSTILE, "text": HOSTILE}]
            for cit in unit["evidence"]:
                cit["finding"] = HOSTILE
                cit["note"] = HOSTILE
            unit["excluded"] = [{"pmid": "1", "reason": HOSTILE}]
        _write_yaml(claims / path.name, claim)
    papers = yaml.safe_load((ROOT / "claims" / "papers.yaml").read_text(encoding="utf-8"))
    for paper in papers["papers"]:  # each paper's appraisal is the reviewer's text too
        if paper.get("risk_of_bias"):
            paper["risk_of_bias"]["reason"] = HOSTILE
        paper.update(population=HOSTILE, funding=HOSTILE)
    _write_yaml(claims / "papers.yaml", papers)
    pubmed = dest / "data" / "pubmed"
    pubmed.mkdir(parents=True)
    lines = []
    for line in (ROOT / "data" / "pubmed" / "records.jsonl").read_text("utf-8").splitlines():
        rec = json.loads(line)
        rec.update(title=HOSTILE, title_html=HOSTILE, journal=HOSTILE, authors=[SHORT, "X Y"])
        if rec.get("pmid") and rec.get("doi"):
            rec["doi"] = BAD_DOI
        lines.append(json.dumps(rec, ensure_ascii=False))
    (pubmed / "records.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    shutil.copy(ROOT / "data" / "pubmed" / "manifest.json", pubmed)
    return dest


def hostile_objects(review):
    """The loaded review with what validation might refuse put straight into the objects: a
    `javascript:` article URL and the same as the address of the source cited by URL."""
    article = review.article.model_copy(update={"url": BAD_URL})
    snapshot = review.snapshot
    by_url = [k for k in snapshot.records if k.startswith("url:")]
    assert by_url, "the snapshot should hold a source cited by URL"
    for key in by_url:
        snapshot.records[key] = snapshot.records[key].model_copy(update={"url": BAD_URL})
    return dataclasses.replace(review, article=article)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    return make_hostile(tmp_path_factory.mktemp("hostile") / "review")


@pytest.fixture(scope="module")
def hostile_review(hostile):
    review = hostile_objects(load_review(hostile / "claims", hostile / "data"))
    assert review.article.url == BAD_URL and {c.id for c in review.claims} >= {"C01", "C10a"}
    return review


@pytest.fixture(scope="module")
def report(hostile_review, tmp_path_factory) -> dict[str, Path]:
    formats = ("html", "md", "pdf") if shutil.which("chromium") else ("html", "md")
    out = tmp_path_factory.mktemp("report")
    return build_report(hostile_review, out, formats=formats, progress=False)


# --------------------------------------------------------------------------- the report


def test_html_report_has_no_live_markup(report):
    html = report["html"].read_text(encoding="utf-8")
    assert live_markup(html, jsonld=True) == []
    assert len(re.findall(r'<script type="application/ld\+json">', html)) >= 1
    seen = text_of(html)
    assert HOSTILE in seen and SHORT in seen  # shown as text, not dropped
    assert BAD_URL in seen  # the article's address is shown, as text
    hrefs = lxml.html.document_fromstring(html).xpath("//@href")
    assert hrefs and all(h.startswith(("#", "https://")) for h in hrefs), hrefs
    assert any(h.startswith("https://doi.org/10.1234/x") for h in hrefs)  # quoted, not broken


def test_markdown_report_has_no_live_markup(report):
    body = report["md"].read_text(encoding="utf-8")
    html = render(body)
    assert live_markup(html) == []
    seen = text_of(render(body, autolinks=False))
    assert HOSTILE in seen and SHORT in seen and BAD_URL in seen
    hrefs = lxml.html.document_fromstring(html).xpath("//@href")
    assert hrefs and all(h.startswith(("#", "https://")) for h in hrefs), hrefs


def test_exports_and_claimreview_carry_no_script_address(report):
    claimreview = json.loads(report["claimreview"].read_text(encoding="utf-8"))
    urls = re.findall(r'"url": "([^"]*)"', json.dumps(claimreview))
    assert urls and not any(u.startswith("javascript") for u in urls)
    # The fields a reference manager turns into links hold only http(s) addresses.
    fields = {
        "all.ris": r"^UR  - (.*)$",
        "all.bib": r"^\s*url = \{(.*)\},?$",
        "all.nbib": r"^AID - (.*) \[url\]$",
    }
    for name, pattern in fields.items():
        text = report[name].read_text(encoding="utf-8")
        found = re.findall(pattern, text, re.M)
        assert all(u.startswith("https://") for u in found), (name, found)
        assert found or name == "all.nbib"  # NBIB has a URL only for a source not in PubMed
    csl = json.loads(report["all.csl.json"].read_text(encoding="utf-8"))
    urls = [item["URL"] for item in csl if item.get("URL")]
    assert urls and all(u.startswith("https://") for u in urls)


def test_the_annotated_article_and_its_annotations_are_inert(hostile_review, tmp_path):
    """The article's text and every quote hold markup (a quote with <script> among them): in
    annotated-article.html all of it is text, and no annotation targets a javascript: url."""
    text = tmp_path / "article.txt"
    text.write_text(f"{HOSTILE}\n\nBefore. {HOSTILE} After. <b>bold</b>\n", encoding="utf-8")
    review = dataclasses.replace(hostile_review, text_path=text)
    out = build_report(review, tmp_path / "bad-url", formats=("html",), progress=False)
    html = out["annotated"].read_text(encoding="utf-8")
    assert live_markup(html) == [] and "<script>" in HOSTILE
    seen = text_of(html)
    assert HOSTILE in seen and "<b>bold</b>" in seen and SHORT in seen  # quoted, not dropped
    hrefs = lxml.html.document_fromstring(html).xpath("//@href")
    assert hrefs and all(h.startswith("claimbook-report.html") for h in hrefs), hrefs
    assert "annotations" not in out  # the article's url is javascript:: nothing to target
    https = dataclasses.replace(
        review, article=review.article.model_copy(update={"url": "https://example.org/a"})
    )
    out = build_report(https, tmp_path / "ok", formats=("html",), progress=False)
    items = json.loads(out["annotations"].read_text(encoding="utf-8"))
    assert items and all(t["selector"]["exact"] == HOSTILE for a in items for t in a["target"])
    assert {t["source"] for a in items for t in a["target"]} == {"https://example.org/a"}


def _pdf_uris(pdf: bytes) -> list[bytes]:
    """Every /URI of the PDF, also inside compressed (Flate) object streams."""
    chunks = [pdf]
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(m.group(1)))
        except zlib.error:
            continue
    return [u for c in chunks for u in re.findall(rb"/URI\s*\(((?:\\.|[^\\)])*)\)", c)]


def test_pdf_has_no_script_link(report):
    if "pdf" not in report:
        pytest.skip("chromium is not installed (Debian: apt-get install chromium)")
    uris = _pdf_uris(report["pdf"].read_bytes())
    assert uris, "the PDF should link PubMed and DOIs"  # the scan does find link actions
    assert all(u.startswith(b"https://") for u in uris), [u for u in uris if b"https" not in u]
    assert not re.search(rb"/S\s*/JavaScript|/JS\s*[(<]", report["pdf"].read_bytes())


# --------------------------------------------------------------------------- show_claim


def test_show_claim_output_has_no_live_markup(hostile_review):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    from claimbook.jupyter.display import show_claim

    InteractiveShell.instance()  # display() publishes through a shell, as in a kernel
    for cid in ("C01", "C10"):
        with capture_output() as captured:
            show_claim(hostile_review, cid, figures=False)
        assert captured.outputs
        for out in captured.outputs:
            if "text/markdown" in out.data:
                markdown = out.data["text/markdown"]
                assert live_markup(render(markdown)) == []
                assert HOSTILE in text_of(render(markdown, autolinks=False))
            if "text/html" in out.data:
                assert live_markup(out.data["text/html"]) == []
                assert "<img src=x onerror=alert(1)>" in text_of(out.data["text/html"])
    assert "<" not in claim_markdown(hostile_review, "C01")  # every '<' is an entity


# --------------------------------------------------------------------------- notebooks


def _run(args: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        PYTHON + args, capture_output=True, text=True, cwd=cwd, timeout=900, env=os.environ
    )


@pytest.fixture(scope="module")
def executed(hostile) -> tuple[Path, subprocess.CompletedProcess]:
    """`claimbook notebooks` on the hostile folder: the notebooks built and run in place."""
    proc = _run(["notebooks", "--project", str(hostile)])
    assert proc.returncode == 0, proc.stderr[-3000:]
    return hostile / "notebooks", proc


@pytest.fixture(scope="module")
def converted(executed, tmp_path_factory) -> dict[str, str]:
    """`jupyter nbconvert --to html` of every generated notebook and of an empty one (whose
    <head> scripts, MathJax and require.js, are the template's own), in one run."""
    notebooks, _ = executed
    out = tmp_path_factory.mktemp("nbconvert")
    empty = out / "empty.ipynb"
    nbformat.write(make_notebook([], {}), empty)
    paths = [*sorted(notebooks.glob("*.ipynb")), empty]
    subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "html", "--output-dir", str(out),
         *map(str, paths)],
        capture_output=True, text=True, timeout=600, check=True,
    )  # fmt: skip
    return {p.name: (out / p.with_suffix(".html").name).read_text("utf-8") for p in paths}


def test_generated_notebooks_have_no_live_markup(executed):
    notebooks, _ = executed
    paths = sorted(notebooks.glob("*.ipynb"))
    assert len(paths) >= 4
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                assert live_markup(render(cell.source)) == [], (path.name, cell.source[:200])
            for out in cell.get("outputs", []):
                data = out.get("data", {})
                if "text/markdown" in data:
                    assert live_markup(render(data["text/markdown"])) == [], path.name
                if "text/html" in data:
                    assert live_markup(data["text/html"]) == [], path.name
    overview = nbformat.read(notebooks / "00-overview.ipynb", as_version=4)
    assert HOSTILE in text_of(render(overview.cells[0].source, autolinks=False))  # as text


def test_notebooks_have_no_live_markup_after_nbconvert(converted):
    template = lxml.html.document_fromstring(converted.pop("empty.ipynb"))
    own = {_script_id(s) for s in template.iter("script")}
    assert own  # the check below does see the template's scripts
    assert {"00-overview.ipynb", "claim.ipynb", "10-dehydration.ipynb"} <= set(converted)
    for name, html in converted.items():
        assert live_markup(html, png=True, own=own) == [], name
        doc = lxml.html.document_fromstring(html)
        assert not doc.xpath("//body//script"), name  # the template's scripts are in <head>
        assert "<script>alert(1)</script> <img src=x onerror=alert(1)>" in text_of(html), name
        assert doc.xpath("//img[starts-with(@src, 'data:image/png')]"), name  # figures ran


def test_a_notebooks_run_prints_no_encryption_warning(executed, hostile, tmp_path):
    """Not with a full build, not with --quiet, not for --claim (papermill), not with --dir."""
    _, proc = executed
    assert WARNING not in proc.stderr and "WARNING" not in proc.stderr, proc.stderr
    one = tmp_path / "one"
    one.mkdir()
    nbformat.write(make_notebook([new_code_cell("print(6 * 7)")], {"generated": True}),
                   one / "a.ipynb")  # fmt: skip
    rendered = tmp_path / "claim-C02.ipynb"
    for args in (
        ["notebooks", "--dir", str(one), "--quiet"],
        ["notebooks", "--project", str(hostile), "--claim", "C02", "--out", str(rendered)],
    ):
        run = _run(args)
        assert run.returncode == 0, run.stderr[-2000:]
        assert WARNING not in run.stderr and "WARNING" not in run.stderr, (args, run.stderr)
    assert nbformat.read(one / "a.ipynb", as_version=4).cells[0].outputs[0]["text"] == "42\n"
    assert "show_claim" in rendered.read_text(encoding="utf-8")  # papermill did render it


def test_without_the_kernel_config_the_warning_would_show(tmp_path):
    """The check above can fail: a plain nbclient run prints the warning (ipykernel >= 7)."""
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    if "curve" not in (spec.metadata or {}).get("supported_encryption", []):
        pytest.skip("this ipykernel has no transport encryption, and so no warning")
    path = tmp_path / "a.ipynb"
    nbformat.write(make_notebook([new_code_cell("1")], {}), path)
    code = (
        "import nbformat, nbclient, sys; nb = nbformat.read(sys.argv[1], 4); "
        "nbclient.NotebookClient(nb, kernel_name='python3').execute()"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert WARNING in proc.stderr


# --------------------------------------------------------------------------- kernelspec, rules


def test_notebooks_carry_the_kernelspec_jupyterlab_writes():
    """JupyterLab writes the running kernel's name, display name and language into the
    notebook; ipykernel's python3 kernelspec is where those come from."""
    from ipykernel.kernelspec import get_kernel_dict
    from jupyter_client.kernelspec import KernelSpecManager

    spec = get_kernel_dict()
    assert spec["display_name"] == KERNELSPEC["display_name"]
    assert spec["language"] == KERNELSPEC["language"]
    installed = KernelSpecManager().get_kernel_spec(KERNELSPEC["name"])
    assert (installed.display_name, installed.language) == (
        KERNELSPEC["display_name"], KERNELSPEC["language"],
    )  # fmt: skip
    shipped = [*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("examples/*/notebooks/*.ipynb")]
    assert shipped
    for path in shipped:
        assert nbformat.read(path, as_version=4).metadata["kernelspec"] == KERNELSPEC, path


def test_a_rebuild_rewrites_a_notebook_with_an_old_kernelspec(hostile, tmp_path):
    folder = tmp_path / "review"
    shutil.copytree(hostile / "claims", folder / "claims")
    shutil.copytree(hostile / "data", folder / "data")
    overview = build_notebooks(folder)[0]
    nb = nbformat.read(overview, as_version=4)
    nb.metadata["kernelspec"]["display_name"] = "Python 3"
    nbformat.write(nb, overview)
    build_notebooks(folder)
    assert nbformat.read(overview, as_version=4).metadata["kernelspec"] == KERNELSPEC


def test_the_overview_names_the_rules_as_a_pip_install_has_them(hostile, tmp_path):
    folder = tmp_path / "review"
    shutil.copytree(hostile / "claims", folder / "claims")
    shutil.copytree(hostile / "data", folder / "data")
    overview = nbformat.read(build_notebooks(folder)[0], as_version=4)
    text = "\n".join(c.source for c in overview.cells)
    assert "src/" not in text
    assert "--rules" in text and 'importlib.resources.files("claimbook.evidence")' in text
    named = re.search(r"`(rules/[\w.]+\.yaml)`", text).group(1)
    assert resources.files("claimbook.evidence").joinpath(named).is_file()  # what an install holds
    shipped = nbformat.read(ROOT / "notebooks" / "00-overview.ipynb", as_version=4)
    assert "src/claimbook" not in "\n".join(c.source for c in shipped.cells)


# --------------------------------------------------------------------------- JupyterLab


@pytest.mark.skipif(browser.CHROMIUM is None, reason="Chromium is not installed")
def test_jupyterlab_does_not_mark_a_generated_notebook_modified(lab):
    """Open a shipped notebook in JupyterLab (real browser, kernel started): it stays unmodified.
    The same notebook with the old display name "Python 3" is marked modified: the check works."""
    from playwright.sync_api import expect, sync_playwright

    notebooks = lab.root / "notebooks"
    shutil.copy(ROOT / "notebooks" / "10-dehydration.ipynb", notebooks / "as-built.ipynb")
    old = nbformat.read(ROOT / "notebooks" / "10-dehydration.ipynb", as_version=4)
    old.metadata["kernelspec"]["display_name"] = "Python 3"
    nbformat.write(old, notebooks / "old-name.ipynb")
    with sync_playwright() as pw:
        chromium = jupyter_servers.chromium(pw)
        try:
            page = chromium.new_page(viewport={"width": 1400, "height": 1000})
            page.route("**/*", browser._local_only)
            dirty = {}
            for name in ("as-built.ipynb", "old-name.ipynb"):
                page.goto(f"{lab.url}/lab/tree/notebooks/{name}?reset")
                tab = page.locator(".jp-mod-current[role='tab'], .lm-TabBar-tab.jp-mod-current")
                expect(tab.first).to_contain_text(name, timeout=browser.WIDGET_RENDER)
                kernel = page.locator(".jp-NotebookPanel-toolbar .jp-Toolbar-kernelName")
                expect(kernel).to_contain_text("Python 3", timeout=browser.WIDGET_RENDER)
                expect(page.locator("#jp-main-statusbar")).to_contain_text(
                    "Idle", timeout=browser.WIDGET_RENDER
                )
                page.wait_for_timeout(3000)  # let JupyterLab write what it wants to the model
                dirty[name] = "jp-mod-dirty" in (tab.first.get_attribute("class") or "")
        finally:
            chromium.close()
    assert dirty == {"as-built.ipynb": False, "old-name.ipynb": True}, dirty
    assert (notebooks / "as-built.ipynb").read_bytes() == (
        ROOT / "notebooks" / "10-dehydration.ipynb"
    ).read_bytes()
