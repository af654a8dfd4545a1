"""Citation exports: RIS and BibTeX (Zotero, EndNote, Mendeley), CSL-JSON, NBIB (PubMed's
MEDLINE format) and the evidence table as CSV. Small writers of our own: the formats are
simple, and each is checked by parsing it back with a real reader in the tests. All text is
UTF-8; non-ASCII characters are kept as they are."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping

import pandas as pd

from claimbook.ids import pubmed_url, safe_url
from claimbook.pubmed.store import PaperRecord

CSV_COLUMNS = [
    "claim_id", "topic", "ref", "key", "pmid", "doi", "first_author", "year", "journal", "title",
    "design", "design_rank", "n", "stance", "finding", "note", "retracted", "source", "weight",
]  # fmt: skip


def _line(text: str | None) -> str:
    """One line of text: newlines and runs of white space collapsed."""
    return " ".join((text or "").split())


def _split_author(author: str) -> tuple[str, str]:
    """'Maughan RJ' -> ('Maughan', 'RJ'); a collective name ('ACSM Group') has no initials."""
    parts = author.strip().rsplit(" ", 1)
    if len(parts) == 2:
        surname, initials = parts
        is_initials = initials.isalpha() and initials.isupper() and len(initials) <= 4
        # "van der Berg RJ" is a person; "Writing Group of the ESC" is not.
        if is_initials and len(surname.split()) <= 3:
            return surname, initials
    return author.strip(), ""


def _url(r: PaperRecord) -> str | None:
    """The paper's address for the URL fields: PubMed's page, else its own http(s) URL (a
    reference manager makes this field a link, so nothing but http(s) goes in)."""
    return pubmed_url(r.pmid) if r.pmid else safe_url(r.url)


# --------------------------------------------------------------------------- RIS


def ris(records: Iterable[PaperRecord]) -> str:
    """RIS, one TY..ER block per record (journal articles)."""
    out = []
    for r in records:
        lines = ["TY  - JOUR", f"TI  - {_line(r.title)}"]
        for a in r.authors:
            last, initials = _split_author(a)
            lines.append(f"AU  - {last}, {initials}" if initials else f"AU  - {_line(a)}")
        if r.journal:
            lines += [f"T2  - {_line(r.journal)}", f"JO  - {_line(r.journal)}"]
        if r.year:
            lines.append(f"PY  - {r.year}")
        if r.doi:
            lines.append(f"DO  - {r.doi}")
        if r.pmid:
            lines.append(f"AN  - {r.pmid}")
        if _url(r):
            lines.append(f"UR  - {_url(r)}")
        if r.abstract:
            lines.append(f"AB  - {_line(r.abstract)}")
        if r.retracted:
            lines.append("N1  - RETRACTED")
        if r.in_pubmed is False:
            lines.append("N1  - Not indexed in PubMed")
        lines.append("ER  - ")
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


# --------------------------------------------------------------------------- BibTeX

_BIB_ESCAPE = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%",
               "$": r"\$", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}",
               "^": r"\textasciicircum{}"}  # fmt: skip


def bib_escape(text: str) -> str:
    """Escape BibTeX/LaTeX special characters; non-ASCII letters stay (UTF-8 BibTeX)."""
    return "".join(_BIB_ESCAPE.get(ch, ch) for ch in _line(text))


def _bib_verbatim(text: str) -> str:
    """DOIs and URLs are verbatim fields: only braces (which would unbalance) are encoded."""
    return text.replace("{", "%7B").replace("}", "%7D")


def bibtex_key(r: PaperRecord) -> str:
    """A stable key: first author's surname (ASCII) + year + PMID or a DOI/URL tail."""
    surname = _split_author(r.authors[0])[0] if r.authors else "anon"
    ascii_name = unicodedata.normalize("NFKD", surname).encode("ascii", "ignore").decode()
    name = re.sub(r"[^A-Za-z]", "", ascii_name).lower() or "anon"
    tail = r.pmid or re.sub(r"[^A-Za-z0-9]", "", (r.doi or r.url or "x"))[-10:]
    return f"{name}{r.year or ''}_{tail}"


def _bib_author(author: str) -> str:
    last, initials = _split_author(author)
    return f"{bib_escape(last)}, {initials}" if initials else f"{{{bib_escape(author)}}}"


def bibtex(records: Iterable[PaperRecord]) -> str:
    """BibTeX @article entries with unique keys; special characters escaped."""
    out, used = [], set()
    for r in records:
        key = base = bibtex_key(r)
        suffix = 0
        while key in used:
            suffix += 1
            key = f"{base}{chr(ord('a') + suffix - 1)}" if suffix <= 26 else f"{base}_{suffix}"
        used.add(key)
        fields = {
            "title": f"{{{bib_escape(r.title)}}}",  # double braces keep the title's case
            "author": " and ".join(_bib_author(a) for a in r.authors),
            "journal": bib_escape(r.journal or ""),
            "year": str(r.year or ""),
            "doi": _bib_verbatim(r.doi or ""),
            "pmid": r.pmid or "",
            "url": _bib_verbatim(_url(r) or ""),
            "note": "RETRACTED" if r.retracted else "",
        }
        body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields.items() if v)
        out.append(f"@article{{{key},\n{body}\n}}")
    return "\n\n".join(out) + "\n"


# --------------------------------------------------------------------------- CSL-JSON


def csl_items(records: Iterable[PaperRecord]) -> list[dict]:
    """CSL-JSON items (the format citeproc, Zotero and pandoc read)."""
    items = []
    for r in records:
        authors = []
        for a in r.authors:
            last, initials = _split_author(a)
            authors.append({"family": last, "given": initials} if initials else {"literal": a})
        item = {
            "id": r.key,
            "type": "article-journal",
            "title": _line(r.title),
            "author": authors,
            "container-title": r.journal,
            "issued": {"date-parts": [[r.year]]} if r.year else None,
            "DOI": r.doi,
            "PMID": r.pmid,
            "PMCID": r.pmcid,
            "URL": _url(r),
            "abstract": r.abstract,
            "note": "RETRACTED" if r.retracted else None,
        }
        items.append({k: v for k, v in item.items() if v not in (None, [], "")})
    return items


def csl_json(records: Iterable[PaperRecord]) -> str:
    """CSL-JSON as text: a JSON array, indented, UTF-8."""
    return json.dumps(csl_items(records), indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- NBIB (MEDLINE)


def medline_field(tag: str, value: str, width: int = 80) -> list[str]:
    """A MEDLINE field: tag padded to 4, '- ', value wrapped; continuation lines indented 6."""
    words = _line(value).split(" ")
    lines, line = [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width - 6:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return [f"{tag:<4}- {lines[0]}"] + [" " * 6 + rest for rest in lines[1:]]


def nbib(records: Iterable[PaperRecord]) -> str:
    """PubMed's MEDLINE/NBIB format, as PubMed's 'Send to: Citation manager' writes it."""
    out = []
    for r in records:
        fields: list[tuple[str, str]] = []
        if r.pmid:
            fields.append(("PMID", r.pmid))
        fields.append(("TI", r.title))
        if r.doi:
            fields.append(("LID", f"{r.doi} [doi]"))
        if r.abstract:
            fields.append(("AB", r.abstract))
        for a in r.authors:
            fields.append(("AU" if _split_author(a)[1] else "CN", a))
        for pt in r.publication_types or ["Journal Article"]:
            fields.append(("PT", pt))
        if r.retracted and "Retracted Publication" not in r.publication_types:
            fields.append(("PT", "Retracted Publication"))
        if r.year:
            fields.append(("DP", str(r.year)))
        if r.journal:
            fields.append(("TA", r.journal))
        if r.doi:
            fields.append(("AID", f"{r.doi} [doi]"))
        if r.pmcid:
            fields.append(("PMC", r.pmcid))
        if not r.pmid and safe_url(r.url):
            fields.append(("AID", f"{r.url} [url]"))
        if r.journal:
            fields.append(("SO", f"{r.journal}. {r.year}." if r.year else f"{r.journal}."))
        out.append("\n".join(line for tag, v in fields for line in medline_field(tag, v)))
    return "\n\n".join(out) + "\n"


# --------------------------------------------------------------------------- CSV


def evidence_csv(table: pd.DataFrame, numbers: Mapping[str, int] | None = None) -> str:
    """The evidence table as CSV (one row per claim and citation); `ref` is the citation's
    number in the report's reference list."""
    table = table.assign(ref=table["key"].map(numbers or {}).astype("Int64"))
    return table[CSV_COLUMNS].to_csv(index=False, lineterminator="\n")


# --------------------------------------------------------------------------- all at once

WRITERS: dict[str, Callable[[list[PaperRecord]], str]] = {
    "ris": ris,
    "bib": bibtex,
    "csl.json": csl_json,
    "nbib": nbib,
}


def render_all(
    records: list[PaperRecord], rows: pd.DataFrame, numbers: Mapping[str, int] | None = None
) -> dict[str, str]:
    """Every export of one group of citations, by file suffix."""
    texts = {suffix: writer(records) for suffix, writer in WRITERS.items()}
    texts["csv"] = evidence_csv(rows, numbers)
    return texts
