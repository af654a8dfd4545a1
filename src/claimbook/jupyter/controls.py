"""What every workbench panel shares: the one-line message, and the rule that a widget drawn
for a `View` changes something only while that view is shown.

`Controls.own` registers a widget of the view being drawn (it is disabled when the view ends);
`Controls.bind` makes a callback of it that runs only while its view is the one shown (a
change still arriving from an ended view writes nothing, and says so); `Controls.act` runs a
session action and shows its outcome as one line, never a traceback.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import Any

import ipywidgets as widgets

from claimbook.jupyter import views
from claimbook.jupyter.messages import plain_of
from claimbook.jupyter.session import Change, NotShown, ReviewSession, Saved, SessionError, View

__all__ = ["Controls", "heading", "make", "shared", "styled", "width"]

_SHARED: dict[tuple, widgets.Widget] = {}


def styled(widget: widgets.DOMWidget, *classes: str) -> Any:
    """`widget` with stable CSS classes, for browser tests and custom styles (one message to
    the browser for all of them, none for the classes it has already)."""
    missing = [css for css in classes if css not in widget._dom_classes]
    if missing:
        widget._dom_classes = (*widget._dom_classes, *missing)
    return widget


def shared(kind: type, **traits: Any) -> Any:
    """One `kind(**traits)` (a Layout or a style) shared by every widget that asks for the same:
    each widget otherwise brings its own layout and style, two more models for the browser to
    make; the workbench never changes a shared one (a widget it shows or hides has its own)."""
    key = (kind, tuple(sorted(traits.items())))
    widget = _SHARED.get(key)
    if widget is None or widget.comm is None:  # none yet, or closed (Widget.close_all)
        widget = _SHARED[key] = kind(**traits)
    return widget


def make(kind: type, *classes: str, **options: Any) -> Any:
    """A `kind(**options)` widget born with its CSS `classes` and a shared layout and style
    (`options` may give them: a `width`, a `layout` or a `style` dict), so the browser gets one
    message for it instead of three or more: what keeps redrawing a claim's rows fast."""
    traits = kind.class_traits()
    if "width" in options:
        options["layout"] = shared(widgets.Layout, width=options.pop("width"))
    elif not isinstance(options.get("layout"), widgets.Layout):
        options["layout"] = shared(widgets.Layout, **(options.get("layout") or {}))
    style = traits.get("style")
    if style is not None and not isinstance(options.get("style"), widgets.Widget):
        options["style"] = shared(style.klass, **(options.get("style") or {}))
    return kind(**options, _dom_classes=classes)


def width(w: str) -> widgets.Layout:
    """A layout of width `w`, shared (see `shared`): never change it, make one of your own."""
    return shared(widgets.Layout, width=w)


def heading(title: str, hint: str) -> widgets.HTML:
    return widgets.HTML(views.heading(title, hint))


def _disable_here(widget: widgets.Widget) -> None:
    """Disable a widget of a view that has ended, in the kernel only: the panels take it off
    the screen or draw the view again in the same breath (another claim picked, a reload, an
    edit that renumbers the rows), so telling the browser would cost one message per widget
    (a hundred and more per claim switch, and as many before a cite's verdict) for a widget
    about to go. A change the browser still sends from it is refused by `bind`, which checks
    the view, not this flag."""
    with widget._lock_property(disabled=True):  # ipywidgets: no sync of a value so locked
        widget.disabled = True


class Controls:
    """The message line and the view guard of one workbench, shared by its panels."""

    def __init__(self, session: ReviewSession) -> None:
        self.session = session
        self.message = styled(widgets.HTML(), "cb-message")
        self._quiet = False
        self._owned: list[widgets.Widget] = []  # the widgets of the view that can change things
        self._kept: list[widgets.Widget] = []  # those of the claim as picked (`own(claim=True)`)
        session.observe(self._on_change)

    def _on_change(self, change: Change) -> None:
        if change.kind == "ended":  # its widgets can change nothing any more
            old, self._owned = self._owned, []
            if change.clear:  # another claim, or none: the claim's own widgets go too
                old, self._kept = old + self._kept, []
            for widget in old:  # replaced at once: the browser need not know
                _disable_here(widget)
        elif change.kind == "loaded" and self.session.review is not None:
            self.message.value = ""

    # ------------------------------------------------------------------ views

    def own(self, widget: widgets.Widget, *classes: str, claim: bool = False) -> Any:
        """`widget` (with CSS `classes`) as part of the view being drawn: it is disabled when
        the view ends (`claim`: when another claim is picked; it does not depend on the rows,
        so it stays through their redrawing after an edit). Give it callbacks through `bind`."""
        (self._kept if claim else self._owned).append(styled(widget, *classes))
        return widget

    def bind(
        self, view: View, handler: Callable[..., Any], *, claim: bool = False
    ) -> Callable[..., Any]:
        """`handler` as the callback of a widget drawn for `view`: it runs only while `view`
        is the one shown (`claim`: while its claim is shown as it was picked then, the rows
        perhaps redrawn since; for a widget owned with `claim=True`, whose handler acts on
        the view shown then). A callback from an ended view (another claim picked, the rows
        redrawn) changes nothing and says so. Every widget that can change something goes
        through here."""
        current = self.session.still_picked if claim else self.session.is_current

        @functools.wraps(handler)
        def current_only(*args: Any) -> Any:
            if not current(view):
                self.show_error(self.session.stale_message(view))
                return None
            return handler(*args)

        return self.guard(current_only)

    def guard(self, handler: Callable[..., Any]) -> Callable[..., Any]:
        """Run a widget callback, showing any error as one line instead of a traceback (and
        nothing while values are set `quietly`)."""

        @functools.wraps(handler)
        def run(*args: Any) -> Any:
            if self._quiet:
                return None
            try:
                return handler(*args)
            except Exception as exc:  # every error is the reviewer's to read, in one line
                self.show_error(exc)
                return None

        return run

    @contextlib.contextmanager
    def quietly(self) -> Iterator[None]:
        """Set widget values without their callbacks saving anything."""
        before, self._quiet = self._quiet, True
        try:
            yield
        finally:
            self._quiet = before

    # ------------------------------------------------------------------ messages

    def act(self, action: Callable[[], Saved | None]) -> bool:
        """Run a session action and say how it went; returns whether it was saved (a saved
        edit whose display failed counts as saved)."""
        try:
            saved = action()
        except NotShown as exc:
            self.show_error(exc)
            return True
        except SessionError as exc:
            self.show_error(exc)
            return False
        if saved is not None:
            self.show_ok(saved.message)
        return True

    def show_error(self, exc: BaseException | str) -> None:
        """Show an error as one plain line (a refusal names the field in words), with where
        it is in the files on click."""
        detail = getattr(exc, "detail", "") if isinstance(exc, SessionError) else ""
        if isinstance(exc, BaseException) and not isinstance(exc, SessionError):
            plain = plain_of(exc, self.session.one_line(exc))
            exc, detail = plain.text, self.session.relative(plain.detail)
        self.message.value = views.message(self.session.one_line(exc), "error", detail)

    def show_ok(self, text: str) -> None:
        self.message.value = views.message(text, "ok")
