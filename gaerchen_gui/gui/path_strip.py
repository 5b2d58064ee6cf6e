"""The path's decoded images as a strip, one row per model on screen, the cursor's point framed.

A row is one picture (the thumbnails tiled with numpy, one QPixmap), not a widget per image: a
walk of 200 steps would otherwise be 200 labels per model. A path longer than MAX_TILES shows
MAX_TILES of its images, evenly spaced, ends included; the frame marks the one nearest the cursor.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from gaerchen_gui.gui.images import to_qimage
from gaerchen_gui.gui.path_layer import PATH_COLOUR

TILE_PX = 48
GAP_PX = 2
MAX_TILES = 24


def tile_indices(count: int, limit: int = MAX_TILES) -> np.ndarray:
    """Which of ``count`` images the strip shows: all, or ``limit`` evenly spaced with both ends."""
    if count <= limit:
        return np.arange(count)
    return np.unique(np.round(np.linspace(0, count - 1, limit)).astype(int))


class PathStrip(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pathStrip")
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(6)
        self._rows: dict[object, tuple[QLabel, QLabel, np.ndarray | None]] = {}  # model -> name, picture, images
        self._position = 0
        self._next_row = 0  # grid rows are not reused: a removed row's number may sit above a live one

    def set_images(self, model: object, name: str, images: np.ndarray | None) -> None:
        """Show ``images`` (n, 32, 32) as ``model``'s row, captioned ``name`` (None: the row waits)."""
        if model not in self._rows:
            row, self._next_row = self._next_row, self._next_row + 1
            name_label, picture = QLabel(), QLabel()
            name_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            picture.setMinimumHeight(TILE_PX + 4)
            self._grid.addWidget(name_label, row, 0)
            self._grid.addWidget(picture, row, 1, Qt.AlignmentFlag.AlignLeft)
            self._grid.setColumnStretch(1, 1)
            self._rows[model] = (name_label, picture, None)
        name_label, picture, _ = self._rows[model]
        name_label.setText(name)
        self._rows[model] = (name_label, picture, images)
        self._paint(model)

    def remove(self, model: object) -> None:
        row = self._rows.pop(model, None)
        if row is not None:
            for widget in row[:2]:
                self._grid.removeWidget(widget)
                widget.deleteLater()

    def set_position(self, index: int) -> None:
        self._position = index
        for model in self._rows:
            self._paint(model)

    def images(self, model: object) -> np.ndarray | None:
        """The images the row of ``model`` was given (None while they are being decoded)."""
        row = self._rows.get(model)
        return None if row is None else row[2]

    def _paint(self, model: object) -> None:
        _, picture, images = self._rows[model]
        if images is None:
            picture.setText("decoding…")
            picture.setPixmap(QPixmap())
            return
        shown = tile_indices(len(images))
        step = TILE_PX + GAP_PX
        canvas = np.ones((TILE_PX + 4, len(shown) * step + 2), np.float32)
        rows = np.arange(TILE_PX) * 32 // TILE_PX  # nearest-neighbour: the decoder's pixels, sharp
        for k, i in enumerate(shown):
            canvas[2 : 2 + TILE_PX, 2 + k * step : 2 + k * step + TILE_PX] = images[i][rows][:, rows]
        pixmap = QPixmap.fromImage(to_qimage(canvas))
        current = int(np.argmin(np.abs(shown - self._position)))
        painter = QPainter(pixmap)
        painter.setPen(QPen(QColor(PATH_COLOUR), 2))
        painter.drawRect(1 + current * step, 1, TILE_PX + 1, TILE_PX + 1)
        painter.end()
        picture.setPixmap(pixmap)
