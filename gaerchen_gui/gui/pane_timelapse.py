"""One pane's time-lapse: its scrubber, its map's frame layer and the step keys, on the model's state.

The pane's :class:`ModelState` owns the :class:`Timelapse` (loaded with each checkpoint, fed frame
by frame while a run trains in the dock); this wiring shows its position on the map (the frame's
points in place of the test points, coloured by the classes of the map's own rows) and the
scrubber. Keys, while the map has focus: "," and "." step a frame back and on, K plays or pauses
(the arrow keys move the cursor).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut

from gaerchen_gui.components.model_state import ModelState
from gaerchen_gui.gui.frame_layer import FrameLayer, labels_of, view_points
from gaerchen_gui.gui.latent_map import LatentMap
from gaerchen_gui.gui.scrubber import Scrubber

STEP_BACK, STEP_ON, PLAY_PAUSE = ",", ".", "K"


class PaneTimelapse:
    def __init__(self, state: ModelState, latent_map: LatentMap) -> None:
        self.state = state
        self.timelapse = state.timelapse
        self.map = latent_map
        self.layer = FrameLayer(latent_map)
        self._map_title = self._frame_title = ""  # the map's title before a frame replaced it; the frame's
        self.scrubber = Scrubber(state.timelapse)
        self._labels: tuple[object, object, np.ndarray | None] | None = None  # (rows' ids, frames' ids, labels)
        self.timelapse.position_changed.connect(self.show_position)
        self.timelapse.frames_changed.connect(lambda _: self.show_position(self.timelapse.position))
        state.encoded_changed.connect(lambda _: self.show_position(self.timelapse.position))
        state.checkpoint_changed.connect(lambda checkpoint: self.scrubber.set_has_model(checkpoint is not None))
        self.scrubber.set_has_model(state.checkpoint is not None)
        self.shortcuts = []
        for keys, action in (
            (STEP_BACK, lambda: self.timelapse.step_by(-1)),
            (STEP_ON, lambda: self.timelapse.step_by(1)),
            (PLAY_PAUSE, self.timelapse.toggle),
        ):
            shortcut = QShortcut(QKeySequence(keys), latent_map)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)  # this map's keys only
            shortcut.activated.connect(action)
            self.shortcuts.append(shortcut)

    def show_position(self, index: int | None) -> None:
        """The frame ``index`` on the map, or the map's own points (None, or no labels to colour by)."""
        labels = None if index is None else self._frame_labels()
        if labels is None:
            if self.layer.shown:
                self.layer.hide()
                if self.title() == self._frame_title:  # unless the map has had a new title meanwhile
                    self.map.set_title(self._map_title)
            return
        if not self.layer.shown:
            self._map_title = self.title()
        xy = view_points(self.timelapse.codes(index), self.state.projection)
        self.layer.show(xy, labels)
        # The map's title names what it shows: a frame, not the live map's step or the model's test images.
        kind = (self.state.kind or "").upper()
        self._frame_title = f"{kind} · frame at step {self.timelapse.steps[index]:,} of {self.timelapse.total_steps:,}"
        self.map.set_title(self._frame_title)

    def title(self) -> str:
        return self.map.getPlotItem().titleLabel.text

    def _frame_labels(self) -> np.ndarray | None:
        """The classes of the frames' test images, from the map's rows (kept while neither changes)."""
        encoded, ids = self.state.encoded, self.timelapse.live_indices
        if encoded is None:
            return None
        key = (encoded, ids)
        if self._labels is None or self._labels[0] is not key[0] or self._labels[1] is not key[1]:
            self._labels = (encoded, ids, labels_of(ids, encoded.test_ids, encoded.labels))
        return self._labels[2]
