"""The sweep view (View > Sweep Results…): a BETA sweep's models side by side, and their trade-off.

Left, the rate-distortion plot (a point per BETA, joined); right, the small multiples (each
BETA's map and a row of samples). Each point and each multiple opens its model in the explorer or
adds it to a compare pane. It shows a :class:`SweepState` that a :class:`SweepLoader` fills in
the background: opening a folder never waits for torch.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from gaerchen_gui.components.sweep_state import SweepState
from gaerchen_gui.core.save_target import user_models_dir
from gaerchen_gui.core.sweep_results import SweepRun
from gaerchen_gui.gui.rate_distortion_plot import RateDistortionPlot
from gaerchen_gui.gui.scroll_area import scrolled
from gaerchen_gui.gui.sweep_loading import SweepLoader
from gaerchen_gui.gui.sweep_multiple import MAP_SIZE, SweepMultiple
from gaerchen_gui.resources import shipped_model_path

SHIPPED_SWEEP = "sweep"  # models/sweep/: the shipped sweep, where the folder dialog starts
HINT = "Open a folder of sweep checkpoints (BETA Sweep… or `gaerchen sweep` writes them)."


class SweepView(QDialog):
    openRequested = Signal(object)  # Path: show this checkpoint in the explorer
    compareRequested = Signal(object)  # Path: add it to a compare pane

    def __init__(self, parent: QWidget | None = None, load_test=None) -> None:  # () -> ImageSet, for tests
        super().__init__(parent)
        self.setWindowTitle("Sweep Results")
        self.setObjectName("sweepView")
        self.state = SweepState()
        self.loader = SweepLoader(self.state, load_test)
        self.folder_label = QLabel(HINT)
        self.folder_label.setWordWrap(True)
        self.open_button = QPushButton("Open Folder…")
        self.open_button.setToolTip("Show another folder of sweep checkpoints")
        self.open_button.clicked.connect(self.choose_folder)
        self.status = QLabel()
        self.status.setObjectName("sweepStatus")
        self.status.setWordWrap(True)
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.hide()
        top = QHBoxLayout()
        top.addWidget(self.folder_label, 1)
        top.addWidget(self.open_button)
        self.plot = RateDistortionPlot()
        self.plot.runClicked.connect(self._on_run_clicked)
        self._grid_holder = QWidget()
        self._grid = QGridLayout(self._grid_holder)
        self._grid.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        scroller = scrolled(self._grid_holder)
        self._scroller = scroller
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.plot)
        splitter.addWidget(scroller)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([420, 640])  # the plot reads at 400 px; the multiples get the rest (two or more across)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.problems)
        self.multiples: dict[float, SweepMultiple] = {}  # by BETA
        self.state.folder_changed.connect(self._on_folder)
        self.state.run_added.connect(self._on_run_added)
        self.state.problem_added.connect(self._on_problem)
        self.state.status_changed.connect(lambda text: self.status.setText(text))
        self.resize(1100, 680)

    # -- which folder -------------------------------------------------------------------------------
    def open_folder(self, folder: str | Path) -> str | None:
        """Show the sweep in ``folder``; its problem (shown in the view) if it is not one."""
        return self.loader.load(folder)

    def choose_folder(self) -> str | None:
        start = self.state.folder or shipped_model_path(SHIPPED_SWEEP)
        if not Path(start).is_dir():
            start = user_models_dir()
        folder = QFileDialog.getExistingDirectory(self, "Open a sweep's folder", str(start))
        return self.open_folder(folder) if folder else None

    # -- drawing the state ----------------------------------------------------------------------------
    def _on_folder(self, folder: Path) -> None:
        self.folder_label.setText(f"Sweep in {folder}")
        self.folder_label.setToolTip(str(folder))
        for multiple in self.multiples.values():
            multiple.setParent(None)
            multiple.deleteLater()
        self.multiples = {}
        self.problems.clear()
        self.problems.hide()
        self.plot.set_curve(*self.state.curve())

    def _on_run_added(self, run: SweepRun) -> None:
        multiple = SweepMultiple(run)
        multiple.openRequested.connect(lambda beta: self._on_run_clicked(beta, False))
        multiple.compareRequested.connect(lambda beta: self._on_run_clicked(beta, True))
        self.multiples[run.beta] = multiple
        self._lay_out_multiples()
        self.plot.set_curve(*self.state.curve())

    def _on_problem(self, message: str) -> None:
        self.problems.setText("\n".join(self.state.problems))
        self.problems.show()

    def _columns(self) -> int:
        return max(1, (self._scroller.viewport().width() - 8) // (MAP_SIZE + 18))

    def _lay_out_multiples(self) -> None:
        columns = self._columns()
        for i, run in enumerate(self.state.runs):
            self._grid.addWidget(self.multiples[run.beta], i // columns, i % columns)

    def resizeEvent(self, event) -> None:  # Qt's name
        super().resizeEvent(event)
        self._lay_out_multiples()

    # -- clicks -----------------------------------------------------------------------------------
    def _on_run_clicked(self, beta: float, compare: bool) -> None:
        run = self.state.run_of(beta)
        if run is None:
            return
        self.plot.select(beta)
        for other, multiple in self.multiples.items():
            multiple.set_selected(other == beta)
        (self.compareRequested if compare else self.openRequested).emit(run.path)

    def shutdown(self, timeout_s: float = 5.0) -> bool:
        self.loader.cancel()
        return self.loader.wait(timeout_s)
