"""Typing the cursor's latent coordinates: two spin boxes that accept numbers only."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QAbstractSpinBox, QDoubleSpinBox, QFormLayout, QHBoxLayout, QLabel, QWidget
from superqt.utils import signals_blocked

from gaerchen_gui.core.projection import dimension_name

LIMIT = 1000.0  # far beyond any embedding of these models, and keeps typos from flinging the view away
DECIMALS = 3


class CoordinateEntry(QWidget):
    """Emits :attr:`positionEntered` when a value is committed (Enter, focus out, arrows, wheel)."""

    positionEntered = Signal(float, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        x, y = dimension_name(0), dimension_name(1)  # "z₀", "z₁" until a projection names them
        self.x_box = self._spin_box(x)
        self.y_box = self._spin_box(y)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(12)
        self.names = (QLabel(x), QLabel(y))
        for name, box in zip(self.names, (self.x_box, self.y_box), strict=True):
            form = QFormLayout()
            form.setContentsMargins(0, 0, 0, 0)
            form.addRow(name, box)
            row.addLayout(form, 1)

    def set_axis_names(self, x: str, y: str) -> None:
        """What the map's axes are called: z₀ and z₁, or a projection's "PC 1" and "PC 2"."""
        for label, box, name in zip(self.names, (self.x_box, self.y_box), (x, y), strict=True):
            label.setText(name)
            box.setToolTip(f"Map coordinate {name} of the cursor; Enter moves it")

    def _spin_box(self, name: str) -> QDoubleSpinBox:
        box = QDoubleSpinBox()
        box.setObjectName(f"coordinate_{name}")
        box.setRange(-LIMIT, LIMIT)
        box.setDecimals(DECIMALS)
        box.setSingleStep(0.05)
        box.setKeyboardTracking(False)  # commit on Enter, not on every keystroke
        box.setAccelerated(True)
        box.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToPreviousValue)  # junk is refused
        box.setToolTip(f"Map coordinate {name} of the cursor; Enter moves it")
        box.valueChanged.connect(self._committed)
        return box

    def _committed(self) -> None:
        self.positionEntered.emit(self.x_box.value(), self.y_box.value())

    def position(self) -> tuple[float, float]:
        return self.x_box.value(), self.y_box.value()

    def set_position(self, x: float, y: float) -> None:
        """Show the cursor's position without echoing it back as an entry."""
        with signals_blocked(self.x_box), signals_blocked(self.y_box):
            self.x_box.setValue(x)
            self.y_box.setValue(y)

    def set_step(self, step: float) -> None:
        for box in (self.x_box, self.y_box):
            box.setSingleStep(step)
