"""The sweep view as the explorer window holds it: made on first use, its clicks turned into the
window's own commands (open a checkpoint; add a compare pane showing it)."""

from __future__ import annotations

from pathlib import Path

from gaerchen_gui.core.model_loading import shipped_sweep_dir
from gaerchen_gui.core.sweep_results import folder_problem
from gaerchen_gui.gui.actions import ActionKey
from gaerchen_gui.gui.sweep_view import SweepView


class SweepViewHost:
    def __init__(self, window) -> None:  # the ExplorerWindow
        self.window = window
        self.view: SweepView | None = None
        self.closed = False  # the window shut down: a sweep it stopped must not open the view again

    def show(self, folder: str | Path | None = None) -> SweepView:
        """Show the view; with ``folder``, that sweep; without, and nothing shown yet, the shipped sweep
        (or, where there is none, ask for a folder)."""
        view = self.view
        if view is None:
            view = self.view = SweepView(self.window)
            view.openRequested.connect(self.open_in_explorer)
            view.compareRequested.connect(self.add_to_compare)
        view.show()
        view.raise_()
        if folder is not None:
            view.open_folder(folder)
        elif view.state.folder is None:
            shipped = shipped_sweep_dir()
            if folder_problem(shipped) is None:
                view.open_folder(shipped)  # the trade-off at once; Open Folder… shows another sweep
            else:
                view.choose_folder()
        return view

    def show_finished_sweep(self, folder: Path) -> None:
        """A sweep just ended: show what it saved (nothing, if it saved nothing there, or if the window
        is closing: closing stops a running sweep, whose end arrives after the window shut down)."""
        if not self.closed and folder_problem(folder) is None:
            self.show(folder)

    def open_in_explorer(self, path: Path) -> None:
        self.window.open_checkpoint(path)  # a file that cannot be opened gets the window's dialog
        self.window.activateWindow()

    def add_to_compare(self, path: Path) -> None:
        """A new pane showing ``path`` (compare mode on); the status bar says why not when four are shown."""
        window = self.window
        if window.panes.add_pane(window, str(path)) is None:
            return
        window.actions[ActionKey.COMPARE].setChecked(True)  # headers and the strip; two panes are there already
        window.panes.remember(window.settings)

    def shutdown(self, timeout_s: float = 5.0) -> bool:
        self.closed = True
        return self.view is None or self.view.shutdown(timeout_s)
