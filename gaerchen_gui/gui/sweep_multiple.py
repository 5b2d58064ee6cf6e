"""One small multiple of the sweep view: a BETA's latent map and a row of its decoded samples.

The map is a small scatter of the live subset's 2,000 test codes coloured by class (no pan or
zoom: it is for comparing shapes side by side); under it the model's decodes of the same six
N(0, I) draws as every other BETA's. Click the map to open the model in the explorer; the two
buttons open it or add it to a compare pane.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from gaerchen_gui.core.sweep_results import SweepRun
from gaerchen_gui.gui.images import to_qimage
from gaerchen_gui.gui.theme import POINT_ALPHA, class_color, plot_background

MAP_SIZE = 190  # px: three multiples across beside the plot in a 1400 px window, a row of six samples below
SAMPLE_PX = 30  # px per decoded sample: six of them as wide as the map


class SweepMultiple(QFrame):
    openRequested = Signal(float)  # BETA
    compareRequested = Signal(float)  # BETA

    def __init__(self, run: SweepRun, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.run = run
        self.setObjectName("sweepMultiple")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel(self._title_text())
        self.title.setWordWrap(True)
        self.title.setToolTip(str(run.path))
        self.map = pg.PlotWidget()
        self.map.setObjectName("sweepMultipleMap")
        self.map.setFixedSize(MAP_SIZE, MAP_SIZE)
        self.map.setBackground(plot_background())
        self.map.setToolTip("Click to open this model in the explorer")
        item = self.map.getPlotItem()
        item.hideAxis("left")
        item.hideAxis("bottom")
        item.setMenuEnabled(False)
        item.hideButtons()
        item.vb.setMouseEnabled(x=False, y=False)
        brushes = [pg.mkBrush(class_color(int(label), POINT_ALPHA)) for label in range(10)]
        self.scatter = pg.ScatterPlotItem(
            x=run.points[:, 0], y=run.points[:, 1], size=3, pen=None, brush=[brushes[i] for i in run.labels]
        )
        item.addItem(self.scatter)
        self.map.scene().sigMouseClicked.connect(self._on_map_clicked)
        self.samples = QLabel()
        self.samples.setObjectName("sweepMultipleSamples")
        self.samples.setPixmap(samples_pixmap(run.samples, SAMPLE_PX))
        self.samples.setToolTip("Decoded at the same six N(0, I) draws for every BETA")
        self.open_button = QPushButton("Open")
        self.open_button.setToolTip("Show this model in the explorer")
        self.open_button.clicked.connect(lambda: self.openRequested.emit(run.beta))
        self.compare_button = QPushButton("Compare")
        self.compare_button.setToolTip("Add this model to a compare pane")
        self.compare_button.clicked.connect(lambda: self.compareRequested.emit(run.beta))
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.compare_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(3)
        layout.addWidget(self.title)
        layout.addWidget(self.map)
        layout.addWidget(self.samples)
        layout.addLayout(buttons)
        self.setFixedWidth(MAP_SIZE + 10)
        # as tall as its contents: a grid row with spare height must not spread the title from the map
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def _title_text(self) -> str:
        run = self.run
        dims = "" if run.latent_dim == 2 else f", {run.latent_dim}-D (PCA plane)"
        measured = " (measured)" if run.measured else ""
        # Each small map fits its own points: the span says whether they fill the prior's few units or
        # huddle within a hundredth of one (a collapsed posterior's means).
        span = np.ptp(run.points, axis=0) if len(run.points) else np.zeros(2)
        return (
            f"<b>BETA {run.beta:g}</b>{dims}<br>KL {run.kl:.3g}, BCE {run.bce:.4f}{measured}"
            f"<br>map spans {span[0]:.2g} × {span[1]:.2g}"
        )

    def set_selected(self, selected: bool) -> None:
        self.setFrameShadow(QFrame.Shadow.Sunken if selected else QFrame.Shadow.Plain)
        self.setLineWidth(2 if selected else 1)

    def _on_map_clicked(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.openRequested.emit(self.run.beta)


def samples_pixmap(samples: np.ndarray, tile: int) -> QPixmap:
    """The decoded samples (S, 32, 32) side by side, ``tile`` px each, a 1 px gap between."""
    count = len(samples)
    strip = np.ones((32, count * 33 - 1), np.float32)
    for i, image in enumerate(samples):
        strip[:, i * 33 : i * 33 + 32] = image
    image = to_qimage(strip)
    width = count * tile + count - 1
    return QPixmap.fromImage(
        image.scaled(width, tile, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.SmoothTransformation)
    )
