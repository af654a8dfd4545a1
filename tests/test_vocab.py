"""One vocabulary (issue 21 item 2): a verdict word is defined once, in claimbook.vocab, with its
sentence, colour and rating; the CSS, the plots, ClaimReview's rating and the statements read it
from there."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap

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
