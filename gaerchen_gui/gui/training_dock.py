"""The training dock as the window holds it: the panel, its live map in the active pane, other
models' histories over its curves (compare mode), and when it shows itself."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

from gaerchen_gui.gui.actions import ActionKey
from gaerchen_gui.gui.history_overlays import HistoryOverlays, OverlayHistory
from gaerchen_gui.gui.scroll_area import scrolled
from gaerchen_gui.gui.step_marker import StepMarker
from gaerchen_gui.gui.sweep_dialog import SweepDialog
from gaerchen_gui.gui.training_panel import TrainingPanel
from gaerchen_gui.gui.training_runner import LiveMapUpdate

TRAINING_DOCK_HEIGHT = 330  # short enough to leave the map most of the height; the user may resize it
TRAINING_DOCK_MIN_HEIGHT = 130  # the rest scrolls: at 900 x 600 the map, its scrubber and the dock fit


class TrainingDock:
    def __init__(self, window) -> None:  # the ExplorerWindow
        self.window = window
        self.panel = TrainingPanel()
        self.dock = QDockWidget("Training", window)
        self.dock.setObjectName("trainingDock")
        # On a small screen (900 x 600) the panel scrolls instead of making the window taller than the screen
        # or squeezing the map: its settings, buttons and curves keep their sizes.
        scroller = scrolled(self.panel, "trainingScroller")
        scroller.setMinimumHeight(TRAINING_DOCK_MIN_HEIGHT)
        self.dock.setWidget(scroller)
        self.dock.setAllowedAreas(Qt.DockWidgetArea.BottomDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        self.dock.hide()
        self._sized = False
        self.sweep: SweepDialog | None = None
        self.overlays = HistoryOverlays(self.panel.curves)
        self.step_marker = StepMarker(self.panel.curves, window.explorer)  # the time-lapse's step on the curves
        self._recording_into = None  # the ModelState whose time-lapse the run's frames go to

        panel = self.panel
        self.dock.visibilityChanged.connect(
            lambda _: window.actions[ActionKey.SHOW_TRAINING].setChecked(self.dock.isVisible())
        )
        panel.snapshotReady.connect(self._on_live_snapshot)
        panel.runner.frame.connect(self._on_frame)
        panel.runningChanged.connect(lambda running: running or self._stop_recording())
        panel.runningChanged.connect(lambda running: running and self.show(True))
        panel.runningChanged.connect(lambda _: self.show_other_histories())
        panel.modelAdopted.connect(window.show_checkpoint)
        panel.form.sweepRequested.connect(self.show_sweep)
        panel.modelSaved.connect(window.on_model_saved)
        panel.map_status.titleChanged.connect(self._show_live_title)

    def show(self, visible: bool) -> None:
        first_time = visible and not self._sized
        self.dock.setVisible(visible)
        if first_time:
            self._sized = True
            # tall enough for the panel without scrolling where the screen allows (it scrolls on a small one)
            height = max(TRAINING_DOCK_HEIGHT, self.panel.minimumSizeHint().height() + 8)
            height = min(height, self.window.height() // 2)
            self.window.resizeDocks([self.dock], [height], Qt.Orientation.Vertical)

    # -- the BETA sweep ---------------------------------------------------------------------------
    def show_sweep(self) -> SweepDialog:
        """The sweep window (one per explorer window; it keeps its results while hidden)."""
        if self.sweep is None:
            self.sweep = SweepDialog(self.panel.config, self.window)
            self.sweep.open_requested.connect(self.window.open_checkpoint)
            self.sweep.finished_folder.connect(self.window.sweep_results.show_finished_sweep)
        self.sweep.show()
        self.sweep.raise_()
        return self.sweep

    def shutdown_sweep(self, timeout_ms: int) -> bool:
        return self.sweep is None or self.sweep.runner.shutdown(timeout_ms)

    def what_closing_loses(self) -> tuple[str, str] | None:
        """A question's title and text when closing now loses a model (a run, or a result never saved)."""
        if self.sweep is not None and self.sweep.runner.is_running:
            return "A BETA sweep is running", (
                "Stop the sweep and close Gaerchen?\n\nThe VAEs it finished are saved; the one training now "
                "is saved as it is (the weights of its last step)."
            )
        panel = self.panel
        if panel.runner.is_running:
            return "Training is running", (
                "A model is being trained. Stop training and close Gaerchen?\n\n"
                "The model being trained is lost: to keep it, choose No, press Stop, then Save…."
            )
        if panel.has_unsaved_result:
            return "The trained model is not saved", (
                "The model trained in this session was never saved. Close Gaerchen anyway?\n\n"
                "It is lost unless you choose No and use Save… in the training panel."
            )
        return None

    # -- the live map -----------------------------------------------------------------------------
    def _on_live_snapshot(self, update: LiveMapUpdate) -> None:
        """Show the model being trained in the active pane: its embeddings of the live subset."""
        window, snapshot = self.window, update.snapshot
        if window.shut_down or not window.panes.jobs_of(window.model).show_snapshot(update):
            return
        # the title: this step, or "map updating…" once it is over a second behind training
        self.panel.map_status.shown(snapshot.model.kind.upper(), snapshot.global_step, len(snapshot.embeddings))

    def _on_frame(self, frame) -> None:  # a core.live_training.FrameRecorded
        """A frame the run recorded joins the time-lapse of the pane its live map goes to."""
        if frame.index == 0:
            self._recording_into = self.window.model
        if self._recording_into is not None and self._recording_into in self.window.explorer.models:
            self._recording_into.timelapse.add_frame(frame)

    def _stop_recording(self) -> None:
        if self._recording_into is not None:
            self._recording_into.timelapse.finish_recording()

    def _show_live_title(self, title: str) -> None:
        for pane in self.window.panes.panes:
            if pane.state.live is not None and pane.state.timelapse.position is None:  # not while a frame is shown
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
