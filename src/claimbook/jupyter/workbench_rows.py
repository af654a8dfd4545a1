"""The rows of the review workbench: one `EvidenceRow` per citation of the shown claim, one
`QueueRow` per saved search hit, and the `View` every one of them is drawn for.

A row never asks the workbench which claim is shown: it was drawn for one `View` (a claim and
a generation number) and names that view, and its own citation, in every change it sends. The
workbench runs a row's callback only while that view is still the one on screen
(`Workbench._bind`), so a row left over from another claim, or from before the rows were
redrawn, writes nothing.
"""

from __future__ import annotations

import functools
import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from claimbook.evidence.table import surname
from claimbook.ids import doi_url, pubmed_url, safe_url
from claimbook.pubmed.designs import design_from_pubmed
from claimbook.pubmed.store import PaperRecord
from claimbook.vocab import DESIGNS, STANCES, design_label

if TYPE_CHECKING:
    from claimbook.jupyter.workbench import Workbench

__all__ = ["NOTE_STYLE", "EvidenceRow", "QueueRow", "View"]

NOTE_STYLE = "color:#555;padding:2px 0"
CITATION_FIELDS = ("stance", "design", "n", "finding", "note")


@dataclass(frozen=True)
class View:
    """One drawing of a claim's widgets: the claim it shows and its generation. Each drawing
    (a claim picked, the folder reloaded, the rows redrawn after a cite) gets a new one."""

    claim_id: str
    generation: int


def esc(text: object) -> str:
    """`text` escaped for HTML (attribute values included)."""
    return html.escape(str(text), quote=True)


def styled(widget: widgets.DOMWidget, *classes: str) -> Any:
    """`widget` with stable CSS classes, for browser tests and custom styles."""
    for css in classes:
        widget.add_class(css)
    return widget


def width(w: str) -> widgets.Layout:
    return widgets.Layout(width=w)


def design_options() -> list[tuple[str, str]]:
    return [(design_label(d), d) for d in DESIGNS]


def ident_of(pmid: str | None, doi: str | None) -> str | None:
    """What the editing API takes to name a paper: its PMID, else its DOI."""
    return pmid or doi or None


def parse_n(text: str) -> int | None:
    """The number of participants typed in a field (empty: none); ValueError otherwise."""
    text = text.strip().replace(",", "").replace("_", "")
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(f"n must be a whole number of participants (or empty), not {text!r}")
    return int(text)


def shown_value(field: str, value: Any) -> Any:
    """A citation field as its widget shows it (a Text holds '' for no n or note)."""
    if field in ("n", "note"):
        return "" if value is None else str(value)
    return value


class _Row:
    """What both kinds of row share: excluding their paper with the reason typed in the row."""

    bench: Workbench
    view: View
    ident: str | None
    reason: widgets.Text

    def _exclude(self) -> None:
        reason = self.reason.value.strip()
        if not reason:
            self.bench.show_error(f"Not excluded: say why {self.ident} is excluded")
            return
        self.bench.exclude(self.ident, reason, view=self.view)


class EvidenceRow(_Row):
    """One citation of the shown claim as a row of widgets; each change saves that field of
    that citation of that claim (the ones the row was drawn for), or nothing."""

    def __init__(
        self,
        bench: Workbench,
        view: View,
        i: int,
        cit: Any,
        rec: PaperRecord | None,
        notes: dict,
    ) -> None:
        self.bench, self.view, self.index = bench, view, i
        self.ident = ident_of(cit.pmid, cit.doi)
        editable = self.ident is not None
        self.cit, self.rec = cit, rec
        self.key = rec.key if rec is not None else cit.key  # as the evidence table keys it
        own = bench.own
        self.label = styled(
            widgets.HTML(_paper_label(cit, rec, notes.get(self.key))), f"cb-paper-{i}"
        )
        self.label.layout = width("14em")
        tip = f"{self.ident or cit.url}"
        self.stance = own(
            widgets.Dropdown(options=list(STANCES), value=cit.stance, layout=width("9em"),
                             tooltip=f"Stance of {tip}", disabled=not editable),
            f"cb-stance-{i}", "cb-stance",
        )  # fmt: skip
        self.design = own(
            widgets.Dropdown(options=design_options(), value=cit.design, layout=width("12em"),
                             tooltip=f"Design of {tip}", disabled=not editable),
            f"cb-design-{i}", "cb-design",
        )  # fmt: skip
        self.n = own(
            widgets.Text(value=shown_value("n", cit.n), placeholder="n",
                         continuous_update=False, layout=width("5em"),
                         tooltip=f"Participants in {tip}", disabled=not editable),
            f"cb-n-{i}", "cb-n",
        )  # fmt: skip
        self.finding = own(
            widgets.Textarea(value=cit.finding, continuous_update=False,
                             layout=widgets.Layout(width="100%", height="6.5em"),
                             tooltip=f"Finding of {tip}", disabled=not editable),
            f"cb-finding-{i}", "cb-finding",
        )  # fmt: skip
        self.note = own(
            widgets.Text(value=shown_value("note", cit.note), placeholder="note (optional)",
                         continuous_update=False, layout=widgets.Layout(width="100%"),
                         tooltip=f"Note on {tip}", disabled=not editable),
            f"cb-note-{i}", "cb-note",
        )  # fmt: skip
        self.exclude_button = own(
            widgets.Button(description="Exclude…", icon="ban", layout=width("8em"),
                           tooltip=f"Exclude {tip} from the evidence, with a reason",
                           disabled=not editable),
            f"cb-exclude-{i}", "cb-exclude",
        )  # fmt: skip
        self.remove_button = own(
            widgets.Button(description="Remove…", icon="trash", layout=width("8em"),
                           tooltip=f"Remove the citation of {tip} (a mistake, not a screening "
                           "decision: use Exclude for that)", disabled=not editable),
            f"cb-remove-{i}", "cb-remove",
        )  # fmt: skip
        self.reason = own(
            widgets.Text(placeholder="why it is excluded (at least 5 characters)",
                         layout=width("30em")),
            f"cb-exclude-reason-{i}",
        )  # fmt: skip
        self.confirm_exclude = own(
            widgets.Button(description="Exclude", button_style="danger", layout=width("8em")),
            f"cb-exclude-confirm-{i}",
        )  # fmt: skip
        self.confirm_remove = own(
            widgets.Button(description="Remove", button_style="danger", layout=width("8em")),
            f"cb-remove-confirm-{i}",
        )  # fmt: skip
        self.cancel = own(widgets.Button(description="Cancel", layout=width("7em")))
        self.confirm = widgets.HBox([], layout=widgets.Layout(display="none"))
        self.box = styled(
            widgets.VBox(
                [
                    widgets.HBox(
                        [
                            self.label,
                            self.stance,
                            self.design,
                            self.n,
                            widgets.VBox([self.finding, self.note],
                                         layout=widgets.Layout(flex="1 1 auto")),
                            widgets.VBox([self.exclude_button, self.remove_button]),
                        ]
                    ),
                    self.confirm,
                ],
                layout=widgets.Layout(border_bottom="1px solid #eee", padding="2px 0"),
            ),
            f"cb-row-{i}", "cb-row", f"cb-for-{view.claim_id}",
        )  # fmt: skip
        if not editable:
            return
        on = functools.partial(bench.bind, view)
        for field in CITATION_FIELDS:
            widget = getattr(self, field)
            widget.observe(on(functools.partial(self._changed, field)), "value")
        self.exclude_button.on_click(on(lambda _b: self._ask("exclude")))
        self.remove_button.on_click(on(lambda _b: self._ask("remove")))
        self.cancel.on_click(on(lambda _b: self._hide()))
        self.confirm_exclude.on_click(on(lambda _b: self._exclude()))
        self.confirm_remove.on_click(on(lambda _b: self._remove()))

    def refresh_label(self, notes: dict[str, Any]) -> None:
        self.label.value = _paper_label(self.cit, self.rec, notes.get(self.key))

    def _changed(self, field: str, change: dict) -> None:
        value = change["new"]
        if field == "n":
            try:
                value = parse_n(value)
            except ValueError as exc:
                self.bench.show_error(f"Not saved: {exc}")
                self.show_saved(field)
                return
        elif field == "note":
            value = value.strip() or None
        if not self.bench.update_citation(self.ident, view=self.view, **{field: value}):
            self.show_saved(field)

    def show_saved(self, field: str) -> None:
        """Put one field back to what the claim file holds (as last read or saved), so a
        refused value does not stay on screen as if it were saved."""
        cit = self.bench.citation(self.view.claim_id, self.cit.key) or self.cit
        with self.bench.quietly():
            getattr(self, field).value = shown_value(field, getattr(cit, field))

    def _ask(self, what: str) -> None:
        if what == "exclude":
            self.confirm.children = [self.reason, self.confirm_exclude, self.cancel]
        else:
            note = widgets.HTML(f"Remove the citation of {esc(self.ident)}?&nbsp;")
            self.confirm.children = [note, self.confirm_remove, self.cancel]
        self.confirm.layout.display = None

    def _hide(self) -> None:
        self.confirm.layout.display = "none"
        self.reason.value = ""

    def _remove(self) -> None:
        self.bench.uncite(self.ident, view=self.view)


def _paper_label(cit: Any, rec: PaperRecord | None, design_note: Any) -> str:
    who = surname(rec.first_author) if rec else "?"
    year = f" {rec.year}" if rec and rec.year else ""
    if cit.pmid:
        ident = f"PMID {cit.pmid}"
        href = pubmed_url(cit.pmid)
    elif cit.doi:
        ident = f"DOI {cit.doi}"
        href = doi_url(cit.doi)
    else:
        ident = "not in PubMed (cited by URL: edit its YAML file)"
        href = cit.url
    title = esc(rec.title) if rec else ""
    extra = ""
    if rec and rec.retracted:
        extra += '<div style="color:#8a1010"><b>retracted</b></div>'
    if isinstance(design_note, str) and design_note:
        extra += f'<div style="{NOTE_STYLE};font-size:85%">{esc(design_note)}</div>'
    href = safe_url(href)  # only http(s) and doi: links, whatever the record holds
    link = (
        f'<a href="{esc(href)}" target="_blank" rel="noopener">{esc(ident)}</a>'
        if href
        else esc(ident)
    )
    return f'<div title="{title}"><b>{esc(who)}{esc(year)}</b><br>{link}{extra}</div>'


class QueueRow(_Row):
    """One saved search hit: look it up (to cite it) or exclude it with a reason."""

    def __init__(self, bench: Workbench, view: View, i: int, hit: PaperRecord) -> None:
        self.bench, self.view = bench, view
        self.ident = ident_of(hit.pmid, hit.doi) or ""
        design = design_from_pubmed(hit.publication_types, hit.mesh_terms)
        title = hit.title or ""
        first = f"PMID {hit.pmid}" if hit.pmid else hit.doi
        bits = " · ".join(str(x) for x in (first, hit.year, design) if x)
        self.label = widgets.HTML(
            f"<div><b>{esc(bits)}</b> {esc(title)}</div>", layout=widgets.Layout(flex="1 1 auto")
        )
        own = bench.own
        self.look = own(
            widgets.Button(description="Look up", icon="search", layout=width("8em"),
                           tooltip="Show its record in the cite form"),
            f"cb-queue-lookup-{i}",
        )  # fmt: skip
        self.reason = own(
            widgets.Text(placeholder="reason to exclude", layout=width("16em")),
            f"cb-queue-reason-{i}",
        )  # fmt: skip
        self.exclude_button = own(
            widgets.Button(description="Exclude", icon="ban", layout=width("8em")),
            f"cb-queue-exclude-{i}",
        )  # fmt: skip
        on = functools.partial(bench.bind, view)
        self.look.on_click(on(lambda _b: bench.screen(hit, view=view)))
        self.exclude_button.on_click(on(lambda _b: self._exclude()))
        self.box = styled(
            widgets.HBox([self.label, self.look, self.reason, self.exclude_button]),
            f"cb-queue-row-{i}", f"cb-for-{view.claim_id}",
        )  # fmt: skip
