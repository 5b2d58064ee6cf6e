"""The map layer of a time-lapse frame: the live subset's codes at a recorded step, in place of the map.

While a frame is shown the map's own test points are hidden (and so not hovered: their positions
are not the ones on screen) and this layer draws the frame's points with the same size, opacity
and class colours, in a :class:`~gaerchen_gui.gui.point_layer.PointLayer` of its own (one raster,
redrawn per frame: ~5-10 ms for 2,000 points, so playback keeps well above 30 frames a second).
Hidden classes of the legend stay hidden. The view is left as it is: a user who zoomed into a
cluster watches it form there.
"""

from __future__ import annotations

import numpy as np

from gaerchen_gui.core.projection import LatentProjection
from gaerchen_gui.gui.latent_map import POINT_SIZE, LatentMap
from gaerchen_gui.gui.map_items import Z_TEST, paint_from_cache
from gaerchen_gui.gui.point_layer import PointLayer
from gaerchen_gui.gui.theme import POINT_ALPHA


def view_points(codes: np.ndarray, projection: LatentProjection | None) -> np.ndarray:
    """(N, D) codes -> (N, 2) map coordinates: through the map's projection for a D > 2 model, as the
    map's own points are, so that a frame and the map share their axes."""
    return codes[:, :2] if projection is None else projection.to_view(codes)


def labels_of(test_ids: np.ndarray, rows_ids: np.ndarray | None, rows_labels: np.ndarray) -> np.ndarray | None:
    """The classes of test images ``test_ids``, given a map's rows (their test image numbers, None:
    row i is image i) and labels; None if the map does not hold all of them."""
    if rows_ids is None:
        return rows_labels[test_ids] if len(test_ids) and test_ids.max() < len(rows_labels) else None
    order = np.argsort(rows_ids)
    found = np.searchsorted(rows_ids, test_ids, sorter=order)
    found = np.minimum(found, len(rows_ids) - 1)
    rows = order[found]
    return rows_labels[rows] if np.array_equal(rows_ids[rows], test_ids) else None


class FrameLayer:
    """Shows a frame's points on ``latent_map`` instead of its test points; :meth:`hide` goes back."""

    def __init__(self, latent_map: LatentMap) -> None:
        self.map = latent_map
        self.points = PointLayer(POINT_SIZE, POINT_ALPHA)
        self.points.setZValue(Z_TEST)
        self.points.setVisible(False)
        paint_from_cache(self.points)
        # ignoreBounds: "Reset View" fits the map's data, not an early frame's speck
        latent_map.getPlotItem().addItem(self.points, ignoreBounds=True)
        latent_map.legend.visibilityChanged.connect(self._follow_legend)
        self._follow_legend()

    @property
    def shown(self) -> bool:
        return self.points.isVisible()

    def show(self, xy: np.ndarray, labels: np.ndarray) -> None:
        """Draw ``xy`` (N, 2) coloured by ``labels`` (N,) in place of the map's test points."""
        self.points.set_points(xy, labels)
        if not self.points.isVisible():
            self.map.hover.set(None, None)
            self.map.scatter.setVisible(False)
            self.points.setVisible(True)

    def hide(self) -> None:
        if self.points.isVisible():
            self.points.setVisible(False)
            self.points.clear()
            self.map.scatter.setVisible(True)

    def _follow_legend(self, *_: object) -> None:
        self.points.set_class_visible(self.map.legend.visible_classes())
