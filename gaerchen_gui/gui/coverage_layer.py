"""Holes made visible: a map layer shading each region by its distance to the nearest encoded
image, with, for a VAE, the prior's 1-, 2- and 3-sigma circles and the aggregate posterior's
contours at the same probability masses (the numbers: :mod:`gaerchen_gui.core.coverage`).

Cells within one off-data threshold of an image stay clear; the shade grows to full strength at
two thresholds, so the holes the status bar calls "OFF THE DATA" are the shaded ones.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QTransform
from PySide6.QtWidgets import QCheckBox, QGridLayout, QLabel, QSlider, QWidget

from gaerchen_gui.core.coverage import COVERAGE_OPACITY, SIGMA_LEVELS, CoveragePicture
from gaerchen_gui.gui.loss_curves import KL_COLOUR
from gaerchen_gui.gui.map_items import Z_BACKGROUND
from gaerchen_gui.gui.theme import OFF_DATA_COLOR, plot_foreground

CLEAR_UP_TO = 1.0  # in off-data thresholds: no shade this close to an image
FULL_FROM = 2.0  # full shade from here on
_CIRCLE_POINTS = 181


def shade_lut(colour: QColor) -> np.ndarray:
    """(256, 4) uint8: transparent up to CLEAR_UP_TO, rising to ``colour`` at FULL_FROM (of a 0..3 range)."""
    distance = np.linspace(0.0, 3.0, 256)
    alpha = np.clip((distance - CLEAR_UP_TO) / (FULL_FROM - CLEAR_UP_TO), 0.0, 1.0)
    lut = np.empty((256, 4), dtype=np.uint8)
    lut[:, :3] = colour.getRgb()[:3]
    lut[:, 3] = np.round(200 * alpha).astype(np.uint8)
    return lut


class CoverageLayer:
    """The items of the layer, added to a plot; :meth:`show_picture` fills them."""

    def __init__(self, plot: pg.PlotItem) -> None:
        self.shade = pg.ImageItem(axisOrder="row-major")
        self.shade.setZValue(Z_BACKGROUND + 1)  # over the decoded manifold, under the points
        self.shade.setLookupTable(shade_lut(QColor(OFF_DATA_COLOR)))
        prior_pen = pg.mkPen(plot_foreground(), width=1.2, style=Qt.PenStyle.DashLine)
        self.prior = [pg.PlotCurveItem(pen=prior_pen) for _ in SIGMA_LEVELS]
        posterior_pen = pg.mkPen(KL_COLOUR, width=1.6)
        self.posterior = [pg.IsocurveItem(level=0.0, pen=posterior_pen, axisOrder="row-major") for _ in SIGMA_LEVELS]
        for item in (self.shade, *self.prior, *self.posterior):
            item.setZValue(Z_BACKGROUND + 1)
            plot.addItem(item, ignoreBounds=True)  # auto-range follows the data, not the padded layer
        self._picture: CoveragePicture | None = None
        self._visible = False
        self._opacity = COVERAGE_OPACITY
        self.set_visible(False)

    @property
    def picture(self) -> CoveragePicture | None:
        return self._picture

    @property
    def shows_posterior(self) -> bool:
        return self._visible and self._picture is not None and self._picture.density is not None

    def set_visible(self, on: bool) -> None:
        self._visible = on
        has_density = self._picture is not None and self._picture.density is not None
        self.shade.setVisible(on and self._picture is not None)
        for item in (*self.prior, *self.posterior):
            item.setVisible(on and has_density)

    def set_opacity(self, opacity: float) -> None:
        self._opacity = opacity
        self.shade.setOpacity(opacity)

    def clear(self) -> None:
        self._picture = None
        self.shade.clear()
        self.set_visible(self._visible)

    def show_picture(self, picture: CoveragePicture) -> None:
        self._picture = picture
        x0, y0, x1, y1 = picture.extent
        self.shade.setImage(picture.distance, autoLevels=False, levels=(0.0, 3.0))
        self.shade.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        self.shade.setOpacity(self._opacity)
        if picture.density is not None and picture.density_extent is not None:
            angle = np.linspace(0.0, 2 * np.pi, _CIRCLE_POINTS)
            for k, circle in zip(SIGMA_LEVELS, self.prior, strict=True):
                circle.setData(k * np.cos(angle), k * np.sin(angle))
            rows, columns = picture.density.shape
            dx0, dy0, dx1, dy1 = picture.density_extent
            # isocurve coordinates are cell indices; index i is the centre of cell i
            to_latent = QTransform()
            to_latent.translate(dx0 + 0.5 * (dx1 - dx0) / columns, dy0 + 0.5 * (dy1 - dy0) / rows)
            to_latent.scale((dx1 - dx0) / columns, (dy1 - dy0) / rows)
            for level, curve in zip(picture.density_levels, self.posterior, strict=True):
                curve.setData(picture.density, level)
                curve.setTransform(to_latent)
        self.set_visible(self._visible)


class CoverageControls(QWidget):
    """Show / opacity of the holes layer, and what its marks mean."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.show_box = QCheckBox("Shade the holes")
        self.show_box.setObjectName("coverageShow")
        self.show_box.setToolTip(
            "Shade each region by its distance to the nearest encoded test image: clear within one "
            "off-data distance, full from two. For a VAE, also the prior's and the aggregate posterior's contours."
        )
        self.opacity_slider = QSlider(Qt.Orientation.Horizontal)
        self.opacity_slider.setObjectName("coverageOpacity")
        self.opacity_slider.setRange(5, 100)
        self.opacity_slider.setValue(round(COVERAGE_OPACITY * 100))
        self.opacity_slider.setToolTip("How strongly the holes are shaded")
        key = QLabel(
            f'<span style="color: {OFF_DATA_COLOR}">■</span> off the data &nbsp; '
            "╌ prior N(0, I) at 1, 2, 3 σ &nbsp; "
            f'<span style="color: rgb{tuple(KL_COLOUR)}">━</span> aggregate posterior, same masses (VAE)'
        )
        key.setWordWrap(True)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.show_box, 0, 0)
        layout.addWidget(QLabel("Opacity"), 0, 1)
        layout.addWidget(self.opacity_slider, 0, 2)
        layout.addWidget(key, 1, 0, 1, 3)

    @property
    def opacity(self) -> float:
        return self.opacity_slider.value() / 100
