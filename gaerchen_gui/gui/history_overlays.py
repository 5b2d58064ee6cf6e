"""Other models' training histories over the loss curves (compare mode): one colour per model, a key.

The curves compared are the reconstruction terms, the one quantity every model
has in the same units: mean per-pixel BCE. With an AE in the dock they sit on
its loss plot (which is that BCE); with a VAE on its reconstruction plot, scaled
as that plot is (x BETA of the dock's model when "BETA-weighted" is checked).
Each is smoothed like the dock's own curves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg

from gaerchen_gui.core.training import TrainingHistory
from gaerchen_gui.gui.loss_curves import LossCurves, ema

OVERLAY_COLOURS = ((214, 39, 40), (148, 103, 189), (140, 86, 75))  # red, purple, brown: not the dock's own


@dataclass(frozen=True)
class OverlayHistory:
    name: str  # "VAE (vae.pt)"
    history: TrainingHistory
    kind: str
    beta: float


class HistoryOverlays:
    def __init__(self, curves: LossCurves) -> None:
        self.curves = curves
        self.entries: list[OverlayHistory] = []
        self._items: list[tuple[pg.PlotItem, pg.PlotDataItem]] = []
        curves.smoothing.valueChanged.connect(self._redraw)
        curves.weighted.toggled.connect(self._redraw)

    def show(self, entries: list[OverlayHistory]) -> None:
        self.entries = [e for e in entries if e.history.steps]
        self._redraw()

    def clear(self) -> None:
        self.show([])

    def _redraw(self, *_: object) -> None:
        for plot, item in self._items:
            plot.removeItem(item)
        self._items = []
        curves = self.curves
        vae_dock = curves.kind == "vae"
        plot = curves.recon_plot if vae_dock else curves.total_plot
        scale = curves.beta if vae_dock and curves.weighted.isChecked() else 1.0
        keys = []
        for entry, colour in zip(self.entries, OVERLAY_COLOURS, strict=False):
            rows = np.asarray(entry.history.steps, dtype=np.float64)
            bce = rows[:, 2] / entry.beta if entry.kind == "vae" else rows[:, 1]  # recon is BETA x BCE in a VAE
            smoothed = ema(bce * scale, float(curves.smoothing.value()))
            item = plot.plot(rows[:, 0], smoothed, pen=pg.mkPen(colour, width=2))
            item.setDownsampling(auto=True, method="peak")
            item.setClipToView(True)
            self._items.append((plot, item))
            hex_colour = "#{:02x}{:02x}{:02x}".format(*colour)
            keys.append(f'<span style="color:{hex_colour}">━</span> {entry.name}')
        what = "BETA x BCE" if scale != 1.0 else "BCE"
        curves.compare_key.setText(f"compared ({what}): " + "  ".join(keys) if keys else "")
        curves.compare_key.setVisible(bool(keys))

    @property
    def curve_count(self) -> int:
        return len(self._items)

    def curves_data(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """(steps, values) of each drawn overlay, in order."""
        return [item.getData() for _, item in self._items]
