"""A 28 x 28 canvas shown large: draw with the mouse, as Fashion-MNIST's images are (bright on black).

Each stroke stamps a round brush along the mouse's path (every half cell between two mouse
positions, so a fast stroke leaves no gaps), with a soft edge one cell wide, like the
anti-aliased edges of the dataset's images; the eraser stamps black the same way. Every change
emits :attr:`DrawingPad.drawingChanged` with the (28, 28) array; the pad holds no other state.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from gaerchen_gui.core.placement import DRAWING_SIZE
from gaerchen_gui.gui.images import to_qimage

CELL_PX = 10  # one of the 28 cells on screen at the pad's preferred size (280 x 280)
MIN_CELL_PX = 6
BRUSH_SIZES = (1, 2, 3, 4)  # brush radius in cells
DEFAULT_BRUSH = 2  # about the stroke width of Fashion-MNIST's garments' outlines


class DrawingPad(QWidget):
    drawingChanged = Signal(object)  # (28, 28) float32 in [0, 1]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("drawingPad")
        self.pixels = np.zeros((DRAWING_SIZE, DRAWING_SIZE), dtype=np.float32)
        self.brush = DEFAULT_BRUSH
        self.erasing = False
        self._last: tuple[float, float] | None = None  # the stroke's previous point, in cells
        rows, cols = np.mgrid[0:DRAWING_SIZE, 0:DRAWING_SIZE]
        self._centres = (cols + 0.5, rows + 0.5)
        self.setMinimumSize(MIN_CELL_PX * DRAWING_SIZE, MIN_CELL_PX * DRAWING_SIZE)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip("Draw with the mouse: light on dark, as the models' images are")

    def sizeHint(self) -> QSize:
        return QSize(CELL_PX * DRAWING_SIZE, CELL_PX * DRAWING_SIZE)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return width

    # -- what is drawn ----------------------------------------------------------------------
    def set_pixels(self, pixels: np.ndarray) -> None:
        """Show ``pixels`` (28, 28) in [0, 1] (e.g. an example to start from)."""
        self.pixels = np.clip(np.asarray(pixels, dtype=np.float32), 0.0, 1.0).reshape(DRAWING_SIZE, DRAWING_SIZE).copy()
        self._changed()

    def clear(self) -> None:
        self.set_pixels(np.zeros_like(self.pixels))

    def invert(self) -> None:
        self.set_pixels(1.0 - self.pixels)

    def _changed(self) -> None:
        self.update()
        self.drawingChanged.emit(self.pixels.copy())

    # -- geometry ---------------------------------------------------------------------------
    def _square(self) -> QRectF:
        side = min(self.width(), self.height())
        return QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)

    def cell_at(self, pos: QPointF) -> tuple[float, float]:
        """Widget position -> (column, row) in cells, as floats (cell centres at .5)."""
        square = self._square()
        scale = DRAWING_SIZE / square.width()
        return (pos.x() - square.left()) * scale, (pos.y() - square.top()) * scale

    def widget_pos(self, column: float, row: float) -> QPointF:
        """(column, row) in cells -> widget position: where a test presses the mouse."""
        square = self._square()
        scale = square.width() / DRAWING_SIZE
        return QPointF(square.left() + column * scale, square.top() + row * scale)

    # -- drawing ----------------------------------------------------------------------------
    def _stamp(self, x: float, y: float) -> None:
        distance = np.hypot(self._centres[0] - x, self._centres[1] - y)
        ink = np.clip(self.brush + 0.5 - distance, 0.0, 1.0).astype(np.float32)  # soft edge, one cell wide
        self.pixels = np.minimum(self.pixels, 1.0 - ink) if self.erasing else np.maximum(self.pixels, ink)

    def _stroke_to(self, x: float, y: float) -> None:
        x0, y0 = self._last if self._last is not None else (x, y)
        steps = max(1, int(np.ceil(2 * np.hypot(x - x0, y - y0))))
        for t in np.linspace(1.0 / steps, 1.0, steps):
            self._stamp(x0 + t * (x - x0), y0 + t * (y - y0))
        self._last = (x, y)
        self._changed()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self._last = None
            self._stroke_to(*self.cell_at(event.position()))
            event.accept()
            return
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if event.buttons() & Qt.MouseButton.LeftButton and self._last is not None:
            self._stroke_to(*self.cell_at(event.position()))
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._last = None
        super().mouseReleaseEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        square = self._square()
        painter.drawImage(square, to_qimage(self.pixels))  # nearest-neighbour: the cells stay visible
        painter.setPen(QPen(QColor(128, 128, 128, 60), 1))
        step = square.width() / DRAWING_SIZE
        for i in range(0, DRAWING_SIZE + 1, 7):  # a faint grid every 7 cells: where the middle is
            painter.drawLine(
                QPointF(square.left() + i * step, square.top()), QPointF(square.left() + i * step, square.bottom())
            )
            painter.drawLine(
                QPointF(square.left(), square.top() + i * step), QPointF(square.right(), square.top() + i * step)
            )
        painter.end()
