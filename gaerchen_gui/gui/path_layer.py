"""The latent path on one pane's map: the line, its points, its two ends; in walk mode, clicks pick the ends.

A click in walk mode picks the test image under the mouse (its own code, so that the walk's end
decodes to that image's reconstruction), else a sample marker within SNAP_PX, else the clicked
point itself. The map's own click handler still moves the cursor there: the user sees what the new
end decodes to. One layer per pane, all drawing the one shared :class:`LatentPath`.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from gaerchen_gui.components.latent_path import LatentPath, PathEnd
from gaerchen_gui.components.subscriptions import Subscriptions
from gaerchen_gui.gui.map_items import Z_HOVER, Z_SAMPLES, replace_points
from gaerchen_gui.gui.map_mouse import clicked_point
from gaerchen_gui.gui.theme import plot_foreground

PATH_COLOUR = "#e6550d"  # orange: apart from the ten class colours' blues and greens and the red hover ring
SNAP_PX = 8  # a click this close to a sample marker picks the sample


class PathLayer:
    def __init__(self, pane, path: LatentPath) -> None:  # a ModelPane
        self.pane = pane
        self.path = path
        plot = pane.latent_map.getPlotItem()
        self.line = pg.PlotCurveItem(pen=pg.mkPen(PATH_COLOUR, width=2))
        self.steps = pg.ScatterPlotItem(size=6, pen=None, brush=pg.mkBrush(PATH_COLOUR))
        self.ends = pg.ScatterPlotItem(
            size=14, pen=pg.mkPen(plot_foreground(), width=1.5), brush=pg.mkBrush(PATH_COLOUR)
        )
        for item in (self.line, self.steps):
            item.setZValue(Z_SAMPLES + 1)  # over the points and samples, under the hover ring and cursor
        self.ends.setZValue(Z_HOVER - 1)
        for item in (self.line, self.steps, self.ends):
            plot.addItem(item, ignoreBounds=True)  # the view fits the data, not a path drawn past it
        self._events = Subscriptions()
        self._events.connect(path.path_changed, self._show_path)
        self._events.connect(path.ends_changed, self._show_ends)
        pane.latent_map.scene().sigMouseClicked.connect(self._clicked)
        self._show_ends(path.start, path.end)
        self._show_path(path.points)

    def detach(self) -> None:
        self._events.disconnect_all()
        self.pane.latent_map.scene().sigMouseClicked.disconnect(self._clicked)

    @property
    def shown_points(self) -> np.ndarray | None:
        """The path's points as drawn on this map (None when none is)."""
        x, y = self.line.getData()
        return None if x is None or len(x) == 0 else np.column_stack([x, y])

    def _show_path(self, points: np.ndarray | None) -> None:
        if points is None:
            self.line.setData([], [])
            replace_points(self.steps, None)
            return
        self.line.setData(points[:, 0], points[:, 1])
        # Dots at the steps of a walk; a recording's hundreds of points would only thicken the line.
        replace_points(self.steps, points if self.path.kind == "walk" else None)

    def _show_ends(self, start: PathEnd | None, end: PathEnd | None) -> None:
        ends = [e.point for e in (start, end) if e is not None]
        replace_points(self.ends, None)
        if ends:  # the start a circle, the end a square
            self.ends.setData(pos=ends, symbol=["o", "s"][: len(ends)])

    # -- picking the ends ---------------------------------------------------------------------
    def _clicked(self, event) -> None:  # a pyqtgraph MouseClickEvent
        point = clicked_point(self.pane.latent_map, event) if self.path.active else None
        if point is not None:
            self.pick_at(*point)

    def pick_at(self, x: float, y: float) -> str:
        """Pick the end at map point (x, y) as a click there does; returns "start" or "end"."""
        point, label = self._what_is_at(x, y)
        return self.path.pick(point, label)

    def _what_is_at(self, x: float, y: float) -> tuple[tuple[float, float], str]:
        latent_map, state = self.pane.latent_map, self.pane.state
        row = latent_map.hovered_index
        encoded = latent_map.encoded
        if row is not None and encoded is not None:
            z = encoded.z[row, :2]
            return (float(z[0]), float(z[1])), f"test image {encoded.test_id(row)}"
        samples = state.samples
        if samples is not None and len(samples):
            at = latent_map.view_to_widget(x, y)
            pixels = np.array([[p.x(), p.y()] for p in (latent_map.view_to_widget(*s[:2]) for s in samples)])
            distance = np.hypot(*(pixels - [at.x(), at.y()]).T)
            nearest = int(np.argmin(distance))
            if distance[nearest] <= SNAP_PX:
                s = samples[nearest]
                return (float(s[0]), float(s[1])), f"sample {nearest + 1}"
        return (float(x), float(y)), f"({x:.2f}, {y:.2f})"
