"""A hidden widget that tells the kernel when a page has drawn it.

The workbench app reads its review while the browser is still loading the page, but creates
the review's widgets only once the page says it is ready: widgets created while the page's
widget manager is still fetching the first ones' state came in out of order, and the manager
then retried until the app could be used 15-34 s after its start (one start in two to ten,
measured in docs/benchmarks.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anywidget

__all__ = ["PageReady"]

READY = {"ready": True}  # the one message the page sends


class PageReady(anywidget.AnyWidget):
    """Calls `on_ready()` the first time a page draws it (a page has every widget made before
    it by then); drawn as nothing."""

    _esm = "export default { render({ model }) { model.send({ ready: true }); } };"

    def __init__(self, on_ready: Callable[[], Any]) -> None:
        super().__init__(layout={"display": "none"})
        self._on_ready: Callable[[], Any] | None = on_ready
        self.on_msg(self._message)

    def _message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if content == READY and self._on_ready is not None:
            on_ready, self._on_ready = self._on_ready, None
            on_ready()
