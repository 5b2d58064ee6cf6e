"""The one thread that runs the decoder, with a "latest request wins" slot per channel.

While the cursor is dragged, the GUI asks for a decode on every mouse move,
faster than the decoder may answer on a busy CPU. Queuing those requests would
make the preview lag further and further behind the mouse; instead each channel
("cursor", "hover", "samples") holds at most one pending request, and a new one
replaces it (the replaced one is counted as dropped). Results come back through
the :attr:`DecodeWorker.decoded` signal, queued onto the GUI thread, tagged with
their request id and model generation so the receiver can ignore stale ones.

Models are only read here (``inference_mode``), never trained, so sharing one
with the encoding worker is safe. :meth:`DecodeWorker.set_model` swaps the
reference under the lock and drops requests meant for the old model.

The decoder runs as TorchScript (:class:`TracedDecoder`), a private copy that
takes each new model's weights: eager PyTorch takes the GIL back between its ~10
operators, and while the GUI thread runs Python (handling the very mouse move
that asked for the decode, painting) each of those waits costs up to the switch
interval: a decode took ~18 ms instead of ~2 beside a busy Python thread, traced
~6 ms. ``torch.jit.trace`` is deprecated in favour of ``torch.compile``, which
needs a C++ compiler at run time (the bundle has none); if tracing ever fails,
the worker decodes eagerly.
"""

from __future__ import annotations

import copy
import logging
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
from PySide6.QtCore import QObject, Signal

from gaerchen_gui.core.models import LatentModel
from gaerchen_gui.gui import process_tuning
from gaerchen_gui.gui.latest_wins_thread import LatestWinsThread
from gaerchen_gui.gui.workers import error_text

log = logging.getLogger(__name__)

TRACE_WHEN_IDLE_S = 0.5  # the traced decoder is built after this long without a request

# Served in this order when several channels are waiting: the cursor is what the user is steering.
# "manifold" (hundreds of points at once) has a worker of its own so that it never delays the cursor.
CHANNELS = ("cursor", "hover", "samples", "manifold")


@dataclass(frozen=True)
class DecodeRequest:
    request_id: int
    channel: str
    z: np.ndarray  # (B, D) float32
    generation: int
    tag: Any = None  # passed through untouched, e.g. the hovered image's index
    # Runs on the decoded (B, 32, 32) images in the worker thread, e.g. to tile them into one picture,
    # so that such work never lands on the GUI thread; its return value becomes ``DecodeResult.images``.
    finish: Callable[[np.ndarray], Any] | None = None


@dataclass(frozen=True)
class DecodeResult:
    request_id: int
    channel: str
    z: np.ndarray  # (B, D), the points that were decoded
    images: Any  # (B, 32, 32) float32 in [0, 1], or what the request's ``finish`` made of them
    generation: int
    tag: Any = None


@dataclass
class DecodeStats:
    requested: int = 0
    decoded: int = 0
    dropped: int = 0  # replaced by a newer request before the worker got to them
    per_channel: dict[str, int] = field(default_factory=dict)


def decoder_layout(model: LatentModel) -> tuple:
    """What a traced decoder's shapes depend on: a traced decoder takes the weights of every model with
    the same layout. A 2-D model and an 8-D model seen through a projection (``ProjectedModel``) both take
    (B, 2) points, but their decoders differ."""
    return type(model.decoder), model.latent_dim, getattr(model, "code_dim", model.latent_dim)


class TracedDecoder:
    """``sigmoid(decoder(z))`` of a model, as one TorchScript call; load a model's weights with :meth:`load`."""

    def __init__(self, model: LatentModel) -> None:
        self.latent_dim = model.latent_dim
        self.layout = decoder_layout(model)
        # A copy: the traced module shares its parameters with what it traced, and later models'
        # weights are loaded into it, which must never write into a model someone else holds.
        # channels_last: oneDNN's NHWC kernels decode one image in ~0.7 ms instead of ~1.6 (measured here).
        decoder = copy.deepcopy(model.decoder).eval().to(memory_format=torch.channels_last)
        self._decoder = decoder
        probe = torch.randn(5, self.latent_dim, generator=torch.Generator().manual_seed(0)) * 2
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)  # "torch.jit.trace is deprecated"
            with torch.inference_mode():
                # check_trace=False: its re-trace now and then reported "graphs differed across
                # invocations" for this plain conv stack; what matters is checked below instead.
                self._traced = torch.jit.trace(_ImageDecoder(decoder), probe[:2], check_trace=False)
                same = torch.allclose(self._traced(probe), model.decode(probe), atol=1e-5, rtol=1e-4)
        if not same:
            raise RuntimeError("the traced decoder paints other images than the model")
        self._source: LatentModel | None = model

    def load(self, model: LatentModel) -> None:
        """Decode with ``model``'s weights from now on (a copy of ~1 MB, well under a millisecond)."""
        if model is not self._source:
            with torch.no_grad():
                self._decoder.load_state_dict(model.decoder.state_dict())
            self._source = model

    def __call__(self, z: torch.Tensor) -> torch.Tensor:
        return self._traced(z)


class _ImageDecoder(torch.nn.Module):
    def __init__(self, decoder: torch.nn.Module) -> None:
        super().__init__()
        self.decoder = decoder

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.decoder(z))


class DecodeWorker(LatestWinsThread):
    """Start with :meth:`start`, feed with :meth:`request`, end with :meth:`stop` (waits for the thread)."""

    decoded = Signal(object)  # DecodeResult
    failed = Signal(str, str)  # channel, message: the decoder or a request's ``finish`` raised

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__("gaerchen-decoder", parent)
        self._pending: dict[str, DecodeRequest] = {}
        self._model: LatentModel | None = None
        self._generation = 0
        self._next_id = 0
        self._traced: TracedDecoder | None = None  # used in the worker thread only
        self._trace_failed = False
        self._idle = False
        self._picked_up = threading.Event()
        self.stats = DecodeStats()

    # -- called from the GUI thread ----------------------------------------------
    def set_model(self, model: LatentModel | None) -> int:
        """Decode with ``model`` from now on; returns the new generation number."""
        with self._cond:
            self._model = model
            self._generation += 1
            self.stats.dropped += len(self._pending)
            self._pending.clear()
            return self._generation

    @property
    def generation(self) -> int:
        with self._cond:
            return self._generation

    def request(
        self, channel: str, z: np.ndarray, tag: Any = None, finish: Callable[[np.ndarray], Any] | None = None
    ) -> int:
        """Ask for ``z`` (B, D) to be decoded; returns the request id.

        Never waits for a decode. A cursor request to an idle worker waits (at most ``process_tuning.HANDOFF_S``,
        typically ~0.1 ms; see process_tuning) until the worker has taken it: the worker needs the GIL to wake up, and
        right after a move the GUI thread holds it for milliseconds at a time (pyqtgraph paints the
        map from Python), so without this hand-off the decode often started only after the paint
        (measured: request to worker awake p95 1.7-3.6 ms, with it 0.3 ms). Waiting on an Event
        releases the GIL."""
        if channel not in CHANNELS:
            raise ValueError(f"unknown decode channel {channel!r}")
        z = np.array(z, dtype=np.float32, ndmin=2)  # a copy: the caller may reuse its array
        with self._cond:
            self._next_id += 1
            if channel in self._pending:
                self.stats.dropped += 1
            self._pending[channel] = DecodeRequest(self._next_id, channel, z, self._generation, tag, finish)
            self.stats.requested += 1
            self._cond.notify()
            request_id = self._next_id
            idle = self._idle
            if idle:
                self._picked_up.clear()
        handoff_s = process_tuning.decode_handoff_s()
        if idle and channel == "cursor" and handoff_s > 0:
            self._picked_up.wait(handoff_s)
        return request_id

    # -- the worker thread ---------------------------------------------------------
    def run(self) -> None:
        # One decode is ~1 ms single-threaded; letting OpenMP fan it out over busy
        # cores made it ~100x slower here. This only affects this thread.
        torch.set_num_threads(1)
        while True:
            to_trace = None
            with self._cond:
                self._idle = True
                while not self._pending and not self._stopping and to_trace is None:
                    # Tracing costs ~0.5-1 s of Python, once: do it when nobody has asked for anything
                    # for a while (not at start-up, when the first map is being drawn); decode eagerly
                    # until then. Outside the lock, so that request() never waits for it.
                    if not self._cond.wait(TRACE_WHEN_IDLE_S) and self._trace_pending():
                        to_trace = self._model
                if self._stopping:
                    self._idle = False  # later requests must not wait for a hand-off
                    return
                if to_trace is None:  # the wait ended with a request pending
                    channel = next(c for c in CHANNELS if c in self._pending)
                    req = self._pending.pop(channel)
                    model = self._model
                self._idle = False
                self._picked_up.set()
            if to_trace is not None:
                self._trace(to_trace)
                continue
            if model is None:
                continue
            try:
                decode = self._decoder_for(model, req.z.shape[1])
                with torch.inference_mode():
                    images = decode(torch.from_numpy(req.z)).numpy()[:, 0]
                if req.finish is not None:
                    images = req.finish(images)
            except Exception as err:  # report, keep serving
                self.failed.emit(channel, f"Decoding failed: {error_text(err)}")
                continue
            with self._cond:
                self.stats.decoded += 1
                self.stats.per_channel[channel] = self.stats.per_channel.get(channel, 0) + 1
            self.decoded.emit(DecodeResult(req.request_id, channel, req.z, images, req.generation, req.tag))

    @property
    def fast_path_ready(self) -> bool:
        """Whether the traced decoder exists (or tracing failed and eager decoding is final)."""
        return self._traced is not None or self._trace_failed

    @property
    def is_traced(self) -> bool:
        """Whether decodes now go through the traced decoder (False before it is built, or if tracing failed)."""
        return self._traced is not None

    def _trace_pending(self) -> bool:
        model = self._model
        return (
            model is not None
            and not self._trace_failed
            and (self._traced is None or self._traced.layout != decoder_layout(model))
        )

    def _trace(self, model: LatentModel) -> None:
        """Build the traced decoder for ``model``'s shapes (in the worker thread, the lock not held)."""
        try:
            self._traced = TracedDecoder(model)
        except Exception as err:  # an optimisation: never a reason not to decode
            log.warning("decoding eagerly: the decoder could not be traced (%s)", err)
            self._trace_failed = True

    def _decoder_for(self, model: LatentModel, width: int) -> Callable[[torch.Tensor], torch.Tensor]:
        """The traced decoder loaded with ``model``'s weights, or ``model.decode`` until it is traced (and
        for points of another ``width``: a projected model's hover requests are whole D-dimensional codes)."""
        traced = self._traced
        if traced is None or traced.layout != decoder_layout(model) or width != traced.latent_dim:
            return model.decode
        try:
            self._traced.load(model)
        except Exception as err:  # e.g. a model of another architecture
            log.warning("decoding eagerly: the traced decoder cannot take this model (%s)", err)
            return model.decode
        return self._traced
