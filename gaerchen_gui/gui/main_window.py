"""The explorer window: a shell of menus, toolbar, docks and the panes that show the explorer's state.

What the explorer knows lives in :mod:`gaerchen_gui.components` (an
:class:`ExplorerState` with one :class:`ModelState` per model on screen); the
background work of each model in its :class:`ModelJobs`; what actions do, in
``actions.py`` beside their declarations; what the window remembers between
launches, in ``window_settings.py``. The window builds those, lays them out and
asks before closing mid-training. The GUI thread never runs a model: jobs and
decode workers do.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, QMimeData, Qt, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QMainWindow, QMessageBox, QSplitter, QWidget

from gaerchen_gui.components.explorer_state import ExplorerState
from gaerchen_gui.components.model_state import ModelState
from gaerchen_gui.core.checkpoints import Checkpoint, CheckpointError
from gaerchen_gui.core.data import ImageSet
from gaerchen_gui.core.encoding import EmbeddingCache, EncodedSet
from gaerchen_gui.core.live_training import LiveSet
from gaerchen_gui.core.model_loading import load_for_explorer, load_shipped, shipped_kind_of
from gaerchen_gui.gui.about_dialog import AboutDialog
from gaerchen_gui.gui.actions import ActionKey, create_actions
from gaerchen_gui.gui.diagnostics_dock import DiagnosticsDock
from gaerchen_gui.gui.latent_map import MIN_MAP_SIZE
from gaerchen_gui.gui.own_images_dock import OwnImagesFeature, image_files_in
from gaerchen_gui.gui.pane_area import PANE_SPACING_PX, PaneArea
from gaerchen_gui.gui.settings import Settings
from gaerchen_gui.gui.side_panel import SidePanel
from gaerchen_gui.gui.status_bar import ExplorerStatusBar
from gaerchen_gui.gui.sweep_view_host import SweepViewHost
from gaerchen_gui.gui.training_dock import TrainingDock
from gaerchen_gui.gui.walk_dock import WalkDock
from gaerchen_gui.gui.window_files import FileCommands
from gaerchen_gui.gui.window_layout import build_menus, build_toolbar
from gaerchen_gui.gui.window_settings import DEFAULT_SIZE, restore_window, save_window

TRAINING_STOP_TIMEOUT_MS = 2000
NO_MODEL_HINT = "Open a checkpoint (Ctrl+O) or drop a .pt file here."


class ExplorerWindow(QMainWindow):
    mapReady = Signal()  # the active pane shows its model's encoded test set

    def __init__(
        self,
        settings: Settings | None = None,
        image_set: ImageSet | None = None,
        embedding_cache: EmbeddingCache | None = None,
        seed: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("explorerWindow")
        self.settings = settings if settings is not None else Settings()
        self.explorer = ExplorerState()
        self.last_error: str | None = None
        self.ask_before_closing = True  # the self-test and the benchmark close without a person to ask
        self.shut_down = False

        self.actions = create_actions(self)
        self.side = SidePanel(self.explorer, self.actions[ActionKey.RESAMPLE])
        self.panes = PaneArea(self.explorer, image_set=image_set, cache=embedding_cache, seed=seed)
        self.files = FileCommands(self)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.panes)
        self.splitter.addWidget(self.side)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 0)
        self.splitter.setCollapsible(0, False)
        self.splitter.setSizes([DEFAULT_SIZE.width() - 430, 430])
        self.setCentralWidget(self.splitter)

        # Training: a bottom dock, hidden until asked for (View > Train, Ctrl+T); Qt saves its state.
        self.training = TrainingDock(self)
        self.training_dock = self.training.dock
        self.training_panel = self.training.panel
        self.diagnostics = DiagnosticsDock(self)
        self.own_images = OwnImagesFeature(self)  # the drawing pad and pinned image files
        self.walk = WalkDock(self)  # walk between images, record paths, export animations
        self.sweep_results = SweepViewHost(self)  # View > Sweep Results…

        self.toolbar = build_toolbar(self)
        self.recent_menu = build_menus(self)
        self.status = ExplorerStatusBar(self, self.side.readouts)

        self.panes.paneAdded.connect(self._on_pane_added)
        self.explorer.models_changed.connect(self.fit_side_panel)  # before a new pane takes its width
        # Typed coordinates go through the active map: far outside the data they are clamped, and it says so.
        self.side.coordinates.positionEntered.connect(lambda x, y: self.latent_map.enter_cursor_position(x, y))
        self.side.latent_view.axesChosen.connect(lambda dims: self.panes.jobs_of(self.model).choose_axes(dims))
        options = self.explorer.options.events  # the options change from the side panel too
        options.show_manifold.connect(lambda on: self.actions[ActionKey.SHOW_MANIFOLD].setChecked(on))
        options.show_train_points.connect(lambda on: self.actions[ActionKey.SHOW_TRAIN_POINTS].setChecked(on))
        options.show_coverage.connect(lambda on: self.actions[ActionKey.SHOW_COVERAGE].setChecked(on))
        self.explorer.active_changed.connect(self._on_active_changed)
        for pane in self.panes.panes:
            self._on_pane_added(pane)
        self._on_active_changed(self.explorer.active)
        restore_window(self)
        self.own_images.jobs.restore()
        self.setAcceptDrops(True)

    # -- what is shown --------------------------------------------------------------------------
    @property
    def model(self) -> ModelState:
        """The active model's state: what the side panel, status bar and exports are about."""
        return self.explorer.active

    @property
    def pane(self):  # the active ModelPane
        return self.panes.pane_of(self.model)

    @property
    def latent_map(self):  # the active pane's LatentMap
        return self.pane.latent_map

    @property
    def preview(self):  # the DecoderPreview of the active model
        return self.side.preview

    @property
    def map_ready(self) -> bool:
        return self.model.encoded is not None and self.model.live is None

    def for_each_map(self, change) -> None:  # a callable taking a LatentMap
        for pane in self.panes.panes:
            change(pane.latent_map)

    def _on_pane_added(self, pane) -> None:  # a ModelPane
        pane.latent_map.set_legend_visible(self.actions[ActionKey.SHOW_LEGEND].isChecked())
        pane.latent_map.set_samples_visible(self.actions[ActionKey.SHOW_SAMPLES].isChecked())
        pane.latent_map.set_aspect_locked(self.actions[ActionKey.LOCK_ASPECT].isChecked())
        pane.latent_map.notice.connect(lambda text: self.statusBar().showMessage(text, 8000))
        pane.latent_map.mouseMoved.connect(
            lambda x, y, nearest, s=pane.state: self.status.mouse_moved(s, x, y, nearest)
        )
        pane.state.encoded_changed.connect(lambda encoded, s=pane.state: self._on_encoded(s, encoded))
        pane.latent_map.mouseLeft.connect(self.status.mouse_left)
        pane.jobs.decode_failed.connect(self.statusBar().showMessage)
        pane.jobs.failed.connect(self.show_error)
        pane.jobs.noted.connect(lambda text: self.statusBar().showMessage(text, 30_000))

    def _on_active_changed(self, state: ModelState) -> None:
        self.status.show_state(state)
        self._show_model_name(state)
        self._sync_model_actions()
        if state.checkpoint is not None:  # the curves this model was trained with, captioned with its name
            self.training_panel.show_model_history(state.checkpoint)
        self.show_other_histories()

    def show_other_histories(self) -> None:
        self.training.show_other_histories()

    def on_model_saved(self, checkpoint: Checkpoint) -> None:
        """A trained model was saved: it joins the recent files; where it is shown, it is now that file."""
        self.settings.add_recent_file(checkpoint.path)
        for state in self.explorer.models:
            if state.checkpoint is checkpoint:
                state.source = str(checkpoint.path.resolve())
                if state is self.explorer.models[0]:
                    self.settings.last_model = state.source
        self._show_model_name(self.model)

    def _show_model_name(self, state: ModelState) -> None:
        # Qt appends the application's display name ("— Gaerchen") by itself.
        self.setWindowTitle(state.display_name if state.checkpoint is not None else "")
        self.status.show_state(state)

    def _on_encoded(self, state: ModelState, encoded: EncodedSet | None) -> None:
        if encoded is None or state.live is not None:
            return
        if self.training_panel.live_set is None:
            self.training_panel.live_set = LiveSet.cut_from(encoded)  # None unless Fashion-MNIST's test set
        if state is not self.model:
            return
        if len(encoded):  # start inside the data, whatever the model's scale
            x, y = np.median(encoded.z[:, :2], axis=0)
            self.explorer.set_cursor(float(x), float(y))
        self.panes.pane_of(state).latent_map.reset_view()  # now including the samples
        self.panes.pane_of(state).latent_map.setFocus(Qt.FocusReason.OtherFocusReason)
        self.mapReady.emit()

    # -- choosing a model -----------------------------------------------------------------------
    def start(self, checkpoint: str | Path | None = None) -> None:
        """Show ``checkpoint`` if given, else the model shown last time, else the shipped AE; then the
        compare panes of last time, if any."""
        sources = self.settings.compare_sources  # before showing a model rewrites them
        self._start_main(checkpoint)
        if sources and checkpoint is None:
            for source in sources:
                self.panes.add_pane(self, source)
            self.actions[ActionKey.COMPARE].setChecked(True)

    def _start_main(self, checkpoint: str | Path | None) -> None:
        if checkpoint is not None:
            error = self.open_checkpoint(checkpoint, quiet=True)
            if error is None:
                return
            # Say what happens instead, then do it: the shipped AE, not a silent "last model".
            self.show_error("Cannot open this checkpoint", f"{error}\n\nGaerchen opens the shipped AE instead.")
            self.show_shipped("ae", quiet=True)
            return
        last = self.settings.last_model
        if last in ("ae", "vae"):
            if self.show_shipped(last, quiet=True) is None:
                return
        elif last and Path(last).is_file() and self.open_checkpoint(last, quiet=True) is None:
            return
        if self.model.checkpoint is None:
            self.show_shipped("ae", quiet=True)

    def show_shipped(self, kind: str, quiet: bool = False, state: ModelState | None = None) -> str | None:
        """Show the shipped AE or VAE (in the active pane); returns None, or the error message shown."""
        state = state or self.model
        if state.source == kind and state.checkpoint is not None:
            self._sync_model_actions()
            return None
        try:
            checkpoint = load_shipped(kind)
        except CheckpointError as err:
            return self._refuse(str(err), quiet, state)
        self._set_checkpoint(state, checkpoint, kind)
        return None

    def open_checkpoint(self, path: str | Path, quiet: bool = False, state: ModelState | None = None) -> str | None:
        """Show the checkpoint at ``path``; on failure keep the current model and return the message."""
        state = state or self.model
        try:
            checkpoint = load_for_explorer(path)
        except CheckpointError as err:
            return self._refuse(str(err), quiet, state)
        shipped = shipped_kind_of(path)
        if shipped is None:
            self.settings.add_recent_file(path)
        self._set_checkpoint(state, checkpoint, shipped or str(Path(path).resolve()))
        return None

    def show_checkpoint(self, checkpoint: Checkpoint) -> str | None:
        """Show an already loaded checkpoint, e.g. one just trained (unsaved ones are not remembered)."""
        checkpoint.model.eval()
        source = str(checkpoint.path.resolve()) if checkpoint.path is not None else None
        self._set_checkpoint(self.model, checkpoint, shipped_kind_of(checkpoint.path) or source)
        return None

    def _refuse(self, message: str, quiet: bool, state: ModelState) -> str:
        self._sync_model_actions()  # a failed switch leaves the previous model's button checked
        state.error = message
        if state.checkpoint is None:
            state.set_message(f"{message}\n\n{NO_MODEL_HINT}")
        if not quiet:
            stays = "The current model stays loaded." if state.checkpoint is not None else NO_MODEL_HINT
            self.show_error("Cannot open this checkpoint", f"{message}\n\n{stays}")
        self.last_error = message
        return message

    def show_error(self, title: str, message: str) -> None:
        """A warning dialog (tests replace ``QMessageBox.warning`` to keep it from blocking)."""
        self.last_error = message
        QMessageBox.warning(self, title, message)

    def _set_checkpoint(self, state: ModelState, checkpoint: Checkpoint, source: str | None) -> None:
        if source is not None and state is self.explorer.models[0]:
            self.settings.last_model = source
        state.set_checkpoint(checkpoint, source)
        if state is self.model:
            self._on_active_changed(state)
        else:
            self.show_other_histories()
        self.panes.remember(self.settings)

    def _sync_model_actions(self) -> None:
        self.actions[ActionKey.SHOW_AE].setChecked(self.model.source == "ae")
        self.actions[ActionKey.SHOW_VAE].setChecked(self.model.source == "vae")

    # -- requests from actions ----------------------------------------------------------------------
    def resample(self) -> None:
        self.panes.jobs_of(self.model).resample()

    def reset_view(self) -> None:
        self.for_each_map(lambda latent_map: latent_map.reset_view())

    def set_compare(self, on: bool) -> None:
        self.panes.set_compare(on, self)
        self.show_other_histories()
        self.fit_side_panel()

    def fit_side_panel(self) -> None:
        """Fold the side panel when the panes need its width (compare on a small screen): the strip under
        the panes still shows every model's image at the cursor."""
        count = len(self.explorer.models)
        needed = count * (MIN_MAP_SIZE.width() + PANE_SPACING_PX) + self.side.minimumWidth()
        fold = count > 1 and needed > self.width()
        if fold == self.side.isVisible():
            self.side.setVisible(not fold)
            if fold:
                self.statusBar().showMessage("The side panel is folded to make room for the panes", 6000)

    def resizeEvent(self, event) -> None:  # a QResizeEvent
        super().resizeEvent(event)
        self.fit_side_panel()

    def compare_shipped(self) -> None:
        self.actions[ActionKey.COMPARE].setChecked(True)
        self.panes.ensure_panes(2, self)
        self.show_shipped("ae", state=self.explorer.models[0])
        self.show_shipped("vae", state=self.explorer.models[1])

    def add_pane(self) -> None:
        self.actions[ActionKey.COMPARE].setChecked(True)
        self.panes.add_pane(self)

    def open_with_dialog(self) -> None:
        self.files.open_with_dialog()

    def export_with_dialog(self, what: str) -> None:
        self.files.export_with_dialog(what)

    def show_about(self) -> None:
        AboutDialog(self).exec()

    def show_training(self, visible: bool) -> None:
        self.training.show(visible)

    # -- files dropped on the window ------------------------------------------------------------------
    @staticmethod
    def checkpoint_in(mime: QMimeData) -> Path | None:
        return FileCommands.checkpoint_in(mime)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self.checkpoint_in(event.mimeData()) is not None or image_files_in(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        path = self.checkpoint_in(event.mimeData())
        if path is None and not self.own_images.drop(event.mimeData()):
            event.ignore()
            return
        event.acceptProposedAction()
        if path is not None:
            self.open_checkpoint(path)

    # -- closing --------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.shut_down and self.ask_before_closing and not self.confirm_close():
            event.ignore()
            return
        if not self.shut_down:
            save_window(self)
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop the training run and every model's threads, and wait for them (idempotent). Called on close."""
        if self.shut_down:
            return
        self.shut_down = True
        self.side.readouts.stop()
        if not self.training_panel.shutdown(TRAINING_STOP_TIMEOUT_MS):  # waits quietly, then says "Stopping…"
            print("gaerchen: the training thread did not stop in time", file=sys.stderr)
        if not self.training.shutdown_sweep(TRAINING_STOP_TIMEOUT_MS):
            print("gaerchen: the sweep's training thread did not stop in time", file=sys.stderr)
        self.diagnostics.shutdown()
        self.own_images.shutdown()
        self.walk.shutdown()
        self.sweep_results.shutdown()
        self.panes.shutdown()

    def confirm_close(self) -> bool:
        """Ask before closing mid-training or with a trained model never saved (tests replace
        ``QMessageBox.question``); True when there is nothing to lose or the user says close."""
        question = self.training.what_closing_loses()
        if question is None:
            return True
        title, text = question
        buttons = QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No
        answer = QMessageBox.question(self, title, text, buttons, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            for pane in self.panes.panes:
                pane.manifold_layer.apply_palette()
        super().changeEvent(event)

    def recent_menu_actions(self) -> list:
        """The recent-files menu's entries (Qt builds the menu lazily; tests read it through this)."""
        self.files.fill_recent_menu(self.recent_menu)
        return [a for a in self.recent_menu.actions() if not a.isSeparator()]
