"""Sampling controls (how many, resample) above the grid of decoded samples."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSpinBox, QToolButton, QVBoxLayout, QWidget

from gaerchen_gui.core.sampling import DEFAULT_SAMPLE_COUNT
from gaerchen_gui.gui.sample_grid import SampleGrid

MAX_SAMPLES = 60


class SamplePanel(QWidget):
    countChanged = Signal(int)

    def __init__(self, resample: QAction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.count_box = QSpinBox()
        self.count_box.setObjectName("sampleCount")
        self.count_box.setRange(1, MAX_SAMPLES)
        self.count_box.setValue(DEFAULT_SAMPLE_COUNT)
        self.count_box.setKeyboardTracking(False)
        self.count_box.setToolTip("How many latent points to sample and decode")
        self.count_box.valueChanged.connect(self.countChanged)

        self.resample_button = QToolButton()
        self.resample_button.setDefaultAction(resample)
        self.resample_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)

        self.rule = QLabel()
        self.rule.setObjectName("samplingRule")
        note = self.rule.palette()  # greyed: a note, not a control
        note.setColor(QPalette.ColorRole.WindowText, note.color(QPalette.ColorRole.PlaceholderText))
        self.rule.setPalette(note)

        controls = QHBoxLayout()
        controls.setSpacing(8)
        controls.addWidget(QLabel("Points"))
        controls.addWidget(self.count_box)
        controls.addWidget(self.resample_button)
        controls.addStretch(1)

        self.grid = SampleGrid()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(controls)
        layout.addWidget(self.rule)
        layout.addWidget(self.grid)

    def count(self) -> int:
        return self.count_box.value()

    def set_rule(self, text: str) -> None:
        self.rule.setText(text)
