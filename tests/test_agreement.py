"""Two reviewers (issue 25, items 3 and 4): votes per reviewer, blind until both are done,
conflicts, Cohen's kappa checked against a hand-computed 2x2 table and against scikit-learn,
and the queue ranked by the reviewer's own decisions with a stopping hint."""

from __future__ import annotations

import json
import random

import pytest
from click.testing import CliRunner
from sklearn.metrics import cohen_kappa_score

from claimbook import load_claims
from claimbook.cli.app import main
from claimbook.edit import EditError
from claimbook.edit.screening import store_hits
from claimbook.edit.votes import load_votes, record_vote, visible_votes
from claimbook.evidence.agreement import cohen_kappa
from claimbook.evidence.ranking import RANK_REASON, irrelevant_in_a_row, rank_queue
from claimbook.pubmed import load_snapshot

from conftest import tree_digest


def test_kappa_of_a_hand_computed_two_by_two_table():
    # both include 20, A only 5, B only 10, both exclude 15: po = 35/50 = 0.7; A includes
    # 25/50, B 30/50, so pe = 0.5*0.6 + 0.5*0.4 = 0.5; kappa = (0.7-0.5)/(1-0.5) = 0.4;
    # SE = sqrt(0.7*0.3 / (50*0.5^2)) = 0.129615; 95% CI 0.4 -/+ 1.96*SE = 0.1460 to 0.6540
    pairs = ([("in", "in")] * 20 + [("in", "out")] * 5 + [("out", "in")] * 10
             + [("out", "out")] * 15)  # fmt: skip
    k = cohen_kappa(pairs)
    assert k.n == 50 and k.agreement == pytest.approx(0.7)
    assert k.kappa == pytest.approx(0.4)
    assert k.ci_low == pytest.approx(0.1460, abs=1e-4)
    assert k.ci_high == pytest.approx(0.6540, abs=1e-4)
    assert k.in_words() == "kappa 0.40 (95% CI 0.15 to 0.65), raw agreement 70% over 50 papers"


@pytest.mark.parametrize("seed", range(5))
def test_kappa_agrees_with_scikit_learn(seed):
    rng = random.Random(seed)
    a = [rng.choice(["supports", "contradicts", "mixed", "context"]) for _ in range(60)]
    b = [x if rng.random() < 0.6 else rng.choice(["supports", "mixed"]) for x in a]
    assert cohen_kappa(list(zip(a, b, strict=True))).kappa == pytest.approx(cohen_kappa_score(a, b))


def test_kappa_of_one_category_only_is_undefined_not_a_crash():
    k = cohen_kappa([("in", "in")] * 4)
    assert k.kappa is None and k.agreement == 1.0
    assert "not defined" in k.in_words()


@pytest.fixture
def hits(project):
    """C01 with six saved hits that it neither cites nor excludes (real snapshot records)."""
    claim = load_claims(project / "claims")[0]
    named = {c.pmid for c in [*claim.evidence, *claim.excluded] if c.pmid}
    records = [r for r in load_snapshot(project / "data" / "pubmed") if r.pmid not in named][:6]
    store_hits(project, "C01", "q[tiab]", 6, records)
    return project, [r.pmid for r in records]


def _cli(project, *args):
    return CliRunner().invoke(main, [*args, "--project", str(project)])


def test_two_reviewers_screen_blind_then_see_their_conflicts_and_agreement(hits):
    project, pmids = hits
    ana = ["include", "include", "exclude", "exclude", "exclude", "include"]
    ben = ["include", "exclude", "exclude", "exclude", "include", "include"]
    for pmid, a in zip(pmids, ana, strict=True):
        extra = ["--reason", "Not about the claim."] if a == "exclude" else []
        assert _cli(project, "screen", "C01", pmid, a, "--reviewer", "Ana", *extra).exit_code == 0
    for pmid, b in zip(pmids[:-1], ben[:-1], strict=True):
        extra = ["--reason", "Wrong population."] if b == "exclude" else []
        assert _cli(project, "screen", "C01", pmid, b, "--reviewer", "Ben", *extra).exit_code == 0

    # Ben has one paper left: blind still. He sees none of Ana's votes; no conflicts shown.
    assert {v.reviewer for v in visible_votes(project, "C01", "Ben")} == {"Ben"}
    shown = _cli(project, "queue", "C01", "--reviewer", "Ben")
    assert shown.exit_code == 0 and "Ana" not in shown.output and pmids[-1] in shown.output
    blind = _cli(project, "conflicts", "C01")
    assert "screening is blind" in blind.output

    # A changed mind counts once: only the final vote.
    _cli(project, "screen", "C01", pmids[3], "include", "--reviewer", "Ben")
    _cli(project, "screen", "C01", pmids[3], "exclude", "--reviewer", "Ben", "--reason", "Again.")
    assert _cli(project, "screen", "C01", pmids[-1], "include", "--reviewer", "Ben").exit_code == 0
    assert {v.reviewer for v in visible_votes(project, "C01", "Ben")} == {"Ana", "Ben"}
    listed = _cli(project, "conflicts", "C01")
    assert "2 conflicts" in listed.output
    assert pmids[1] in listed.output and pmids[4] in listed.output
    assert pmids[0] not in listed.output

    result = _cli(project, "agreement", "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    c01 = body["claims"]["C01"]
    assert c01["reviewers"] == ["Ana", "Ben"]
    assert c01["inclusion"]["n"] == 6
    assert c01["inclusion"]["agreement"] == pytest.approx(4 / 6, abs=1e-4)
    assert c01["inclusion"]["kappa"] == pytest.approx(cohen_kappa_score(ana, ben), abs=1e-4)
    assert body["overall"]["inclusion"] == c01["inclusion"]
    text = _cli(project, "agreement")
    assert "C01 (Ana and Ben): inclusion kappa" in text.output


def test_a_vote_on_a_paper_not_in_the_saved_hits_is_refused_and_writes_nothing(hits):
    project, _pmids = hits
    before = tree_digest(project)
    with pytest.raises(EditError, match="not among C01's saved hits"):
        record_vote(project, "C01", "3735481", "Ana", "include")
    with pytest.raises(EditError, match="needs a reason"):
        record_vote(project, "C01", _pmids[0], "Ana", "exclude")
    result = _cli(project, "screen", "C01", _pmids[0], "include")
    assert result.exit_code == 2 and "--reviewer" in result.output
    assert tree_digest(project) == before and load_votes(project, "C01") == []


def test_the_queue_is_ranked_by_the_reviewers_decisions_with_a_stopping_hint(hits):
    project, pmids = hits
    first = _cli(project, "queue", "C01", "--reviewer", "Ana")
    assert "ranking starts once" in first.output
    _cli(project, "screen", "C01", pmids[0], "include", "--reviewer", "Ana")
    for pmid in pmids[1:3]:
        _cli(
            project, "screen", "C01", pmid, "exclude", "--reviewer", "Ana", "--reason", "Off topic."
        )
    result = _cli(project, "queue", "C01", "--reviewer", "Ana")
    assert RANK_REASON in result.output
    assert "The last 2 papers you screened were irrelevant in a row." in result.output
    listed = [ln.split()[0] for ln in result.output.splitlines()[1:] if ln.strip()[:1].isdigit()]
    assert sorted(listed) == sorted(pmids[3:])


def test_a_paper_like_the_included_one_comes_first(project):
    records = list(load_snapshot(project / "data" / "pubmed"))[:3]
    included, excluded, other = records
    twin = included.model_copy(update={"pmid": "1", "doi": None})  # same title and abstract
    unlike = excluded.model_copy(update={"pmid": "2", "doi": None})
    ranked = rank_queue([unlike, other, twin], [included], [excluded])
    assert ranked.ranked and ranked.records[0].pmid == "1"
    assert ranked.scores == sorted(ranked.scores, reverse=True)
    assert irrelevant_in_a_row([True, False, True, False, False]) == 2


def test_a_full_text_exclusion_is_one_command_vote_and_claim_file_both(hits):
    """`claimbook exclude ... --full-text --reviewer NAME` records the reviewer's full-text
    exclude vote and the claim's exclusion, with one reason; the two-step way still works;
    a refused one-step exclusion leaves every file as it was."""
    import yaml

    project, pmids = hits
    reason = "Read in full: the trial enrolled no one with the condition."
    assert _cli(project, "screen", "C01", pmids[0], "include", "--reviewer", "Ana").exit_code == 0
    done = _cli(project, "exclude", "C01", pmids[0], "--reason", reason, "--full-text",
                "--reviewer", "Ana")  # fmt: skip
    assert done.exit_code == 0, done.output
    assert f"Ana votes exclude for {pmids[0]} in C01 (full-text)" in done.output
    assert f"C01: excludes {pmids[0]}." in done.output
    last = load_votes(project, "C01")[-1]
    assert (last.reviewer, last.key, last.stage, last.decision, last.reason) == (
        "Ana", pmids[0], "full-text", "exclude", reason,
    )  # fmt: skip
    claim_file = next((project / "claims").glob("C01-*.yaml"))
    excluded = yaml.safe_load(claim_file.read_text(encoding="utf-8"))["excluded"]
    assert {"pmid": pmids[0], "reason": reason} in excluded

    # the old two steps still do it: a full-text vote, then `exclude`
    assert _cli(project, "screen", "C01", pmids[1], "exclude", "--reviewer", "Ana", "--full-text",
                "--reason", reason).exit_code == 0  # fmt: skip
    assert _cli(project, "exclude", "C01", pmids[1], "--reason", reason).exit_code == 0

    # refused: already excluded (the vote is not kept), no reviewer, a paper not in the hits
    before = tree_digest(project)
    again = _cli(project, "exclude", "C01", pmids[0], "--reason", reason, "--full-text",
                 "--reviewer", "Ana")  # fmt: skip
    assert again.exit_code != 0 and "Traceback" not in again.output
    nobody = _cli(project, "exclude", "C01", pmids[2], "--reason", reason, "--full-text")
    assert nobody.exit_code == 2 and "--reviewer NAME" in nobody.output
    outside = _cli(project, "exclude", "C01", "3735481", "--reason", reason, "--full-text",
                   "--reviewer", "Ana")  # fmt: skip
    assert outside.exit_code != 0 and "not among C01's saved hits" in outside.output
    assert tree_digest(project) == before
