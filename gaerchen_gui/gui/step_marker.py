"""A vertical line on the loss curves at the step the active model's time-lapse shows.

The training dock's curves are the active model's (its saved history, or the run feeding them), so
the line follows the active pane's time-lapse; at "live" there is none.
"""

from __future__ import annotations

import pyqtgraph as pg

from gaerchen_gui.components.explorer_state import ExplorerState
from gaerchen_gui.components.model_state import ModelState
from gaerchen_gui.components.subscriptions import Subscriptions
from gaerchen_gui.gui.loss_curves import LossCurves

MARKER_COLOUR = "#e8590c"  # the map's hover orange: stands out against the blue and grey curves


class StepMarker:
    def __init__(self, curves: LossCurves, explorer: ExplorerState) -> None:
        pen = pg.mkPen(MARKER_COLOUR, width=1.5)
        self.lines = []
        for plot in (curves.total_plot, curves.recon_plot, curves.kl_plot):
            line = pg.InfiniteLine(angle=90, movable=False, pen=pen)
            line.setVisible(False)
            line.setZValue(50)  # over the curves
            plot.addItem(line, ignoreBounds=True)  # the curves' ranges stay the curves'
            self.lines.append(line)
        self._timelapse_events = Subscriptions()
        self._explorer = explorer
        explorer.active_changed.connect(self._follow)
        self._follow(explorer.active)

    @property
    def step(self) -> int | None:
        """The step marked, None when no line is shown."""
        return int(self.lines[0].value()) if self.lines[0].isVisible() else None

    def _follow(self, state: ModelState) -> None:
        self._timelapse_events.disconnect_all()
        self._timelapse = state.timelapse
        on = self._timelapse_events.connect
        on(state.timelapse.position_changed, self._show)
        on(state.timelapse.frames_changed, lambda _: self._show(self._timelapse.position))
        self._show(state.timelapse.position)

    def _show(self, index: int | None) -> None:
        for line in self.lines:
            if index is not None:
                line.setValue(self._timelapse.steps[index])
            line.setVisible(index is not None)
