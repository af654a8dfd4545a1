"""How a paper's first author is named in rationales, tables and the workbench: plain
strings, no pandas (the workbench draws its first screen before pandas is imported)."""

from __future__ import annotations

__all__ = ["surname"]


def surname(author: str | None) -> str:
    """'Maughan' from 'Maughan RJ', 'de Jager' from 'de Jager I': how rationales and tables
    name a paper's first author; a collective name ('US Food and Drug Administration') is kept
    whole, and a record without authors is 'Anon.' (`paper_name` names it by its journal)."""
    if not author:
        return "Anon."
    name, _, initials = author.strip().rpartition(" ")
    is_initials = initials.isalpha() and initials.isupper() and len(initials) <= 4
    if name and is_initials and len(name.split()) <= 3:  # a person; a group name is longer
        return name
    return author.strip()
