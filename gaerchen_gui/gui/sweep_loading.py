"""Loads a sweep folder's checkpoints into a :class:`SweepState` on a worker thread.

Loading a checkpoint, encoding its 2,000 map images, decoding its samples and, for a checkpoint
without stored test metrics, evaluating it on the 10,000 test images is torch work: it runs in a
:class:`LoudWorker`, one folder at a time; each run reaches the state (on the GUI thread) as soon
as it is ready. Loading another folder stops the one under way between batches.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from gaerchen_gui.components.sweep_state import SweepState
from gaerchen_gui.core.data import ImageSet, load_test_set
from gaerchen_gui.core.sweep_results import folder_problem, load_sweep, sweep_files
from gaerchen_gui.gui.workers import LoudWorker, error_text


class SweepLoader:
    def __init__(self, state: SweepState, load_test: Callable[[], ImageSet] | None = None) -> None:
        self.state = state
        self._load_test = load_test or load_test_set
        self._worker: LoudWorker | None = None
        self._stop: threading.Event | None = None

    @property
    def running(self) -> bool:
        return self._worker is not None

    def load(self, folder: str | Path) -> str | None:
        """Start showing ``folder``; its problem (and nothing started) if it is not a sweep's folder."""
        folder = Path(folder).expanduser()
        problem = folder_problem(folder)
        if problem:
            self.state.refuse(problem)
            return problem
        self.cancel()
        files = sweep_files(folder)
        ticket = self.state.start(folder, len(files))
        stop = self._stop = threading.Event()
        worker = LoudWorker(load_sweep, files, self._load_test, stop.is_set)
        worker.yielded.connect(lambda result: self.state.add(result, ticket))
        errors: list[str] = []
        worker.errored.connect(lambda err: errors.append(error_text(err)))
        worker.finished.connect(lambda: self._on_finished(worker, ticket, errors))
        self._worker = worker
        worker.start()
        return None

    def cancel(self) -> None:
        """Stop the load under way (between batches); its results are dropped."""
        if self._stop is not None:
            self._stop.set()
        self.state.cancel()

    def wait(self, timeout_s: float) -> bool:
        """Wait for a load under way to end (the window is closing); True when none runs."""
        deadline = time.monotonic() + timeout_s
        while self._worker is not None and time.monotonic() < deadline:
            QCoreApplication.processEvents()  # the worker's "finished" arrives through the event loop
            time.sleep(0.01)
        return self._worker is None

    def _on_finished(self, worker: LoudWorker, ticket: int, errors: list[str]) -> None:
        if self._worker is worker:
            self._worker = None
        self.state.finish(ticket, errors[0] if errors else None)
