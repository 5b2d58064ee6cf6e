"""What the KL term does to one VAE, per latent dimension: bars, active units, the two loss terms,
and the collapse alarm (the numbers come from :mod:`gaerchen_gui.core.diagnostics`).

The panel only shows what it is given (:meth:`DiagnosticsPanel.show_diagnostics`); a view of
whichever model is active, loaded or training.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from gaerchen_gui.core.diagnostics import ACTIVE_VARIANCE, LatentDiagnostics
from gaerchen_gui.gui.loss_curves import KL_COLOUR
from gaerchen_gui.gui.theme import muted, plot_background, plot_foreground

INACTIVE_COLOUR = (170, 170, 170)
SIGMA_COLOUR = (40, 110, 230)
WARNING_COLOUR = "#d9480f"


def _bar_plot(title: str, y_label: str) -> pg.PlotWidget:
    plot = pg.PlotWidget(background=plot_background())
    plot.setTitle(title, color=plot_foreground().name(), size="9pt")
    plot.setLabel("bottom", "latent dimension")
    plot.setLabel("left", y_label)
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()
    plot.setMenuEnabled(False)
    plot.setMinimumHeight(120)
    plot.setMaximumHeight(240)  # both plots fit beside a 900-px-high map without scrolling
    plot.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    return plot


class DiagnosticsPanel(QWidget):
    """KL per dimension and mean sigma as bars; active units, the loss terms, the alarm as text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = QLabel()
        self._title.setWordWrap(True)
        self._summary = QLabel()
        self._summary.setWordWrap(True)
        self._summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._alarm = QLabel()
        self._alarm.setWordWrap(True)
        self._alarm.setStyleSheet(f"color: {WARNING_COLOUR};")
        self._kl_plot = _bar_plot("KL per dimension (nats, mean over images)", "KL")
        self._sigma_plot = _bar_plot("Posterior sigma per dimension (the prior's is 1)", "sigma")
        self._sigma_plot.addItem(
            pg.InfiniteLine(pos=1.0, angle=0, pen=pg.mkPen(muted(plot_foreground(), 140), style=Qt.PenStyle.DashLine))
        )
        self._kl_bars: pg.BarGraphItem | None = None
        self._sigma_bars: pg.BarGraphItem | None = None
        layout = QVBoxLayout(self)
        for widget in (self._title, self._summary, self._alarm, self._kl_plot, self._sigma_plot):
            layout.addWidget(widget)
        self.show_diagnostics(None, title="No model")

    # -- what tests and other views read --------------------------------------------------------
    @property
    def title_text(self) -> str:
        return self._title.text()

    @property
    def summary_text(self) -> str:
        return self._summary.text()

    @property
    def alarm_text(self) -> str:
        """The collapse alarm as shown, "" when there is none."""
        return self._alarm.text() if self._alarm.isVisibleTo(self) else ""

    def kl_bar_heights(self) -> np.ndarray:
        return np.asarray(self._kl_bars.opts["height"]) if self._kl_bars is not None else np.empty(0)

    # -- showing -----------------------------------------------------------------------------
    def show_diagnostics(
        self,
        diagnostics: LatentDiagnostics | None,
        *,
        title: str,
        beta: float | None = None,
        recon_term: float | None = None,
        note: str | None = None,
    ) -> None:
        """Show ``diagnostics`` of the model named in ``title``; None shows ``note`` (why there are none)."""
        self._title.setText(f"<b>{title}</b>")
        for plot in (self._kl_plot, self._sigma_plot):
            plot.setVisible(diagnostics is not None)
        if diagnostics is None:
            self._summary.setText(note or "")
            self._alarm.hide()
            self._set_bars(None)
            return
        lines = [
            f"Active units: <b>{diagnostics.n_active} of {diagnostics.latent_dim}</b> "
            f"(a dimension is active when its z_mean varies over the images by more than {ACTIVE_VARIANCE:g})",
            f"KL term: <b>{diagnostics.kl_total:.3g}</b> nats"
            + (f" &nbsp;·&nbsp; reconstruction term (BETA × BCE): <b>{recon_term:.4g}</b>" if recon_term else ""),
        ]
        if diagnostics.class_separation is not None:
            lines.append(f"Class separation: {diagnostics.class_separation:.2f} (0: one blob, 1: tight clusters)")
        if note:
            lines.append(f"<i>{note}</i>")
        self._summary.setText("<br>".join(lines))
        verdict = diagnostics.verdict(beta)
        self._alarm.setVisible(verdict is not None)
        self._alarm.setText(f"<b>{verdict.headline}</b> {verdict.advice}" if verdict else "")
        self._set_bars(diagnostics)

    def _set_bars(self, diagnostics: LatentDiagnostics | None) -> None:
        for plot, bars in ((self._kl_plot, self._kl_bars), (self._sigma_plot, self._sigma_bars)):
            if bars is not None:
                plot.removeItem(bars)
        self._kl_bars = self._sigma_bars = None
        if diagnostics is None:
            return
        x = np.arange(diagnostics.latent_dim)
        active = diagnostics.active
        kl_brushes = [pg.mkBrush(KL_COLOUR if on else INACTIVE_COLOUR) for on in active]
        sigma_brushes = [pg.mkBrush(SIGMA_COLOUR if on else INACTIVE_COLOUR) for on in active]
        self._kl_bars = pg.BarGraphItem(x=x, height=diagnostics.kl_per_dim, width=0.7, brushes=kl_brushes)
        self._sigma_bars = pg.BarGraphItem(x=x, height=diagnostics.mean_sigma, width=0.7, brushes=sigma_brushes)
        self._kl_plot.addItem(self._kl_bars)
        self._sigma_plot.addItem(self._sigma_bars)
        ticks = [[(int(i), str(int(i))) for i in x[:: max(1, diagnostics.latent_dim // 16)]]]
        for plot in (self._kl_plot, self._sigma_plot):
            plot.getAxis("bottom").setTicks(ticks)
            plot.setXRange(-0.6, diagnostics.latent_dim - 0.4, padding=0)
        self._kl_plot.setYRange(0, max(float(diagnostics.kl_per_dim.max()), 0.05) * 1.1, padding=0)
        self._sigma_plot.setYRange(0, max(1.1, float(diagnostics.mean_sigma.max()) * 1.1), padding=0)
