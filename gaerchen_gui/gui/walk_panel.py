"""The controls of a latent path: its ends, straight or spherical, the number of steps, a slider
and Play to run the cursor along it, Record, and the buttons for files; the strip of its images.

All it changes is the shared :class:`LatentPath`; the path's layers on the maps, the decoding of
its images and the files are the dock's (walk_dock.py).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)
from superqt.utils import signals_blocked

from gaerchen_gui.components.latent_path import MAX_STEPS, METHODS, MIN_STEPS, LatentPath, PathEnd
from gaerchen_gui.gui.path_strip import TILE_PX, PathStrip

# Points a second during playback: a walk's steps slow enough to see each image; a recording at
# about the rate the mouse moves were captured at, so it plays back at the speed it was drawn.
PLAY_RATE = {"walk": 6, "recording": 30}
VISIBLE_ROWS = 2  # strip rows shown without scrolling (compare mode has up to four)
ROW_SPACING_PX = 10
RECORD_KEY = "Ctrl+Shift+R"
PLAY_KEY = "Ctrl+Shift+P"


class WalkPanel(QWidget):
    saveRequested = Signal()
    loadRequested = Signal()
    exportRequested = Signal()

    def __init__(self, path: LatentPath, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("walkPanel")
        self.path = path
        self.ends = QLabel()
        self.ends.setObjectName("walkEnds")
        self.method = QComboBox()
        for method, name in METHODS.items():
            self.method.addItem(name, method)
        self.method.setToolTip("Straight: a line between the two codes. Spherical (VAE): the arc about the origin")
        self.steps = QSpinBox()
        self.steps.setRange(MIN_STEPS, MAX_STEPS)
        self.steps.setValue(path.steps)
        self.steps.setPrefix("steps ")
        self.steps.setToolTip("How many images along the walk, both ends included")
        self.clear = QPushButton("Clear")
        self.play = QToolButton()
        self.play.setCheckable(True)
        self.play.setText("▶ Play")
        self.play.setShortcut(QKeySequence(PLAY_KEY))
        self.play.setToolTip(f"Run the cursor along the path ({PLAY_KEY})")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip("Where the cursor is on the path: drag to move it along")
        self.where = QLabel()
        self.where.setMinimumWidth(70)
        self.record = QToolButton()
        self.record.setText("● Record")
        self.record.setCheckable(True)
        self.record.setShortcut(QKeySequence(RECORD_KEY))
        self.record.setToolTip(f"Record the cursor's moves as a path: drag it on the map, then stop ({RECORD_KEY})")
        self.save = QPushButton("Save Path…")
        self.load = QPushButton("Load Path…")
        self.export = QPushButton("Export Animation…")
        self.strip = PathStrip()
        self.scroller = QScrollArea()
        self.scroller.setWidget(self.strip)
        self.scroller.setWidgetResizable(True)
        self.fit_rows(1)

        first = QHBoxLayout()
        first.addWidget(self.ends, 1)
        for widget in (self.method, self.steps, self.clear):
            first.addWidget(widget)
        second = QHBoxLayout()
        second.addWidget(self.play)
        second.addWidget(self.slider, 1)
        second.addWidget(self.where)
        second.addSpacing(12)
        for widget in (self.record, self.save, self.load, self.export):
            second.addWidget(widget)
        column = QVBoxLayout(self)
        column.setContentsMargins(6, 4, 6, 4)
        column.addLayout(first)
        column.addLayout(second)
        column.addWidget(self.scroller, 1)

        self.timer = QTimer(self)
        self.timer.timeout.connect(self._tick)
        self.method.currentIndexChanged.connect(lambda _: path.set_method(self.method.currentData()))
        self.steps.valueChanged.connect(path.set_steps)
        self.clear.clicked.connect(path.clear)
        self.play.toggled.connect(self._play)
        self.slider.valueChanged.connect(path.set_position)
        self.record.toggled.connect(path.set_recording)
        self.save.clicked.connect(self.saveRequested)
        self.load.clicked.connect(self.loadRequested)
        self.export.clicked.connect(self.exportRequested)
        path.ends_changed.connect(self._show_ends)
        path.path_changed.connect(lambda _points: self._show_path())
        path.position_changed.connect(self._show_position)
        path.recording_changed.connect(self._show_recording)
        self._show_ends(path.start, path.end)
        self._show_path()

    # -- from the path ------------------------------------------------------------------------
    def _show_ends(self, start: PathEnd | None, end: PathEnd | None) -> None:
        if self.path.recording:
            text = "Recording: move the cursor (drag it, click, type or nudge it), then stop"
        elif start is None:
            text = "Click a dot on the map (or a sample) for the walk's start"
        elif end is None:
            text = f"From {start.label}: click the end"
        elif self.path.kind == "recording":
            text = "A recorded path"
        else:
            text = f"From {start.label} to {end.label}"
        self.ends.setText(text)

    def _show_path(self) -> None:
        points = self.path.points
        count = 0 if points is None else len(points)
        self.play.setChecked(False)
        for widget in (self.play, self.slider, self.save, self.export):
            widget.setEnabled(count > 0)
        self.method.setEnabled(self.path.kind == "walk")
        self.steps.setEnabled(self.path.kind == "walk")
        with signals_blocked(self.method), signals_blocked(self.steps):  # the path's own, however set
            self.method.setCurrentIndex(self.method.findData(self.path.method))
            self.steps.setValue(self.path.steps)
        with signals_blocked(self.slider):
            self.slider.setRange(0, max(0, count - 1))
            self.slider.setValue(0)
        self._show_position(0)
        self._show_ends(self.path.start, self.path.end)

    def _show_position(self, index: int) -> None:
        count = 0 if self.path.points is None else len(self.path.points)
        with signals_blocked(self.slider):
            self.slider.setValue(index)
        self.where.setText(f"{index + 1} / {count}" if count else "no path")
        self.strip.set_position(index)

    def _show_recording(self, on: bool) -> None:
        with signals_blocked(self.record):
            self.record.setChecked(on)
        self.record.setText("■ Stop" if on else "● Record")
        self._show_ends(self.path.start, self.path.end)

    def fit_rows(self, count: int) -> None:
        """Room for ``count`` models' strip rows, at most VISIBLE_ROWS (more scroll): the map keeps its height."""
        rows = max(1, min(count, VISIBLE_ROWS))
        self.scroller.setMinimumHeight(rows * (TILE_PX + ROW_SPACING_PX) + 2 * self.scroller.frameWidth() + 16)

    # -- straight or spherical ----------------------------------------------------------------
    def allow_spherical(self, problem: str | None) -> None:
        """Offer the spherical walk, or (``problem``: why not) fall back to the straight one."""
        item = self.method.model().item(self.method.findData("slerp"))
        item.setEnabled(problem is None)
        item.setToolTip(problem or "The arc about the origin, where a VAE's prior puts its mass")
        if problem is not None and self.method.currentData() == "slerp":
            self.method.setCurrentIndex(self.method.findData("lerp"))

    # -- playback -----------------------------------------------------------------------------
    def _play(self, on: bool) -> None:
        self.play.setText("❚❚ Pause" if on else "▶ Play")
        if not on:
            self.timer.stop()
            return
        if self.path.points is None:
            self.play.setChecked(False)
            return
        if self.path.position >= len(self.path.points) - 1:
            self.path.set_position(0)  # from the start again
        self.timer.start(round(1000 / PLAY_RATE[self.path.kind]))

    def _tick(self) -> None:
        if not self.path.advance():
            self.play.setChecked(False)
