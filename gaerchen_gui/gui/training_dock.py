"""The training dock as the window holds it: the panel, its live map in the active pane, other
models' histories over its curves (compare mode), and when it shows itself."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

from gaerchen_gui.gui.actions import ActionKey
from gaerchen_gui.gui.history_overlays import HistoryOverlays, OverlayHistory
from gaerchen_gui.gui.training_panel import TrainingPanel
from gaerchen_gui.gui.training_runner import LiveMapUpdate

TRAINING_DOCK_HEIGHT = 330  # short enough to leave the map most of the height; the user may resize it


class TrainingDock:
    def __init__(self, window) -> None:  # the ExplorerWindow
        self.window = window
        self.panel = TrainingPanel()
        self.dock = QDockWidget("Training", window)
        self.dock.setObjectName("trainingDock")
        self.dock.setWidget(self.panel)
        self.dock.setAllowedAreas(Qt.DockWidgetArea.BottomDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        self.dock.hide()
        self._sized = False
        self.overlays = HistoryOverlays(self.panel.curves)

        panel = self.panel
        self.dock.visibilityChanged.connect(
            lambda _: window.actions[ActionKey.SHOW_TRAINING].setChecked(self.dock.isVisible())
        )
        panel.snapshotReady.connect(self._on_live_snapshot)
        panel.runningChanged.connect(lambda running: running and self.show(True))
        panel.runningChanged.connect(lambda _: self.show_other_histories())
        panel.modelAdopted.connect(window.show_checkpoint)
        panel.modelSaved.connect(lambda _: window.refresh_model_name())
        panel.map_status.titleChanged.connect(self._show_live_title)

    def show(self, visible: bool) -> None:
        first_time = visible and not self._sized
        self.dock.setVisible(visible)
        if first_time:
            self._sized = True
            self.window.resizeDocks([self.dock], [TRAINING_DOCK_HEIGHT], Qt.Orientation.Vertical)

    # -- the live map -----------------------------------------------------------------------------
    def _on_live_snapshot(self, update: LiveMapUpdate) -> None:
        """Show the model being trained in the active pane: its embeddings of the live subset."""
        window, snapshot = self.window, update.snapshot
        if window.shut_down or not window.panes.jobs_of(window.model).show_snapshot(snapshot, update.index):
            return
        # the title: this step, or "map updating…" once it is over a second behind training
        self.panel.map_status.shown(snapshot.model.kind.upper(), snapshot.global_step, len(snapshot.embeddings))

    def _show_live_title(self, title: str) -> None:
        for pane in self.window.panes.panes:
            if pane.state.live is not None:
                pane.latent_map.set_title(title)

    # -- compare --------------------------------------------------------------------------------
    def show_other_histories(self) -> None:
        """The other panes' training histories over the dock's curves (nothing when one pane is shown)."""
        window = self.window
        others = [s for s in window.explorer.models if s is not window.model and s.checkpoint is not None]
        self.overlays.show(
            [
                OverlayHistory(s.display_name, s.checkpoint.history, s.kind, s.checkpoint.metadata.get("beta") or 1.0)
                for s in others
                if s.live is None
            ]
        )
