"""The thin Qt worker around the core's training loop.

It runs :func:`gaerchen_gui.core.live_training.live_training` in a
:class:`~gaerchen_gui.gui.workers.LoudWorker` (a QThreadPool thread) and re-emits each event
as a typed Qt signal on the GUI thread. It holds no training logic: pause,
resume and stop go through the core's :class:`TrainControl`, checked by the
loop between steps.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from PySide6.QtCore import QObject, Signal

from gaerchen_gui.core.config import TrainConfig
from gaerchen_gui.core.folder_training import (
    FolderChanged,
    FolderRead,
    change_during_training,
    folder_live_set,
    read_training_folder,
)
from gaerchen_gui.core.live_training import (
    FrameRecorded,
    LiveMapFailed,
    LiveSet,
    LiveSnapshot,
    SnapshotThread,
    TrainingStarted,
    live_training,
)
from gaerchen_gui.core.neighbours import NearestIndex
from gaerchen_gui.core.projection import LatentProjection, LiveProjector
from gaerchen_gui.core.training import EpochEvent, PausedEvent, StepEvent, StopEvent, TrainControl, Trainer
from gaerchen_gui.gui import process_tuning
from gaerchen_gui.gui.workers import LoudWorker, error_text, one_run_pool


@dataclass(frozen=True)
class LiveMapUpdate:
    """A core LiveSnapshot plus its nearest-image index, built in the worker: on 2,000 points
    that takes ~0.1-0.3 s, which the GUI thread must not spend. A model with D > 2 latent dimensions
    is shown through ``projection`` (see LiveProjector); ``points`` are what the map shows."""

    snapshot: LiveSnapshot
    index: NearestIndex
    points: np.ndarray  # (N, 2) float32: the snapshot's embeddings as the map shows them
    live_set: LiveSet  # the images embedded, with their labels and class names
    projection: LatentProjection | None = None

    @classmethod
    def of(cls, snapshot: LiveSnapshot, projector: LiveProjector, live_set: LiveSet) -> LiveMapUpdate:
        projection, points = projector.project(snapshot.embeddings.numpy())
        return cls(snapshot, NearestIndex(points), points, live_set, projection)


def _training_job(
    config: TrainConfig,
    snapshots: SnapshotThread,
    control: TrainControl,
    val_limit: int | None,
    projector: LiveProjector,
    live_set: LiveSet | None,
    folder: str | None = None,
    use_live_set: Callable[[LiveSet], None] | None = None,
):
    # Runs in the worker thread: loading 60,000 images (or reading a folder of one's own, seconds for
    # thousands of photos) and building the model happen here too, not on the GUI thread.
    # Threads created after the decode worker's set_num_threads(1) inherit 1 intra-op
    # thread; training wants every core, as `gaerchen train` has.
    torch.set_num_threads(os.cpu_count() or 1)
    yield_cpu_to_the_gui()
    events = None
    try:
        if folder is None:
            trainer = Trainer(config, control=control, val_limit=val_limit)
        else:
            data = read_training_folder(folder, config)  # a DatasetError reaches the panel through ``failed``
            live_set = folder_live_set(data)
            # Before the first snapshot is requested: the snapshot thread reads its images only then.
            snapshots.live_images = live_set.images
            use_live_set(live_set)
            yield FolderRead(data.info, data.skipped)
            trainer = Trainer(config, data.train, data.test, control=control, val_limit=val_limit)
        events = live_training(trainer, snapshots.live_images, snapshots=snapshots)
        while True:
            try:
                event = next(events)
            except StopIteration as finished:
                # Read every file again, here (never on the GUI thread); not for a run stopped by the user or
                # by closing the window, which must not wait for a large folder.
                if folder is not None and trainer.history.steps and not control.cancelled:
                    note = change_during_training(data.info)
                    if note:
                        yield FolderChanged(note)
                return finished.value
            if isinstance(event, LiveSnapshot):
                event = LiveMapUpdate.of(event, projector, live_set)
            yield event
    finally:  # also when an aborted worker drops this generator
        if events is not None:
            events.close()
        snapshots.close(wait_s=1.0)  # a slice at most: no torch threads may outlive the run
        process_tuning.give_back_freed_memory()  # here, on the training thread: never the GUI's few ms


def yield_cpu_to_the_gui() -> None:
    """Lower this thread's scheduling priority (Linux; elsewhere nothing happens).

    Training keeps every core busy, so on a small machine the GUI thread, which needs a few ms at a
    time, waited for a time slice behind it. With a lower priority for the training thread, the
    kernel runs the GUI first when it has work and gives training everything else: an idle window
    costs training nothing. Linux nice values are per thread, and the torch (OpenMP) threads this
    thread starts inherit it. This thread is fresh for each run (see ``TrainingRunner``): an
    unprivileged process cannot undo the change, so it must not be a pool thread that lives on.
    """
    if sys.platform.startswith("linux") and process_tuning.current().nice_training_thread:
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), process_tuning.TRAINING_NICENESS)
        except OSError:
            pass  # not allowed in some sandboxes: train at the normal priority


class TrainingRunner(QObject):
    """Start one training run at a time; every signal arrives on the GUI thread."""

    started = Signal(object)  # Trainer (read-only use: config, device, sizes)
    step = Signal(object)  # StepEvent
    epoch = Signal(object)  # EpochEvent
    paused = Signal(bool)  # True when the loop is waiting, False when it resumed
    snapshot = Signal(object)  # LiveMapUpdate
    frame = Signal(object)  # FrameRecorded: the time-lapse grows while the run goes on
    stopped = Signal(object, object)  # StopEvent, Trainer: the run is over and the model is final
    folder_event = Signal(object)  # FolderRead once a run has read its folder; FolderChanged at its end
    failed = Signal(str)  # an exception in the worker, as text for a dialog
    live_map_failed = Signal(str)  # the live map stopped following (training goes on), as text

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker: LoudWorker | None = None
        self._snapshots: SnapshotThread | None = None
        self._control: TrainControl | None = None
        self._trainer: Trainer | None = None
        self._stop_event: StopEvent | None = None
        self._error: str | None = None
        self._was_paused = False
        self._live_set: LiveSet | None = None  # what the run's live map follows
        self._projector = LiveProjector()
        self._pool = one_run_pool(self)

    @property
    def is_running(self) -> bool:
        return self._worker is not None

    def start(
        self,
        config: TrainConfig,
        live_set: LiveSet | None,
        val_limit: int | None = None,
        folder: str | None = None,
    ) -> None:
        """Train with ``config`` on Fashion-MNIST, the map following ``live_set`` (its live subset), or
        on ``folder``'s images (read on the training thread), the map following its held-out ones."""
        if self._worker is not None:
            raise RuntimeError("a training run is already in progress")
        config.validated()
        self._control = TrainControl()
        self._trainer = None
        self._stop_event = None
        self._error = None
        self._was_paused = False
        self._live_set = live_set  # a folder run's is set on its training thread, once it is read
        # Created here, on the GUI thread, so it has the GUI's priority: the live map is what the user
        # watches (with a second busy process, the niced training thread took 3-5x longer to embed a
        # snapshot and the map fell many seconds behind). The runner closes it (see shutdown).
        self._projector = LiveProjector()  # one per run: each snapshot's axes follow the previous one's
        self._snapshots = SnapshotThread(live_set and live_set.images, on_ready=self._emit_snapshot)
        worker = LoudWorker(
            _training_job,
            config,
            self._snapshots,
            self._control,
            val_limit,
            self._projector,
            live_set,
            folder,
            self._use_live_set,
        )
        worker.yielded.connect(self._on_event)
        worker.errored.connect(self._on_error)
        worker.finished.connect(self._on_finished)
        self._worker = worker
        self._pool.start(worker)

    def pause(self) -> None:
        if self._control:
            self._control.pause()

    def resume(self) -> None:
        if self._control:
            self._control.resume()

    def stop(self) -> None:
        """Ask the loop to stop after the current step or test batch; ``stopped`` follows."""
        if self._control:
            self._control.cancel()

    def shutdown(self, timeout_ms: int = 2000) -> bool:
        """Stop and wait for the worker thread to end (closing the window). True if it ended."""
        if self._worker is None:
            return True
        self.stop()
        self._worker.quit()
        started = time.monotonic()
        if not self._pool.waitForDone(timeout_ms):
            return False
        # An aborted job's generator is left suspended, so its own clean-up may never run before exit.
        left_ms = max(0.0, timeout_ms / 1000 - (time.monotonic() - started))
        return self._snapshots is None or self._snapshots.close(wait_s=max(left_ms, 0.1))

    def _use_live_set(self, live_set: LiveSet) -> None:
        """On the training thread, before its first snapshot request (the snapshot thread reads this
        only after a request, which passes its lock)."""
        self._live_set = live_set

    def _emit_snapshot(self, snapshot: LiveSnapshot) -> None:
        """On the snapshot thread: the signal is queued to the GUI thread."""
        self.snapshot.emit(LiveMapUpdate.of(snapshot, self._projector, self._live_set))

    # -- on the GUI thread -------------------------------------------------------
    def _on_event(self, event: object) -> None:
        if isinstance(event, StepEvent):
            if self._was_paused:
                self._was_paused = False
                self.paused.emit(False)
            self.step.emit(event)
        elif isinstance(event, LiveMapUpdate):
            self.snapshot.emit(event)
        elif isinstance(event, FrameRecorded):
            self.frame.emit(event)
        elif isinstance(event, EpochEvent):
            self.epoch.emit(event)
        elif isinstance(event, PausedEvent):
            if not self._was_paused:
                self._was_paused = True
                self.paused.emit(True)
        elif isinstance(event, TrainingStarted):
            self._trainer = event.trainer
            self.started.emit(event.trainer)
        elif isinstance(event, StopEvent):
            self._stop_event = event
        elif isinstance(event, (FolderRead, FolderChanged)):
            self.folder_event.emit(event)
        elif isinstance(event, LiveMapFailed):
            self.live_map_failed.emit(error_text(event.error))

    def _on_error(self, exc: BaseException) -> None:
        self._error = error_text(exc)

    def _on_finished(self) -> None:
        self._worker = None
        if self._snapshots is not None:
            self._snapshots.close()  # the job closed it already, unless it was aborted
        if self._error is not None:
            self.failed.emit(self._error)
        elif self._stop_event is not None and self._trainer is not None:
            self.stopped.emit(self._stop_event, self._trainer)
        # else: aborted by shutdown(), nobody is listening any more
