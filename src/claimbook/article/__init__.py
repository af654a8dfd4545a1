"""The article layer: reads an article's text and finds the sentences that make checkable claims.

May import: the core modules (claimbook.errors, vocab, ids, folder, files, inputs, markup).
Use it as ``from claimbook.article import find_candidates``.
Nothing here knows about claim files, PubMed or grading.
"""

from claimbook.article.candidates import (
    Candidate,
    find_candidates,
    format_candidates,
    sentence_spans,
)

__all__ = ["Candidate", "find_candidates", "format_candidates", "sentence_spans"]
