"""The decoded manifold drawn behind the scatter, and the controls that shape it.

The picture itself (a grid of decoded images tiled into one raster) is made by
:mod:`gaerchen_gui.core.manifold` in the decode worker's thread; here it is only
shown: one ``ImageItem`` stretched over the grid's latent extent, under the points.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, QSignalBlocker, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QCheckBox, QComboBox, QGridLayout, QLabel, QSlider, QSpinBox, QWidget

from gaerchen_gui.core.manifold import (
    DEFAULT_OPACITY,
    DEFAULT_RESOLUTION,
    MAX_RESOLUTION,
    MIN_RESOLUTION,
    ManifoldOptions,
    Spacing,
)
from gaerchen_gui.gui.map_items import Z_BACKGROUND, paint_from_cache
from gaerchen_gui.gui.theme import plot_background, plot_foreground

NORMAL_SPACING_NOTE = (
    "Each cell holds the same prior probability, so the cells near 0 are small and so are their"
    " images (drawn square, never squeezed): zoom in to read them."
)
SPACING_LABELS: dict[Spacing, str] = {
    "uniform": "Even over the data",
    "normal": "Normal quantiles",
}


class ManifoldLayer(pg.ImageItem):
    """Grey decoded images in the plot's own colours: the background where a pixel is 0, the text
    colour where it is 1, so the tiles read as drawings on the map in a light and a dark theme."""

    def __init__(self) -> None:
        super().__init__(axisOrder="row-major")  # picture[row, col], row 0 at the lowest z1
        self.setZValue(Z_BACKGROUND)
        self.setOpacity(DEFAULT_OPACITY)
        paint_from_cache(self)
        self.apply_palette()

    def apply_palette(self) -> None:
        ramp = np.linspace(0.0, 1.0, 256)[:, None]
        low, high = plot_background().getRgb()[:3], plot_foreground().getRgb()[:3]
        lut = (np.array(low) * (1 - ramp) + np.array(high) * ramp).round().astype(np.uint8)
        self.setLookupTable(lut)

    def show_picture(self, picture: np.ndarray, extent: tuple[float, float, float, float]) -> None:
        """``picture`` (H, W) uint8 from ``render_manifold``; ``extent`` = (x0, y0, width, height) in latent units."""
        self.setImage(picture, autoLevels=False, levels=(0, 255))
        self.setRect(QRectF(*extent))

    def clear_picture(self) -> None:
        self.clear()

    @property
    def has_picture(self) -> bool:
        return self.image is not None


class ManifoldControls(QWidget):
    """Show / opacity / grid size / spacing. ``changed`` fires after any of them changes."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._kind: str | None = None  # the model shown: "ae", "vae" or None
        self._preferred_spacing: Spacing = "uniform"  # the user's choice, kept while an AE is shown
        self.show_box = QCheckBox("Show behind the map")
        self.show_box.setObjectName("manifoldShow")
        self.show_box.setToolTip("Decode a grid of latent points and tile the images behind the scatter (Ctrl+M)")

        self.opacity_slider = QSlider(Qt.Orientation.Horizontal)
        self.opacity_slider.setObjectName("manifoldOpacity")
        self.opacity_slider.setRange(5, 100)
        self.opacity_slider.setValue(round(DEFAULT_OPACITY * 100))
        self.opacity_slider.setToolTip("How strongly the decoded images show through")

        self.resolution_box = QSpinBox()
        self.resolution_box.setObjectName("manifoldResolution")
        self.resolution_box.setRange(MIN_RESOLUTION, MAX_RESOLUTION)
        self.resolution_box.setValue(DEFAULT_RESOLUTION)
        self.resolution_box.setSuffix(" per side")
        self.resolution_box.setKeyboardTracking(False)
        self.resolution_box.setToolTip("Grid points along each axis (the grid decodes this number squared)")

        self.spacing_box = QComboBox()
        self.spacing_box.setObjectName("manifoldSpacing")
        for spacing, label in SPACING_LABELS.items():
            self.spacing_box.addItem(label, spacing)
        self.spacing_box.setToolTip(
            "Even: a regular grid over the embeddings' bounding box.\n"
            "Normal quantiles (VAE): equally likely cells under N(0, I), the book's norm.cdf view turned\n"
            "around: dense near the origin, sparse in the tails."
        )

        self.status = QLabel()
        self.status.setObjectName("manifoldStatus")
        note = self.status.palette()  # greyed: a note, not a control
        note.setColor(QPalette.ColorRole.WindowText, note.color(QPalette.ColorRole.PlaceholderText))
        self.status.setPalette(note)
        # Why the central tiles of a normal-quantile grid are small (core/manifold.py): said where it shows.
        self.spacing_note = QLabel(NORMAL_SPACING_NOTE)
        self.spacing_note.setObjectName("manifoldSpacingNote")
        self.spacing_note.setWordWrap(True)
        self.spacing_note.setPalette(note)
        self.spacing_note.setVisible(False)

        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(6)
        grid.addWidget(self.show_box, 0, 0, 1, 2)
        grid.addWidget(QLabel("Opacity"), 0, 2, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.opacity_slider, 0, 3)
        grid.addWidget(QLabel("Grid"), 1, 0)
        grid.addWidget(self.resolution_box, 1, 1)
        grid.addWidget(QLabel("Spacing"), 1, 2, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.spacing_box, 1, 3)
        grid.addWidget(self.spacing_note, 2, 0, 1, 4)
        grid.addWidget(self.status, 3, 0, 1, 4)
        grid.setColumnStretch(3, 1)

        self.opacity_slider.valueChanged.connect(self.changed)
        self.resolution_box.valueChanged.connect(self.changed)
        self.spacing_box.currentIndexChanged.connect(self._on_spacing_chosen)
        self._update_enabled()
        self.show_box.toggled.connect(self._update_enabled)

    def options(self) -> ManifoldOptions:
        return ManifoldOptions(
            opacity=self.opacity_slider.value() / 100,
            resolution=self.resolution_box.value(),
            spacing=self._preferred_spacing,
        )

    def set_options(self, options: ManifoldOptions) -> None:
        self.opacity_slider.setValue(round(options.opacity * 100))
        self.resolution_box.setValue(options.resolution)
        self._preferred_spacing = options.spacing if options.spacing in SPACING_LABELS else "uniform"
        self._show_spacing()

    def set_model_kind(self, kind: str | None) -> None:
        """Normal-quantile spacing only means something for a VAE, whose prior is N(0, I)."""
        self._kind = kind
        item = self.spacing_box.model().item(self.spacing_box.findData("normal"))
        item.setEnabled(kind == "vae")
        item.setToolTip("" if kind == "vae" else "Only for a VAE: a plain AE has no prior to space the grid by")
        self._show_spacing()

    def effective_spacing(self) -> Spacing:
        """The spacing to draw with: the user's choice for a VAE, always even for an AE."""
        return self._preferred_spacing if self._kind == "vae" else "uniform"

    def set_status(self, text: str) -> None:
        self.status.setText(text)

    def _on_spacing_chosen(self) -> None:
        if self._kind == "vae":
            self._preferred_spacing = self.spacing_box.currentData()
        self.spacing_note.setVisible(self.effective_spacing() == "normal")
        self.changed.emit()

    def _show_spacing(self) -> None:
        blocker = QSignalBlocker(self.spacing_box)  # showing the effective spacing is not a choice
        self.spacing_box.setCurrentIndex(self.spacing_box.findData(self.effective_spacing()))
        del blocker
        self.spacing_note.setVisible(self.effective_spacing() == "normal")

    def _update_enabled(self) -> None:
        on = self.show_box.isChecked()
        for widget in (self.opacity_slider, self.resolution_box, self.spacing_box):
            widget.setEnabled(on)
