"""One's own images on a pane's map: the drawing as a pin with (VAE) its posterior's 1- and 2-sigma
ellipses, and each pinned file as a small framed thumbnail of itself as the model sees it.

The layer draws what :class:`OwnImages` says about this pane's model and nothing else; a model
with D > 2 latent dimensions has its codes seen through the pane's projection like the test points.
Thumbnails keep their size in screen pixels whatever the zoom (``ItemIgnoresTransformations``).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPixmapItem

from gaerchen_gui.components.model_state import ModelState
from gaerchen_gui.components.own_images import ImagePin, OwnImages
from gaerchen_gui.components.subscriptions import Subscriptions
from gaerchen_gui.core.placement import Placement
from gaerchen_gui.gui.images import to_pixmap
from gaerchen_gui.gui.map_hover import POSTERIOR_SIGMAS, posterior_ellipse

Z_PINS = 18  # over the hover ring, under the cursor (see map_items.py)
THUMB_PX = 34
PIN_COLOR = "#e8590c"  # the drawing's pin and its ellipses: one colour no class uses


def framed(image: np.ndarray, size: int = THUMB_PX) -> QPixmap:
    """``image`` as a ``size`` px thumbnail in a frame that stands out on any background."""
    pixmap = to_pixmap(image, size - 4, smooth=True)
    out = QPixmap(size, size)
    out.fill(QColor(PIN_COLOR))
    painter = QPainter(out)
    painter.drawPixmap(2, 2, pixmap)
    painter.end()
    return out


class PinLayer(QObject):
    def __init__(self, plot: pg.PlotItem, state: ModelState, own: OwnImages) -> None:
        super().__init__()
        self.plot, self.state, self.own = plot, state, own
        self.drawing_pin = pg.ScatterPlotItem(
            size=26, symbol="star", pen=pg.mkPen("#1a1a1a", width=1.5), brush=pg.mkBrush(PIN_COLOR)
        )
        self.drawing_pin.setZValue(Z_PINS)
        plot.addItem(self.drawing_pin, ignoreBounds=True)
        pen = QPen(QColor(PIN_COLOR), 2, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        self.ellipses = [pg.PlotCurveItem(pen=pen) for _ in POSTERIOR_SIGMAS]
        for ellipse in self.ellipses:
            ellipse.setZValue(Z_PINS)
            plot.addItem(ellipse, ignoreBounds=True)
        self.thumbnails: dict[int, QGraphicsPixmapItem] = {}  # pin id -> its thumbnail on the map
        self.drawing_xy: tuple[float, float] | None = None  # where the drawing's pin is, None: not shown
        self._events = Subscriptions()  # the state outlives a pane removed from compare mode
        self._events.connect(own.placed, self._on_placed)
        self._events.connect(own.pins_changed, lambda _: self.redraw())
        self._events.connect(own.drawing_changed, lambda drawing: drawing is None and self.redraw())
        self._events.connect(state.projection_changed, lambda _: self.redraw())
        self.redraw()

    def detach(self) -> None:
        self._events.disconnect_all()

    def _on_placed(self, state: ModelState) -> None:
        if state is self.state:
            self.redraw()

    def _to_view(self, placement: Placement) -> tuple[np.ndarray, np.ndarray | None] | None:
        """The placement's (x, y) on this map and its sigma there; None if it belongs to another view's model."""
        projection, z = self.state.projection, placement.z
        if len(z) != (2 if projection is None else projection.dim):
            return None
        log_var = placement.log_var
        if projection is not None:
            z = projection.to_view(z[None])[0]
            log_var = None if log_var is None else projection.log_var_to_view(log_var[None])[0]
        sigma = None if log_var is None else np.exp(0.5 * np.asarray(log_var[:2], dtype=np.float64))
        return np.asarray(z[:2], dtype=np.float64), sigma

    def redraw(self) -> None:
        self._draw_drawing(self.own.drawing_placement(self.state))
        shown = set()
        for pin in self.own.pins:
            placement = self.own.pin_placement(self.state, pin)
            where = None if placement is None else self._to_view(placement)
            if where is not None:
                self._thumbnail(pin).setPos(float(where[0][0]), float(where[0][1]))
                shown.add(pin.id)
        for pin_id in [i for i in self.thumbnails if i not in shown]:
            self.plot.getViewBox().removeItem(self.thumbnails.pop(pin_id))

    def _draw_drawing(self, placement: Placement | None) -> None:
        where = None if placement is None or self.own.drawing is None else self._to_view(placement)
        if where is None:
            self.drawing_xy = None
            self.drawing_pin.setData([])
            for ellipse in self.ellipses:
                ellipse.setVisible(False)
            return
        xy, sigma = where
        self.drawing_xy = (float(xy[0]), float(xy[1]))
        self.drawing_pin.setData([xy[0]], [xy[1]])
        for k, ellipse in zip(POSTERIOR_SIGMAS, self.ellipses, strict=True):
            if sigma is not None:
                ellipse.setData(*posterior_ellipse(xy, sigma, k))
            ellipse.setVisible(sigma is not None)

    def _thumbnail(self, pin: ImagePin) -> QGraphicsPixmapItem:
        item = self.thumbnails.get(pin.id)
        if item is None:
            item = QGraphicsPixmapItem(framed(pin.pixels))
            item.setOffset(-THUMB_PX / 2, -THUMB_PX / 2)  # centred on its code
            item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations)
            item.setZValue(Z_PINS)
            item.setToolTip(pin.name)
            self.plot.getViewBox().addItem(item, ignoreBounds=True)
            self.thumbnails[pin.id] = item
        return item

    @property
    def pin_positions(self) -> dict[int, tuple[float, float]]:
        """Where each pinned file's thumbnail is (pin id -> map x, y): what the user sees, for tests."""
        return {i: (item.pos().x(), item.pos().y()) for i, item in self.thumbnails.items()}
