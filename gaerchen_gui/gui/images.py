"""Turning decoded (32, 32) float arrays into Qt images for labels, tiles and PNG files, and views into PNGs."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QGraphicsView


def to_qimage(image: np.ndarray) -> QImage:
    """(H, W) floats in [0, 1] -> an 8-bit greyscale QImage that owns its pixels."""
    pixels = np.ascontiguousarray(np.clip(np.asarray(image, dtype=np.float32), 0.0, 1.0) * 255.0 + 0.5, np.uint8)
    height, width = pixels.shape
    return QImage(pixels.data, width, height, width, QImage.Format.Format_Grayscale8).copy()


def to_pixmap(image: np.ndarray, size: int, smooth: bool = False) -> QPixmap:
    """A square pixmap of ``size`` device-independent pixels; nearest-neighbour unless ``smooth``."""
    mode = Qt.TransformationMode.SmoothTransformation if smooth else Qt.TransformationMode.FastTransformation
    scaled = to_qimage(image).scaled(size, size, Qt.AspectRatioMode.KeepAspectRatio, mode)
    return QPixmap.fromImage(scaled)


def upscaled(image: np.ndarray, factor: int) -> QImage:
    """Each pixel as a ``factor`` x ``factor`` block: the 32x32 image, big enough to look at in a file."""
    big = np.kron(np.asarray(image, dtype=np.float32), np.ones((factor, factor), np.float32))
    return to_qimage(big)


def render_scene(view: QGraphicsView, scale: float, background: QColor) -> QImage:
    """What ``view`` shows, ``scale`` times the pixels: its scene's items only, not its child widgets.

    The image's device pixel ratio is ``scale``, so items draw in screen units and pixel-exact items
    (the map's point rasters, pxMode symbols, text) draw at the finer resolution, as on a HiDPI screen.
    """
    viewport = view.viewport()
    width, height = viewport.width(), viewport.height()
    image = QImage(round(width * scale), round(height * scale), QImage.Format.Format_RGB32)
    image.setDevicePixelRatio(scale)
    image.fill(background)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        view.render(painter, QRectF(0, 0, width, height), viewport.rect())
    finally:
        painter.end()
    return image
