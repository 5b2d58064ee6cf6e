"""Runs a BETA sweep (:class:`~gaerchen_gui.core.sweep.BetaSweep`) on a worker thread for the window.

Like :class:`~gaerchen_gui.gui.training_runner.TrainingRunner`: a pool of its own whose one thread
ends with the sweep (its lowered priority must not outlive it), every signal on the GUI thread.
"""

from __future__ import annotations

import os

import torch
from PySide6.QtCore import QObject, Signal

from gaerchen_gui.core.sweep import BetaSweep, SweepRunDone, SweepStep, SweepStopped
from gaerchen_gui.gui.training_runner import yield_cpu_to_the_gui
from gaerchen_gui.gui.workers import LoudWorker, error_text, one_run_pool


def _sweep_job(sweep: BetaSweep):
    torch.set_num_threads(os.cpu_count() or 1)  # as the training thread: every core, at a lower priority
    yield_cpu_to_the_gui()
    yield from sweep.run()


class SweepRunner(QObject):
    progress = Signal(object)  # SweepStep
    run_done = Signal(object)  # SweepRunDone
    stopped = Signal(object)  # SweepStopped: the sweep is over
    failed = Signal(str)  # an exception in the worker (no place could take a checkpoint...)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.sweep: BetaSweep | None = None
        self._worker: LoudWorker | None = None
        self._stopped: SweepStopped | None = None
        self._error: str | None = None
        self._pool = one_run_pool(self)  # the sweep trains at the training thread's lowered priority

    @property
    def is_running(self) -> bool:
        return self._worker is not None

    def start(self, sweep: BetaSweep) -> None:
        if self._worker is not None:
            raise RuntimeError("a sweep is already running")
        self.sweep, self._stopped, self._error = sweep, None, None
        worker = LoudWorker(_sweep_job, sweep)
        worker.yielded.connect(self._on_event)
        worker.errored.connect(lambda err: setattr(self, "_error", error_text(err)))
        worker.finished.connect(self._on_finished)
        self._worker = worker
        self._pool.start(worker)

    def cancel(self) -> None:
        """Stop the run under way after its current step (it is kept and saved) and end the sweep."""
        if self.sweep is not None:
            self.sweep.control.cancel()

    def shutdown(self, timeout_ms: int = 2000) -> bool:
        if self._worker is None:
            return True
        self.cancel()
        return self._pool.waitForDone(timeout_ms)

    def _on_event(self, event: object) -> None:
        if isinstance(event, SweepStep):
            self.progress.emit(event)
        elif isinstance(event, SweepRunDone):
            self.run_done.emit(event)
        elif isinstance(event, SweepStopped):
            self._stopped = event

    def _on_finished(self) -> None:
        self._worker = None
        if self._error is not None:
            self.failed.emit(self._error)
        elif self._stopped is not None:
            self.stopped.emit(self._stopped)
