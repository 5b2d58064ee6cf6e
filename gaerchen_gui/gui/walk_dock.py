"""Walk mode as the window holds it: the shared :class:`LatentPath`, its layer on every pane's map, its
images decoded per model, the panel in a bottom dock, path files (CSV) and the animation export.

Walk mode (View > Walk Between Images, Ctrl+L, or the toolbar's Walk) shows the dock and makes clicks
on the maps pick the walk's ends. In compare mode the one path is drawn on every pane and each model
decodes it with its own decoder: the strip has a row per model, and the cursor running along the path
moves every pane's cursor, as any cursor move does.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QFileDialog

from gaerchen_gui.components.latent_path import LatentPath, spherical_problem
from gaerchen_gui.components.model_state import ModelState
from gaerchen_gui.core.path_csv import PathFileError, read_path_csv, write_path_csv
from gaerchen_gui.core.save_target import describe_os_error
from gaerchen_gui.gui.actions import ActionKey
from gaerchen_gui.gui.animation_export_dialog import AnimationExportDialog
from gaerchen_gui.gui.path_decoding import PathDecoding
from gaerchen_gui.gui.path_layer import PathLayer
from gaerchen_gui.gui.scroll_area import scrolled
from gaerchen_gui.gui.walk_panel import WalkPanel

CSV_FILTER = "Path as CSV (*.csv)"
WALK_DOCK_MIN_HEIGHT = 40  # one row of controls; the rest scrolls (compare mode at 900 x 600 fits)


class WalkDock:
    def __init__(self, window) -> None:  # the ExplorerWindow
        self.window = window
        self.path = LatentPath(window.explorer)
        self.panel = WalkPanel(self.path)
        self.dock = QDockWidget("Walk", window)
        self.dock.setObjectName("walkDock")
        # On a small screen (900 x 600, compare mode) the panel scrolls instead of making the window taller
        # than the screen: the maps keep their minimum height.
        scroller = scrolled(self.panel)
        scroller.setMinimumHeight(WALK_DOCK_MIN_HEIGHT)
        self.dock.setWidget(scroller)
        self.dock.setAllowedAreas(Qt.DockWidgetArea.BottomDockWidgetArea | Qt.DockWidgetArea.TopDockWidgetArea)
        window.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.dock)
        self.dock.hide()
        self.layers: dict[ModelState, PathLayer] = {}
        self.decodings: dict[ModelState, PathDecoding] = {}
        self.dialog: AnimationExportDialog | None = None

        self.dock.visibilityChanged.connect(lambda _: self._on_visibility())
        self.panel.saveRequested.connect(self.save_with_dialog)
        self.panel.loadRequested.connect(self.load_with_dialog)
        self.panel.exportRequested.connect(self.export_with_dialog)
        self.path.images_changed.connect(self._on_images)
        self.path.path_changed.connect(lambda _points: self._show_rows())
        window.panes.paneAdded.connect(self._add_pane)
        window.explorer.models_changed.connect(self._drop_removed)
        window.explorer.active_changed.connect(self._follow_active)
        for pane in window.panes.panes:
            self._add_pane(pane)
        self._follow_active(window.explorer.active)

    def show(self, visible: bool) -> None:
        self.dock.setVisible(visible)
        if visible:  # the whole panel where the window has room, at most a third of its height
            height = min(self.panel.minimumSizeHint().height() + 8, self.window.height() // 3)
            self.window.resizeDocks([self.dock], [max(height, WALK_DOCK_MIN_HEIGHT)], Qt.Orientation.Vertical)

    def _on_visibility(self) -> None:
        visible = self.dock.isVisible()
        self.path.set_active(visible)
        self.window.actions[ActionKey.WALK].setChecked(visible)
        if not visible:
            self.panel.play.setChecked(False)
            self.path.set_recording(False)

    # -- one layer and one decoding per model on screen ------------------------------------------
    def _add_pane(self, pane) -> None:  # a ModelPane
        state = pane.state
        self.layers[state] = PathLayer(pane, self.path)
        self.decodings[state] = PathDecoding(
            self.path, state, failed=lambda message: self.window.statusBar().showMessage(message, 8000)
        )
        for signal in (state.checkpoint_changed, state.projection_changed, state.live_changed):
            signal.connect(lambda *_, s=state: self._on_model_changed(s))
        self._show_rows()

    def _drop_removed(self) -> None:
        for state in [s for s in self.layers if s not in self.window.explorer.models]:
            self.layers.pop(state).detach()
            self.decodings.pop(state).close()
            self.panel.strip.remove(state)

    def _on_model_changed(self, state: ModelState) -> None:
        if state is self.window.explorer.active:
            self._follow_active(state)
        self._show_rows()

    def _follow_active(self, state: ModelState) -> None:
        self.panel.allow_spherical(spherical_problem(state.kind, state.projection is not None))

    def _show_rows(self) -> None:
        self.panel.fit_rows(len(self.layers))
        for state in self.layers:
            if self.path.points is None:
                self.panel.strip.remove(state)
            else:
                self.panel.strip.set_images(state, self._name(state), self.path.images_of(state))

    def _on_images(self, state: ModelState, images) -> None:
        if state in self.layers:
            self.panel.strip.set_images(state, self._name(state), images)

    @staticmethod
    def _name(state: ModelState) -> str:
        return f"training {state.live.kind.upper()}" if state.live is not None else state.display_name

    # -- files ------------------------------------------------------------------------------------
    def save_csv(self, file: str | Path) -> str | None:
        """Save the path's points; None, or the one-line reason it failed (also shown in a dialog)."""
        if self.path.points is None:
            return self._failed("Cannot save the path", "There is no path to save.")
        try:
            written = write_path_csv(file, self.path.points)
        except OSError as err:
            return self._failed("Cannot save the path", f"Could not write {Path(file).name}: {describe_os_error(err)}")
        self.window.statusBar().showMessage(f"Saved the path ({len(self.path.points)} points) to {written}", 6000)
        return None

    def load_csv(self, file: str | Path) -> str | None:
        """Load a path saved with :meth:`save_csv` (or any x,y CSV); None, or the reason it was refused."""
        try:
            points = read_path_csv(file)
        except PathFileError as err:
            return self._failed("Cannot load the path", str(err))
        except OSError as err:
            return self._failed("Cannot load the path", f"Could not read {Path(file).name}: {describe_os_error(err)}")
        self.show(True)
        self.path.set_recorded(points)
        self.window.statusBar().showMessage(f"Loaded a path of {len(points)} points from {Path(file).name}", 6000)
        return None

    def _failed(self, title: str, message: str) -> str:
        self.window.show_error(title, message)
        return message

    def _folder(self) -> str:
        return self.window.settings.last_directory or str(Path.home())

    def save_with_dialog(self) -> None:
        default = str(Path(self._folder()) / "gaerchen-path.csv")
        file, _ = QFileDialog.getSaveFileName(self.window, "Save path", default, CSV_FILTER)
        if file:
            self.save_csv(file if file.lower().endswith(".csv") else f"{file}.csv")

    def load_with_dialog(self) -> None:
        file, _ = QFileDialog.getOpenFileName(self.window, "Load path", self._folder(), f"{CSV_FILTER};;All files (*)")
        if file:
            self.load_csv(file)

    def export_with_dialog(self) -> AnimationExportDialog:
        """The export dialog for the active model (non-modal: the window stays usable while it writes)."""
        if self.dialog is not None:
            self.dialog.close()
        self.dialog = AnimationExportDialog(self.window.model, self.path, self._folder(), self.window)
        self.dialog.show()
        return self.dialog

    def shutdown(self) -> None:
        """The window closes: no playback, no recording, no export, and decodes under way go nowhere."""
        self.panel.timer.stop()
        self.path.set_recording(False)
        for decoding in self.decodings.values():
            decoding.close()
        if self.dialog is not None:
            self.dialog.close()
