"""The thread that encodes one's own images (the drawing, pinned files) for every model on screen.

As the user draws, each mouse move changes the drawing; encoding is ~1-3 ms a model, but on a
busy machine it may fall behind the mouse. So, like the decode worker (``latest_wins_thread.py``),
each slot holds at most one pending request and a newer one replaces it: a slot is one model's
drawing, or one model's pins (always all of them, so a replaced request loses nothing). The
drawing's slots are served first: the user is steering it. Results reach the GUI thread through
a queued signal; the receiver checks that they are still wanted (``components/own_images.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from PySide6.QtCore import QObject, Signal

from gaerchen_gui.core.models import LatentModel
from gaerchen_gui.core.placement import Placement, place_images
from gaerchen_gui.gui.latest_wins_thread import LatestWinsThread
from gaerchen_gui.gui.workers import error_text


@dataclass(frozen=True)
class PlacementJob:
    slot: tuple  # ("drawing" or "pins", a key of the model on screen)
    model: LatentModel
    pixels: np.ndarray  # (N, 32, 32)
    tag: Any  # handed back untouched: what the receiver needs to tell whether the result still holds


@dataclass(frozen=True)
class PlacementResult:
    job: PlacementJob
    placements: tuple[Placement, ...]


class PlacementWorker(LatestWinsThread):
    """Start with :meth:`start`, feed with :meth:`request`, end with :meth:`stop` (waits for the thread)."""

    placed = Signal(object)  # PlacementResult
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__("gaerchen-placement", parent)
        self._pending: dict[tuple, PlacementJob] = {}
        self.replaced = 0  # requests a newer one overtook before they were encoded

    def request(self, slot: tuple, model: LatentModel, pixels: np.ndarray, tag: Any = None) -> None:
        """Encode ``pixels`` with ``model`` (never waits); replaces what is pending in ``slot``."""
        job = PlacementJob(slot, model, np.array(pixels, dtype=np.float32, ndmin=3), tag)
        with self._cond:
            if slot in self._pending:
                self.replaced += 1
            self._pending[slot] = job
            self._cond.notify()

    def drop(self, key: Any) -> None:
        """Forget what is pending for the model ``key`` (it left the screen)."""
        with self._cond:
            for slot in [s for s in self._pending if s[1] == key]:
                del self._pending[slot]

    def run(self) -> None:
        torch.set_num_threads(1)  # one image: OpenMP over busy cores only adds waiting (see decode_worker.py)
        while True:
            with self._cond:
                while not self._pending and not self._stopping:
                    self._cond.wait()
                if self._stopping:
                    return
                slot = min(self._pending, key=lambda s: s[0] != "drawing")  # the drawing first
                job = self._pending.pop(slot)
            try:
                placements = place_images(job.model, job.pixels)
            except Exception as err:  # report, keep serving
                self.failed.emit(f"Your images could not be encoded: {error_text(err)}")
                continue
            self.placed.emit(PlacementResult(job, placements))
