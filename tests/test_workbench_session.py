"""The workbench's review session and views without a widget, kernel or browser: on a copy of
the shipped review, each action writes through the editing API (only the edited line changes)
or raises one plain line and leaves every file byte-identical; an action given a view that is
no longer shown writes nothing; the observers hear of each change in order; the HTML escapes
what the review holds, links only to http(s) addresses and has no inline style."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from claimbook.claims import ClaimsError
from claimbook.edit.screening import store_hits
from claimbook.evidence.review import load_review
from claimbook.folder import ReviewFolder
from claimbook.jupyter import citing, views
from claimbook.jupyter.session import (
    Change,
    NotSaved,
    NotShown,
    ReviewSession,
    SessionError,
    ShownAsLastRead,
    View,
    parse_n,
)
from claimbook.pubmed.lookup import PaperRef
from claimbook.vocab import VERDICTS

from conftest import ROOT, changed_lines, claim_file, tree_digest

FIRST, OTHER, SHARED = "C01", "C07", "3735481"  # both claims cite PMID 3735481 in row 0


def _files(review: Path) -> dict[str, str]:
    """sha256 of every file under claims/ and data/ (but the claims folder's lock file)."""
    return {
        f"{d}/{k}": v
        for d in ("claims", "data")
        for k, v in tree_digest(review / d).items()
        if k != ".lock"
    }


def _session(review: Path, claim_id: str = FIRST) -> ReviewSession:
    session = ReviewSession(ReviewFolder.at(review), offline=True)
    session.load(claim_id)
    return session


def _other_stance(stance: str) -> str:
    return "contradicts" if stance != "contradicts" else "supports"


def _uncited(session: ReviewSession):
    claim = session.claim
    known = {c.key for c in claim.evidence} | {x.key for x in claim.excluded}
    return next(r for r in session.review.snapshot if r.pmid and r.key not in known)


def test_the_session_and_views_import_no_widget_library():
    code = (
        "import sys, claimbook.jupyter.session, claimbook.jupyter.views; "
        "print(sorted(m for m in ('ipywidgets', 'IPython') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_observers_hear_each_change_in_order(review):
    session = ReviewSession(ReviewFolder.at(review), offline=True)
    heard: list[tuple[str, Change]] = []
    session.observe(lambda change: heard.append(("late", change)), late=True)
    session.observe(lambda change: heard.append(("early", change)))

    view = session.load(OTHER)

    assert view == View(OTHER, session.view.generation) and session.claim_id == OTHER
    kinds = [(when, c.kind) for when, c in heard]
    assert kinds == [
        ("early", "ended"),  # the view shown ends before the slow reading
        ("early", "loaded"),
        ("late", "loaded"),
        ("early", "ended"),  # select: the view (none) ends before the claim is re-read
        ("early", "shown"),
        ("late", "shown"),  # the figure: after the others
    ]
    assert heard[-1][1].view == view and not heard[-1][1].edit


def test_an_edit_writes_one_line_and_regrades_only_that_claim(review):
    session = _session(review)
    path = claim_file(review, FIRST)
    before = path.read_text(encoding="utf-8")
    new = _other_stance(session.claim.evidence[0].stance)
    heard: list[Change] = []
    session.observe(heard.append)
    view = session.view

    saved = session.update_citation(SHARED, stance=new)

    changed = changed_lines(before, path.read_text(encoding="utf-8"))
    assert len(changed) == 2 and changed[1].strip() == f"+    stance: {new}", changed
    assert saved.view == view == session.view  # the same rows: the view goes on
    assert saved.message.startswith(f"Saved {FIRST}: stance of {SHARED}. Verdict updated in ")
    assert path.name in saved.message
    # graded first (the verdict is drawn before anything else), then the same rows edited
    assert [c.kind for c in heard] == ["graded", "edited"] and all(c.edit for c in heard)
    assert heard[0].view == heard[1].view == view
    assert session.timings[-1]["verdict_ms"] > 0
    fresh = load_review(review / "claims", review / "data").verdict_row(FIRST)
    assert session.verdict()["rationale"] == fresh["rationale"]


def test_a_cite_is_graded_before_its_rows_are_redrawn_for_the_claim_as_picked(review):
    """A cite renumbers nothing but adds a row: the verdict is told first (`graded`, while the
    old view is still the one shown), then the rows end and a new view of the same claim, the
    same pick, is shown; an unrelated paper needs `anyway`."""
    session = _session(review)
    view, paper = session.view, _uncited(session)
    heard: list[Change] = []
    session.observe(heard.append)

    session.cite(paper.pmid, stance="supports", anyway=True,
                 finding="A finding typed by the test, long enough to be saved.")  # fmt: skip

    assert [(c.kind, c.clear) for c in heard] == [("graded", True), ("ended", False),
                                                  ("shown", True)]  # fmt: skip
    assert heard[0].view == view and heard[2].view == session.view != view
    assert session.view.same_pick(view) and session.still_picked(view)
    assert not session.is_current(view)  # a row of the old view is refused
    session.select(OTHER)
    assert not session.still_picked(view)


def test_a_refused_edit_raises_one_plain_line_and_writes_nothing(review):
    session = _session(review)
    before = _files(review)
    with pytest.raises(NotSaved) as refused:
        session.update_citation(SHARED, finding="Too short.")
    said, where = str(refused.value), refused.value.detail
    assert said == "Not saved: the finding needs at least 20 characters."
    assert where.startswith("claims/C01-") and ": evidence[0].finding: " in where
    assert str(review) not in said + where and "\n" not in said
    assert _files(review) == before
    with pytest.raises(ValueError, match="whole number"):
        parse_n("a lot")
    assert parse_n(" 1,200 ") == 1200 and parse_n("") is None


def test_an_action_on_a_view_no_longer_shown_writes_nothing(review):
    session = _session(review)
    old = session.view
    session.select(OTHER)
    before = _files(review)
    actions = {
        "update": lambda: session.update_citation(SHARED, n=4242, view=old),
        "exclude": lambda: session.exclude(SHARED, "Not the right population.", view=old),
        "uncite": lambda: session.uncite(SHARED, view=old),
        "advice": lambda: session.set_advice("Advice typed for C01, arriving late.", view=old),
        "sign-off": lambda: session.sign_off("A. Reviewer", view=old),
        "look-up": lambda: session.look_up(SHARED, view=old),
    }
    for what, action in actions.items():
        with pytest.raises(NotSaved) as refused:
            action()
        assert f"made on {FIRST} after {OTHER} was picked" in str(refused.value), what
    assert _files(review) == before
    # an exclude redraws the rows as a new view: the view before it is stale too
    shown = session.view
    pmid = next(c.pmid for c in session.claim.evidence[1:] if c.pmid)
    saved = session.exclude(pmid, "Excluded by the test: the rows are redrawn.")
    assert saved.view != shown and session.view == saved.view
    with pytest.raises(NotSaved, match="as shown before it was redrawn"):
        session.update_citation(SHARED, n=85, view=shown)
    session.update_citation(SHARED, n=85, view=saved.view)
    reread = {c.id: c for c in load_review(review / "claims", review / "data").claims}
    # n is the paper's appraisal: saved once, for every claim citing it (and shown so)
    assert reread[OTHER].evidence[0].n == 85 and reread[FIRST].evidence[0].n == 85
    assert session.citation(FIRST, SHARED).n == 85


def test_signing_off_and_advice(review):
    session = _session(review)
    path = claim_file(review, FIRST)
    before = _files(review)
    with pytest.raises(NotSaved, match="Not signed off: type your name"):
        session.sign_off("  ")
    assert session.set_advice(session.claim.advice) is None  # unchanged: nothing to save
    with pytest.raises(NotSaved, match=r"^Not saved: what to tell a client needs at least 20 "):
        session.set_advice("Too short")
    assert _files(review) == before

    session.sign_off("A. Reviewer", "Evidence re-read.")
    text = path.read_text(encoding="utf-8")
    assert "reviewer: A. Reviewer" in text and "Evidence re-read." in text
    assert session.claim.signoff.reviewer == "A. Reviewer"
    assert "<b>Signed off</b> by A. Reviewer" in views.claim_state(session.claim)


def test_looking_up_and_citing_a_paper(review):
    session = _session(review)
    path = claim_file(review, FIRST)
    with pytest.raises(SessionError, match="Type a PMID, a DOI or the paper's address"):
        session.look_up(" ")
    with pytest.raises(SessionError, match="Look-up failed"):
        session.look_up("1")  # not in the snapshot, and offline
    # the cite form's one look-up path: an address is a paper PubMed has no record of
    address = "https://www.example.org/trial.html"
    assert isinstance(citing.find(session, address), PaperRef)
    refused = rf"^Look-up failed: PubMed has no record of .*{re.escape(address)}"
    with pytest.raises(SessionError, match=refused):
        session.look_up(address)
    rec = _uncited(session)
    assert session.look_up(rec.pmid).key == rec.key and session.already(rec) is None
    before = _files(review)
    appraised = session.appraisal(rec)  # another claim cites it: its appraisal is reused
    design = appraised.design if appraised else "other"
    # the first uncited paper is about something else: the reviewer confirms it (anyway)
    if appraised is not None and appraised.design != "other":
        with pytest.raises(NotSaved, match="the design given \\(other\\) disagrees"):
            session.cite(
                rec.pmid, stance="context", design="other", anyway=True,
                finding="A paper cited from the session test, in the project's words.",
            )  # fmt: skip
        assert _files(review) == before
    with pytest.raises(NotSaved, match="finding"):
        session.cite(rec.pmid, stance="context", design=design, finding="short", anyway=True)
    assert _files(review) == before

    view = session.view
    saved = session.cite(
        rec.pmid, stance="context", design=design, anyway=True,
        finding="A paper cited from the session test, in the project's words.",
    )  # fmt: skip
    assert saved.view != view  # one more row: a new view
    assert f'pmid: "{rec.pmid}"' in path.read_text(encoding="utf-8")
    assert session.already(rec) == "cited"


def test_screening_a_queue_hit(review):
    session = _session(review)
    hit = _uncited(session)
    assert session.queue() == [] and session.saved_search() == ""
    store_hits(review, FIRST, "cramp[tiab]", 1, [hit])
    assert [h.key for h in session.queue()] == [hit.key]
    assert session.saved_search().startswith("saved search of ")
    session.exclude(hit.pmid, "Not about exercise cramps at all.")
    assert session.queue() == [] and session.already(hit) == "excluded"


def test_a_display_failure_after_saving_says_saved(review):
    session = _session(review)
    path = claim_file(review, FIRST)
    before = path.read_bytes()

    def broken(change: Change) -> None:
        raise RuntimeError("the panel broke")

    session.observe(broken, late=True)
    with pytest.raises(NotShown) as shown:
        session.update_citation(SHARED, note="Checked against the full text.")
    assert str(shown.value).startswith(f"Saved {FIRST} (note of {SHARED}), but the display")
    assert "RuntimeError: the panel broke" in str(shown.value)
    assert path.read_bytes() != before


def test_a_claim_file_broken_since_loading_is_shown_as_last_read(review):
    session = _session(review)
    path = claim_file(review, OTHER)
    path.write_text(path.read_text(encoding="utf-8").replace("stance:", "stance:\0", 1))
    before = _files(review)
    with pytest.raises(ShownAsLastRead, match=f"claims/{path.name}:"):
        session.select(OTHER)
    assert session.view.claim_id == OTHER  # shown as last read
    with pytest.raises(NotSaved):
        session.update_citation(SHARED, n=12)
    with pytest.raises(ClaimsError):
        session.load()
    assert session.review is None and session.claim_id is None and session.view is None
    assert _files(review) == before
    with pytest.raises(NotSaved, match="the review could not be read; fix what the message"):
        session.update_citation(SHARED, n=12)


def test_unknown_claims_are_refused_and_the_claim_shown_stays(review):
    session = _session(review)
    view = session.view
    with pytest.raises(KeyError):
        session.select("C99")
    assert session.view == view


# --------------------------------------------------------------------------- views


class _Cit:
    pmid, doi, url = None, None, "javascript:alert(1)"
    key = "url:javascript:alert(1)"


def test_views_escape_the_review_and_link_only_to_http(review):
    session = _session(review)
    rec = session.record_of(session.claim.evidence[0])
    hostile = rec.model_copy(update={"title": '<script>alert(1)</script>"', "authors": ["<b>"]})
    html = views.record(hostile, True) + views.paper_label(_Cit, hostile, "<i>note</i>")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b><b>" not in html and "<b>&lt;b&gt;" in html  # the author, as text
    assert "&lt;i&gt;note" in html and "javascript" not in html  # no link to a script
    label = views.paper_label(session.claim.evidence[0], rec, None)
    assert f'href="https://pubmed.ncbi.nlm.nih.gov/{SHARED}/"' in label


def _queue(about: str, hint: str = "", hidden: int = 0):
    from claimbook.evidence.ranking import rank_queue
    from claimbook.jupyter.session import Queue

    return Queue(rank_queue([], [], []), about, hint, hidden=hidden)


def test_views_have_no_inline_style_and_one_stylesheet(review):
    session = _session(review)
    claim = session.claim
    shown = [
        views.header(session.review, review),
        views.claim_text(claim, review),
        views.verdict(claim, session.verdict()),
        views.excluded(claim),
        views.record(session.record_of(claim.evidence[0]), False),
        views.queue_empty(claim),
        views.queue_head(60, _queue("saved search of 2026-01-01"), 50),
        views.message("Not saved: the title needs at least 5 characters.", "error",
                      "claims/C01-x.yaml:3: title: String should have at least 5 characters"),
        views.no_claim(session.review),
        views.candidates_hint(3, True),
        views.EVIDENCE_HEADER,
        views.heading("Evidence", "hint"),
        views.message("Saved.", "ok"),
        *(views.paper_label(c, session.record_of(c), "PubMed indexes it as an RCT")
          for c in claim.evidence),
    ]  # fmt: skip
    assert all("style=" not in html for html in shown)
    css = views.stylesheet()
    for name in ("cb-error", "cb-ok", "cb-note", "cb-quote", "cb-verdict-box", "cb-record-box"):
        assert f".{name}" in css
    assert all(f".cb-verdict-box.cb-v-{word}" in css for word in VERDICTS)
    assert f"cb-v-{session.verdict()['verdict']}" in shown[2]
    assert "workbench.css" in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- authoring, messages


def _empty_review(tmp_path: Path) -> Path:
    from click.testing import CliRunner

    from claimbook.cli.app import main

    from conftest import need_shared

    article = need_shared(SHARED_ARTICLE)
    done = CliRunner().invoke(main, ["init", str(tmp_path / "new"), "--article", str(article)])
    assert done.exit_code == 0, done.output
    return tmp_path / "new"


SHARED_ARTICLE = ROOT.parent / "shared" / "article" / "leg-cramps-quick-tip.txt"


def test_an_empty_review_has_its_own_words_never_none(tmp_path):
    root = _empty_review(tmp_path)
    session = ReviewSession(ReviewFolder.at(root), offline=True)
    assert session.load() is None and session.claim_id is None
    header = views.header(session.review, root)
    assert "no claims yet" in header and "no papers stored yet" in header
    assert "0 records ()" not in header and "unknown" not in header
    assert "no claims yet" in views.no_claim(session.review)
    for action in (
        lambda: session.sign_off("Ann Lee"),
        lambda: session.set_fields(title="A b c d e"),
    ):
        with pytest.raises(NotSaved) as refused:
            action()
        said = str(refused.value)
        assert "this review has no claims yet" in said and "None" not in said


def test_a_claim_is_started_from_a_candidate_and_a_typed_quote_must_be_exact(tmp_path):
    root = _empty_review(tmp_path)
    session = ReviewSession(ReviewFolder.at(root), offline=True)
    session.load()
    picked = session.candidates()[0]
    before = _files(root)
    with pytest.raises(NotSaved, match="not an exact quote of the article"):
        session.add_claim(picked.text.replace(" ", "  ", 1) + " indeed", "A claim that is made")
    assert _files(root) == before
    saved = session.add_claim(picked.text, "Cramps are painful spasms")
    assert saved.claim.is_draft and session.claim_id == saved.claim.id
    assert picked.text not in [c.text for c in session.candidates()]  # quoted now
    assert [q.text for q in session.claim.quotes] == [picked.text]
    assert "No PubMed query yet" in views.claim_text(session.claim, root)
    # a draft with no paper, then its words; a refused one names the field in words
    assert "no paper is cited yet" in views.verdict(session.claim, session.verdict())
    session.set_fields(query='"Muscle Cramp"[MeSH]', question="description")
    assert session.claim.query == '"Muscle Cramp"[MeSH]' and session.claim.question == "description"
    before = _files(root)
    with pytest.raises(NotSaved) as refused:
        session.set_fields(title="abc")
    assert str(refused.value) == "Not saved: the title needs at least 5 characters."
    assert refused.value.detail.startswith(f"claims/{saved.claim.path.name}:")
    assert _files(root) == before and session.claim.title == "Cramps are painful spasms"
    with pytest.raises(NotSaved) as refused:
        session.sign_off("Ann Lee")
    assert str(refused.value) == (
        "Not saved: the claim needs at least one citation before it can be signed off."
    )
    assert _files(root) == before


def test_a_draft_with_papers_never_says_its_evidence_was_not_gathered(review):
    session = _session(review, "C01")
    claim = session.claim.model_copy(update={"status": "draft", "signoff": None})
    text = views.verdict(claim, session.verdict())
    assert claim.evidence and "has not been gathered" not in text
    assert f"graded from the {len(claim.evidence)} papers cited so far" in text


def test_splitting_a_claim_into_parts(review):
    session = _session(review, "C04")
    quote = next(q.text for c in session.review.claims if c.id == "C05" for q in c.quotes)
    saved = session.split("Cramps come back once prone", "People prone to cramps get more.", quote)
    assert session.claim_id == "C04b" == saved.claim.id and saved.claim.is_draft
    parts = [c.id for c in session.review.parts("C04")]
    assert parts == ["C04a", "C04b"] and session.review.claim("C04a").evidence


def test_plain_messages_name_the_field_in_words():
    from claimbook.errors import Problem
    from claimbook.jupyter.messages import plain_problem

    def said(field: str, message: str) -> str:
        return plain_problem(Problem("claims/A01.yaml", 45, field, message))

    assert said("evidence[4].finding", "String should have at least 20 characters") == (
        "The finding needs at least 20 characters."
    )
    assert said("topic", "String should match pattern '^[a-z0-9]+(-[a-z0-9]+)*$'").startswith(
        "The topic must be lower-case words"
    )
    assert said("quotes[0].text", "not an exact substring of x.txt") == (
        "The quote is not an exact quote of the article."
    )
    refused = "a reviewed claim needs a PubMed query in part b (or set status: draft)"
    assert said("parts[1].query", refused) == (
        "Part b needs a PubMed query before the claim can be signed off."
    )


def test_screening_votes_per_reviewer_and_blind_until_both_are_done(review):
    session = _session(review, FIRST)
    hits = [_uncited(session)]
    known = {c.key for c in session.claim.evidence} | {h.key for h in hits}
    hits.append(next(r for r in session.review.snapshot if r.pmid and r.key not in known))
    store_hits(review, FIRST, "cramp[tiab]", 2, hits)
    session.select(FIRST)
    with pytest.raises(NotSaved, match="type your name as the reviewer first"):
        session.vote(hits[0].pmid, "include")
    session.reviewer = "Ann Lee"
    session.vote(hits[0].pmid, "include")
    session.vote(hits[1].pmid, "exclude", "Not about cramps.")
    queue = session.ranked_queue()
    assert queue.records == [] and "irrelevant" in queue.hint  # Ann is done
    session.reviewer = "Bo Chen"
    session.vote(hits[0].pmid, "exclude", "About something else.")
    queue = session.ranked_queue()
    assert [r.key for r in queue.records] == [hits[1].key]
    assert queue.others == {} and queue.hidden == 2  # blind: Ann's votes hidden
    session.blind = False
    assert session.ranked_queue().others[hits[0].key] == ["Ann Lee: include"]
    session.blind = True
    session.vote(hits[1].pmid, "exclude", "Not about cramps.")  # both done: blind no more
    session.reviewer = "Ann Lee"
    assert session.ranked_queue().hidden == 0
