"""The workbench's authoring panels: the reviewer's name (kept for the session: sign-off and
screening votes use it), a new claim from a sentence of the article (pick a candidate or
type a quote: the app checks it is an exact quote), the claim's own words (title, plain
wording, topic, question kind, PubMed query: each saved when the reviewer leaves the field,
put back to what the file holds when refused), and splitting a claim into parts.

Each panel observes the `ReviewSession` and acts through its `Controls`, as panels.py does.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from claimbook.jupyter import views
from claimbook.jupyter.controls import Controls, heading, make, styled, width
from claimbook.jupyter.panels import WIDE, Panel
from claimbook.jupyter.session import Change, View
from claimbook.vocab import QUESTION_KINDS

__all__ = ["ClaimWordsPanel", "NewClaimPanel", "ReviewerPanel"]

TYPED = "(type a quote)"  # the candidate picker's first choice


def _area(placeholder: str, height: str = "3.2em", *classes: str, **kw: Any) -> widgets.Textarea:
    return make(
        widgets.Textarea, *classes, placeholder=placeholder, continuous_update=False,
        layout={"width": WIDE, "height": height}, **kw,
    )  # fmt: skip


def _text(description: str, placeholder: str, *classes: str, **kw: Any) -> widgets.Text:
    return make(
        widgets.Text, *classes, description=description, placeholder=placeholder,
        continuous_update=False, width=WIDE, style={"description_width": "8em"}, **kw,
    )  # fmt: skip


class ReviewerPanel(Panel):
    """The reviewer's name, remembered for the session (sign-off and screening votes), and
    whether screening is blind; `changed()` is called after either changes (the queue is
    drawn for the reviewer)."""

    def __init__(self, controls: Controls, changed: Any = None) -> None:
        self._changed = changed or (lambda: None)
        self.reviewer = styled(
            widgets.Text(description="Reviewer", placeholder="your name (for sign-off and votes)",
                         layout=width("30em")),
            "cb-reviewer",
        )  # fmt: skip
        self.blind = styled(
            widgets.Checkbox(value=True, description="Blind screening", indent=False,
                             tooltip="Hide the other reviewers' votes until all have voted"),
            "cb-blind",
        )  # fmt: skip
        super().__init__(controls)
        self.reviewer.observe(controls.guard(self._on_name), names="value")
        self.blind.observe(controls.guard(self._on_blind), names="value")
        self.children = [styled(widgets.HBox([self.reviewer, self.blind]), "cb-line")]

    def on_change(self, change: Change) -> None:
        pass

    def _on_name(self, change: dict) -> None:
        self.session.reviewer = change["new"].strip()
        self._changed()

    def _on_blind(self, change: dict) -> None:
        self.session.blind = bool(change["new"])
        self._changed()


class NewClaimPanel(Panel):
    """Start a claim: pick one of the article's candidate sentences (or type a quote), give
    it a title (and, if you like, the claim in plain words and its topic), save it as a draft."""

    def __init__(self, controls: Controls) -> None:
        self.candidates = styled(
            widgets.Dropdown(description="Sentence", options=[(TYPED, "")], layout=width(WIDE),
                             style={"description_width": "8em"}),
            "cb-candidates",
        )  # fmt: skip
        self.quote = styled(_area("the article's exact words", "4.5em"), "cb-new-quote")
        self.title = styled(_text("Title", "a short title: what the article claims"),
                            "cb-new-title")  # fmt: skip
        self.wording = styled(_area("the claim in plain words (optional: the title is used)"),
                              "cb-new-wording")  # fmt: skip
        self.topic = styled(
            widgets.Dropdown(description="Topic", options=[], style={"description_width": "8em"}),
            "cb-new-topic",
        )
        self.button = styled(
            widgets.Button(description="Start claim", icon="plus", button_style="primary"),
            "cb-new-claim-button",
        )
        self.hint = styled(widgets.HTML(), "cb-candidates-hint")
        super().__init__(controls)
        self.candidates.observe(controls.guard(self._on_pick), names="value")
        self.button.on_click(controls.guard(lambda _b: self.add()))
        self.box = styled(
            widgets.VBox([self.hint, self.candidates, self.quote, self.title, self.wording,
                          self.topic, self.button]),
            "cb-new-claim",
        )  # fmt: skip
        self.children = [
            heading("New claim", "from a sentence of the article; saved as a draft"),
            self.box,
        ]

    def on_change(self, change: Change) -> None:
        if change.kind != "loaded":
            return
        review = self.session.review
        found = self.session.candidates() if review is not None else []
        with self.controls.quietly():
            self.candidates.options = [(TYPED, "")] + [
                (views.candidate_label(c), str(i)) for i, c in enumerate(found)
            ]
            topics = list(review.article.topics) if review is not None else []
            self.topic.options = topics
            self.topic.layout.display = None if len(topics) > 1 else "none"
        self._found = found
        self.hint.value = views.candidates_hint(len(found), self.session.article_text() is not None)

    def _on_pick(self, change: dict) -> None:
        if change["new"] == "":
            return
        picked = self._found[int(change["new"])]
        self.quote.value = picked.text

    def add(self) -> bool:
        """Save a new draft claim from the quote and title typed; clears the form when saved."""
        quote, title, wording = self.quote.value, self.title.value, self.wording.value
        topic = self.topic.value if self.topic.options else None
        ok = self.controls.act(
            lambda: self.session.add_claim(quote, title, claim=wording, topic=topic)
        )
        if ok:
            with self.controls.quietly():
                self.quote.value = self.title.value = self.wording.value = ""
                self.candidates.value = ""
        return ok


class ClaimWordsPanel(Panel):
    """The claim shown in its own words: title, plain wording, topic, question kind and PubMed
    query, each saved when the reviewer leaves the field; and splitting it into parts."""

    FIELDS = ("title", "claim", "topic", "question", "query")

    def __init__(self, controls: Controls) -> None:
        self.words_box = styled(widgets.VBox(), "cb-claim-words")
        self.fields: dict[str, widgets.Widget] = {}
        self._view: View | None = None  # the view the fields were drawn for
        super().__init__(controls)
        self.children = [
            heading("The claim", "its words and its PubMed query; saved when you leave a field"),
            self.words_box,
        ]

    def on_change(self, change: Change) -> None:
        if change.kind == "ended" and change.clear:
            self.words_box.children = ()
            self.fields = {}
        elif change.kind == "shown" and not (
            change.edit and self.fields and change.view.same_pick(self._view)
        ):  # (the rows redrawn after an edit: the fields stay)
            self._build(change.view)

    def _build(self, view: View) -> None:
        """The fields, for the claim as picked: they stay when an edit redraws its rows (an
        edit of the rows changes none of its words), so they act on the view shown then."""
        claim, self._view = self.session.claim, view

        def own(widget: widgets.Widget) -> Any:
            return self.controls.own(widget, claim=True)

        topics = list(self.session.review.article.topics)
        questions = [(f"{q.key}: {q.label}", q.key) for q in QUESTION_KINDS]
        wide = {"description_width": "8em"}
        made = {
            "title": _text("Title", "a short title", "cb-claim-title", value=claim.title),
            "claim": _area("the claim in plain words", "3.2em", "cb-claim-claim",
                           value=claim.claim),
            "topic": make(widgets.Dropdown, "cb-claim-topic", description="Topic",
                          options=topics, value=claim.topic, style=wide),
            "question": make(widgets.Dropdown, "cb-claim-question", description="Question",
                             options=questions, value=claim.question, style=wide),
            "query": _area('the PubMed query, e.g. "Sleep Wake Disorders"[MeSH] AND nap*[tiab]',
                           "4.5em", "cb-claim-query", value=claim.query or ""),
        }  # fmt: skip
        self.fields = {k: own(w) for k, w in made.items()}
        for name, widget in self.fields.items():
            handler = self.controls.bind(
                view, lambda ch, name=name: self._changed(name, ch), claim=True
            )
            widget.observe(handler, names="value")
        labels = {"claim": "Plain wording", "query": "PubMed query"}
        rows = [
            make(widgets.VBox, children=[make(widgets.HTML, value=views.field_label(labels[k])), w])
            if k in labels
            else w
            for k, w in self.fields.items()
        ]
        self.words_box.children = [*rows, self._split_form(view)]

    def _changed(self, name: str, change: dict) -> None:
        value = change["new"]
        if not self.controls.act(lambda: self.session.set_fields(**{name: value})):
            self.show_saved(name)

    def show_saved(self, name: str) -> None:
        """Put one field back to what the claim file holds (a refused value is not kept)."""
        claim = self.session.claim
        with self.controls.quietly():
            self.fields[name].value = getattr(claim, name) or ""

    def _split_form(self, view: View) -> widgets.Widget:
        def own(widget: widgets.Widget) -> Any:
            return self.controls.own(widget, claim=True)

        self.split_title = own(_text("Title", "the new part's title", "cb-split-title"))
        self.split_claim = own(_area("the new part in plain words", "3.2em", "cb-split-wording"))
        self.split_quote = own(_area("its exact quote of the article", "3.2em", "cb-split-quote"))
        self.split_button = own(make(widgets.Button, "cb-split-button",
                                     description="Split into parts", icon="columns"))  # fmt: skip
        self.split_button.on_click(
            self.controls.bind(view, lambda _b: self.split(self.session.view), claim=True)
        )
        body = make(widgets.VBox, children=[
            make(widgets.HTML, value=views.SPLIT_NOTE), self.split_title, self.split_claim,
            self.split_quote, self.split_button])  # fmt: skip
        return make(
            widgets.Accordion,
            "cb-split",
            children=[body],
            titles=("Split into parts…",),
            selected_index=None,
        )

    def split(self, view: View | None = None) -> bool:
        """Split the claim shown: its evidence becomes part a, the new part is shown."""
        title, claim, quote = (self.split_title.value, self.split_claim.value,
                               self.split_quote.value)  # fmt: skip
        return self.controls.act(lambda: self.session.split(title, claim, quote, view=view))
