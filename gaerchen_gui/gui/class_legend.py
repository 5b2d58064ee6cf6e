"""The map's class legend: a coloured dot and a name per class; clicking either hides or shows the class.

pyqtgraph's own legend toggles only when its 20 px sample is clicked, leaves the
name as it was and draws a hidden entry as a black crossed-out eye, which reads
as an error in a light theme. Here the whole entry is the button, and a hidden
class keeps its place with a hollow ring and a greyed name.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QApplication

from gaerchen_gui.gui.theme import class_color, muted, plot_foreground

SWATCH_PX = 14  # the dot's box; the dot itself is 9 px, as the map's test points at a glance
DOT_PX = 9
HIDDEN_TEXT_ALPHA = 110  # a hidden class's name: the text colour, faded


def legend_font_size() -> str:
    """The application font's size: the legend reads as large as the axes' tick labels, on screen and exported."""
    app = QApplication.instance()
    size = app.font().pointSizeF() if isinstance(app, QApplication) else 9.0
    return f"{size:g}pt"


class ClassSwatch(pg.GraphicsWidget):
    """The dot of one legend entry: filled in the class colour when shown, a hollow ring when hidden."""

    sigClicked = Signal(object)  # LegendItem.addItem connects it; the legend handles clicks itself

    def __init__(self, label: int) -> None:
        super().__init__()
        self.label = label
        self.shown = True
        self.setFixedWidth(SWATCH_PX)
        self.setFixedHeight(SWATCH_PX)

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, SWATCH_PX, SWATCH_PX)

    def paint(self, painter: QPainter, *args) -> None:  # Qt's option and widget
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        inset = (SWATCH_PX - DOT_PX) / 2
        rect = QRectF(inset, inset, DOT_PX, DOT_PX)
        if self.shown:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(class_color(self.label))
        else:
            painter.setPen(QPen(class_color(self.label, HIDDEN_TEXT_ALPHA), 1.5))
            painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawEllipse(rect)


class ClassLegend(pg.LegendItem):
    """One entry per class name; :attr:`visibilityChanged` carries the (C,) bool array of shown classes."""

    visibilityChanged = Signal(object)

    def __init__(self, names: list[str] | tuple[str, ...]) -> None:
        super().__init__(
            offset=None,
            colCount=5,
            horSpacing=14,
            verSpacing=-4,
            labelTextSize=legend_font_size(),
            frame=False,
            sampleType=ClassSwatch,
        )
        self.names = tuple(names)
        self._colour = plot_foreground()
        for label, name in enumerate(self.names):
            self.addItem(ClassSwatch(label), name)
        self.setCursor(Qt.CursorShape.PointingHandCursor)  # the entries are buttons
        self.setToolTip("Click a class to hide it on the map; click again to show it")

    def set_names(self, names: list[str] | tuple[str, ...]) -> None:
        """Other classes (a model trained on a folder names its own): every class shown again."""
        self.clear()
        self.names = tuple(names)
        for label, name in enumerate(self.names):
            self.addItem(ClassSwatch(label), name)
        self.set_text_colour(self._colour)
        self.visibilityChanged.emit(self.visible_classes())

    # -- state -------------------------------------------------------------------------------
    def visible_classes(self) -> np.ndarray:
        return np.array([swatch.shown for swatch, _ in self.items], dtype=bool)

    def is_class_shown(self, label: int) -> bool:
        return self.items[label][0].shown

    def set_class_shown(self, label: int, shown: bool) -> None:
        swatch, _ = self.items[label]
        if swatch.shown == shown:
            return
        swatch.shown = shown
        swatch.update()
        self._paint_name(label)
        self.visibilityChanged.emit(self.visible_classes())

    def toggle(self, label: int) -> None:
        self.set_class_shown(label, not self.is_class_shown(label))

    # -- looks -------------------------------------------------------------------------------
    def set_text_colour(self, colour: QColor) -> None:
        self._colour = QColor(colour)
        self.setLabelTextColor(colour)
        for label in range(len(self.items)):
            self._paint_name(label)

    def name_colour(self, label: int) -> QColor:
        """The colour the name of class ``label`` is drawn in: the text colour, faded while hidden."""
        return self._colour if self.is_class_shown(label) else muted(self._colour, HIDDEN_TEXT_ALPHA)

    def _paint_name(self, label: int) -> None:
        _, text = self.items[label]
        text.setText(self.names[label], color=self.name_colour(label))

    def entry_rect(self, label: int) -> QRectF:
        """Where entry ``label`` (dot and name) is, in scene coordinates."""
        swatch, text = self.items[label]
        return swatch.sceneBoundingRect().united(text.sceneBoundingRect())

    def fit_columns(self, width: float) -> None:
        """As many columns as fit in ``width`` pixels (2 to 5): a name is never cut short."""
        # the text's own width: a LabelItem's rectangle is whatever the layout stretched it to
        widest = max(text.item.boundingRect().width() for _, text in self.items) if self.items else 0
        entry = SWATCH_PX + widest + self.layout.horizontalSpacing() + 4
        columns = int(np.clip(width // max(entry, 1), 2, 5))
        self.setColumnCount(columns)

    def updateSize(self) -> None:
        # pyqtgraph sizes its legend from its entries' current widths, which the plot's layout has
        # stretched: after a change of columns the legend only grew, past a narrow map's edge. Here the
        # plot's layout sizes the legend from the entries' own hints.
        self.layout.invalidate()
        self.updateGeometry()

    # -- mouse -------------------------------------------------------------------------------
    def mouseClickEvent(self, event) -> None:  # pyqtgraph MouseClickEvent
        if event.button() != Qt.MouseButton.LeftButton:
            return
        scene_pos = event.scenePos()
        for label in range(len(self.items)):
            if self.entry_rect(label).contains(scene_pos):
                event.accept()
                self.toggle(label)
                return

    def mouseDragEvent(self, event) -> None:  # pyqtgraph MouseDragEvent
        event.ignore()  # the legend sits in the plot's layout, below the axis: it does not move
