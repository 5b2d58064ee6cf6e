"""Text readouts that follow the cursor one step behind its decoded image.

While the cursor is dragged, every mouse move changes the coordinate boxes, the
nearest-image readout and the status bar. Painting that text costs the GUI
thread about as much as repainting the map, and done right after the move it
stood between the decoder's result and the screen. So the window hands those
updates to :class:`PendingReadouts`, which runs the newest one for each readout
once the decoded image for the move has been painted (:meth:`flush`), or after
``max_delay_ms`` if no image comes (no model, a dropped request).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

MAX_DELAY_MS = 30  # about two frames: readouts never lag further than this


class PendingReadouts(QObject):
    """The newest update per readout, run together by :meth:`flush` or when the timer runs out."""

    def __init__(self, parent: QObject | None = None, max_delay_ms: int = MAX_DELAY_MS) -> None:
        super().__init__(parent)
        self._pending: dict[str, Callable[[], None]] = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(max_delay_ms)
        self._timer.timeout.connect(self.flush)

    def defer(self, name: str, update: Callable[[], None]) -> None:
        """Run ``update`` at the next :meth:`flush` instead of an earlier one deferred under ``name``."""
        self._pending[name] = update
        if not self._timer.isActive():
            self._timer.start()

    def show_now(self, name: str, update: Callable[[], None]) -> None:
        """Run ``update`` at once, and drop an older one deferred under ``name`` (it would undo this)."""
        self._pending.pop(name, None)
        update()

    def stop(self) -> None:
        """Forget everything (the window is closing)."""
        self._timer.stop()
        self._pending.clear()

    def flush(self) -> None:
        self._timer.stop()
        pending, self._pending = self._pending, {}
        for update in pending.values():
            update()

    @property
    def waiting(self) -> bool:
        return bool(self._pending)
