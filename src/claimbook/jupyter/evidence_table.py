"""The evidence table as one widget: `EvidenceTable`, an anywidget whose model is the claim's
rows as data (drawn in the browser by evidence_table.js), and one `CitationRow` per citation,
what the kernel knows of a row.

Why one widget: each message between the kernel and the browser costs a few milliseconds, and
a table of ipywidgets rows was about a hundred new widgets per claim switch; this one is a
single model change. The view guard stays: the browser sends each edit with the claim and the
generation of the view it was drawn for, and an edit from a view no longer shown is refused
(`Controls.bind`, the same words), so a change made in the rows of the claim shown before is
never saved to the one shown now.

A `CitationRow` has the fields (`stance`, `design`, `n`, `finding`, `note`: `.value`,
`.disabled`) and buttons (`exclude_button`, `remove_button`, `confirm_exclude`,
`confirm_remove`, `cancel`: `.click()`) a script or a test uses, as the browser does; setting a
field's value is an edit, as typing it is.
"""

from __future__ import annotations

import types
from collections.abc import Callable
from importlib.resources import files
from typing import Any

import anywidget
import traitlets

from claimbook.jupyter import views
from claimbook.jupyter.controls import Controls
from claimbook.jupyter.rows import design_options
from claimbook.jupyter.session import View, ident_of, parse_n
from claimbook.pubmed.store import PaperRecord
from claimbook.vocab import STANCES

__all__ = [
    "CITATION_FIELDS",
    "CitationRow",
    "EvidenceTable",
    "on_message",
    "shown_value",
    "table_data",
]

CITATION_FIELDS = ("stance", "design", "n", "finding", "note")
MAX_TYPED = 20_000  # characters of one value sent from the browser


def shown_value(field: str, value: Any) -> Any:
    """A citation field as the table shows it ('' for no n or note)."""
    if field in ("n", "note"):
        return "" if value is None else str(value)
    return value


class EvidenceTable(anywidget.AnyWidget):
    """The evidence table's one widget: `table` is the claim, the view's generation and its
    rows; the browser sends each edit as a custom message naming them."""

    _esm = files("claimbook.jupyter").joinpath("evidence_table.js").read_text(encoding="utf-8")
    table = traitlets.Dict().tag(sync=True)


class Field:
    """One field of a row: its value as shown, and whether it can change anything now."""

    def __init__(self, row: CitationRow, name: str, value: Any) -> None:
        self.row, self.name, self._value = row, name, value

    @property
    def value(self) -> Any:
        return self._value

    @value.setter
    def value(self, new: Any) -> None:  # an edit, as if typed in the browser
        self.row.changed(self.name, new, echo=True)

    @property
    def disabled(self) -> bool:
        return self.row.ident is None or not self.row.session.is_current(self.row.view)


class Button:
    """One button of a row: `click()` does what clicking it in the browser does."""

    def __init__(self, row: CitationRow, on_click: Callable[[], Any]) -> None:
        self.row, self._on_click = row, on_click

    def click(self) -> None:
        self._on_click()

    disabled = Field.disabled


class CitationRow:
    """One citation of the claim shown, as the kernel knows it: each change saves that field
    of that citation of that claim (the ones the row was drawn for), or nothing. A citation by
    URL only (not in PubMed) is shown but cannot be edited here."""

    def __init__(
        self, controls: Controls, table: EvidenceTable, view: View, i: int, cit: Any,
        rec: PaperRecord | None, notes: dict,
    ) -> None:  # fmt: skip
        self.controls, self.session, self.table, self.view = (
            controls, controls.session, table, view,
        )  # fmt: skip
        self.index, self.cit, self.rec = i, cit, rec
        self.ident = ident_of(cit.pmid, cit.doi)
        self.key = rec.key if rec is not None else cit.key  # as the evidence table keys it
        self.paper = views.paper_parts(cit, rec, notes.get(self.key))
        for name in CITATION_FIELDS:
            setattr(self, name, Field(self, name, shown_value(name, getattr(cit, name))))
        self.reason = types.SimpleNamespace(value="")  # typed under the row, sent with Exclude
        self.confirm = types.SimpleNamespace(layout=types.SimpleNamespace(display="none"))
        ask = self.controls.bind(view, self._ask)
        self.exclude_button = Button(self, lambda: ask("exclude"))
        self.remove_button = Button(self, lambda: ask("remove"))
        self.confirm_exclude = Button(self, self.controls.bind(view, self._exclude))
        self.confirm_remove = Button(self, self.controls.bind(view, self._remove))
        self.cancel = Button(self, self._hide)
        self._changed = controls.bind(view, self._save)

    def data(self) -> dict[str, Any]:
        """The row as the browser draws it."""
        tip = self.ident or str(self.cit.url)
        return {"ident": self.ident, "tip": tip, "paper": self.paper,
                **{name: getattr(self, name).value for name in CITATION_FIELDS}}  # fmt: skip

    def refresh_label(self, notes: dict[str, Any]) -> bool:
        """Take PubMed's design note again; whether it changed."""
        paper = views.paper_parts(self.cit, self.rec, notes.get(self.key))
        changed, self.paper = paper != self.paper, paper
        return changed

    # ------------------------------------------------------------------ edits

    def changed(self, field: str, value: Any, *, echo: bool) -> None:
        """A field changed to `value` (in the browser, or set here: `echo` tells the browser)."""
        if self.ident is None:
            return
        self._field(field)._value = value
        if echo:
            self._send_value(field)
        self._changed(field, value)

    def _field(self, field: str) -> Field:
        return getattr(self, field)

    def _save(self, field: str, value: Any) -> None:
        if field == "n":
            try:
                value = parse_n(value)
            except ValueError as exc:
                self.controls.show_error(f"Not saved: {exc}")
                self.show_saved(field)
                return
        elif field == "note":
            value = (value or "").strip() or None
        changes = {field: value}
        if not self.controls.act(
            lambda: self.session.update_citation(self.ident, view=self.view, **changes)
        ):
            self.show_saved(field)

    def show_saved(self, field: str) -> None:
        """Put one field back to what the claim file holds (as last read or saved), so a
        refused value does not stay on screen as if it were saved."""
        cit = self.session.citation(self.view.claim_id, self.cit.key) or self.cit
        self._field(field)._value = shown_value(field, getattr(cit, field))
        self._send_value(field)

    def _send_value(self, field: str) -> None:
        self.table.send({"kind": "value", "generation": self.view.generation,
                         "row": self.index, "field": field,
                         "value": self._field(field).value})  # fmt: skip

    def _ask(self, what: str) -> None:
        self.confirm.asked = what
        self.confirm.layout.display = None

    def _hide(self) -> None:
        self.confirm.layout.display = "none"
        self.reason.value = ""

    def _exclude(self) -> None:
        reason = (self.reason.value or "").strip()
        if not reason:
            self.controls.show_error(f"Not excluded: say why {self.ident} is excluded")
            return
        self.controls.act(lambda: self.session.exclude(self.ident, reason, view=self.view))

    def _remove(self) -> None:
        self.controls.act(lambda: self.session.uncite(self.ident, view=self.view))


def table_data(view: View | None, rows: list[CitationRow]) -> dict[str, Any]:
    """The table's model value: the claim and generation of `view`, its rows, the choices."""
    if view is None:
        return {}
    return {"claim": view.claim_id, "generation": view.generation, "stances": list(STANCES),
            "designs": [list(o) for o in design_options()],
            "rows": [r.data() for r in rows]}  # fmt: skip


def on_message(controls: Controls, rows: Callable[[], list[CitationRow]], content: Any) -> None:
    """One edit sent by the browser: run it on its row if the view it was made in is the one
    shown, else refuse it in the view guard's words. Anything malformed is ignored."""
    if not isinstance(content, dict):
        return
    claim, generation, index = (content.get(k) for k in ("claim", "generation", "row"))
    if not isinstance(claim, str) or not isinstance(generation, int):
        return
    view = View(claim, generation)
    if not controls.session.is_current(view):
        controls.show_error(controls.session.stale_message(view))
        return
    shown = [r for r in rows() if r.view == view]
    if not isinstance(index, int) or not 0 <= index < len(shown):
        return
    row, action = shown[index], content.get("action")
    if action == "set":
        field, value = content.get("field"), content.get("value")
        if field in CITATION_FIELDS and isinstance(value, str) and len(value) <= MAX_TYPED:
            row.changed(field, value, echo=False)
    elif action == "exclude" and isinstance(content.get("reason"), str):
        row.reason.value = content["reason"][:MAX_TYPED]
        row.confirm_exclude.click()
    elif action == "remove":
        row.confirm_remove.click()
