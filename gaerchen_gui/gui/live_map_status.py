"""The live map's title while a model trains: the step it shows, or "map updating…" when
that step is more than about a second behind training.

Training and the map run at different paces: steps arrive about ten times a second,
snapshots about twice (core/live_training.py). When snapshots fall behind (a busy machine),
the title must not present an old step as the current one (issue 12: "step 2" was shown
while training had reached step 46).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal

STALE_S = 1.0  # the map may trail training by this much and still be called current
CHECK_MS = 250


class LiveMapStatus(QObject):
    titleChanged = Signal(str)

    def __init__(self, parent: QObject | None = None, clock=time.monotonic) -> None:
        super().__init__(parent)
        self._clock = clock
        self._kind = ""
        self._points = 0
        self.map_step: int | None = None  # the step the map shows; None before the first snapshot
        self.training_step = 0
        self._behind_since: float | None = None  # when training first passed map_step
        self._arrivals: dict[int, float] = {}  # step -> when it arrived, for steps past map_step
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_MS)
        self._timer.timeout.connect(self._update)
        self.title = ""
        self.paused = False

    def start(self) -> None:
        self.map_step, self.training_step, self._behind_since, self.paused = None, 0, None, False
        self._arrivals.clear()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def set_paused(self, paused: bool) -> None:
        """A paused run does not move on: the map is not "updating", it shows where the run stopped."""
        self.paused = paused
        if not paused:  # counting the lag again from now: the pause is not the map's delay
            self._arrivals = {s: self._clock() for s in self._arrivals}
            self._behind_since = min(self._arrivals.values(), default=None)
        self._update()

    def step_arrived(self, global_step: int) -> None:
        self.training_step = global_step
        if self.map_step is None or global_step > self.map_step:
            self._arrivals[global_step] = self._clock()
            if self._behind_since is None and self.map_step is not None:
                self._behind_since = self._arrivals[global_step]

    def shown(self, kind: str, global_step: int, points: int) -> None:
        """The map now shows the model of ``global_step`` (``points`` test images)."""
        self._kind, self.map_step, self._points = kind, global_step, points
        self._arrivals = {s: t for s, t in self._arrivals.items() if s > global_step}
        self._behind_since = min(self._arrivals.values(), default=None)  # the first step past this one
        self._update()

    @property
    def lag_s(self) -> float:
        """How long training has been past the step the map shows."""
        return 0.0 if self._behind_since is None else self._clock() - self._behind_since

    def _update(self) -> None:
        if self.map_step is None:
            return
        if self.paused:
            what = f"paused  (shows step {self.map_step})"
        elif self.lag_s > STALE_S:
            what = f"map updating…  (shows step {self.map_step}, training at {self.training_step})"
        else:
            what = f"step {self.map_step}"
        title = f"Training {self._kind}  ·  {what}  ·  {self._points:,} test images"
        if title != self.title:
            self.title = title
            self.titleChanged.emit(title)
