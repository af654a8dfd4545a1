"""The edit layer: every writer of a review folder.

The claim edits, one job a module: claim_files is the write path every edit goes through (read
under the lock, validate the claim as it would be, write atomically; EditError), round_trip the
YAML load/dump that keeps the reviewer's comments and layout, citations the edits of a claim's
evidence (cite, uncite, update_citation, exclude), claim_edits those of the claim itself
(add_claim, set_fields, split_claim, set_advice, signoff) and papers the paper a reviewer
names (parse_ident, find_paper, lookup_paper, fetch_paper; PaperDetails for one PubMed lacks);
appraisals writes papers.yaml (each paper's appraisal, once) and migrate moves an older
folder's appraisals off its citations into it (`claimbook migrate`).
Beside them: scaffold makes a new review (`claimbook init`); screening keeps the saved-search
queue; curated adds curated citations to the snapshot. Writes go through claimbook.files
(atomic, locked) and the snapshot through claimbook.pubmed.store. `preload(path)` parses a
claim file ahead of its next edit (the workbench calls it while idle).

May import: everything below it (core, pubmed, article, claims, notebooks), never evidence,
report, jupyter or cli. The claim edits are re-exported here:
``from claimbook.edit import cite, exclude, migrate, signoff, update_citation``.
"""

from claimbook.edit.citations import cite, exclude, uncite, update_citation
from claimbook.edit.claim_edits import add_claim, set_advice, set_fields, signoff, split_claim
from claimbook.edit.claim_files import EditError, preload
from claimbook.edit.migrate import Migration, migrate
from claimbook.edit.papers import PaperDetails, fetch_paper, find_paper, lookup_paper, parse_ident
from claimbook.errors import Problem  # what an EditError holds

__all__ = [
    "EditError",
    "Migration",
    "PaperDetails",
    "Problem",
    "add_claim",
    "cite",
    "exclude",
    "fetch_paper",
    "find_paper",
    "lookup_paper",
    "migrate",
    "parse_ident",
    "preload",
    "set_advice",
    "set_fields",
    "signoff",
    "split_claim",
    "uncite",
    "update_citation",
]
