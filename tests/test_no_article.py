"""The package names no article (issue 21, item 7): no file under src/claimbook holds the shipped
reviews' topic words, and what is particular to a review (its limitations) comes from the
review's own article.yaml, escaped, beside the package's generic limitations."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import mistune
import pytest
import yaml
from click.testing import CliRunner
from mistune.renderers.html import HTMLRenderer

from claimbook.cli.app import main

from conftest import ROOT, tree_digest

PACKAGE = ROOT / "src" / "claimbook"
EXAMPLE = ROOT / "examples" / "leg-cramps-quick-tip"

# The topic words of the two shipped articles (muscle cramps; leg and night cramps) and of their
# claims, as word starts (case-insensitive), so "Cramps", "stretching" and "dehydrated" are
# caught. Some need an end too: "legs?" (not "legend", "legal"), "calf|calves", "tonic water"
# (not "monotonic"), "pickle juice" (not Python's pickle). Left out as too general for a health
# tool: night, salt (matplotlib's SVG hash salt), reflex, athletes, pregnancy.
TOPIC_WORDS = re.compile(
    r"\b(?:cramp|muscl|massag|stretch|electrolyt|dehydrat|hydration|quinine|myotatic"
    r"|nocturnal|magnesium|sodium|potassium|calcium|sweat|exercis|spasm|tendon|golgi|lactic"
    r"|fatigu|neuromuscular|bodybuild|hemodialysis|cupping|padmalaya|healthassistant"
    r"|blogspot)\w*"
    r"|\b(?:legs?|calf|calves|tonic water|pickle[- ]juice|sports? drinks?|health assistant"
    r"|quick[- ]tip)\b",
    re.IGNORECASE,
)


def _package_files() -> list[Path]:
    """Every file of the package as shipped: code, templates, CSS, rules (no bytecode)."""
    return sorted(p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def test_the_topic_pattern_catches_the_words_and_spares_look_alikes():
    for hit in ["Muscle Cramps", "stretching", "dehydrated", "LEGS", "calves", "Tonic water",
                "pickle juice", "nocturnal", "Magnesium citrate", "quick-tip"]:  # fmt: skip
        assert TOPIC_WORDS.search(hit), hit
    for spared in ["legend", "legal", "time.monotonic()", "import pickle", "calfskin",
                   "hash salt", "at night"]:  # fmt: skip
        assert not TOPIC_WORDS.search(spared), spared


def test_no_file_of_the_package_names_the_shipped_articles_topic():
    files = _package_files()
    assert any(p.name == "grading.yaml" for p in files) and any(p.suffix == ".j2" for p in files)
    hits = [
        f"{p.relative_to(ROOT)}:{no}: {m.group()!r}"
        for p in files
        for no, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        for m in TOPIC_WORDS.finditer(line)
    ]
    assert not hits, "topic words in the package:\n" + "\n".join(hits)


# --------------------------------------------------------------------------- limitations


def _limitations(review_dir: Path) -> list[str]:
    """The `limitations:` of a review folder's article.yaml, as YAML reads them."""
    article = yaml.safe_load((review_dir / "claims" / "article.yaml").read_text(encoding="utf-8"))
    return article.get("limitations", [])


def _report(tmp_path: Path, project: Path, fmt: str = "md") -> dict[str, str]:
    """Build the report of `project` with `claimbook report --format FMT` into tmp_path/out."""
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main, ["report", "--format", fmt, "--project", str(project), "--out", str(out), "-q"]
    )
    assert result.exit_code == 0, result.output
    return {
        suffix: (out / f"claimbook-report.{suffix}").read_text(encoding="utf-8")
        for suffix in fmt.split(",")
    }


def _bullets(md: str) -> list[str]:
    """The bullets of the Markdown report's Limitations section, without their '- '."""
    section = md.split("### Limitations\n\n", 1)[1].split("\n\n", 1)[0]
    lines = section.splitlines()
    assert lines and all(line.startswith("- ") for line in lines), lines
    return [line[2:] for line in lines]


@pytest.fixture(scope="module")
def shipped(tmp_path_factory) -> list[str]:
    """The Limitations bullets of the shipped cramp review's Markdown report."""
    before = tree_digest(ROOT / "claims")
    bullets = _bullets(_report(tmp_path_factory.mktemp("shipped"), ROOT)["md"])
    assert tree_digest(ROOT / "claims") == before  # building reads the review, never writes it
    return bullets


def test_the_shipped_review_shows_its_own_limitation(shipped):
    own = _limitations(ROOT)
    assert own, "claims/article.yaml lists the review's limitations"
    for text in own:
        assert " ".join(text.split()) in shipped  # one bullet each, as written (no markup in it)


def test_a_review_without_limitations_shows_only_the_generic_ones(shipped, review, tmp_path):
    own = _limitations(ROOT)
    article = review / "claims" / "article.yaml"
    data = yaml.safe_load(article.read_text(encoding="utf-8"))
    del data["limitations"]
    article.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    md = _report(tmp_path, review)["md"]
    generic = _bullets(md)
    # the same list with the review's own taken out: nothing else depends on them
    assert generic == [b for b in shipped if b not in own]
    assert len(generic) == len(shipped) - len(own) >= 3
    for text in own:
        assert " ".join(text.split()) not in md


def test_the_example_review_shows_its_limitations_and_not_the_cramp_reviews(tmp_path, shipped):
    own = _limitations(EXAMPLE)
    assert own, "the example's article.yaml lists its own limitations"
    md = _report(tmp_path, EXAMPLE)["md"]
    bullets = _bullets(md)
    for text in own:
        assert " ".join(text.split()) in bullets
    for text in _limitations(ROOT):  # the other review's limitation is not the package's
        assert " ".join(text.split()) not in md
    # the generic ones are the same in both reports but for the first, which counts the
    # review's curated records, and the thin-evidence bullet (bold), which names its claims
    root_own = set(_limitations(ROOT))
    generic = [b for b in bullets if b not in own and not b.startswith("**")]
    assert generic[1:] == [b for b in shipped if b not in root_own and not b.startswith("**")][1:]
    assert len(generic) >= 3


HOSTILE = "<script>alert(1)</script> *bold* [a link](javascript:alert(2)) | &amp; no trials."


def _plain_permissive_markdown(markdown: str) -> str:
    """Markdown to HTML by mistune (nbconvert's renderer) letting raw HTML and any link scheme
    through, so only claimbook's own escaping stands between the text and live markup."""
    renderer = HTMLRenderer(escape=False, allow_harmful_protocols=True)
    return mistune.create_markdown(renderer=renderer)(markdown)


def _only_text(fragment: str) -> str:
    """The text of an HTML fragment, after checking it holds no element but <li>/<p>."""
    doc = lxml.html.fragment_fromstring(fragment, create_parent="div")
    tags = {el.tag for el in doc.iter() if isinstance(el.tag, str)} - {"div", "li", "p"}
    assert not tags, (tags, fragment)
    return doc.text_content().strip()


def test_a_limitation_is_escaped_in_markdown_and_html(review, tmp_path):
    article = review / "claims" / "article.yaml"
    data = yaml.safe_load(article.read_text(encoding="utf-8"))
    data["limitations"] = [HOSTILE]
    article.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    built = _report(tmp_path, review, "md,html")
    (bullet,) = [b for b in _bullets(built["md"]) if "alert(1)" in b]
    assert _only_text(_plain_permissive_markdown(bullet)) == HOSTILE  # shown as written, inert
    method = built["html"].split('id="method"', 1)[1]
    (item,) = re.findall(r"<li>[^\n]*?alert\(1\).*?</li>", method)
    assert _only_text(item) == HOSTILE


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ('[""]', "limitations[0]"),
        ('["short"]', "limitations[0]"),
        ('"One limitation, not in a list."', "limitations"),
        ("[{text: A limitation as a mapping.}]", "limitations[0]"),
    ],
)
def test_a_bad_limitation_is_refused_with_its_line(review, tmp_path, value, field):
    article = review / "claims" / "article.yaml"
    text = article.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("limitations:"))
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("  "))
    lines[start:end] = [f"limitations: {value}\n"]
    article.write_text("".join(lines), encoding="utf-8")
    before = tree_digest(review)
    result = CliRunner().invoke(
        main, ["validate", "--claims", str(review / "claims"), "--data", str(review / "data")]
    )
    assert result.exit_code != 0
    assert f"article.yaml:{start + 1}: {field}:" in result.output, result.output
    out = tmp_path / "out"
    refused = CliRunner().invoke(
        main, ["report", "--format", "md", "--project", str(review), "--out", str(out), "-q"]
    )
    assert refused.exit_code != 0 and "limitations" in refused.output, refused.output
    assert not (out / "claimbook-report.md").exists()
    assert tree_digest(review) == before


def test_no_reviews_limitation_is_written_into_the_package():
    """Both reviews carry their limitations in their own folder; the package holds neither."""
    for folder in (ROOT, EXAMPLE):
        for text in _limitations(folder):
            flat = " ".join(text.split())
            for p in _package_files():
                assert flat not in " ".join(p.read_text(encoding="utf-8").split()), p
