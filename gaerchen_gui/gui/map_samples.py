"""The sampled latent points on the map: a ring each, numbered 1..N as the tiles of the sample grid."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor

from gaerchen_gui.gui.map_items import Z_SAMPLES, paint_from_cache, replace_points


class SampleMarkers:
    """The markers (one ScatterPlotItem, :attr:`markers`) and their numbers (a TextItem each) in ``plot``."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.plot = plot
        self.markers = pg.ScatterPlotItem(size=11, symbol="o", antialias=True)
        self.markers.setZValue(Z_SAMPLES)
        paint_from_cache(self.markers)
        plot.addItem(self.markers)
        self._numbers: list[pg.TextItem] = []
        self.visible = True
        self._foreground = QColor("black")

    def set_points(self, points: np.ndarray | None) -> None:
        """Mark ``points`` (N, 2+); None or empty removes the markers."""
        for text in self._numbers:
            self.plot.removeItem(text)
        self._numbers = []
        if points is None or len(points) == 0:
            replace_points(self.markers, None)
            return
        replace_points(self.markers, points[:, :2])
        for number, (x, y) in enumerate(points[:, :2], start=1):
            text = pg.TextItem(str(number), color=self._foreground, anchor=(-0.15, 1.05))
            text.setZValue(Z_SAMPLES)
            paint_from_cache(text.textItem)  # the QGraphicsTextItem that draws the number
            text.setPos(float(x), float(y))
            text.setVisible(self.visible)
            self.plot.addItem(text)
            self._numbers.append(text)

    def positions(self) -> np.ndarray:
        """(N, 2) positions of the marked points (N = 0 when there are none)."""
        x, y = self.markers.getData()
        return np.column_stack([x, y]) if len(x) else np.empty((0, 2))

    def set_visible(self, visible: bool) -> None:
        self.visible = visible
        self.markers.setVisible(visible)
        for text in self._numbers:
            text.setVisible(visible)

    def set_colours(self, foreground: QColor, background: QColor) -> None:
        self._foreground = QColor(foreground)
        self.markers.setPen(pg.mkPen(foreground, width=1.5))
        self.markers.setBrush(pg.mkBrush(background))
        for text in self._numbers:
            text.setColor(foreground)
