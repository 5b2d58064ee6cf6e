"""What the map's scene items share: their stacking order, and two ways to keep them cheap and clean to repaint.

Z order, bottom to top::

    Z_BACKGROUND  the decoded manifold (manifold_layer.py), placed with setRect
    Z_GRID        the grid lines
    Z_TRAIN       the training points: smaller and fainter, hidden until asked for
    Z_TEST        the test points
    Z_SAMPLES     sampled points and their numbers
    Z_HOVER       ring around the point under the mouse
    Z_CURSOR      the cursor, and the arrow pointing to it when it is out of view
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QGraphicsItem

Z_BACKGROUND, Z_GRID, Z_TRAIN, Z_TEST, Z_SAMPLES, Z_HOVER, Z_CURSOR = -20, -15, -10, 0, 10, 15, 20


def paint_from_cache(item: QGraphicsItem) -> None:
    """Let Qt keep ``item`` as a pixmap in screen pixels, redrawn only when it changes or the view zooms.

    A cursor drag repaints the few pixels the cursor left and entered, many times a second, and Qt
    calls the Python ``paint`` of every item under them: ~2 ms a move for the grid, the point layers
    and the samples, on the GUI thread and holding the GIL while the decoder thread waits for it.
    From the cache, the same repaint is a copy of pixels in C++. Panning moves the cache as it is.
    """
    item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def replace_points(item: pg.ScatterPlotItem, positions) -> None:  # (N, 2) array-like or None
    """``item.setData(pos=positions)`` (or ``clear()``), repainting where the old points were.

    pyqtgraph's setData empties the item *before* it announces the geometry change, so Qt never
    repaints the old points' area: under X11 a moved hover ring or resampled marker stays on
    screen as a ghost. Announcing the change while the old points are still there fixes it.
    """
    item.prepareGeometryChange()
    item.update()
    if positions is None or len(positions) == 0:
        item.clear()
    else:
        item.setData(pos=positions)
