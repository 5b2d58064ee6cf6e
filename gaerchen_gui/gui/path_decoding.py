"""Decoding a latent path's images for one model, off the GUI thread (latest wins).

The path's strip shows every point's image; a walk of 200 steps or a recording of a few hundred
moves is a batch of that many decodes, too long for the GUI thread and unwelcome in the cursor's
decode worker (it would delay the cursor by as long). So each model decodes its path in a worker of
the global pool, whenever the path or the model's decoder changes; a result is written only if its
ticket is still current and the path is still the one it decoded.
"""

from __future__ import annotations

import numpy as np
import torch

from gaerchen_gui.components.latent_path import LatentPath
from gaerchen_gui.components.model_state import ModelState
from gaerchen_gui.components.subscriptions import Subscriptions
from gaerchen_gui.core.latent_paths import decode_path
from gaerchen_gui.gui.workers import LoudWorker, error_text

JOB = "path"


def _decode(model, points: np.ndarray):
    """The (n, 32, 32) float32 images of map ``points`` (n, 2), as a generator for LoudWorker."""
    torch.set_num_threads(1)  # a pool thread: one core, as the cursor's decoder, leaving the other to the GUI
    return decode_path(model, torch.from_numpy(points)).numpy()
    yield  # never reached: makes this a generator


class PathDecoding:
    """Keeps ``path``'s images of ``state`` decoded; ``failed`` (a callable taking a message) on errors."""

    def __init__(self, path: LatentPath, state: ModelState, failed=None) -> None:
        self.path = path
        self.state = state
        self._failed = failed
        self._workers: list[LoudWorker] = []
        self._events = Subscriptions()
        self._events.connect(path.path_changed, lambda _points: self.request())
        self._events.connect(state.decoder_changed, lambda _model: self.request())
        self.request()

    @property
    def running(self) -> bool:
        return any(worker.is_running for worker in self._workers)

    def request(self) -> None:
        points, model = self.path.points, self.state.decoding_model
        if points is None or model is None:
            self.state.cancel(JOB)
            return
        ticket = self.state.ticket(JOB)
        worker = LoudWorker(_decode, model, points)

        def done(images: np.ndarray) -> None:
            if self.state.is_current(ticket):
                self.path.set_images(self.state, points, images)

        def failed(err: BaseException) -> None:
            if self.state.is_current(ticket) and self._failed is not None:
                self._failed(f"The path's images could not be decoded: {error_text(err)}")

        worker.returned.connect(done)
        worker.errored.connect(failed)
        self._workers = [w for w in self._workers if w.is_running] + [worker]
        worker.start()

    def close(self) -> None:
        """Stop following (the model left the screen); a decode under way is dropped by its ticket."""
        self._events.disconnect_all()
        self.state.cancel(JOB)
        self.path.forget(self.state)
