"""What the mouse does on the latent map.

A left click in the view moves the cursor there (not on an axis, the legend, which
toggles classes, or the edge arrow, which pans to the cursor). A move reports the
latent position and the nearest test image (``LatentMap.mouseMoved``) and puts the
hover ring and card on the test image under the mouse; while the cursor is dragged
there is no card and no nearest-image query. Dragging the background pans and the
wheel zooms, as everywhere in pyqtgraph.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt

from gaerchen_gui.gui import process_tuning
from gaerchen_gui.gui.map_hover import skip_hover_events_while


def clicked_point(latent_map, event) -> tuple[float, float] | None:  # pyqtgraph MouseClickEvent
    """The map point a left click on ``latent_map``'s data area chose, or None (another button, no map
    yet, a click on an axis, or on the legend, which toggles classes)."""
    if event.button() != Qt.MouseButton.LeftButton or latent_map.encoded is None:
        return None
    scene_pos = event.scenePos()
    if not latent_map.view_box.sceneBoundingRect().contains(scene_pos):
        return None
    if latent_map.legend.isVisible() and latent_map.legend.sceneBoundingRect().contains(scene_pos):
        return None
    view = latent_map.view_box.mapSceneToView(scene_pos)
    return float(view.x()), float(view.y())


class MapMouse:
    """Connects itself to ``latent_map``'s scene; the map keeps the state it reads and changes."""

    def __init__(self, latent_map) -> None:  # a LatentMap whose items exist
        self.map = latent_map
        scene = latent_map.scene()
        scene.sigMouseMoved.connect(self._moved)
        if process_tuning.current().skip_hover_while_dragging:
            skip_hover_events_while(scene, dragging=lambda: latent_map.cursor.moving)
        scene.sigMouseClicked.connect(self._clicked)

    def _clicked(self, event) -> None:  # pyqtgraph MouseClickEvent
        m = self.map
        point = clicked_point(m, event)
        if point is None:
            return
        if event.isAccepted() and event.currentItem is m.edge_marker:
            return  # the arrow brought the cursor into view; this click is not a new position
        m.set_cursor_position(*point)
        m.setFocus(Qt.FocusReason.MouseFocusReason)

    def _moved(self, scene_pos: QPointF) -> None:
        m = self.map
        # A time-lapse frame hides the test points (frame_layer.py): their positions are not on screen.
        if m.encoded is None or not m.scatter.isVisible() or not m.view_box.sceneBoundingRect().contains(scene_pos):
            m.hover.set(None, None)
            return
        view = m.view_box.mapSceneToView(scene_pos)
        if m.cursor.moving:  # while dragging the cursor, the card would only be in the way
            m.hover.set(None, None)
            # No nearest-image query here: this runs before the drag moves the cursor and asks for its
            # decode; the readout that shows it waits for the decoded image anyway (readouts.py).
            m.mouseMoved.emit(float(view.x()), float(view.y()), None)
            return
        point = np.array([view.x(), view.y()])
        nearest = m.encoded.index.query(point)
        m.mouseMoved.emit(float(view.x()), float(view.y()), nearest)
        under_mouse = m.hover.candidate(m.encoded, m.legend.visible_classes(), point, scene_pos, nearest)
        m.hover.set(m.encoded, under_mouse, scene_pos)
