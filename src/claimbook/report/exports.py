"""Citation exports: RIS and BibTeX (Zotero, EndNote, Mendeley), CSL-JSON, NBIB (PubMed's
MEDLINE format) and the evidence table as CSV. Small writers of our own: the formats are
simple, and each is checked by parsing it back with a real reader in the tests."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable

import pandas as pd

from claimbook.pubmed.store import CitationRecord

CSV_COLUMNS = [
    "claim_id", "topic", "pmid", "doi", "first_author", "year", "journal", "title", "design",
    "design_rank", "n", "stance", "finding", "note", "retracted", "source", "weight",
]  # fmt: skip


def _split_author(author: str) -> tuple[str, str]:
    """'Maughan RJ' -> ('Maughan', 'RJ'); a collective name has no initials."""
    parts = author.rsplit(" ", 1)
    if len(parts) == 2 and re.fullmatch(r"[A-Z]{1,4}", parts[1]):
        return parts[0], parts[1]
    return author, ""


def _is_person(author: str) -> bool:
    return bool(_split_author(author)[1])


# --------------------------------------------------------------------------- RIS


def ris(records: Iterable[CitationRecord]) -> str:
    """RIS, one TY..ER block per record (journal articles)."""
    out = []
    for r in records:
        lines = ["TY  - JOUR", f"TI  - {r.title}"]
        for a in r.authors:
            last, initials = _split_author(a)
            lines.append(f"AU  - {last}, {initials}" if initials else f"AU  - {last}")
        if r.journal:
            lines.append(f"JO  - {r.journal}")
        if r.year:
            lines.append(f"PY  - {r.year}")
        if r.doi:
            lines.append(f"DO  - {r.doi}")
        if r.pmid:
            lines += [f"AN  - {r.pmid}", f"UR  - https://pubmed.ncbi.nlm.nih.gov/{r.pmid}/"]
        elif r.url:
            lines.append(f"UR  - {r.url}")
        if r.abstract:
            lines.append(f"AB  - {r.abstract.replace(chr(10), ' ')}")
        if r.retracted:
            lines.append("N1  - RETRACTED")
        lines.append("ER  - ")
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


# --------------------------------------------------------------------------- BibTeX

_BIB_ESCAPE = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%",
               "$": r"\$", "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}",
               "^": r"\textasciicircum{}"}  # fmt: skip


def _bib(text: str) -> str:
    return "".join(_BIB_ESCAPE.get(ch, ch) for ch in text)


def bibtex_key(r: CitationRecord) -> str:
    """A stable key: first author's surname (ASCII) + year + PMID or a DOI/URL tail."""
    surname = _split_author(r.authors[0])[0] if r.authors else "anon"
    ascii_name = unicodedata.normalize("NFKD", surname).encode("ascii", "ignore").decode()
    name = re.sub(r"[^A-Za-z]", "", ascii_name).lower() or "anon"
    tail = r.pmid or re.sub(r"[^A-Za-z0-9]", "", (r.doi or r.url or "x"))[-10:]
    return f"{name}{r.year or ''}_{tail}"


def _bib_author(author: str) -> str:
    last, initials = _split_author(author)
    return f"{_bib(last)}, {initials}" if initials else f"{{{_bib(author)}}}"


def bibtex(records: Iterable[CitationRecord]) -> str:
    """BibTeX @article entries; special characters escaped, non-ASCII kept (UTF-8)."""
    out = []
    for r in records:
        authors = " and ".join(
            f"{_bib(_split_author(a)[0])}, {_split_author(a)[1]}"
            if _is_person(a)
            else f"{{{_bib(a)}}}"
            for a in r.authors
        )
        url = f"https://pubmed.ncbi.nlm.nih.gov/{r.pmid}/" if r.pmid else (r.url or "")
        fields = {
            "title": f"{{{_bib(r.title)}}}",
            "author": authors,
            "journal": _bib(r.journal or ""),
            "year": str(r.year or ""),
            "doi": r.doi or "",
            "pmid": r.pmid or "",
            "url": url,
            "note": "RETRACTED" if r.retracted else "",
        }
        body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields.items() if v)
        out.append(f"@article{{{bibtex_key(r)},\n{body}\n}}")
    return "\n\n".join(out) + "\n"


# --------------------------------------------------------------------------- CSL-JSON


def csl_json(records: Iterable[CitationRecord]) -> str:
    """CSL-JSON (the format citeproc, Zotero and pandoc read)."""
    items = []
    for r in records:
        authors = []
        for a in r.authors:
            last, initials = _split_author(a)
            authors.append({"family": last, "given": initials} if initials else {"literal": a})
        item = {
            "id": r.pmid or r.doi or r.url,
            "type": "article-journal",
            "title": r.title,
            "author": authors,
            "container-title": r.journal,
            "issued": {"date-parts": [[r.year]]} if r.year else None,
            "DOI": r.doi,
            "PMID": r.pmid,
            "PMCID": r.pmcid,
            "URL": f"https://pubmed.ncbi.nlm.nih.gov/{r.pmid}/" if r.pmid else r.url,
            "abstract": r.abstract,
            "note": "RETRACTED" if r.retracted else None,
        }
        items.append({k: v for k, v in item.items() if v not in (None, [], "")})
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


# --------------------------------------------------------------------------- NBIB (MEDLINE)


def _medline_field(tag: str, value: str, width: int = 80) -> list[str]:
    """A MEDLINE field: 4-character tag padded to 6 with '- ', continuation lines indented 6."""
    words = value.split()
    lines, line = [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width - 6:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    head = f"{tag:<4}- {lines[0]}"
    return [head] + [" " * 6 + rest for rest in lines[1:]]


def nbib(records: Iterable[CitationRecord]) -> str:
    """PubMed's MEDLINE/NBIB format, as PubMed's 'Send to: citation manager' writes it."""
    out = []
    for r in records:
        lines: list[str] = []
        if r.pmid:
            lines += _medline_field("PMID", r.pmid)
        lines += _medline_field("TI", r.title)
        if r.abstract:
            lines += _medline_field("AB", r.abstract.replace("\n", " "))
        for a in r.authors:
            lines += _medline_field("AU", a)
        for pt in r.publication_types or ["Journal Article"]:
            lines += _medline_field("PT", pt)
        if r.retracted and "Retracted Publication" not in r.publication_types:
            lines += _medline_field("PT", "Retracted Publication")
        if r.year:
            lines += _medline_field("DP", str(r.year))
        if r.journal:
            lines += _medline_field("TA", r.journal)
        if r.doi:
            lines += _medline_field("AID", f"{r.doi} [doi]")
            lines += _medline_field("LID", f"{r.doi} [doi]")
        if r.pmcid:
            lines += _medline_field("PMC", r.pmcid)
        if not r.pmid and r.url:
            lines += _medline_field("URL", r.url)
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


# --------------------------------------------------------------------------- CSV


def evidence_csv(table: pd.DataFrame) -> str:
    """The evidence table as CSV (UTF-8, one row per claim and citation)."""
    return table[CSV_COLUMNS].to_csv(index=False, lineterminator="\n")
