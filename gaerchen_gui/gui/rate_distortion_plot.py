"""The sweep's rate-distortion plot: test KL (rate) against test reconstruction BCE (distortion).

One point per BETA, joined in BETA's order and labelled by it: a small BETA buys a low KL (codes
close to the prior) with blurry reconstructions, a large one the reverse. Click a point to open
that model in the explorer; Ctrl+click (or Shift+click) adds it to a compare pane.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from gaerchen_gui.gui.theme import muted, plot_background, plot_foreground

POINT_SIZE = 12  # px: a target the mouse hits without aiming
POINT_COLOUR = "#d62728"
SELECTED_COLOUR = "#1f77b4"
COMPARE_MODIFIERS = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


class RateDistortionPlot(QWidget):
    runClicked = Signal(float, bool)  # BETA, True: add to compare (a modifier held), False: open

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot = pg.PlotWidget()
        self.plot.setObjectName("rateDistortionPlot")
        self.plot.setMinimumSize(300, 260)
        item = self.plot.getPlotItem()
        item.setTitle("Rate vs distortion (test set)")
        item.setLabel("bottom", "KL to the prior (nats): rate")
        item.setLabel("left", "reconstruction BCE: distortion")
        item.showGrid(x=True, y=True, alpha=0.25)
        item.getAxis("left").enableAutoSIPrefix(False)  # "BCE (x0.001)" reads as a different number
        item.setMenuEnabled(False)
        item.vb.setDefaultPadding(0.15)  # room for the labels right of the outermost points
        self.line = item.plot(pen=pg.mkPen(muted(plot_foreground(), 160), width=1.5))
        self.scatter = pg.ScatterPlotItem(size=POINT_SIZE, hoverable=True, tip=self._tip)
        self.scatter.sigClicked.connect(self._on_clicked)
        item.addItem(self.scatter)
        self._labels: list[pg.TextItem] = []
        self._betas = np.empty(0)
        self.selected: float | None = None
        self.plot.setBackground(plot_background())
        self.setToolTip("Click a point to open that model; Ctrl+click adds it to a compare pane")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)

    def set_curve(self, kl: np.ndarray, bce: np.ndarray, betas: np.ndarray) -> None:
        """Show one point per run (arrays by increasing BETA)."""
        self._betas = np.asarray(betas, dtype=np.float64)
        self.line.setData(kl, bce)
        self.scatter.setData(x=kl, y=bce, data=list(self._betas))
        for label in self._labels:
            self.plot.removeItem(label)
        self._labels = []
        middle = (np.min(kl) + np.max(kl)) / 2 if len(kl) else 0.0
        for i, (x, y, beta) in enumerate(zip(kl, bce, self._betas, strict=True)):
            # Left of the points in the right half (never cut off at the edge); above and below in turn,
            # so that neighbours at about the same place (two collapsed runs) stay readable.
            anchor = (1.15 if x > middle else -0.15, 1.1 if i % 2 == 0 else -0.1)
            label = pg.TextItem(f"β {beta:g}", color=plot_foreground(), anchor=anchor)
            label.setPos(float(x), float(y))
            self.plot.addItem(label)
            self._labels.append(label)
        self._paint()
        if len(self._betas):
            self.plot.getPlotItem().enableAutoRange()

    def select(self, beta: float | None) -> None:
        self.selected = beta
        self._paint()

    def point_position(self, beta: float) -> QPointF:
        """Where the point of ``beta`` is, in the plot widget's own coordinates (a place to click)."""
        index = int(np.flatnonzero(self._betas == beta)[0])
        x, y = self.scatter.data["x"][index], self.scatter.data["y"][index]
        scene = self.plot.getPlotItem().vb.mapViewToScene(QPointF(float(x), float(y)))
        return QPointF(self.plot.mapFromScene(scene))

    def labels(self) -> list[str]:
        return [label.textItem.toPlainText() for label in self._labels]

    def _paint(self) -> None:
        brushes = [pg.mkBrush(SELECTED_COLOUR if b == self.selected else POINT_COLOUR) for b in self._betas]
        if brushes:
            self.scatter.setBrush(brushes)

    @staticmethod
    def _tip(x: float, y: float, data: object) -> str:
        return f"BETA {data:g}\nKL {x:.3g} nats, BCE {y:.4f}\nclick: open  ·  Ctrl+click: compare"

    def _on_clicked(self, _item, points, event) -> None:
        if len(points) == 0:
            return
        beta = float(points[0].data())
        event.accept()
        self.runClicked.emit(beta, bool(event.modifiers() & COMPARE_MODIFIERS))
