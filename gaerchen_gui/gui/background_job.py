"""One kind of derived state of one model, computed on a worker thread one pass at a time.

The diagnostics and the coverage layer are both recomputed whenever the map's points change,
which while a model trains is every snapshot (about twice a second). Queuing a pass per change
would fall behind; dropping every pass a newer change overtakes would show nothing while
training. So: one pass at a time; a request made while one runs is remembered, and when the pass
ends one more runs on the state as it is then. Results are written through the state's
latest-wins ticket, so a pass that started before the model changed is dropped.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication

from gaerchen_gui.components.model_state import ModelState, Ticket
from gaerchen_gui.gui.workers import LoudWorker, error_text

# What a request computes: (function, its arguments, what to do with its result given the ticket),
# or None when there is nothing to compute now.
Plan = tuple[Callable[..., Any], tuple, Callable[[Any, Ticket], None]]


def _one_pass(function: Callable[..., Any], *args: Any):
    """``function(*args)`` as a generator, the form LoudWorker runs (it reports every exception)."""
    return function(*args)
    yield  # never reached: makes this a generator


class OnePassAtATime:
    def __init__(self, state: ModelState, name: str, plan: Callable[[], Plan | None]) -> None:
        self.state = state
        self.name = name  # the state's ticket kind
        self._plan = plan
        self._worker = None
        self._pending = False
        # Set by cancel(): plans hand ``should_stop`` to their function, which asks it between batches,
        # so that a closing window waits for one batch, not a whole pass over 10,000 images.
        self._stopping = threading.Event()
        self.error: str | None = None  # why the last pass failed, None after one that worked

    @property
    def running(self) -> bool:
        return self._worker is not None

    def should_stop(self) -> bool:
        return self._stopping.is_set()

    def request(self) -> None:
        if self._worker is not None:
            self._pending = True
            return
        plan = self._plan()
        if plan is None:
            return
        function, args, deliver = plan
        self._stopping.clear()
        ticket = self.state.ticket(self.name)
        worker = LoudWorker(_one_pass, function, *args)

        def done(result: Any) -> None:
            self.error = None
            deliver(result, ticket)

        def failed(err: BaseException) -> None:
            self.error = error_text(err)
            deliver(None, ticket)

        worker.returned.connect(done)
        worker.errored.connect(failed)
        worker.finished.connect(self._on_finished)
        self._worker = worker
        worker.start()

    def cancel(self) -> None:
        """Drop the result of a pass under way and forget a remembered request."""
        self._pending = False
        self._stopping.set()
        self.state.cancel(self.name)

    def wait(self, timeout_s: float) -> None:
        """Wait for a pass under way (the window is closing); its result goes nowhere."""
        deadline = time.monotonic() + timeout_s
        while self._worker is not None and time.monotonic() < deadline:
            QCoreApplication.processEvents()  # the worker's "finished" arrives through the event loop
            time.sleep(0.01)

    def _on_finished(self) -> None:
        self._worker = None
        if self._pending:
            self._pending = False
            self.request()
