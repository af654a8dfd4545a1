"""One vocabulary (issue 21 item 2): a verdict word is defined once, in claimbook.vocab, with its
sentence, colour and rating; the CSS, the plots, ClaimReview's rating and the statements read it
from there."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import textwrap
from typing import get_args

from claimbook import vocab
from claimbook.report.context import RATING
from claimbook.report.html import colour_css

from conftest import ROOT

STATEMENT = 'disputed: "Experts dispute whether {claim}."'
NEW_WORD = '    Verdict("disputed", "Experts dispute this claim", "#56B4E9", 2),\n'


def test_every_verdict_word_has_its_colour_class_rating_and_sentence():
    css = colour_css()
    for v in vocab.VERDICT_WORDS:
        assert f".badge.v-{v.word} " in css and f"--{v.word}: {v.colour};" in css
        assert RATING[v.word] == v.rating
        assert vocab.verdict_sentence(v.word, "low").startswith(v.sentence)
    assert tuple(v.word for v in vocab.VERDICT_WORDS) == vocab.VERDICTS
    css_file = (ROOT / "src/claimbook/report/templates/report.css").read_text("utf-8")
    assert not any(f"v-{v.word}" in css_file for v in vocab.VERDICT_WORDS), "CSS names no word"


def test_adding_a_verdict_word_touches_vocab_and_the_rules_file_only(tmp_path):
    """A copy of the package with one line added to vocab.py, and a rules file with the word's
    statement: every reader of the vocabulary knows the new word."""
    package = tmp_path / "src" / "claimbook"
    shutil.copytree(ROOT / "src" / "claimbook", package)
    vocab_py = package / "vocab.py"
    text = vocab_py.read_text("utf-8")
    anchor = "VERDICT_WORDS: tuple[Verdict, ...] = (\n"
    assert anchor in text
    vocab_py.write_text(text.replace(anchor, anchor + NEW_WORD), "utf-8")
    builtin = (package / "evidence" / "rules" / "grading.yaml").read_text("utf-8")
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        builtin.replace(
            "statements:\n", 'statements:\n  disputed: "Experts dispute whether {claim}."\n'
        ),
        "utf-8",
    )
    script = textwrap.dedent(f"""
        import matplotlib
        matplotlib.use("Agg")
        import pandas as pd
        from claimbook import vocab
        from claimbook.evidence import plots
        from claimbook.evidence.grading import RulesError, load_rules, statement
        from claimbook.report.context import RATING
        from claimbook.report.html import colour_css

        assert "disputed" in vocab.VERDICTS
        css = colour_css()
        assert ".badge.v-disputed " in css and "--disputed: #56B4E9;" in css, css
        assert RATING["disputed"] == 2
        assert plots.VERDICT_COLOURS["disputed"] == "#56B4E9"
        assert vocab.verdict_sentence("disputed", "low").startswith("Experts dispute this claim")
        rules = load_rules({str(rules)!r})
        assert statement("disputed", "low", "Salt helps.", rules) == (
            "Experts dispute whether salt helps."
        )
        try:
            load_rules()  # the built-in rules have no statement for the new word
        except RulesError as exc:
            assert "disputed" in str(exc), exc
        else:
            raise AssertionError("the built-in rules should lack a statement for 'disputed'")
        rows = pd.DataFrame([{{"claim_id": "X1", "title": "A claim", "verdict": "disputed",
                               "certainty": "low", "status": None, "support_weight": 1.0,
                               "contradict_weight": 1.0}}])
        plots.verdict_overview(rows)
        print("ok")
    """)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
        env={"PYTHONPATH": str(tmp_path / "src"), "PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg"},
    )  # fmt: skip
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr


# --------------------------------------------------------------------------- the rest of it


def _package_copy(tmp_path, old: str, new: str):
    """A copy of the package under tmp_path/src whose vocab.py has `old` replaced by `new`."""
    package = tmp_path / "src" / "claimbook"
    shutil.copytree(ROOT / "src" / "claimbook", package)
    vocab_py = package / "vocab.py"
    text = vocab_py.read_text("utf-8")
    assert text.count(old) == 1, old
    vocab_py.write_text(text.replace(old, new), "utf-8")
    return package


def _run(tmp_path, script: str) -> subprocess.CompletedProcess:
    """Run `script` with the package copy under tmp_path/src first on the path."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True,
        timeout=300, cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path / "src"), "PATH": "/usr/bin:/bin", "MPLBACKEND": "Agg"},
    )  # fmt: skip


def test_vocab_defines_each_word_once_and_its_readers_agree():
    from claimbook.evidence import plots, sof
    from claimbook.evidence.domains import DOMAIN_RULES

    assert tuple(s.word for s in vocab.STANCE_WORDS) == vocab.STANCES
    assert (
        get_args(vocab.Stance) == vocab.STANCES and get_args(vocab.Certainty) == vocab.CERTAINTIES
    )
    assert {s.word: s.colour for s in vocab.STANCE_WORDS} == plots.STANCE_COLOURS
    assert vocab.CERTAINTIES == ("high", "moderate", "low", "very low")  # GRADE's, strongest first
    assert (
        vocab.certainty_range()
        == "\u2295\u2295\u2295\u2295 high to \u2295\u25ef\u25ef\u25ef very low"
    )
    assert tuple(name for name, _ in DOMAIN_RULES) == vocab.DOMAINS
    assert sof.DOMAIN_LABELS == vocab.DOMAIN_LABELS
    assert vocab.stance_counts({"supports": 3, "context": 1}) == (
        "3 support, 0 contradict, 0 mixed, 1 background"
    )


def test_a_domain_label_renamed_in_vocab_is_what_every_reader_shows(tmp_path):
    """One line of vocab.py changes a domain's label, and the method appendix, the report's
    claim sections, the summary of findings' footnotes, Jupyter's claim view and the overview
    notebook all say the new one."""
    _package_copy(
        tmp_path,
        'Domain("indirectness", "indirectness")',
        'Domain("indirectness", "how direct the evidence is")',
    )
    result = _run(
        tmp_path,
        f"""
        from claimbook import load_review
        from claimbook.evidence.rules import load_rules
        from claimbook.jupyter.display import claim_markdown
        from claimbook.notebooks.build import overview, topic_filenames
        from claimbook.evidence.method import method_paragraphs
        from claimbook.report.context import build_context
        from claimbook.report.markdown import render_markdown

        NEW = "how direct the evidence is"
        method = " ".join(method_paragraphs(load_rules()))
        assert NEW + " (the share from studies of another population" in method, method
        assert "indirectness (" not in method, method

        review = load_review(project={str(ROOT)!r})
        ctx = build_context(review)
        assert all(NEW in dict(c.domains) for c in ctx.claims), ctx.claims[0].domains
        assert f"- **{{NEW}}**: " in render_markdown(ctx)
        assert f"- **{{NEW}}**: " in claim_markdown(review, ctx.claims[0].id)
        notes = [n for ns in review.summary_of_findings()["footnotes"] for n in ns]
        assert any(n.startswith("How direct the evidence is serious: ") for n in notes), notes
        assert not any(n.startswith("Indirectness ") for n in notes), notes

        nb = overview(review.article, topic_filenames(review.article))
        text = "".join(cell.source for cell in nb.cells)
        assert f"**{{NEW}}**" in text, text
        assert "method_paragraphs(review.rules)" in text, text  # the domains, in the method's words
        print("ok")
    """,
    )
    assert result.returncode == 0 and result.stdout.strip().endswith("ok"), result.stderr


def test_a_domain_in_vocab_without_its_rule_is_refused_in_words(tmp_path):
    _package_copy(
        tmp_path,
        'Domain("publication_bias", "publication bias"),\n',
        'Domain("publication_bias", "publication bias"),\n    Domain("funding", "funding"),\n',
    )
    result = _run(tmp_path, "import claimbook.evidence.grading")
    assert result.returncode != 0
    assert "funding" in result.stderr and "claimbook.vocab" in result.stderr, result.stderr


# Phrases that contain a domain's label but are not the label: the risk-of-bias rule's reasons
# name the appraisal it found ("at high risk of bias"), a rating of one study, not the domain.
NOT_A_LABEL = {"evidence/domains.py": ("high risk of bias",)}


def _strings(path):
    """Every string literal of a module (f-strings by their literal parts), with its line."""
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def test_no_module_but_vocab_spells_a_certainty_level_or_a_domain_label():
    """A certainty level as a string of its own ("very low") or a domain's label in any text
    ("... publication bias ...") is read from claimbook.vocab everywhere else; a label that is
    also its domain's key ("imprecision") may appear alone, as the key."""
    package = ROOT / "src" / "claimbook"
    labels = {d.label.lower(): d.key for d in vocab.GRADE_DOMAINS}
    found = []
    for path in sorted(package.rglob("*.py")):
        name = path.relative_to(package).as_posix()
        if name == "vocab.py":
            continue
        for line, text in _strings(path):
            where = f"{name}:{line}"
            if text.strip() in vocab.CERTAINTIES:
                found.append(f"{where}: certainty {text!r}")
            lowered = text.lower()
            for phrase in NOT_A_LABEL.get(name, ()):
                lowered = lowered.replace(phrase, "")
            for label, key in labels.items():
                if label in lowered and lowered != key:
                    found.append(f"{where}: domain label {label!r} in {text[:60]!r}")
            if any(c.symbol in text for c in vocab.CERTAINTY_LEVELS):
                found.append(f"{where}: certainty circles")
    for path in sorted((package / "report" / "templates").iterdir()):
        text = path.read_text("utf-8")
        for label in labels:
            if label in text.lower():
                found.append(f"{path.name}: domain label {label!r}")
        for level in vocab.CERTAINTIES:
            if f'"{level}"' in text or f"'{level}'" in text:
                found.append(f"{path.name}: certainty {level!r}")
        if any(c.symbol in text for c in vocab.CERTAINTY_LEVELS):
            found.append(f"{path.name}: certainty circles")
    assert not found, "\n".join(found)
