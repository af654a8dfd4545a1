"""The workbench's timeline (`claimbook.jupyter.timeline.timeline_svg`): one marker per
citation with a year, placed by year and design strength, shaped by stance, a retracted paper
ringed; every label escaped; the shipped review's claims drawn with as many points as they
have dated citations."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pandas as pd

from claimbook.evidence.review import load_review
from claimbook.jupyter.timeline import timeline_svg

from conftest import ROOT

SVG = "{http://www.w3.org/2000/svg}"


def _row(year, design="rct", rank=5, stance="supports", retracted=False, author="Miller KC"):
    return {"year": year, "design": design, "design_rank": rank, "stance": stance,
            "retracted": retracted, "first_author": author}  # fmt: skip


def _svg(html: str) -> ET.Element:
    return ET.fromstring(re.search(r"<svg class=\"cb-timeline\".*?</svg>", html, re.S)[0])


def _points(svg: ET.Element) -> list[ET.Element]:
    return [g for g in svg.iter(f"{SVG}g") if "cb-point" in g.get("class", "")]


def _centre(point: ET.Element) -> tuple[float, float]:
    shape = next(iter(c for c in point if c.tag != f"{SVG}title"))
    if shape.tag.endswith("circle"):
        return float(shape.get("cx")), float(shape.get("cy"))
    if shape.tag.endswith("rect"):
        return float(shape.get("x")) + float(shape.get("width")) / 2, float(shape.get("y")) + 6
    xs, ys = zip(*(map(float, p.split(",")) for p in shape.get("points").split()), strict=True)
    return sum(xs) / len(xs), sum(ys) / len(ys)


def test_each_dated_citation_is_one_point_by_year_and_design():
    rows = [
        _row(1990, "cohort", 3, "contradicts"),
        _row(2010, "rct", 5, "supports"),
        _row(2020, "meta-analysis", 7, "mixed"),
        _row(None, "rct", 5, "context"),  # no year: not plotted
    ]
    svg = _svg(timeline_svg(rows, "C01"))
    points = _points(svg)
    assert [p.get("class").split()[-1] for p in points] == [
        "cb-stance-contradicts", "cb-stance-supports", "cb-stance-mixed"
    ]  # fmt: skip
    (x90, y90), (x10, y10), (x20, y20) = (_centre(p) for p in points)
    assert x90 < x10 < x20  # later years further right
    assert y20 < y10 < y90  # stronger designs higher up
    width = float(svg.get("width"))
    assert all(0 < x < width for x in (x90, x10, x20))
    # shapes double the colours, as in the report's figure
    shapes = [next(c for c in p if c.tag != f"{SVG}title").tag.split("}")[1] for p in points]
    assert shapes == ["polygon", "circle", "polygon"]


def test_a_retracted_paper_is_ringed_not_marked_by_stance():
    svg = _svg(timeline_svg([_row(2001, retracted=True)], "C02"))
    (point,) = _points(svg)
    ring = next(c for c in point if c.tag == f"{SVG}circle")
    assert ring.get("fill") == "none" and ring.get("stroke") == "black"


def test_labels_are_escaped_and_no_year_is_said_in_words():
    hostile = '<script>alert("x")</script>'
    out = timeline_svg([_row(2005, author=hostile)], "C<1>")
    assert "<script>" not in out and "&lt;script&gt;" in out and "C&lt;1&gt;" in out
    _svg(out)  # still well-formed
    empty = timeline_svg([_row(None)], "C03")
    assert "<svg" not in empty and "no publication years" in empty


def test_the_shipped_review_draws_every_dated_citation():
    review = load_review(ROOT / "claims", ROOT / "data")
    for claim in review.claims:
        rows = review.table[review.table["claim_id"] == claim.id].to_dict("records")
        dated = [r for r in rows if not pd.isna(r["year"])]
        out = timeline_svg(rows, claim.id)
        if dated:
            assert len(_points(_svg(out))) == len(dated), claim.id
        else:
            assert "no publication years" in out, claim.id
