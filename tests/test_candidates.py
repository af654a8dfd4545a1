"""Candidate claims: exact quotes and line numbers, recall against hand-marked gold lists on both
real articles (read from ../shared, never committed), and the text-handling cases one by one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimbook.article.candidates import (
    Candidate,
    find_candidates,
    format_candidates,
    sentence_spans,
)

from conftest import ROOT, SHARED, need_shared

GOLD_DIR = ROOT / "tests" / "fixtures" / "candidates"
ARTICLES = ["muscle-cramps-article", "leg-cramps-quick-tip"]


def _article(name: str) -> str:
    return need_shared(SHARED / "article" / f"{name}.txt").read_text(encoding="utf-8")


def _gold(name: str) -> list[str]:
    return [g["text"] for g in yaml.safe_load((GOLD_DIR / f"{name}.yaml").read_text("utf-8"))]


def _all_sentences(text: str) -> int:
    """Every sentence of every non-blank line: headings, chrome and questions included."""
    return sum(len(sentence_spans(line)) for line in text.split("\n"))


def _offsets(text: str, part: str) -> list[int]:
    out, i = [], text.find(part)
    while i >= 0:
        out.append(i)
        i = text.find(part, i + 1)
    return out


def _assert_quotable(text: str, cands: list[Candidate]) -> None:
    """Each candidate is an exact substring starting on its line; section and context too."""
    for c in cands:
        starts = _offsets(text, c.text)
        assert starts, c.text
        assert any(text.count("\n", 0, i) + 1 == c.line for i in starts), (c.line, c.text)
        assert c.text == c.text.strip() and c.text
        assert c.section in text
        assert c.context is None or c.context in text
        assert c.reasons and all(isinstance(r, str) for r in c.reasons)


def _texts(text: str) -> list[str]:
    return [c.text for c in find_candidates(text)]


def _one(text: str, part: str) -> Candidate:
    (hit,) = [c for c in find_candidates(text) if part in c.text]
    return hit


# --------------------------------------------------------------------------- the real articles


@pytest.mark.parametrize("name", ARTICLES)
def test_gold_fragments_are_short_unique_quotes(name):
    """The hand-marked list is usable: each fragment occurs exactly once, in at most 12 words."""
    text = _article(name)
    gold = _gold(name)
    assert len(gold) >= 10
    for g in gold:
        assert text.count(g) == 1, g
        assert len(g.split()) <= 12, g


@pytest.mark.parametrize("name", ARTICLES)
def test_every_candidate_is_an_exact_quote_on_its_line(name):
    text = _article(name)
    cands = find_candidates(text)
    assert cands
    _assert_quotable(text, cands)
    assert [c.line for c in cands] == sorted(c.line for c in cands)  # document order
    assert json.loads(json.dumps([c.to_dict() for c in cands]))[0]["text"] == cands[0].text


@pytest.mark.parametrize(("name", "min_recall"), [(ARTICLES[0], 0.9), (ARTICLES[1], 0.9)])
def test_recall_against_the_hand_marked_claims(name, min_recall):
    text = _article(name)
    cands = find_candidates(text)
    gold = _gold(name)
    missed = [g for g in gold if not any(g in c.text for c in cands)]
    assert 1 - len(missed) / len(gold) >= min_recall, missed


@pytest.mark.parametrize(("name", "max_share"), [(ARTICLES[0], 0.6), (ARTICLES[1], 0.9)])
def test_the_list_is_shorter_than_the_text_and_mostly_claims(name, max_share):
    """Chrome, questions and narrative are left out: fewer candidates than sentences, and at
    least 85% of the candidates hold a hand-marked claim."""
    text = _article(name)
    cands = find_candidates(text)
    gold = _gold(name)
    assert len(cands) <= max_share * _all_sentences(text)
    claims = [c for c in cands if any(g in c.text for g in gold)]
    assert len(claims) / len(cands) >= 0.85, [c.text for c in cands if c not in claims]


def test_the_saved_web_page_loses_its_chrome_and_epigraph():
    text = _article("muscle-cramps-article")
    listed = " ".join(_texts(text))
    for chrome in ("Learn more", "Padmalaya", "sciatica", "Cupping", "Perfectionism",
                   "All Rights Reserved", "Book your session", "charley horse,"):  # fmt: skip
        assert chrome not in listed
    assert not any(t.rstrip("\u201d\"'").endswith("?") for t in _texts(text))


def test_sections_agree_with_the_reviewed_claims():
    """Every quote in claims/*.yaml that is in the article is caught, under the same heading."""
    text = _article("muscle-cramps-article")
    cands = find_candidates(text)
    quotes = []
    for f in sorted((ROOT / "claims").glob("C*.yaml")):
        for q in yaml.safe_load(f.read_text(encoding="utf-8")).get("quotes") or []:
            if q.get("text") and q["text"] in text:
                quotes.append(q)
    assert len(quotes) >= 20
    caught = [(q, [c for c in cands if q["text"] in c.text]) for q in quotes]
    hits = [(q, cs[0]) for q, cs in caught if cs]
    assert len(hits) / len(quotes) >= 0.9, [q["text"] for q, cs in caught if not cs]
    wrong = [(q["text"], q["section"], c.section) for q, c in hits if c.section != q["section"]]
    assert len(wrong) <= len(hits) // 10, wrong


def test_a_paragraph_under_adverts_keeps_its_own_heading():
    text = _article("muscle-cramps-article")
    c = _one(text, "rarely any significant difference in electrolyte levels")
    assert c.section == "What Really Happens When Your Muscles Cramp?"
    assert c.line == 41
    assert "cites research" in c.reasons


def test_the_blog_post_splits_and_keeps_its_dose():
    text = _article("leg-cramps-quick-tip")
    texts = _texts(text)
    assert "Lack of salt is one well recognized cause of cramps." in texts
    assert any(t.startswith("300-800 mg. of Magnesium per day") for t in texts)
    assert {c.section for c in find_candidates(text)} == {"Leg Cramps Quick tip"}
    assert "You will be amazed." not in texts


# --------------------------------------------------------------------------- small texts

CHROME_PAGE = """\
Home | About | Services | Blog | Contact
Menu
Night Cramps and Magnesium

Low magnesium is a common cause of night cramps in older adults.

Cupping - a powerful tool

Invest in your health today

Cupping therapy for back pain. Massage center Sofia.
Learn more
Book now
Call us: +359 88 123 4567
Read more
© 2024 Healthy Feet Ltd. All rights reserved.
"""


def test_chrome_is_left_out():
    cands = find_candidates(CHROME_PAGE)
    assert [c.text for c in cands] == [
        "Low magnesium is a common cause of night cramps in older adults."
    ]
    assert cands[0].section == "Night Cramps and Magnesium"
    assert cands[0].line == 5


def test_questions_are_left_out():
    text = (
        "Why Do Cramps Happen?\n\nWhy do cramps happen at night? Dehydration causes cramps in "
        "some athletes. Is salt the cause? You might ask, \u201cDoes magnesium help?\u201d "
        "Stretching helps most people.\n"
    )
    assert _texts(text) == [
        "Dehydration causes cramps in some athletes.",
        "Stretching helps most people.",
    ]


def test_a_list_item_carries_its_lead_in():
    text = (
        "Leg cramps\n\nSome common triggers include:\nBeing pregnant.\n"
        "Taking certain medicines, such as diuretics.\n\nTreatment\n\n"
        "- Stretch the calf gently for 30 seconds\n"
    )
    cands = find_candidates(text)
    assert [(c.text, c.context, c.line) for c in cands] == [
        ("Being pregnant.", "Some common triggers include:", 4),
        ("Taking certain medicines, such as diuretics.", "Some common triggers include:", 5),
        ("Stretch the calf gently for 30 seconds", None, 9),
    ]
    assert "names a cause" in cands[0].reasons  # from "triggers" in the lead-in
    assert cands[2].section == "Treatment"


def test_list_items_separated_by_blank_lines_and_bullets():
    text = (
        "Prevention\n\nTo lower your risk:\n\n\u2022 Drink water before a long run.\n\n"
        "\u2022 Warm up first.\n\nSalt tablets are not needed by most runners.\n"
    )
    cands = find_candidates(text)
    assert [c.context for c in cands] == ["To lower your risk:", "To lower your risk:", None]
    assert cands[0].text == "Drink water before a long run."


@pytest.mark.parametrize(
    ("heading", "style"),
    [
        ("Age and Muscle Cramps: A Vicious Cycle", "title case"),
        ("Why do cramps strike at night?", "question"),
        ("How to stop a cramp", "sentence case"),
        ("## Night cramps", "markdown"),
        ("Night cramps\n============", "setext"),
    ],
)
def test_heading_detection_gives_the_section(heading, style):
    text = (
        "Leg Cramps Explained\n\nCramps are painful spasms that usually strike the calf.\n\n"
        f"{heading}\n\nLow magnesium may cause night cramps in older adults.\n"
    )
    first, second = find_candidates(text)
    assert first.section == "Leg Cramps Explained", style
    expected = heading.removeprefix("## ").split("\n")[0]
    assert second.section == expected, style
    assert second.section in text


def test_a_title_case_question_glued_to_a_paragraph_heads_the_next_one():
    text = (
        "Cramps\n\nDehydration is blamed for cramps. What Really Happens When Muscles Cramp?\n"
        "Tired muscles send confused nerve signals.\n"
    )
    first, second = find_candidates(text)
    assert first.section == "Cramps"
    assert second.section == "What Really Happens When Muscles Cramp?"


def test_missing_space_after_a_period_still_splits():
    text = "Tip\n\nCramps may develop after exercise in hot conditions.Lack of salt is a cause."
    assert _texts(text) == [
        "Cramps may develop after exercise in hot conditions.",
        "Lack of salt is a cause.",
    ]


@pytest.mark.parametrize(
    "sentence",
    [
        "300-800 mg. of Magnesium per day should eliminate the cramping at night.",
        "Take magnesium, e.g. Magnesium citrate, each evening before bed.",
        "Dr. Smith advises stretching the calf before bed.",
        "Cramps ease within minutes in most trials, as Fig. 2 shows.",
        "Older adults, i.e. People over 65, are more prone to night cramps.",
        "The U.S. National Library of Medicine lists cramps as common.",
    ],
)
def test_abbreviations_do_not_split(sentence):
    assert _texts(f"Tip\n\n{sentence} Stretching helps most people.") == [
        sentence,
        "Stretching helps most people.",
    ]


def test_curly_quotes_close_a_sentence_and_stay_inside_one():
    text = (
        "Cramps\n\nBut before you think, \u201cAh, it\u2019s just an old age thing,\u201d kids "
        "aren\u2019t exempt either. He said \u201cStretching helps.\u201d Then he left.\n"
    )
    spans = [text[a:b] for a, b in sentence_spans(text, text.index("But"))]
    assert spans == [
        "But before you think, \u201cAh, it\u2019s just an old age thing,\u201d kids "
        "aren\u2019t exempt either.",
        "He said \u201cStretching helps.\u201d",
        "Then he left.",
    ]


def test_the_cues_work_on_an_article_about_another_topic():
    """The cues are claim language, not the shipped articles' topic words (issue 21)."""
    text = (
        "Coffee and Your Heart\n\nDrinking coffee raises blood pressure for a few hours. "
        "Two cups a day are safe for most adults. About 40% of drinkers feel jittery. "
        "Decaf is the only real answer for everyone. My aunt loves her espresso. "
        "The weather was lovely that morning.\n"
    )
    cands = find_candidates(text)
    assert [c.text for c in cands] == [
        "Drinking coffee raises blood pressure for a few hours.",
        "Two cups a day are safe for most adults.",
        "About 40% of drinkers feel jittery.",
        "Decaf is the only real answer for everyone.",
    ]
    reasons = [set(c.reasons) for c in cands]
    assert {"gives a number or dose", "explains how the body works"} <= reasons[0]
    assert {"gives a number or dose", "says how serious it is or how long it lasts"} <= reasons[1]
    assert reasons[2] == {"gives a number or dose"}  # "40%": a percent is a number
    assert reasons[3] == {"makes an absolute claim"}


def test_narrative_is_left_out():
    text = (
        "My Story\n\nLast summer I ran my first marathon with my sister. We laughed the whole "
        "way and ate pizza afterwards. My sister often helped me at the finish line. "
        "Magnesium relaxes tight muscles.\n"
    )
    assert _texts(text) == ["Magnesium relaxes tight muscles."]


def test_an_epigraph_is_not_the_article():
    text = (
        "Worry is the most common cause of tight muscles.\n\n~ A. Writer\n\n"
        "Cramps Explained\n\nCramps are caused by tired muscles.\n"
    )
    (c,) = find_candidates(text)
    assert c.text == "Cramps are caused by tired muscles."
    assert (c.section, c.line) == ("Cramps Explained", 7)


def test_hard_wrapped_paragraph_is_one_unit_with_its_first_line():
    text = (
        "Leg cramps\n\nLeg cramps at night are usually a sign that you are not getting\n"
        "enough magnesium in your diet. A dose of 300 mg a day\nshould help.\n"
    )
    first, second = find_candidates(text)
    assert first.text.endswith("enough magnesium in your diet.") and first.line == 3
    assert second.text == "A dose of 300 mg a day\nshould help." and second.line == 4
    assert first.section == second.section == "Leg cramps"


def test_windows_line_endings():
    text = "Cramps\r\n\r\nLack of salt is one cause of cramps.\r\nSee a doctor if they persist.\r\n"
    cands = find_candidates(text)
    assert [(c.text, c.line) for c in cands] == [
        ("Lack of salt is one cause of cramps.", 3),
        ("See a doctor if they persist.", 4),
    ]
    assert cands[0].section == "Cramps"


def test_text_before_any_heading_gets_the_title():
    text = "Salt is one cause of cramps.\n\nCramp Basics\n\nCramps are usually harmless.\n"
    assert [c.section for c in find_candidates(text)] == ["Cramp Basics", "Cramp Basics"]
    assert [c.section for c in find_candidates("Salt is one cause of cramps.")] == [""]


def test_empty_and_blank_texts():
    assert find_candidates("") == []
    assert find_candidates(" \n\t\n") == []


def test_candidate_is_frozen_and_serialises():
    (c,) = find_candidates("Cramps\n\nSome triggers include:\n- Heat\n")
    assert c.to_dict() == {
        "text": "Heat",
        "section": "Cramps",
        "reasons": ["names a cause"],
        "context": "Some triggers include:",
        "line": 4,
    }
    with pytest.raises(AttributeError):
        c.text = "x"  # type: ignore[misc]
    assert hash(c) == hash(find_candidates("Cramps\n\nSome triggers include:\n- Heat\n")[0])


def test_format_candidates_lists_section_context_and_reasons():
    out = format_candidates(find_candidates("Cramps\n\nSome triggers include:\n- Heat\n"))
    assert out.splitlines() == [
        "  1. line 4 \u00b7 Cramps",
        "     after: Some triggers include:",
        "     Heat",
        "     why: names a cause",
    ]
    assert format_candidates([]) == ""


# --------------------------------------------------------------------------- properties

_CHARS = "aA .?!:;,-\n\r\t\u201c\u201d\u2019'\"()#=*\u20220123456789~\u00a9|"
_CHUNKS = ["mg.", "e.g.", "Dr.", "Learn more", "\n\n", "causes", "Cramps", "include:\n", "- ",
           "\u2028", "\x0b", "\u00a0", " prevent", "Title Case Heading\n"]  # fmt: skip
_PIECES = st.sampled_from([*_CHARS, *_CHUNKS])


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_PIECES, max_size=60).map("".join) | st.text(max_size=300))
def test_any_text_gives_quotable_candidates(text):
    _assert_quotable(text, find_candidates(text))


def test_fixtures_hold_fragments_not_the_articles():
    """Copyright: the gold lists quote short fragments only, never whole sentences."""
    for name in ARTICLES:
        path: Path = GOLD_DIR / f"{name}.yaml"
        gold = _gold(name)
        assert all(len(g) <= 80 for g in gold)
        assert len(path.read_text(encoding="utf-8")) < 6000
