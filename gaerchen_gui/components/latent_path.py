"""A path through the latent map, shared by every pane: a walk between two picked points, or a
recorded (or loaded) sequence of cursor positions. Qt-free state with psygnal events.

A walk is computed from its two ends (``lerp`` or, for a VAE, ``slerp`` of core/latent_paths.py),
in map coordinates: for a 2-D model those are the codes themselves; for a wider model they are the
coordinates of the 2-D view, which the pane's decoder turns into codes. A recording collects the
shared cursor's positions while it is on, so it captures drags, clicks, typed and nudged moves alike.

The cursor runs along the path through :meth:`LatentPath.set_position`, which moves the explorer's
shared cursor: every pane then decodes that point with its own decoder (compare mode), and the
preview and compare strip follow as for any cursor move. The images *of* the path (the strip) are
decoded per model by the GUI's path jobs and written back here with :meth:`set_images`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from psygnal import Signal

from gaerchen_gui.components.explorer_state import ExplorerState
from gaerchen_gui.core.latent_paths import lerp, slerp

METHODS = {"lerp": "straight", "slerp": "spherical"}
DEFAULT_STEPS = 10
MIN_STEPS, MAX_STEPS = 2, 200  # two ends at least; more than MAX_STEPS thumbnails are no longer a strip


@dataclass(frozen=True)
class PathEnd:
    point: tuple[float, float]  # map coordinates
    label: str  # how the UI names it: "test image 123", "sample 4", "(0.50, -1.20)"


def spherical_problem(kind: str | None, projected: bool) -> str | None:
    """Why a spherical walk does not apply to a model, or None: the arc is about the prior's centre,
    so it needs a VAE, shown in its own latent coordinates (a 2-D view's origin is not the latent one)."""
    if kind != "vae":
        return "a spherical walk is for a VAE, whose codes are pulled towards N(0, I); an AE has no centre"
    if projected:
        return "a spherical walk needs the map in the model's own latent coordinates, not a 2-D view"
    return None


class LatentPath:
    active_changed = Signal(bool)  # walk mode: clicks on the map pick the path's ends
    ends_changed = Signal(object, object)  # start, end: PathEnd | None each
    path_changed = Signal(object)  # (n, 2) float64 map points | None
    position_changed = Signal(int)  # the index along the path the cursor was last put at
    recording_changed = Signal(bool)
    images_changed = Signal(object, object)  # the model (a key, e.g. its ModelState), (n, 32, 32) | None

    def __init__(self, explorer: ExplorerState) -> None:
        self.explorer = explorer
        self.active = False
        self.start: PathEnd | None = None
        self.end: PathEnd | None = None
        self.method = "lerp"
        self.steps = DEFAULT_STEPS
        self.points: np.ndarray | None = None
        self.kind = "walk"  # or "recording" (recorded or loaded): no ends to recompute it from
        self.position = 0
        self.recording = False
        self._recorded: list[tuple[float, float]] = []
        self._images: dict[object, np.ndarray] = {}

    # -- walk mode and the ends ---------------------------------------------------------------
    def set_active(self, on: bool) -> None:
        if on != self.active:
            self.active = on
            self.active_changed.emit(on)

    def pick(self, point: tuple[float, float], label: str) -> str:
        """A point picked on the map: the start if there is none or the walk is complete (a new walk
        begins), else the end. Returns "start" or "end"."""
        end = PathEnd((float(point[0]), float(point[1])), label)
        if self.start is None or self.end is not None or self.kind != "walk":
            self.set_ends(end, None)
            return "start"
        self.set_ends(self.start, end)
        return "end"

    def set_ends(self, start: PathEnd | None, end: PathEnd | None) -> None:
        self.start, self.end = start, end
        self.kind = "walk"
        self.ends_changed.emit(start, end)
        self._rebuild()

    def set_method(self, method: str) -> None:
        if method not in METHODS:
            raise ValueError(f"a walk is {' or '.join(METHODS)}, not {method!r}")
        if method != self.method:
            self.method = method
            if self.kind == "walk":
                self._rebuild()

    def set_steps(self, steps: int) -> None:
        steps = int(steps)
        if not MIN_STEPS <= steps <= MAX_STEPS:
            raise ValueError(f"a walk has {MIN_STEPS} to {MAX_STEPS} points, not {steps}")
        if steps != self.steps:
            self.steps = steps
            if self.kind == "walk":
                self._rebuild()

    def _rebuild(self) -> None:
        if self.start is None or self.end is None:
            self._set_points(None)
            return
        z0, z1 = (torch.tensor(e.point, dtype=torch.float64) for e in (self.start, self.end))
        points = (slerp if self.method == "slerp" else lerp)(z0, z1, self.steps)
        self._set_points(points.numpy())

    # -- recorded and loaded paths ------------------------------------------------------------
    def set_recording(self, on: bool) -> None:
        """On: collect the shared cursor's positions from here (starting where it is). Off: what was
        collected becomes the path, if it has two points or more."""
        if on == self.recording:
            return
        self.recording = on
        if on:
            self._recorded = [self.explorer.cursor]
            self.explorer.cursor_moved.connect(self._record)
        else:
            self.explorer.cursor_moved.disconnect(self._record)
            if len(self._recorded) >= MIN_STEPS:
                self.set_recorded(np.array(self._recorded))
        self.recording_changed.emit(on)

    def _record(self, x: float, y: float) -> None:
        self._recorded.append((x, y))

    def set_recorded(self, points: np.ndarray) -> None:
        """A path given point by point (a recording, a loaded CSV): the ends are its first and last."""
        points = np.asarray(points, dtype=np.float64)
        if points.ndim != 2 or points.shape[1] != 2 or len(points) < MIN_STEPS:
            raise ValueError(f"a path is at least {MIN_STEPS} map points (N, 2), not {points.shape}")
        self.start = PathEnd(tuple(points[0]), "recording start")
        self.end = PathEnd(tuple(points[-1]), "recording end")
        self.kind = "recording"
        self.ends_changed.emit(self.start, self.end)
        self._set_points(points)

    def clear(self) -> None:
        self.set_ends(None, None)

    def _set_points(self, points: np.ndarray | None) -> None:
        self.points = points
        self.position = 0
        self._images.clear()
        self.path_changed.emit(points)
        if points is not None:  # the cursor at the start, where the slider and the strip's frame say it is
            self.set_position(0)

    # -- the cursor on the path ---------------------------------------------------------------
    def set_position(self, index: int) -> None:
        """Put the shared cursor on the path's ``index``-th point (clamped to the path)."""
        if self.points is None:
            return
        self.position = int(np.clip(index, 0, len(self.points) - 1))
        self.explorer.set_cursor(*map(float, self.points[self.position]))
        self.position_changed.emit(self.position)

    def advance(self) -> bool:
        """One point further along the path (playback); False at its end or without a path."""
        if self.points is None or self.position >= len(self.points) - 1:
            return False
        self.set_position(self.position + 1)
        return True

    # -- the decoded images, per model ----------------------------------------------------------
    def set_images(self, model: object, points: np.ndarray, images: np.ndarray | None) -> bool:
        """``model``'s images of ``points``: refused (False) unless those are still the path."""
        if self.points is None or points.shape != self.points.shape or not np.array_equal(points, self.points):
            return False
        if images is None:
            self._images.pop(model, None)
        else:
            self._images[model] = images
        self.images_changed.emit(model, images)
        return True

    def images_of(self, model: object) -> np.ndarray | None:
        return self._images.get(model)

    def forget(self, model: object) -> None:
        """A model left the screen: its images go."""
        self._images.pop(model, None)
