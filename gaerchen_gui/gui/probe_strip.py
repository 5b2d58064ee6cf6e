"""A row of small decoded images: what the decoder painted at the time-lapse's probe points then.

The probes are fixed draws from N(0, I) (core/frames.py), the same points in every frame, so the
row shows one decoder learning: blobs at the first frame, garments at the last. Drawn as one
grey image scaled without smoothing (sharp pixels, as the other decoded images).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

MAX_TILE_PX = 36  # a probe's side at most; narrower panes get smaller tiles
GAP_PX = 2


class ProbeStrip(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("probeStrip")
        self.images: np.ndarray | None = None  # (P, 32, 32) uint8, as shown
        self._image: QImage | None = None
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(MAX_TILE_PX)

    def sizeHint(self) -> QSize:  # Qt override
        return QSize(16 * (MAX_TILE_PX + GAP_PX), MAX_TILE_PX)

    def set_images(self, images: np.ndarray | None) -> None:
        """(P, 32, 32) uint8 images side by side; None empties the strip."""
        self.images = None if images is None else np.ascontiguousarray(images, dtype=np.uint8)
        self._image = None
        if self.images is not None and len(self.images):
            count, side = self.images.shape[0], self.images.shape[1]
            row = np.ascontiguousarray(self.images.transpose(1, 0, 2).reshape(side, count * side))
            # copy(): the QImage must own its bytes once ``row`` goes
            self._image = QImage(row.data, row.shape[1], side, row.shape[1], QImage.Format.Format_Grayscale8).copy()
        self.update()

    def tile_px(self) -> int:
        """The side of one tile at the strip's current width."""
        count = 0 if self.images is None else len(self.images)
        return min(MAX_TILE_PX, (self.width() - GAP_PX * count) // count) if count else 0

    def paintEvent(self, event: QPaintEvent) -> None:  # Qt override
        if self._image is None:
            return
        tile, count = self.tile_px(), len(self.images)
        if tile <= 0:
            return
        side = self.images.shape[1]
        left = (self.width() - count * (tile + GAP_PX) + GAP_PX) // 2
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        for i in range(count):
            target = QRect(left + i * (tile + GAP_PX), (self.height() - tile) // 2, tile, tile)
            painter.drawImage(target, self._image, QRect(i * side, 0, side, side))
        painter.end()
