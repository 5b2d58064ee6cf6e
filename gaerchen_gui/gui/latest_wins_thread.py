"""A QThread that serves requests by slot, the newest first: what the decode and placement workers share.

Each slot (a decode channel; one model's drawing or pins) holds at most one pending request, and a
newer one replaces it: on a busy machine the worker falls behind the mouse, and only the latest
position or drawing is worth computing. Subclasses keep ``_pending`` under ``_cond`` and end their
``run`` loop when ``_stopping`` is set.
"""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QObject, QThread

STOP_TIMEOUT_MS = 5000  # how long stop() waits for a computation under way (one decode or encode: ms)


class LatestWinsThread(QThread):
    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self._cond = threading.Condition()
        self._pending: dict[Any, Any] = {}
        self._stopping = False

    def stop(self, timeout_ms: int = STOP_TIMEOUT_MS) -> None:
        """Drop what is pending, end the loop and wait for the thread (a result under way is not emitted)."""
        with self._cond:
            self._stopping = True
            self._pending.clear()
            self._cond.notify()
        if self.isRunning():
            self.wait(timeout_ms)
