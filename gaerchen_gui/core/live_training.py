"""Training as the GUI watches it: the core loop plus periodic snapshots for live views.

``live_training(...)`` wraps :meth:`Trainer.run` and, between steps (so the
weights are never read mid-update), now and then copies the model and hands the
copy to a :class:`SnapshotThread`, which embeds a fixed subset of test images
with it; the finished :class:`LiveSnapshot` is yielded after the next step.

Why a thread of its own: embedding 2,000 images costs 0.12-0.34 s on 2 cores,
and on the training thread (which runs at a lower priority, see the GUI's
runner) it took 0.6-1 s with a second busy process. The old rule, at most 5% of
the training time spent on snapshots, then allowed one every 2.5-20 s: the map
showed step 2 while training was at step 46. The snapshot thread keeps the
priority of the thread that created it (the GUI's, if created before the
training thread lowers its own), and training goes on while it embeds.
No Qt here: the GUI runs this generator in a worker thread.
"""

from __future__ import annotations

import copy
import math
import os
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch

from gaerchen_gui.core.data import CLASS_NAMES
from gaerchen_gui.core.evaluation import embed_all
from gaerchen_gui.core.frames import LIVE_SUBSET
from gaerchen_gui.core.models import LatentModel
from gaerchen_gui.core.training import PausedEvent, StepEvent, Trainer, TrainEvent

if TYPE_CHECKING:
    from gaerchen_gui.core.encoding import EncodedSet

# How far the map may trail training: the README promises about two updates a second, and a
# map more than a second behind is shown as "map updating" by the GUI (see LAG_GOAL_S there).
MIN_INTERVAL_S = 0.5
LAG_GOAL_S = 0.9  # a little under a second: the step that yields a snapshot and its delivery add to it
MAX_SHARE = 0.25  # of the wall time, when the lag goal cannot be met anyway
MAX_WAIT_S = 2.0  # ... but never longer than this between two snapshots
SLICE = 500  # images embedded between two looks at close(): ~30 ms here


def snapshot_wait(cost_s: float, min_interval_s: float = MIN_INTERVAL_S) -> float:
    """Seconds from one snapshot's start to the next, given what the last one took.

    The map shows the step of time t at about t + wait + cost. While a snapshot costs under
    half of LAG_GOAL_S, the wait is the minimum interval and the map keeps within the goal.
    Beyond that (a slow or busy machine) the map cannot keep up anyway, the GUI says so, and
    snapshots take MAX_SHARE of the time, no more: training is not slowed further for nothing.
    Measured here (2 cores): ~0.13 s idle; 0.2-0.45 s with a busy second process.
    """
    if 2 * cost_s <= LAG_GOAL_S:
        return min_interval_s
    return max(min_interval_s, min(cost_s / MAX_SHARE, MAX_WAIT_S))


@dataclass(frozen=True)
class LiveSet:
    """The test images a live map follows (Fashion-MNIST's LIVE_SUBSET, or a folder's first held-out
    images), with what the map shows of them."""

    images: torch.Tensor  # (N, 1, 32, 32) float32: what the snapshots embed
    labels: np.ndarray  # (N,) int64, into class_names
    test_ids: np.ndarray  # (N,) int64: each row's number in its test set (what the user is told)
    class_names: tuple[str, ...] = CLASS_NAMES

    @classmethod
    def of(
        cls,
        images: torch.Tensor,
        labels: np.ndarray,
        test_ids: np.ndarray | None = None,
        class_names: tuple[str, ...] = CLASS_NAMES,
    ) -> LiveSet:
        """``test_ids`` None: row i is test image i."""
        ids = np.arange(len(labels), dtype=np.int64) if test_ids is None else np.asarray(test_ids, dtype=np.int64)
        return cls(images, np.asarray(labels, dtype=np.int64), ids, tuple(class_names))

    @classmethod
    def cut_from(cls, encoded: EncodedSet) -> LiveSet | None:
        """Fashion-MNIST's live subset (LIVE_SUBSET), cut from a map of its whole test set; None if
        ``encoded`` is not one (a folder's images, or a subset)."""
        if encoded.test_ids is not None or encoded.class_names != CLASS_NAMES or len(encoded) <= LIVE_SUBSET.max():
            return None
        images = torch.from_numpy(encoded.images[LIVE_SUBSET][:, None].copy())
        return cls.of(images, encoded.labels[LIVE_SUBSET], LIVE_SUBSET)


@dataclass(frozen=True)
class LiveSnapshot:
    global_step: int
    embeddings: torch.Tensor  # (n_live, latent_dim) on the CPU, rows match live_indices
    model: LatentModel  # a frozen copy in eval mode; safe to use from another thread


@dataclass(frozen=True)
class FrameRecorded:
    """A frame the trainer's recorder just took (core/frames.py), as numpy: the window's time-lapse
    grows with the run, and the GUI thread never touches a tensor."""

    index: int  # 0 for a run's first frame: a new run's time-lapse starts
    step: int
    total_steps: int  # the step the run's last frame is planned at
    steps_per_epoch: int
    codes: np.ndarray  # (N, D) float32, rows as ``live_indices``
    probes: np.ndarray  # (P, 32, 32) uint8
    live_indices: np.ndarray  # (N,) int64 test image numbers

    @classmethod
    def of(cls, trainer: Trainer, index: int) -> FrameRecorded:
        recorder = trainer.recorder
        step, codes, probes = recorder.frame(index)
        steps_per_epoch = math.ceil(len(trainer.train_set) / trainer.config.batch_size)
        return cls(
            index, step, recorder.planned_last_step, steps_per_epoch,
            codes.float().cpu().numpy(), probes.cpu().numpy(), recorder.live_indices.numpy(),
        )  # fmt: skip


def new_frames(trainer: Trainer, told: int) -> list[FrameRecorded]:
    """The frames recorded since the first ``told`` ones."""
    return [FrameRecorded.of(trainer, i) for i in range(told, len(trainer.recorder))]


@dataclass(frozen=True)
class LiveMapFailed:
    """The snapshot thread raised: the live map stops following, training goes on (its weights are fine)."""

    error: Exception


@dataclass(frozen=True)
class TrainingStarted:
    trainer: Trainer  # for reading config, device and sizes; the loop owns it until it ends


class SnapshotThread:
    """Embeds ``live_images`` with model copies on a thread of its own, one at a time.

    Create it on the thread whose priority it should have: Linux threads inherit their
    creator's nice value, and an unprivileged process cannot raise it back.
    """

    def __init__(self, live_images: torch.Tensor, on_ready: Callable[[LiveSnapshot], None] | None = None) -> None:
        """``on_ready``: called on this thread with each finished snapshot (the GUI's runner emits
        it at once: on a busy machine a step can take a second, and a snapshot that waited for the
        next step to be yielded was a second late). Without it, snapshots wait for :meth:`take`."""
        self.live_images = live_images
        self._on_ready = on_ready
        self.cost_s = 0.0  # wall time of a snapshot, smoothed (one slow one on a busy machine is noise)
        self._cond = threading.Condition()
        self._job: tuple[LatentModel, int] | None = None
        self._done: list[LiveSnapshot] = []
        self._busy = False
        self._warm = False
        self._closed = False
        self.error: Exception | None = None  # what ended the thread early, if anything did
        self._thread = threading.Thread(target=self._loop, name="gaerchen-live-snapshots", daemon=True)
        self._thread.start()

    @property
    def idle(self) -> bool:
        """Ready for a request: not embedding, nothing waiting, and not ended by an error."""
        with self._cond:
            return not self._busy and self._job is None and self.error is None

    def request(self, model: LatentModel, global_step: int) -> None:
        """Embed with a copy of ``model`` as it is now (call between steps)."""
        frozen = frozen_copy(model)  # ~3 ms, here: the trainer changes the model after this returns
        with self._cond:
            self._job = (frozen, global_step)
            self._cond.notify()

    def take(self) -> list[LiveSnapshot]:
        """The snapshots finished since the last call, oldest first."""
        with self._cond:
            done, self._done = self._done, []
            return done

    def close(self, wait_s: float = 0.0) -> bool:
        """End the thread; a snapshot under way is dropped after its current slice. Wait up to
        ``wait_s`` for it (a process must not exit while its torch threads work: libgomp aborts
        it). True if the thread has ended."""
        with self._cond:
            self._closed = True
            self._job = None
            self._cond.notify()
        if wait_s > 0:
            self._thread.join(wait_s)
        return not self._thread.is_alive()

    def _embed(self, model: LatentModel) -> torch.Tensor | None:
        """Embed in slices of SLICE images, so that close() need not wait for a whole snapshot."""
        parts = []
        for start in range(0, len(self.live_images), SLICE):
            if self._closed:
                return None
            parts.append(embed_all(model, self.live_images[start : start + SLICE]))
        return torch.cat(parts)

    def _loop(self) -> None:
        try:
            self._serve()
        except Exception as err:  # kept for live_training to report: a thread's exception is otherwise only printed
            with self._cond:
                self.error = err
                self._busy = False

    def _serve(self) -> None:
        torch.set_num_threads(os.cpu_count() or 1)  # per thread: a pool thread may have been set to 1
        while True:
            with self._cond:
                while self._job is None and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                (model, step), self._job = self._job, None
                self._busy = True
            start = time.perf_counter()
            embeddings = self._embed(model)
            if embeddings is None:
                return
            snapshot = LiveSnapshot(step, embeddings, model)
            with self._cond:
                cost = time.perf_counter() - start
                if self._warm:  # the first embedding sets up oneDNN's kernels: 2-3x slower, not a guide
                    self.cost_s = cost if self.cost_s == 0 else 0.5 * self.cost_s + 0.5 * cost
                self._warm = True
                self._busy = False
                if self._closed:
                    return
                if self._on_ready is None:
                    self._done.append(snapshot)
                else:  # under the lock: once close() has returned, nothing more is delivered
                    self._on_ready(snapshot)


def live_training(
    trainer: Trainer,
    live_images: torch.Tensor,
    min_interval_s: float = MIN_INTERVAL_S,
    snapshots: SnapshotThread | None = None,
) -> Generator[TrainEvent | LiveSnapshot | TrainingStarted | LiveMapFailed | FrameRecorded, None, Trainer]:
    """Yield the trainer's events and LiveSnapshots: one of the initial model, then one started
    every :func:`snapshot_wait` seconds (at least ``min_interval_s``), and one of the final model;
    and each frame the trainer's recorder takes (:class:`FrameRecorded`), as soon as it is taken.
    If the snapshot thread fails, one :class:`LiveMapFailed` says why and training goes on.

    ``live_images``: (n_live, 1, 32, 32), typically ~2,000 fixed test images.
    ``snapshots``: a SnapshotThread created on the thread whose priority it should have
    (closed here when the run ends); by default one is created on the calling thread.
    Returns the trainer (its ``model`` holds the final or last good weights).
    """
    snapshots = snapshots or SnapshotThread(live_images)
    try:
        yield TrainingStarted(trainer)
        # The initial model, on the snapshot thread too: its first embedding is the slow one (0.3-0.4 s,
        # oneDNN sets up its kernels), and the first steps need not wait for it.
        snapshots.request(trainer.model, 0)
        last_request = time.perf_counter()
        failure_told = False
        frames_told = 0
        for event in trainer.run():
            frames = new_frames(trainer, frames_told)  # before the event: a StopEvent follows the last frame
            frames_told += len(frames)
            yield from frames
            yield event
            if not isinstance(event, (StepEvent, PausedEvent)):
                continue
            yield from snapshots.take()
            if snapshots.error is not None and not failure_told:
                failure_told = True
                yield LiveMapFailed(snapshots.error)
            now = time.perf_counter()
            wait = snapshot_wait(snapshots.cost_s, min_interval_s)
            if isinstance(event, StepEvent) and now - last_request >= wait and snapshots.idle:
                snapshots.request(trainer.model, event.global_step)
                last_request = now
        snapshots.close(wait_s=1.0)  # an older snapshot must not arrive after the final one
        try:
            final = make_snapshot(trainer.model, live_images, len(trainer.history.steps))
        except Exception as err:  # the trained model is fine: the run must still end with it
            if not failure_told:
                yield LiveMapFailed(err)
        else:
            yield final
    finally:
        snapshots.close()
    return trainer


def frozen_copy(model: LatentModel) -> LatentModel:
    frozen = copy.deepcopy(model).eval()  # the copy only: the trainer's model keeps its mode
    for p in frozen.parameters():
        p.requires_grad_(False)
    return frozen.to(memory_format=torch.contiguous_format)


def make_snapshot(model: LatentModel, live_images: torch.Tensor, global_step: int) -> LiveSnapshot:
    frozen = frozen_copy(model)
    return LiveSnapshot(global_step, embed_all(frozen, live_images), frozen)
