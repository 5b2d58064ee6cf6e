"""The map's cursor, the arrow that points to it when it is out of view, and where typed positions may go.

The cursor can leave the view: dragged past the plot's edge, typed in far away, or
left behind by a zoom. Then an arrow on the view's edge points to it (with its
coordinates as a tip), and clicking the arrow brings it back into view.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF

EDGE_INSET_PX = 16  # the arrow's tip stays this far inside the view's edge, clear of the axes
TYPED_REACH = 1.0  # typed positions may lie this many data spans beyond the data's bounding box...
MIN_TYPED_REACH = 4.0  # ...and at least this many units (4 sigma of a VAE's prior): a young model's data is small


class CursorItem(pg.TargetItem):
    """TargetItem whose bounding box includes its pen: with a pen wider than one pixel, the stock one
    left slivers of the cross behind when dragged."""

    def boundingRect(self):  # Qt override
        rect = super().boundingRect()
        width = max(self.pen.widthF(), self.hoverPen.widthF(), 1.0)
        px_w, px_h = self.pixelSize()  # one device pixel, in item coordinates
        return rect.adjusted(-width * px_w, -width * px_h, width * px_w, width * px_h)

    def viewTransformChanged(self) -> None:
        # The cross is drawn at a fixed pixel size, so its extent in view units changes with the zoom:
        # tell Qt before the old extent is forgotten, or a zoom leaves a stale cross behind.
        self.prepareGeometryChange()
        super().viewTransformChanged()


class EdgeMarker(pg.ArrowItem):
    """An arrow on the view's edge, pointing towards the cursor while the cursor is out of view."""

    def __init__(self, on_click: Callable[[], None]) -> None:
        super().__init__(pxMode=True, headLen=18, tipAngle=40, tailLen=10, tailWidth=5, pen=None)
        self._on_click = on_click  # a QGraphicsPathItem is no QObject: no signals
        self.setVisible(False)

    def point_at(self, view_box: pg.ViewBox, target: tuple[float, float] | None) -> None:
        """Place the arrow on ``view_box``'s edge towards ``target`` (latent x, y); hide it when the target is
        in view or None. Works in screen pixels, so the arrow sits where the line from the view's centre to
        the cursor leaves the view, whatever the aspect of the axes."""
        if target is None:
            self.setVisible(False)
            return
        rect = view_box.sceneBoundingRect()
        aim = view_box.mapViewToScene(QPointF(*target))
        if rect.contains(aim) or rect.width() < 3 * EDGE_INSET_PX or rect.height() < 3 * EDGE_INSET_PX:
            self.setVisible(False)
            return
        inner = rect.adjusted(EDGE_INSET_PX, EDGE_INSET_PX, -EDGE_INSET_PX, -EDGE_INSET_PX)
        centre = inner.center()
        dx, dy = aim.x() - centre.x(), aim.y() - centre.y()
        # the largest fraction of (dx, dy) that stays inside the inner rectangle
        fraction = min(
            inner.width() / 2 / abs(dx) if dx else math.inf,
            inner.height() / 2 / abs(dy) if dy else math.inf,
        )
        tip = QPointF(centre.x() + dx * fraction, centre.y() + dy * fraction)
        # pyqtgraph's arrow points left at angle 0 and turns clockwise on screen (y grows downwards)
        self.setStyle(angle=math.degrees(math.atan2(dy, dx)) + 180)
        self.setPos(view_box.mapSceneToView(tip))
        self.setToolTip(
            f"The cursor is out of view at ({target[0]:.3g}, {target[1]:.3g}): click here or Reset View to see it"
        )
        self.setVisible(True)

    def mouseClickEvent(self, event) -> None:  # pyqtgraph MouseClickEvent
        event.accept()
        self._on_click()


def reachable_box(z: np.ndarray) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1): where a typed cursor position may go, ``TYPED_REACH`` data spans (at least
    ``MIN_TYPED_REACH`` units) around the data.

    Far enough to decode well off the data (what the explorer is for), near enough that a typo
    such as 1000 for 1.000 does not send the cursor where no view shows it next to the data.
    """
    z = np.asarray(z, dtype=np.float64)[:, :2]
    low, high = z.min(axis=0), z.max(axis=0)
    reach = max(TYPED_REACH * float((high - low).max()), MIN_TYPED_REACH)
    (x0, y0), (x1, y1) = (low - reach).tolist(), (high + reach).tolist()
    return x0, y0, x1, y1


def clamp_to(box: tuple[float, float, float, float], x: float, y: float) -> tuple[float, float]:
    x0, y0, x1, y1 = box
    return float(min(max(x, x0), x1)), float(min(max(y, y0), y1))


def contains(rect: QRectF, x: float, y: float) -> bool:
    return rect.left() <= x <= rect.right() and rect.top() <= y <= rect.bottom()
