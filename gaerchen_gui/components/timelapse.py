"""A model's time-lapse as plain state with events: its recorded frames and the one the map shows.

A :class:`Timelapse` holds the frames of one model on screen (a loaded checkpoint's, or those a run
records while it trains, appended as they arrive), the frame shown (an index, or None: "live", the
normal map) and the playback (playing or paused, frames per second). A scrubber widget draws it and
sends requests back; the map's frame layer, the probe strip and the loss curves' step line follow
its events. :class:`TimelapseSync` makes the panes of compare mode scrub together.

No Qt (see model_state.py for why psygnal): playback is driven from outside (the window's timer
calls :meth:`Timelapse.advance`), so the state is tested without an event loop.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
from psygnal import Signal

from gaerchen_gui.core.checkpoints import Checkpoint

SPEEDS = (5, 10, 20, 30)  # frames per second a user can choose
DEFAULT_SPEED = 10  # a 200-frame run replays in 20 s: slow enough to follow the early frames
FULL_TRAIN_SET = 60_000  # Fashion-MNIST's training images, when a checkpoint's config sets no limit


def steps_per_epoch_of(checkpoint: Checkpoint) -> int | None:
    """How many steps an epoch of ``checkpoint``'s run had: from its first epoch row, else its config."""
    epochs = checkpoint.history.epochs
    if epochs and epochs[0].get("global_step"):
        return int(epochs[0]["global_step"])
    config = checkpoint.metadata.get("config") or {}
    if config.get("batch_size"):
        return math.ceil((config.get("limit") or FULL_TRAIN_SET) / config["batch_size"])
    return None


class Timelapse:
    """The frames of one model and the position shown. ``position`` None is "live": the normal map."""

    frames_changed = Signal(int)  # how many frames there are now (loaded, appended or cleared)
    position_changed = Signal(object)  # the frame index shown, or None (live)
    playing_changed = Signal(bool)
    speed_changed = Signal(int)  # frames per second

    def __init__(self) -> None:
        self.steps: list[int] = []
        self._codes: list[np.ndarray] = []  # (N, D) float32 each
        self._probes: list[np.ndarray] = []  # (P, 32, 32) uint8 each
        self.live_indices = np.empty(0, np.int64)  # the test image of each code row
        self.total_steps = 0  # of the run: the last frame's step, or the planned last step while it trains
        self.steps_per_epoch: int | None = None
        self.recording = False  # frames still arrive (a run is training)
        self.position: int | None = None
        self.playing = False
        self.speed = DEFAULT_SPEED

    def __len__(self) -> int:
        return len(self.steps)

    # -- what there is -----------------------------------------------------------------------------
    def load(self, checkpoint: Checkpoint | None) -> None:
        """Show ``checkpoint``'s frames (none for a file saved before they were recorded)."""
        self._reset()
        frames = None if checkpoint is None else checkpoint.frames
        if frames is not None:
            self.steps = [int(s) for s in frames.steps.tolist()]
            codes = frames.codes.float().numpy()  # once, here: a seek then only indexes
            self._codes = list(codes)
            self._probes = list(frames.probes.numpy())
            self.live_indices = frames.live_indices.numpy().copy()
            self.total_steps = self.steps[-1]
            self.steps_per_epoch = steps_per_epoch_of(checkpoint)
        self.frames_changed.emit(len(self))

    def add_frame(self, frame) -> None:  # a core.live_training.FrameRecorded
        """A frame a run just recorded; its first frame starts this time-lapse afresh."""
        if frame.index == 0:
            self._reset()
            self.recording = True
            self.live_indices = frame.live_indices
        elif not self.recording or frame.index != len(self):  # another model is shown now; or a frame was lost
            return
        self.steps.append(int(frame.step))
        self._codes.append(frame.codes)
        self._probes.append(frame.probes)
        self.total_steps = max(int(frame.total_steps), int(frame.step))
        self.steps_per_epoch = frame.steps_per_epoch
        self.frames_changed.emit(len(self))

    def finish_recording(self) -> None:
        """The run is over: no more frames come."""
        self.recording = False

    def _reset(self) -> None:
        self.pause()
        self.steps, self._codes, self._probes = [], [], []
        self.live_indices = np.empty(0, np.int64)
        self.total_steps, self.steps_per_epoch, self.recording = 0, None, False
        self.seek(None)

    def codes(self, index: int) -> np.ndarray:
        """(N, D) float32 codes of frame ``index``, rows as :attr:`live_indices`."""
        return self._codes[index]

    def probes(self, index: int) -> np.ndarray:
        """(P, 32, 32) uint8 images the decoder painted at the probe points at frame ``index``."""
        return self._probes[index]

    def epoch(self, index: int) -> float | None:
        """Epochs trained at frame ``index`` (fractional), None when the run's epoch length is unknown."""
        return None if not self.steps_per_epoch else self.steps[index] / self.steps_per_epoch

    def fraction(self, index: int) -> float:
        """How far through the run frame ``index`` is, 0 to 1."""
        return self.steps[index] / self.total_steps if self.total_steps else 0.0

    def label(self, index: int | None) -> str:
        """ "step 120 of 2,814, epoch 0.13" for a frame; "live" for the normal map."""
        if index is None:
            return "live"
        text = f"step {self.steps[index]:,} of {self.total_steps:,}"
        epoch = self.epoch(index)
        return text if epoch is None else f"{text}, epoch {epoch:.2f}"

    # -- the position ------------------------------------------------------------------------------
    def seek(self, index: int | None) -> None:
        """Show frame ``index`` (clamped to the frames), or None for the normal map."""
        if index is not None:
            index = min(max(int(index), 0), len(self) - 1) if len(self) else None
        if index != self.position:
            self.position = index
            self.position_changed.emit(index)

    def step_by(self, delta: int) -> None:
        """A frame back (-1) or on (+1); on from the last frame is live, back from live the last frame."""
        if not len(self):
            return
        if self.position is None:
            self.seek(len(self) - 1 if delta < 0 else None)
        elif self.position + delta >= len(self):
            self.seek(None)
        else:
            self.seek(self.position + delta)

    def advance(self) -> None:
        """One tick of playback: the next frame; after the last one, live, and playback stops."""
        if self.position is None:
            self.seek(0)
        elif self.position + 1 >= len(self):
            self.seek(None)
            self.pause()
        else:
            self.seek(self.position + 1)

    # -- playback ----------------------------------------------------------------------------------
    def play(self) -> None:
        if len(self) and not self.playing:
            self.playing = True
            self.playing_changed.emit(True)

    def pause(self) -> None:
        if self.playing:
            self.playing = False
            self.playing_changed.emit(False)

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def set_speed(self, fps: int) -> None:
        if fps not in SPEEDS:
            raise ValueError(f"speed must be one of {SPEEDS} frames per second")
        if fps != self.speed:
            self.speed = fps
            self.speed_changed.emit(fps)


class TimelapseSync:
    """Compare mode: moving one time-lapse moves the others to the same moment of their runs, by
    step when they share their steps (the same schedule), else by the fraction of the run. Playing
    one pauses the others: one drives, the rest follow."""

    def __init__(self, timelapses: Iterable[Timelapse] = ()) -> None:
        self._members: list[Timelapse] = []
        self._following = False
        self.set_members(timelapses)

    def set_members(self, timelapses: Iterable[Timelapse]) -> None:
        for member in self._members:
            member.position_changed.disconnect(self._on_position)
            member.playing_changed.disconnect(self._on_playing)
        self._members = list(timelapses)
        for member in self._members:
            member.position_changed.connect(self._on_position)
            member.playing_changed.connect(self._on_playing)

    def _driver(self) -> Timelapse | None:
        sender = Signal.sender()
        return sender if isinstance(sender, Timelapse) else None

    def _on_position(self, index: int | None) -> None:
        driver = self._driver()
        if self._following or driver is None:
            return
        self._following = True
        try:
            for other in self._members:
                if other is not driver and len(other):
                    other.seek(matching_index(driver, index, other))
        finally:
            self._following = False

    def _on_playing(self, playing: bool) -> None:
        driver = self._driver()
        if playing and driver is not None:
            for other in self._members:
                if other is not driver:
                    other.pause()


def matching_index(driver: Timelapse, index: int | None, other: Timelapse) -> int | None:
    """The frame of ``other`` at the moment ``driver`` shows frame ``index`` (None: live for both)."""
    if index is None:
        return None
    if other.steps == driver.steps:
        return index
    fraction = driver.fraction(index)
    fractions = np.array([other.fraction(i) for i in range(len(other))])
    return int(np.argmin(np.abs(fractions - fraction)))
