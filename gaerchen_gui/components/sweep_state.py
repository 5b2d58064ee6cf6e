"""The sweep view's state: which sweep folder is shown, its runs as they load, what could not. No Qt.

A loader (``gui/sweep_loading.py``) fills it from a worker through the GUI thread; the view draws
it. Like a :class:`~gaerchen_gui.components.model_state.ModelState`, latest wins: loading another
folder makes the loads under way stale, and their results are refused.
"""

from __future__ import annotations

import bisect
from pathlib import Path

import numpy as np
from psygnal import Signal

from gaerchen_gui.core.sweep_results import RunFailed, SweepRun


class SweepState:
    folder_changed = Signal(object)  # Path | None: a new folder; its runs follow one by one
    run_added = Signal(object)  # SweepRun, at its place by BETA (see ``runs``)
    problem_added = Signal(str)  # a file that could not be shown, and why
    status_changed = Signal(str)  # "Loading 3 of 5…", "5 VAEs, BETA 1 to 2000", a folder's problem

    def __init__(self) -> None:
        self.folder: Path | None = None
        self.runs: list[SweepRun] = []  # by increasing BETA
        self.problems: list[str] = []
        self.expected = 0  # files in the folder
        self.status = ""
        self._load = 0

    def start(self, folder: Path, expected: int) -> int:
        """Show ``folder`` (with ``expected`` checkpoints) from now on; the load's ticket."""
        self._load += 1
        self.folder, self.runs, self.problems, self.expected = folder, [], [], expected
        self.folder_changed.emit(folder)
        self.set_status(f"Loading {expected} checkpoint{'s' if expected != 1 else ''}…")
        return self._load

    def refuse(self, message: str) -> None:
        """A folder that cannot be shown: the runs shown stay, the message says why."""
        self.set_status(message)

    def is_current(self, ticket: int) -> bool:
        return ticket == self._load

    def cancel(self) -> None:
        self._load += 1

    def add(self, result: SweepRun | RunFailed, ticket: int) -> bool:
        if not self.is_current(ticket):
            return False
        if isinstance(result, RunFailed):
            self.problems.append(result.message)
            self.problem_added.emit(result.message)
        else:
            index = bisect.bisect([run.beta for run in self.runs], result.beta)
            self.runs.insert(index, result)
            self.run_added.emit(result)
        done = len(self.runs) + len(self.problems)
        self.set_status(self._summary() if done >= self.expected else f"Loading {done + 1} of {self.expected}…")
        return True

    def finish(self, ticket: int, error: str | None = None) -> None:
        """The load ended (``error``: why it stopped early)."""
        if self.is_current(ticket):
            self.set_status(f"Loading stopped: {error}" if error else self._summary())

    def _summary(self) -> str:
        if not self.runs:
            return "None of the checkpoints could be shown."
        count = f"{len(self.runs)} VAE{'s' if len(self.runs) != 1 else ''}"
        betas = (
            f"BETA {self.runs[0].beta:g}"
            if len(self.runs) == 1
            else (f"BETA {self.runs[0].beta:g} to {self.runs[-1].beta:g}")
        )
        skipped = f"; {len(self.problems)} file(s) could not be shown" if self.problems else ""
        return f"{count}, {betas}{skipped}"

    def set_status(self, text: str) -> None:
        if text != self.status:
            self.status = text
            self.status_changed.emit(text)

    def run_of(self, beta: float) -> SweepRun | None:
        return next((run for run in self.runs if run.beta == beta), None)

    def curve(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The rate-distortion curve: (KL, BCE, BETA) arrays, one entry per run, by increasing BETA."""
        return (
            np.array([run.kl for run in self.runs]),
            np.array([run.bce for run in self.runs]),
            np.array([run.beta for run in self.runs]),
        )
