"""The sampled latent points decoded as a grid of images, each captioned with its coordinates.

Painted in one ``paintEvent`` (no widget per tile), so the same code renders the
PNG export at any tile size. Tiles are numbered as the markers on the map;
clicking a tile moves the cursor to its point.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QMouseEvent, QPainter, QPalette
from PySide6.QtWidgets import QSizePolicy, QWidget

from gaerchen_gui.gui.images import to_qimage

COLUMNS = 6  # the book's grid is 6 wide
GAP = 6
# Caption formats, best first: (decimals, separator, points smaller than the caption font). The first
# that fits under every tile is used for all of them. A tighter comma or a slightly smaller font comes
# before fewer decimals: a decimal tells more than the space it costs.
CAPTION_FORMATS = tuple(
    (decimals, separator, smaller)
    for decimals in (2, 1, 0)
    for smaller, separator in ((0.0, ", "), (0.0, ","), (1.0, ", "), (1.0, ","))
)
MIN_CAPTION_PT = 6.5


class SampleGrid(QWidget):
    tileClicked = Signal(int)  # index of the clicked sample

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sampleGrid")
        self.points: np.ndarray | None = None  # (N, D)
        self.images: np.ndarray | None = None  # (N, 32, 32), None while decoding
        self._hover = -1
        self.setMouseTracking(True)
        # Height follows width through a minimum height (_fit_height), not heightForWidth: a layout
        # with heightForWidth inside a QScrollArea is sized to its preferred height and always scrolls.
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    # -- content -----------------------------------------------------------------------------
    def set_points(self, points: np.ndarray | None) -> None:
        """New samples: tiles show "decoding…" until :meth:`set_images` delivers."""
        self.points = None if points is None else np.asarray(points)
        self.images = None
        self._hover = -1
        self._fit_height()
        self.update()

    def set_images(self, points: np.ndarray, images: np.ndarray) -> bool:
        """Show decoded ``images`` if they belong to the points on display; returns whether they did."""
        if self.points is None or points.shape != self.points.shape or not np.array_equal(points, self.points):
            return False
        self.images = np.asarray(images)
        self.update()
        return True

    def clear(self) -> None:
        self.set_points(None)

    def __len__(self) -> int:
        return 0 if self.points is None else len(self.points)

    # -- geometry ----------------------------------------------------------------------------
    def _caption_height(self, font: QFont) -> int:
        return QFontMetrics(font).height() + 2

    def _tile_size(self, width: int) -> int:
        return max(24, (width - GAP * (COLUMNS - 1)) // COLUMNS)

    def _rows(self) -> int:
        return max(1, -(-len(self) // COLUMNS))

    def _caption_font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(max(font.pointSizeF() - 1.0, 7.0))
        return font

    def heightForWidth(self, width: int) -> int:
        tile = self._tile_size(width)
        return self._rows() * (tile + self._caption_height(self._caption_font()) + GAP) - GAP

    def _fit_height(self) -> None:
        height = self.heightForWidth(max(self.width(), COLUMNS * 30))
        if self.minimumHeight() != height:
            self.setMinimumHeight(height)
            self.updateGeometry()

    def resizeEvent(self, event) -> None:  # Qt override
        super().resizeEvent(event)
        self._fit_height()

    def sizeHint(self) -> QSize:
        return QSize(360, self.heightForWidth(360))

    def minimumSizeHint(self) -> QSize:
        return QSize(COLUMNS * 30, self.heightForWidth(COLUMNS * 30))

    def _tile_rect(self, i: int, tile: int, caption: int) -> QRect:
        row, col = divmod(i, COLUMNS)
        return QRect(col * (tile + GAP), row * (tile + caption + GAP), tile, tile)

    def tile_rect(self, i: int) -> QRect:
        """Where sample ``i``'s image is drawn now, in widget coordinates (its caption below it)."""
        return self._tile_rect(i, self._tile_size(self.width()), self._caption_height(self._caption_font()))

    def tile_at(self, pos: QPoint) -> int:
        tile, caption = self._tile_size(self.width()), self._caption_height(self._caption_font())
        for i in range(len(self)):
            if self._tile_rect(i, tile, caption).adjusted(0, 0, 0, caption).contains(pos):
                return i
        return -1

    # -- painting ----------------------------------------------------------------------------
    def paintEvent(self, event) -> None:  # Qt override
        painter = QPainter(self)
        try:
            self._paint(painter, self._tile_size(self.width()), self.palette(), self._hover)
        finally:
            painter.end()

    def _paint(self, painter: QPainter, tile: int, palette: QPalette, hover: int = -1) -> None:
        caption_font = self._caption_font()
        caption = self._caption_height(caption_font)
        text_color = palette.color(QPalette.ColorRole.WindowText)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)  # pixels stay pixels
        number_font = QFont(caption_font)
        number_font.setBold(True)
        captions, caption_text_font = self._captions(tile, caption_font)
        for i in range(len(self)):
            rect = self._tile_rect(i, tile, caption)
            if self.images is not None:
                painter.drawImage(rect, to_qimage(self.images[i]))
            else:
                painter.fillRect(rect, palette.color(QPalette.ColorRole.Mid))
                painter.setPen(palette.color(QPalette.ColorRole.Light))
                painter.setFont(caption_font)
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "…")
            if i == hover:
                painter.setPen(palette.color(QPalette.ColorRole.Highlight))
                painter.drawRect(rect.adjusted(0, 0, -1, -1))
            painter.setFont(number_font)
            painter.setPen(QColor(255, 255, 255, 200))
            top_left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
            painter.drawText(rect.adjusted(3, 1, 0, 0), top_left, str(i + 1))
            painter.setFont(caption_text_font)
            painter.setPen(text_color)
            caption_rect = QRect(rect.left(), rect.bottom() + 1, tile, caption)
            painter.drawText(caption_rect, Qt.AlignmentFlag.AlignCenter, captions[i])

    def captions(self) -> list[str]:
        """The tiles' captions as drawn at the grid's current width."""
        return self._captions(self._tile_size(self.width()), self._caption_font())[0]

    def _captions(self, width: int, font: QFont) -> tuple[list[str], QFont]:
        """Coordinates as the book captions them, all in the same format: the most decimals that fit
        under every tile (2, 1 or 0), so that neighbouring captions read alike ("(12.0, -3.0)" beside
        "(2.3, 3.9)", never "(12, -3)"). Whatever does not fit even then is elided. Also returns the
        font to draw them in (the caption font, or a point smaller: see ``CAPTION_FORMATS``)."""
        if self.points is None:
            return [], font
        coords = self.points[:, :2]
        for decimals, separator, smaller in CAPTION_FORMATS:
            text_font = QFont(font)
            text_font.setPointSizeF(max(font.pointSizeF() - smaller, MIN_CAPTION_PT))
            metrics = QFontMetrics(text_font)
            texts = ["(" + separator.join(_number(c, decimals) for c in row) + ")" for row in coords]
            if all(metrics.horizontalAdvance(text) <= width for text in texts):
                return texts, text_font
        return [metrics.elidedText(text, Qt.TextElideMode.ElideRight, width) for text in texts], text_font

    def render_image(self, tile: int = 96) -> QImage:
        """The grid as an image with ``tile``-pixel tiles, on the window background colour."""
        caption_font = self._caption_font()
        width = COLUMNS * tile + GAP * (COLUMNS - 1)
        height = self._rows() * (tile + self._caption_height(caption_font) + GAP) - GAP
        margin = 12
        image = QImage(width + 2 * margin, height + 2 * margin, QImage.Format.Format_RGB32)
        image.fill(self.palette().color(QPalette.ColorRole.Window))
        painter = QPainter(image)
        try:
            painter.translate(margin, margin)
            self._paint(painter, tile, self.palette())
        finally:
            painter.end()
        return image

    def save_png(self, path: str | Path, tile: int = 96) -> Path:
        if self.images is None or len(self) == 0:
            raise ValueError("there are no decoded samples yet")
        path = Path(path)
        if not self.render_image(tile).save(str(path), "PNG"):
            raise OSError(f"could not write {path}")
        return path

    # -- mouse -------------------------------------------------------------------------------
    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        hover = self.tile_at(event.position().toPoint())
        if hover != self._hover:
            self._hover = hover
            self.setCursor(Qt.CursorShape.PointingHandCursor if hover >= 0 else Qt.CursorShape.ArrowCursor)
            if hover >= 0:
                coords = ", ".join(f"{c:.3f}" for c in self.points[hover][:2])
                self.setToolTip(f"Sample {hover + 1} at ({coords}): click to move the cursor there")
            else:
                self.setToolTip("")
            self.update()

    def leaveEvent(self, event) -> None:  # Qt override
        self._hover = -1
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            index = self.tile_at(event.position().toPoint())
            if index >= 0:
                self.tileClicked.emit(index)


def _number(value: float, decimals: int) -> str:
    """``value`` rounded, without the "-0.0" that rounding a small negative number gives."""
    text = f"{value:.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text
