"""The workbench's cite form: look a paper up by PMID, DOI or address (a PubMed or doi.org
page), read its record, then cite it with a stance, design, n, finding and note.

The Cite button is enabled only once the paper typed has been looked up (and the claim does
not cite or exclude it yet); typing another id withdraws the offer. A paper PubMed lacks (a DOI
it has no record of, another address) is offered with fields for its title, first author,
journal and year, and cited marked "not in PubMed". The design PubMed's indexing suggests and
the n the abstract states are put into the form with the rule that gave them, for the reviewer
to check: the Cite button saves what the form holds. A paper that looks unrelated to the claim
(`edit.papers.looks_unrelated`) is cited only after "Cite anyway". A screening queue hit is
put into the form with its saved record (`screen`). What was typed survives the redrawing of
the same claim's view after an edit; a refused cite keeps the form filled.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets

from claimbook.ids import pubmed_url
from claimbook.jupyter import citing, views
from claimbook.jupyter.controls import Controls, heading, make, styled, width
from claimbook.jupyter.panels import WIDE, Panel
from claimbook.jupyter.rows import design_options
from claimbook.jupyter.session import Change, NotSaved, SessionError, View, ident_of, parse_n
from claimbook.pubmed.lookup import PaperRef
from claimbook.pubmed.store import PaperRecord
from claimbook.vocab import STANCES

__all__ = ["CitePanel"]

FIELDS = ("cite_ident", "cite_stance", "cite_design", "cite_n", "cite_finding", "cite_note",
          "cite_title", "cite_author", "cite_journal", "cite_year")  # fmt: skip
Found = PaperRecord | PaperRef  # a record, or a paper PubMed lacks (cited with typed details)
DEFAULTS = {"cite_stance": "supports", "cite_design": "other"}  # the others: ""


class CitePanel(Panel):
    """The cite form of the claim shown (its widgets are drawn again for every claim picked,
    and stay when an edit redraws the claim's rows)."""

    def __init__(self, controls: Controls) -> None:
        self.cite_box = styled(widgets.VBox(), "cb-cite")
        self.record: Found | None = None  # the paper looked up, offered for citing
        self._keep: dict[str, Any] = {}  # what was typed in the view that ended
        self._view: View | None = None  # the view the form was drawn for
        super().__init__(controls)
        self.children = [
            heading("Cite a paper", "look it up by PMID, DOI or address first, then cite it"),
            self.cite_box,
        ]

    def on_change(self, change: Change) -> None:
        if change.kind == "ended":
            self._keep = self._typed() if not change.clear else {}
            if change.clear:
                self.cite_box.children = ()
        elif change.kind == "shown":
            if change.edit and self._view is not None and self._view.same_pick(change.view):
                self._kept(change.view)  # the rows redrawn after an edit: the form stays
            else:
                self._build(change.view, self._keep if change.edit else {})
            self._keep = {}

    def _kept(self, view: View) -> None:
        """The form stays on screen through a redrawing of the rows (its widgets belong to
        the claim as picked); an offer of a paper the claim now cites or excludes is withdrawn."""
        self._view = view
        if self.record is not None and self.session.already(self.record) is not None:
            self._withdraw_offer()

    def _typed(self) -> dict[str, Any]:
        """What the reviewer typed in the form and has not saved yet."""
        if not hasattr(self, "cite_ident"):
            return {}
        return {name: getattr(self, name).value for name in FIELDS} | {"record": self.record}

    def _build(self, view: View, keep: dict[str, Any]) -> None:
        own, self._view = self.controls.own, view

        def field(name: str, kind: type[widgets.Widget], **options: Any) -> Any:
            """The form's field `name`, holding what was typed in it before a redraw."""
            value = keep.get(f"cite_{name}", DEFAULTS.get(f"cite_{name}", ""))
            return own(make(kind, f"cb-cite-{name}", **options, value=value), claim=True)

        self.cite_ident = field(
            "ident", widgets.Text, description="PMID or DOI",
            placeholder=f"e.g. 3735481, 10.1136/bjsm.2010.078535 or {pubmed_url('3735481')}",
            layout=width("36em"), style={"description_width": "7em"},
        )  # fmt: skip
        self.lookup_button = own(
            widgets.Button(description="Look up", icon="search", tooltip="Show the paper's record"),
            "cb-lookup",
            claim=True,
        )
        self.record_html = styled(widgets.HTML(), "cb-record")
        self.suggest_html = styled(widgets.HTML(), "cb-suggestions")
        self._build_details(field)
        self.cite_stance = field("stance", widgets.Dropdown, description="Stance",
                                 options=list(STANCES))  # fmt: skip
        self.cite_design = field("design", widgets.Dropdown, description="Design",
                                 options=design_options())  # fmt: skip
        self.cite_n = field("n", widgets.Text, description="n", placeholder="participants",
                            layout=width("14em"))  # fmt: skip
        self.cite_finding = field(
            "finding", widgets.Textarea, description="Finding",
            placeholder="What the paper found, in your own words (20 to 700 characters)",
            layout=widgets.Layout(width=WIDE, height="5em"),
        )  # fmt: skip
        self.cite_note = field("note", widgets.Text, description="Note",
                               placeholder="optional", layout=width(WIDE))  # fmt: skip
        self.cite_button = own(
            widgets.Button(description="Cite", icon="plus", button_style="primary",
                           disabled=True, tooltip="Look the paper up first"),
            "cb-cite-button", claim=True,
        )  # fmt: skip
        self._build_confirm()
        self.cite_fields = widgets.VBox(
            [self.details_box,
             styled(widgets.HBox([self.cite_stance, self.cite_design, self.cite_n]), "cb-line"),
             self.suggest_html, self.cite_finding, self.cite_note, self.cite_button,
             self.confirm_box],
            layout=widgets.Layout(display="none"),
        )  # fmt: skip
        self.cite_box.children = [
            styled(widgets.HBox([self.cite_ident, self.lookup_button]), "cb-line"),
            self.record_html,
            self.cite_fields,
        ]
        self.record = None
        rec = keep.get("record")
        if rec is not None and self.session.already(rec) is None:  # the same claim, redrawn
            self._offer(rec)

        # the form belongs to the claim as picked (it stays when an edit redraws the rows):
        # its buttons act on the view shown when they are pressed
        def on(handler: Any) -> Any:
            return self.controls.bind(view, handler, claim=True)

        self.lookup_button.on_click(on(lambda _b: self.look_up(view=self.session.view)))
        self.cite_button.on_click(on(lambda _b: self.cite(view=self.session.view)))
        self.anyway_button.on_click(on(lambda _b: self.cite(view=self.session.view, anyway=True)))
        self.cancel_button.on_click(on(lambda _b: self._unconfirm()))
        self.cite_ident.observe(on(self._on_ident_typed), names="value")

    def _build_details(self, field: Any) -> None:
        """The fields of a paper PubMed lacks: title, first author, journal, year (hidden)."""
        self.cite_title = field("title", widgets.Text, description="Title",
                                layout=width(WIDE))  # fmt: skip
        self.cite_author = field("author", widgets.Text, description="First author",
                                 placeholder="e.g. Miller KC", layout=width("20em"))  # fmt: skip
        self.cite_journal = field("journal", widgets.Text, description="Journal",
                                  layout=width("30em"))  # fmt: skip
        self.cite_year = field("year", widgets.Text, description="Year", layout=width("10em"))
        self.details_box = styled(
            widgets.VBox([self.cite_title, styled(widgets.HBox(
                [self.cite_author, self.cite_journal, self.cite_year]), "cb-line")],
                layout=widgets.Layout(display="none")),
            "cb-details",
        )  # fmt: skip

    def _build_confirm(self) -> None:
        """The "looks unrelated — cite anyway?" question, with its two buttons (hidden)."""
        own = self.controls.own
        self.confirm_html = styled(widgets.HTML(), "cb-confirm-text")
        self.anyway_button = own(
            widgets.Button(description="Cite anyway", icon="check", button_style="warning",
                           tooltip="It is the paper meant: cite it"), "cb-cite-anyway",
            claim=True,
        )  # fmt: skip
        self.cancel_button = own(widgets.Button(description="Cancel"), "cb-cite-cancel",
                                 claim=True)  # fmt: skip
        self.confirm_box = styled(
            widgets.HBox([self.confirm_html, self.anyway_button, self.cancel_button],
                         layout=widgets.Layout(display="none")),
            "cb-confirm", "cb-line",
        )  # fmt: skip

    # ------------------------------------------------------------------ the offer

    def _reset(self) -> None:
        with self.controls.quietly():
            for name in FIELDS:
                getattr(self, name).value = DEFAULTS.get(name, "")
        self._withdraw_offer()

    def _withdraw_offer(self) -> None:
        self.record = None
        self.record_html.value = self.suggest_html.value = ""
        self.cite_button.disabled = True
        self.cite_fields.layout.display = "none"
        self.details_box.layout.display = "none"
        self._unconfirm()

    def _unconfirm(self) -> None:
        """Take the "looks unrelated — cite anyway?" question off the form."""
        self.confirm_html.value = ""
        self.confirm_box.layout.display = "none"

    def _on_ident_typed(self, change: dict) -> None:
        if self.record is not None:  # the looked-up record no longer matches what is typed
            self._withdraw_offer()

    def _record_html(self, found: Found) -> str:
        """The looked-up paper: its record, or what to type for a paper PubMed lacks."""
        if isinstance(found, PaperRef):
            return views.note(
                f"{views.esc(found.what)} {'is not' if found.url else 'has no record'} in "
                "PubMed: type its title, first author, journal and year to cite it; it will be "
                "marked <b>not in PubMed</b>.",
                "cb-not-in-pubmed",
            )
        html = views.record(found, self.session.in_snapshot(found))
        if found.in_pubmed is False:
            html += views.note("<b>not in PubMed</b>: its details were typed when it was cited",
                               "cb-not-in-pubmed")  # fmt: skip
        return html

    def _offer(self, found: Found) -> None:
        """Show `found` in the form with the fields and the Cite button."""
        self.record = found
        self.record_html.value = self._record_html(found)
        self.details_box.layout.display = None if isinstance(found, PaperRef) else "none"
        self.cite_fields.layout.display = None
        self.cite_button.disabled = False
        self.cite_button.tooltip = f"Cite it as evidence for {self.session.claim_id}"

    def _show_record(self, found: Found) -> None:
        """Show a looked-up paper and, unless the claim already cites or excludes it, the
        fields to cite it with (the design and n of its appraisal, when another claim cites
        it; else those its PubMed record suggests, with the rule shown)."""
        self.controls.message.value = ""
        cited = self.session.already(found)
        if cited:
            self.record = found
            self.record_html.value = self._record_html(found)
            self.controls.show_error(
                f"{self.cite_ident.value.strip()} is already {cited} by {self.session.claim_id}"
            )
            return
        appraised = self.session.appraisal(found)
        with self.controls.quietly():
            if appraised is not None:  # its appraisal, as every claim citing it has it
                self.cite_design.value = appraised.design
                self.cite_n.value = "" if appraised.n is None else str(appraised.n)
            elif isinstance(found, PaperRecord):
                self._suggest(found)
        self._offer(found)

    def _suggest(self, rec: PaperRecord) -> None:
        """Put what the record suggests into the form, with the rule, for checking."""
        found = citing.suggestions(rec)
        if found.design is not None:
            self.cite_design.value = str(found.design.value)
        if found.n is not None and not self.cite_n.value.strip():
            self.cite_n.value = str(found.n.value)
        lines = found.lines()
        if lines:
            self.suggest_html.value = views.note(
                "<br>".join(views.esc(x) for x in lines) + "<br>Check them before citing: "
                "Cite saves what the form holds.",
                "cb-suggested",
            )

    def _current(self, view: View | None) -> bool:
        try:
            self.session.current(view)
        except NotSaved as exc:
            self.controls.show_error(exc)
            return False
        return True

    # ------------------------------------------------------------------ actions

    def look_up(self, view: View | None = None) -> Found | None:
        """Show the record of the paper typed (snapshot first, then PubMed unless offline;
        nothing is stored), or the fields for a paper PubMed lacks; the Cite button is enabled
        only after this."""
        if not self._current(view):
            return None
        self._withdraw_offer()
        try:
            found = citing.find(self.session, self.cite_ident.value, view=view)
        except SessionError as exc:
            self.controls.show_error(exc)
            return None
        self._show_record(found)
        return found

    def screen(self, hit: PaperRecord, view: View | None = None) -> PaperRecord | None:
        """Put a queue hit into the form, with its saved record (no network)."""
        if not self._current(view):
            return None
        with self.controls.quietly():
            self.cite_ident.value = ident_of(hit.pmid, hit.doi) or ""
        self._withdraw_offer()
        self._show_record(hit)
        return hit

    def cite(self, view: View | None = None, anyway: bool = False) -> bool:
        """Cite the looked-up paper with the form's stance, design, n, finding and note (and
        the details typed of a paper PubMed lacks), for the claim of `view`. A paper that looks
        unrelated to the claim asks "cite anyway?" first (`anyway`: the reviewer said yes). A
        refused cite keeps the form filled and stores nothing."""
        if not self._current(view):
            return False
        if self.record is None:
            self.controls.show_error("Look the paper up first, then cite it")
            return False
        found = self.record
        if not anyway and isinstance(found, PaperRecord):
            question = citing.unrelated(self.session, found)
            if question:
                self.confirm_html.value = views.message(question, "error")
                self.confirm_box.layout.display = None
                self.controls.show_error(f"Not saved yet: {question}")
                return False
        try:
            n = parse_n(self.cite_n.value)
            details = None
            if isinstance(found, PaperRef):
                details = citing.details(self.cite_title.value, self.cite_author.value,
                                         self.cite_journal.value, self.cite_year.value)  # fmt: skip
        except (ValueError, SessionError) as exc:
            text = str(exc)
            self.controls.show_error(text if text.startswith("Not saved") else f"Not saved: {text}")
            return False
        ident, stance, design = (
            self.cite_ident.value,
            self.cite_stance.value,
            self.cite_design.value,
        )
        finding = " ".join(self.cite_finding.value.split())
        note = self.cite_note.value.strip() or None
        ok = self.controls.act(
            lambda: self.session.cite(
                ident, stance=stance, design=design, finding=finding, n=n, note=note, view=view,
                details=details, anyway=anyway,
            )
        )  # fmt: skip
        if ok:  # the form stays through the redrawing of the rows: emptied for the next paper
            self._reset()
        return ok
