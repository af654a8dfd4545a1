"""The edit layer: every writer of a review folder. claim_files is the one writer of claim
files (cite, exclude, sign off, ...); scaffold makes a new review (`claimbook init`); screening
keeps the saved-search queue; curated adds curated citations to the snapshot. Writes go
through claimbook.files (atomic, locked) and the snapshot through claimbook.pubmed.store.

May import: everything below it (core, pubmed, article, claims, notebooks), never evidence,
report, jupyter or cli. The claim edits are re-exported here:
``from claimbook.edit import cite, exclude, signoff, update_citation``.
"""

from claimbook.edit.claim_files import (
    EditError,
    add_claim,
    cite,
    exclude,
    fetch_paper,
    lookup_paper,
    parse_ident,
    set_advice,
    signoff,
    uncite,
    update_citation,
)

__all__ = [
    "EditError",
    "add_claim",
    "cite",
    "exclude",
    "fetch_paper",
    "lookup_paper",
    "parse_ident",
    "set_advice",
    "signoff",
    "uncite",
    "update_citation",
]
