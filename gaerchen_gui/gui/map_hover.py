"""The test image under the mouse: a ring around its dot and a card with the image, on the latent map."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF

from gaerchen_gui.core.encoding import EncodedSet
from gaerchen_gui.core.neighbours import Nearest
from gaerchen_gui.gui.hover_card import HoverCard
from gaerchen_gui.gui.map_items import Z_HOVER, replace_points

HOVER_RADIUS_PX = 10  # the hover card shows the nearest image only if it is this close on screen
POSTERIOR_SIGMAS = (1, 2)  # a VAE's hovered image: its posterior's 1- and 2-sigma ellipses
_ELLIPSE_POINTS = 97


class MapHover:
    """Which test image is hovered (:attr:`index`), its ring in the plot and its card over the map widget.

    ``on_change(index or None)`` is called when the hovered image changes.
    """

    def __init__(self, latent_map: pg.PlotWidget, on_change: Callable[[int | None], None]) -> None:
        self.map = latent_map
        self.index: int | None = None
        self.ring = pg.ScatterPlotItem(size=13, symbol="o", brush=None, antialias=True)
        self.ring.setZValue(Z_HOVER)
        latent_map.getPlotItem().addItem(self.ring)
        self.card = HoverCard(latent_map)
        self._on_change = on_change
        # A VAE encodes each image as a cloud N(z_mean, sigma^2), not a dot: hovering shows its extent.
        pen = pg.mkPen("#d62728", width=1.5)
        self.ellipses = [pg.PlotCurveItem(pen=pen) for _ in POSTERIOR_SIGMAS]
        for ellipse in self.ellipses:
            ellipse.setZValue(Z_HOVER)
            ellipse.setVisible(False)
            latent_map.getPlotItem().addItem(ellipse, ignoreBounds=True)
        self.posterior_sigma: np.ndarray | None = None  # (2,) of the hovered image, when its ellipses show

    def candidate(
        self, encoded: EncodedSet, class_visible: np.ndarray, point: np.ndarray, scene_pos: QPointF, nearest: Nearest
    ) -> int | None:
        """The shown test image nearest to latent ``point``, if it is within reach of the mouse on screen."""
        index = nearest.index
        if not class_visible[encoded.labels[index]]:
            visible = class_visible[encoded.labels]
            if not visible.any():
                return None
            d2 = np.sum((encoded.z[:, :2] - point) ** 2, axis=1)
            d2[~visible] = np.inf
            index = int(np.argmin(d2))
        z = encoded.z[index]
        on_screen = self.map.getPlotItem().getViewBox().mapViewToScene(QPointF(float(z[0]), float(z[1])))
        distance_px = np.hypot(on_screen.x() - scene_pos.x(), on_screen.y() - scene_pos.y())
        return index if distance_px <= HOVER_RADIUS_PX else None

    def set(self, encoded: EncodedSet | None, index: int | None, scene_pos: QPointF | None = None) -> None:
        """Hover test image ``index`` of ``encoded`` (None: nothing), the card placed near ``scene_pos``."""
        if index is None or encoded is None:
            if self.index is not None:
                self.index = None
                replace_points(self.ring, None)
                self._show_posterior(None, None)
                self.card.dismiss()
                self._on_change(None)
            return
        z = encoded.z[index]
        if index != self.index:
            self.index = index
            replace_points(self.ring, [z[:2]])
            log_var = encoded.z_log_var[index] if encoded.z_log_var is not None else None
            self._show_posterior(z, log_var)
            label = int(encoded.labels[index])
            self.card.show_image(index, label, encoded.images[index], z, encoded.test_id(index), encoded.class_names)
            self._on_change(index)
        if scene_pos is not None:
            self.card.place_near(self.map.mapFromScene(scene_pos))

    def _show_posterior(self, z: np.ndarray | None, log_var: np.ndarray | None) -> None:
        if z is None or log_var is None:
            self.posterior_sigma = None
            for ellipse in self.ellipses:
                ellipse.setVisible(False)
            return
        self.posterior_sigma = np.exp(0.5 * np.asarray(log_var[:2], dtype=np.float64))
        for k, ellipse in zip(POSTERIOR_SIGMAS, self.ellipses, strict=True):
            ellipse.setData(*posterior_ellipse(z, self.posterior_sigma, k))
            ellipse.setVisible(True)


def posterior_ellipse(z: np.ndarray, sigma: np.ndarray, k: float) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of the ``k``-sigma ellipse of N(z, diag(sigma^2)) on the map (its first two coordinates)."""
    angle = np.linspace(0.0, 2 * np.pi, _ELLIPSE_POINTS)
    return z[0] + k * sigma[0] * np.cos(angle), z[1] + k * sigma[1] * np.sin(angle)


def skip_hover_events_while(scene: pg.GraphicsScene, dragging: Callable[[], bool]) -> None:
    """While ``dragging()`` (the cursor is dragged), skip pyqtgraph's own hover events for the scene.

    At every mouse move pyqtgraph asks Qt for every item near the mouse (each one's Python
    boundingRect) to send hover events: ~3 ms per move, before the drag reaches the cursor
    and asks for a decode. During a drag the cursor holds the mouse and nothing else should
    light up, so that work is wasted where latency matters most.
    """
    send_hover_events = scene.sendHoverEvents

    def unless_dragging(event, exitOnly: bool = False) -> None:  # pyqtgraph's names
        if dragging() and not exitOnly:
            return
        send_hover_events(event, exitOnly)

    scene.sendHoverEvents = unless_dragging
