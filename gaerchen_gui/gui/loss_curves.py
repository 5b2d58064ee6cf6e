"""Live loss curves: per-step training loss (raw and smoothed), test loss per epoch,
and for a VAE its two terms, reconstruction and KL, in BETA-weighted or plain units.

Points are appended as events arrive; the plots redraw at most ``REDRAW_HZ``
times a second, whatever the step rate.

Redrawing is kept cheap because it happens on the GUI thread while training runs:
the axes (with their grid lines and tick labels, the costly part of a repaint) are
cached as pixmaps, and a live run does not let pyqtgraph auto-range at every
redraw: the step axis doubles its span when the steps reach its end (up to the
run's length), and the loss axis only moves when a curve leaves it or fills less
than half of it. An axis that keeps its range keeps its cached pixmap.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QCheckBox, QGraphicsItem, QHBoxLayout, QLabel, QVBoxLayout, QWidget
from superqt import QLabeledDoubleSlider

from gaerchen_gui.core.config import DEFAULT_BETA
from gaerchen_gui.core.training import EpochEvent, StepEvent, TrainingHistory
from gaerchen_gui.gui.theme import muted, plot_background, plot_foreground

REDRAW_HZ = 4
Y_MARGIN = 0.08  # of the data's span, added above and below when the loss axis moves
FIRST_STEP_SPAN = 100  # the step axis of a live run starts at 0..100 and doubles from there


RAW_COLOUR = (120, 160, 220, 90)
SMOOTH_COLOUR = (40, 110, 230, 255)
TEST_COLOUR = (230, 120, 30)
KL_COLOUR = (60, 170, 90)


def key_text(kind: str) -> str:
    """The curves' key, as rich text: a coloured mark and a name for each series."""

    def mark(colour: tuple, symbol: str = "━") -> str:
        return f'<span style="color: rgb{tuple(colour[:3])}">{symbol}</span>'

    parts = [f"{mark(RAW_COLOUR)} train per step", f"{mark(SMOOTH_COLOUR)} smoothed"]
    if kind == "vae":
        parts.append(f"{mark(KL_COLOUR)} KL smoothed")
    parts.append(f"{mark(TEST_COLOUR, '●')} test per epoch")
    return "&nbsp;&nbsp;".join(parts)


def ema(values: np.ndarray, alpha: float, start: int = 0, out: np.ndarray | None = None) -> np.ndarray:
    """Exponential moving average with smoothing ``alpha`` in [0, 1) (0 = raw), bias-corrected
    so the curve starts at the data rather than at zero. With ``out`` holding the smoothed
    ``values[:start]`` already, only the new points are computed."""
    if out is None or out.size < values.size:
        grown = np.empty_like(values)
        if out is not None:
            grown[:start] = out[:start]
        out = grown
    if alpha <= 0:
        out[start:] = values[start:]
        return out[: values.size]
    acc = out[start - 1] * (1 - alpha**start) if start > 0 else 0.0
    for i in range(start, values.size):
        acc = alpha * acc + (1 - alpha) * values[i]
        out[i] = acc / (1 - alpha ** (i + 1))
    return out[: values.size]


class _Smoothed:
    """The EMA of a growing series, extended incrementally at each redraw."""

    def __init__(self) -> None:
        self._out: np.ndarray | None = None
        self._done = 0
        self._alpha = -1.0

    def of(self, values: np.ndarray, alpha: float) -> np.ndarray:
        if alpha != self._alpha or values.size < self._done:
            self._alpha, self._done = alpha, 0
        self._out = ema(values, alpha, self._done, self._out)
        self._done = values.size
        return self._out[: values.size]


class _Series:
    """A growable float array (amortised appends, no Python list of floats)."""

    def __init__(self) -> None:
        self._data = np.empty(1024)
        self.size = 0

    def append(self, value: float) -> None:
        if self.size == self._data.size:
            self._data = np.resize(self._data, self._data.size * 2)
        self._data[self.size] = value
        self.size += 1

    def clear(self) -> None:
        self.size = 0

    @property
    def values(self) -> np.ndarray:
        return self._data[: self.size]


class LossCurves(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.kind = "ae"
        self.beta = DEFAULT_BETA
        self._step = _Series()
        self._total = _Series()
        self._recon = _Series()
        self._kl = _Series()
        self._epoch_step = _Series()
        self._val_total = _Series()
        self._val_recon = _Series()
        self._val_kl = _Series()
        self._smooth_total, self._smooth_recon, self._smooth_kl = _Smoothed(), _Smoothed(), _Smoothed()
        self._dirty = False
        self._live_total_steps: int | None = None  # set while a run feeds the curves: its length in steps
        self._step_span = 0  # the live step axis shows 0 .. this
        self._user_ranged = False  # the user zoomed or panned during the run: leave the ranges alone

        self.graphics = pg.GraphicsLayoutWidget()
        # One row: the dock is wide and short. The VAE's two terms sit beside the total.
        self.total_plot = self.graphics.addPlot(row=0, col=0)
        self.recon_plot = self.graphics.addPlot(row=0, col=1)
        self.kl_plot = self.graphics.addPlot(row=0, col=2)
        for plot in (self.total_plot, self.recon_plot, self.kl_plot):
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.setLabel("bottom", "step")
            for name in ("left", "bottom"):
                plot.getAxis(name).enableAutoSIPrefix(False)
                # Drawn once per range: replaying its tick labels and grid took ~5 ms per axis per repaint.
                plot.getAxis(name).setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
            plot.vb.sigRangeChangedManually.connect(self._on_user_ranged)
        self.recon_plot.setXLink(self.total_plot)
        self.kl_plot.setXLink(self.total_plot)

        raw_pen = pg.mkPen(RAW_COLOUR, width=1)
        smooth_pen = pg.mkPen(SMOOTH_COLOUR[:3], width=2)
        val_style = {"pen": pg.mkPen(TEST_COLOUR, width=2), "symbol": "o", "symbolSize": 7,
                     "symbolBrush": TEST_COLOUR}  # fmt: skip
        self.raw_curve = self.total_plot.plot(pen=raw_pen)
        self.smooth_curve = self.total_plot.plot(pen=smooth_pen)
        self.val_curve = self.total_plot.plot(**val_style)
        self.recon_curve = self.recon_plot.plot(pen=smooth_pen)
        self.val_recon_curve = self.recon_plot.plot(**val_style)
        self.kl_curve = self.kl_plot.plot(pen=pg.mkPen(KL_COLOUR, width=2))
        self.val_kl_curve = self.kl_plot.plot(**val_style)
        for curve in (self.raw_curve, self.smooth_curve, self.recon_curve, self.kl_curve):
            curve.setDownsampling(auto=True, method="peak")
            curve.setClipToView(True)

        self.smoothing = QLabeledDoubleSlider(Qt.Orientation.Horizontal)
        self.smoothing.setRange(0.0, 0.99)
        self.smoothing.setValue(0.9)
        self.smoothing.setToolTip("Exponential smoothing of the per-step curves (0 = raw)")
        self.smoothing.valueChanged.connect(self._mark_dirty)
        self.log_y = QCheckBox("Log scale")
        self.log_y.setToolTip("Logarithmic loss axis")
        self.log_y.toggled.connect(self._set_log)
        self.weighted = QCheckBox("BETA-weighted")
        self.weighted.setChecked(True)
        self.weighted.setToolTip(
            "Checked: the terms as they enter the VAE loss (BETA x BCE and KL).\n"
            "Unchecked: plain mean per-pixel BCE, to compare with an AE."
        )
        self.weighted.toggled.connect(self._mark_dirty)
        self.readout = QLabel(" ")
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # The key sits in a line of its own: pyqtgraph's legends were drawn over the curves (the
        # KL curve rises into the top corner where its legend was).
        self.key = QLabel()
        self.key.setTextFormat(Qt.TextFormat.RichText)
        self.caption = QLabel()  # whose curves these are when no run is feeding them
        self.compare_key = QLabel()  # other models' curves drawn over these (history_overlays.py)
        self.compare_key.setTextFormat(Qt.TextFormat.RichText)
        self.compare_key.hide()
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        controls = QHBoxLayout()
        controls.addWidget(self.caption)
        controls.addWidget(self.key)
        controls.addWidget(self.compare_key)
        controls.addStretch(1)
        controls.addWidget(QLabel("Smoothing"))
        controls.addWidget(self.smoothing, 1)
        controls.addWidget(self.log_y)
        controls.addWidget(self.weighted)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(controls)
        layout.addWidget(self.graphics, 1)
        layout.addWidget(self.readout)

        self.apply_palette()
        self._hover = pg.SignalProxy(self.total_plot.scene().sigMouseMoved, rateLimit=30, slot=self._on_hover)
        self._timer = QTimer(self)
        self._timer.setInterval(1000 // REDRAW_HZ)
        self._timer.timeout.connect(self._redraw_if_dirty)
        self._timer.start()
        self.reset("ae")

    def apply_palette(self) -> None:
        """Follow the system palette, like the latent map."""
        background, foreground = plot_background(), plot_foreground()
        self.graphics.setBackground(background)
        for plot in (self.total_plot, self.recon_plot, self.kl_plot):
            for name in ("left", "bottom"):
                axis = plot.getAxis(name)
                axis.setPen(pg.mkPen(muted(foreground, 150)))
                axis.setTextPen(pg.mkPen(foreground))

    @staticmethod
    def _set_title(plot: pg.PlotItem, text: str) -> None:
        plot.setTitle(text, size="9pt", color=plot_foreground())

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "graphics"):
            self.apply_palette()
        super().changeEvent(event)

    # -- feeding -------------------------------------------------------------------
    def reset(self, kind: str, beta: float = DEFAULT_BETA) -> None:
        self.kind, self.beta = kind, beta
        self.set_caption("")
        self.key.setText(key_text(kind))
        self._live_total_steps = None
        self._user_ranged = False
        for plot in (self.total_plot, self.recon_plot, self.kl_plot):
            plot.enableAutoRange()
        for series in (self._step, self._total, self._recon, self._kl, self._epoch_step,
                       self._val_total, self._val_recon, self._val_kl):  # fmt: skip
            series.clear()
        vae = kind == "vae"
        self.recon_plot.setVisible(vae)
        self.kl_plot.setVisible(vae)
        self.weighted.setVisible(vae)
        self._set_title(self.total_plot, "Loss: BETA x BCE + KL" if vae else "Loss: mean per-pixel BCE")
        self._set_title(self.kl_plot, "KL divergence")
        self._mark_dirty()
        self._redraw_if_dirty()

    def add_step(self, event: StepEvent) -> None:
        if self._live_total_steps != event.total_steps:
            self._start_live_ranges(event.total_steps)
        self._append_step(event.global_step, event.loss, event.recon, event.kl)

    def _append_step(self, step: float, total: float, recon: float, kl: float) -> None:
        self._step.append(step)
        self._total.append(total)
        self._recon.append(recon)
        self._kl.append(kl)
        self._dirty = True

    def add_epoch(self, event: EpochEvent, global_step: int) -> None:
        self._append_epoch(global_step, event.val["total"], event.val["recon"], event.val["kl"])

    def _append_epoch(self, step: float, total: float, recon: float, kl: float) -> None:
        self._epoch_step.append(step)
        self._val_total.append(total)
        self._val_recon.append(recon)
        self._val_kl.append(kl)
        self._dirty = True

    def set_caption(self, text: str) -> None:
        self.caption.setText(text)
        self.caption.setVisible(bool(text))

    def show_history(
        self, history: TrainingHistory, kind: str, beta: float = DEFAULT_BETA, steps_per_epoch: float | None = None
    ) -> None:
        """Draw the curves a checkpoint saved. Each epoch's test point sits at the step its row records
        (as during the run); rows of older checkpoints do not record it: then at the end of each
        ``steps_per_epoch``, or at an even share of the steps (wrong for a run stopped mid-epoch)."""
        self.reset(kind, beta)
        for step, total, recon, kl in history.steps:
            self._append_step(step, total, recon, kl)
        steps_per_epoch = steps_per_epoch or len(history.steps) / max(len(history.epochs), 1)
        for i, row in enumerate(history.epochs):
            at = row.get("global_step", (i + 1) * steps_per_epoch)
            self._append_epoch(
                at, row.get("val_total", np.nan), row.get("val_recon", np.nan), row.get("val_kl", np.nan)
            )
        self._redraw_if_dirty()

    @property
    def n_steps(self) -> int:
        return self._step.size

    @property
    def epoch_steps(self) -> list[float]:
        """The steps at which the per-epoch test points are drawn."""
        return self._epoch_step.values.tolist()

    # -- drawing ------------------------------------------------------------------
    def _mark_dirty(self, *_: object) -> None:
        self._dirty = True

    def _set_log(self, on: bool) -> None:
        for plot in (self.total_plot, self.recon_plot, self.kl_plot):
            plot.setLogMode(y=on)
        self._mark_dirty()

    def _recon_scale(self) -> float:
        # recon is stored as it entered the loss (BETA x BCE for a VAE)
        return 1.0 if self.kind != "vae" or self.weighted.isChecked() else 1.0 / self.beta

    def _start_live_ranges(self, total_steps: int) -> None:
        """A run of ``total_steps`` is feeding the curves: the ranges are set by hand from now on."""
        self._live_total_steps = total_steps
        self._step_span = 0
        for plot in (self.total_plot, self.recon_plot, self.kl_plot):
            plot.disableAutoRange()

    def _fit_step_axis(self, last_step: float) -> None:
        span = self._step_span or min(FIRST_STEP_SPAN, self._live_total_steps)
        while span < last_step and span < self._live_total_steps:
            span = min(2 * span, self._live_total_steps)
        if span != self._step_span:
            self._step_span = span
            self.total_plot.setXRange(0, span, padding=0.01)  # the other two are linked to it

    def _on_user_ranged(self, *_: object) -> None:
        if self._live_total_steps is not None:
            self._user_ranged = True

    def _fit_loss_axis(self, plot: pg.PlotItem, *series: np.ndarray) -> None:
        """Move ``plot``'s loss axis only when the data left it or fills less than half of it."""
        values = np.concatenate([v[np.isfinite(v)] for v in series])
        if self.log_y.isChecked():
            values = np.log10(values[values > 0])
        if values.size == 0:
            return
        low, high = float(values.min()), float(values.max())
        (y0, y1) = plot.vb.viewRange()[1]
        span = max(high - low, 1e-9)
        if low >= y0 and high <= y1 and span >= 0.5 * (y1 - y0):
            return
        plot.setYRange(low - Y_MARGIN * span, high + Y_MARGIN * span, padding=0)

    def _redraw_if_dirty(self) -> None:
        if not self._dirty or not self.isVisible() and self._step.size:
            return
        self._dirty = False
        x = self._step.values
        alpha = self.smoothing.value()
        smooth_total = self._smooth_total.of(self._total.values, alpha)
        self.raw_curve.setData(x, self._total.values)
        self.smooth_curve.setData(x, smooth_total)
        self.val_curve.setData(self._epoch_step.values, self._val_total.values)
        fit = self._live_total_steps is not None and not self._user_ranged and x.size > 0
        if fit:
            self._fit_step_axis(float(x[-1]))
            self._fit_loss_axis(self.total_plot, self._total.values, self._val_total.values)
        if self.kind == "vae":
            scale = self._recon_scale()
            recon = self._smooth_recon.of(self._recon.values, alpha) * scale
            kl = self._smooth_kl.of(self._kl.values, alpha)
            self.recon_curve.setData(x, recon)
            self.val_recon_curve.setData(self._epoch_step.values, self._val_recon.values * scale)
            self.kl_curve.setData(x, kl)
            self.val_kl_curve.setData(self._epoch_step.values, self._val_kl.values)
            if fit:
                self._fit_loss_axis(self.recon_plot, recon, self._val_recon.values * scale)
                self._fit_loss_axis(self.kl_plot, kl, self._val_kl.values)
            self._set_title(
                self.recon_plot, "Reconstruction: BETA x BCE" if self.weighted.isChecked() else "Reconstruction: BCE"
            )

    def _on_hover(self, args: tuple) -> None:
        pos = args[0]
        if self._step.size == 0 or not self.total_plot.sceneBoundingRect().contains(pos):
            return
        x = self.total_plot.vb.mapSceneToView(pos).x()
        i = int(np.clip(np.searchsorted(self._step.values, x), 0, self._step.size - 1))
        text = f"step {int(self._step.values[i])}: loss {self._total.values[i]:.4f}"
        if self.kind == "vae":
            text += f"  (recon {self._recon.values[i]:.2f}, KL {self._kl.values[i]:.2f})"
        if self._epoch_step.size:
            j = int(np.searchsorted(self._epoch_step.values, self._step.values[i]))
            if j < self._epoch_step.size:
                text += f"   epoch {j + 1} test loss {self._val_total.values[j]:.4f}"
        self.readout.setText(text)
