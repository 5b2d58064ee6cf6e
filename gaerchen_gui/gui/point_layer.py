"""Tens of thousands of class-coloured dots as one raster, redrawn only when the zoom changes.

pyqtgraph's ``ScatterPlotItem`` draws every point on every paint (one pixmap
fragment each, ~1 µs a point here), whatever part of the view is exposed: 70,000
points cost ~60 ms a frame, and a cursor moving over 10,000 points repaints them
all. :class:`PointLayer` instead rasterises its points with numpy into a cached
``QImage`` in device pixels:

1. map the points to device pixels; count the points on each pixel and note the
   class of the last one drawn there (numpy, ~5 ms for 70,000 points);
2. colour each occupied pixel with that class's colour and the opacity of ``n``
   stacked dots, ``1 - (1 - alpha) ** n`` (dense clusters look dense, as in
   datashader);
3. spread each pixel into a round, anti-aliased dot: the image is drawn over
   itself once per pixel of the dot's footprint, shifted, with that pixel's
   coverage as opacity (16 Qt blits for a 4 px dot). The footprint comes from Qt
   drawing the dot with antialiasing, as pyqtgraph's symbol atlas does, so an
   isolated dot looks the same as before; the cost follows the pixels drawn, not
   the number of points.

The raster covers the view (and a margin around it once the view pans), so a
pan only shifts it, and a paint copies just the exposed rectangle: a moving
cursor or hover ring costs a small blit. It is redrawn when the points, the
visible classes or the size of the view change. While a zoom goes on, the last
raster is shown scaled (smoothly; up to 1.5x either way, and only where it covers
the view) and redrawn sharp once the zoom pauses for ``SETTLE_MS``: a redraw
costs ~10 ms per layer here, a scaled copy ~1 ms. Points snap to whole device
pixels, as pyqtgraph's pixmap fragments do.
"""

from __future__ import annotations

import functools

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter, QTransform
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from gaerchen_gui.gui.theme import CLASS_COLORS

MAX_STACK = 64  # beyond this many dots on one pixel the opacity no longer changes visibly
PAN_MARGIN = 0.25  # after a pan leaves the raster, redraw it with this fraction of the view to spare on each side
MAX_PREVIEW_ZOOM = 1.5  # a raster is shown scaled by at most this much (or 1/this) before it is redrawn at once
SETTLE_MS = 120  # the redraw after a zoom waits for this long without a change of scale
_FORMAT = QImage.Format.Format_ARGB32_Premultiplied


@functools.cache
def dot_footprint(diameter: float) -> tuple[tuple[int, int, float], ...]:
    """(dx, dy, coverage) of each device pixel a dot of ``diameter`` px covers, weakest first.

    The dot is drawn by Qt with antialiasing, centred on a pixel corner for an even diameter
    (as a pyqtgraph sprite of even size lands) and on a pixel centre for an odd one; (0, 0) is
    the pixel a point falls on, see :func:`anchor`.
    """
    radius = diameter / 2
    half = int(np.ceil(radius)) + 2
    side = 2 * half + 1
    image = QImage(side, side, _FORMAT)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(255, 255, 255))
    centre = half + anchor(diameter)
    painter.drawEllipse(QPointF(centre, centre), radius, radius)
    painter.end()
    alpha = np.frombuffer(image.constBits(), np.uint32, side * side).reshape(side, side) >> 24
    taps = [(int(x) - half, int(y) - half, int(alpha[y, x]) / 255) for y, x in zip(*np.nonzero(alpha), strict=True)]
    return tuple(sorted(taps, key=lambda tap: tap[2]))  # strongest last: dots' cores over neighbours' soft edges


def anchor(diameter: float) -> float:
    """Where in its pixel a dot's centre sits: a corner (0) for an even diameter, the middle (0.5) for an odd one."""
    return 0.5 if round(diameter) % 2 else 0.0


def colour_table(colors: list[QColor], alpha: int) -> np.ndarray:
    """``table[class, n]``: the premultiplied ARGB32 pixel of ``n`` stacked dots of that class."""
    n = np.arange(MAX_STACK + 1)
    opacity = 1.0 - (1.0 - alpha / 255.0) ** n  # 0 for no dot
    a = np.round(opacity * 255).astype(np.uint32)
    table = np.zeros((len(colors), MAX_STACK + 1), np.uint32)
    for c, color in enumerate(colors):
        r, g, b = (np.round(channel * opacity).astype(np.uint32) for channel in color.getRgb()[:3])
        table[c] = (a << 24) | (r << 16) | (g << 8) | b
    return table


def rasterise(
    x: np.ndarray, y: np.ndarray, labels: np.ndarray, table: np.ndarray, diameter: float, region: QRect
) -> QImage:
    """Dots at device pixel coordinates (``x``, ``y``) drawn into an image covering ``region`` (device pixels)."""
    taps = dot_footprint(diameter)
    pad = max(max(abs(dx), abs(dy)) for dx, dy, _ in taps)
    width, height = region.width() + 2 * pad, region.height() + 2 * pad
    shift = anchor(diameter)
    col = np.floor(x - (region.x() - pad) + (0.5 - shift)).astype(np.intp)  # the pixel the dot is anchored on
    row = np.floor(y - (region.y() - pad) + (0.5 - shift)).astype(np.intp)
    inside = (col >= 0) & (col < width) & (row >= 0) & (row < height)
    col, row = col[inside], row[inside]
    out = QImage(region.width(), region.height(), _FORMAT)
    out.fill(0)
    if not len(col):
        return out
    flat = row * width + col
    count = np.bincount(flat, minlength=width * height)
    top = np.zeros(width * height, np.uint8)
    top[flat] = labels[inside]  # repeated pixels: the last point drawn there gives the colour (numpy assigns in order)
    centres = np.zeros(width * height, np.uint32)
    centres[flat] = table[top[flat], np.minimum(count[flat], MAX_STACK)]
    centre_image = QImage(centres.data, width, height, 4 * width, _FORMAT)  # a view: `centres` outlives the painter
    used = QRect(QPoint(int(col.min()), int(row.min())), QPoint(int(col.max()), int(row.max())))
    painter = QPainter(out)
    for dx, dy, coverage in taps:
        painter.setOpacity(coverage)
        painter.drawImage(used.topLeft() + QPoint(dx - pad, dy - pad), centre_image, used)
    painter.end()
    return out


class _Raster:
    """A rendered image and the item-to-device mapping (in device pixels) it was drawn with."""

    def __init__(self, image: QImage, region: QRect, transform: QTransform, key: tuple) -> None:
        self.image, self.region, self.transform, self.key = image, region, transform, key

    def same_scale(self, transform: QTransform) -> bool:
        """Whether ``transform`` differs from the raster's by a translation only. A pan computes the new
        scale afresh, so it differs in the last bits; a thousandth of a pixel over the raster is the same."""
        mine = np.array([self.transform.m11(), self.transform.m12(), self.transform.m21(), self.transform.m22()])
        theirs = np.array([transform.m11(), transform.m12(), transform.m21(), transform.m22()])
        scale = np.abs(mine).max()  # device pixels per item unit
        extent = max(self.region.width(), self.region.height(), 1) / scale if scale > 0 else 0.0  # item units
        return bool(np.abs(mine - theirs).max() * extent <= 1e-3)

    def zoom(self, transform: QTransform) -> float:
        """How much larger ``transform`` draws things than the raster's does."""
        mine = np.hypot(self.transform.m11(), self.transform.m12())
        return float(np.hypot(transform.m11(), transform.m12()) / mine) if mine > 0 else 0.0

    def to_device(self, transform: QTransform) -> QTransform:
        """Raster pixels -> device pixels under ``transform`` (a scaling, after a zoom)."""
        inverse, invertible = self.transform.inverted()
        return inverse * transform if invertible else QTransform()

    def offset(self, transform: QTransform) -> QPoint:
        """How far the raster has moved on screen since it was drawn (a pan), in whole device pixels."""
        return QPoint(round(transform.dx() - self.transform.dx()), round(transform.dy() - self.transform.dy()))


class PointLayer(pg.GraphicsObject):
    """Class-coloured round dots of a fixed pixel size at many (x, y) positions (see the module docstring)."""

    def __init__(self, size: float, alpha: int, colors: list[QColor] | None = None) -> None:
        super().__init__()
        # option.exposedRect is then the part being repainted, not the whole item
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self._size = float(size)
        self._alpha = int(alpha)
        self._table = colour_table(colors or [QColor(c) for c in CLASS_COLORS], self._alpha)
        self._xy = np.empty((0, 2))
        self._labels = np.empty(0, np.uint8)
        self._class_visible = np.ones(len(self._table), dtype=bool)
        self._shown = np.empty(0, dtype=np.intp)  # indices of the points whose class is visible
        self._bounds: QRectF | None = None  # of the shown points, in item coordinates
        self._version = 0  # bumped by every change of what is drawn
        self._raster: _Raster | None = None
        self.render_count = 0  # rasterisations so far (tests check that a cursor move causes none)
        self.last_raster_region = QRect()  # device pixels of the last one (tests check it stays near the view)
        self.last_blit = QRect()  # the device rectangle the last paint copied (tests check it is small)
        self._previews = True  # whether a zoom may show the last raster scaled (off until the next redraw)
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self.settle)

    # -- data ------------------------------------------------------------------------------
    def set_points(self, xy: np.ndarray | None, labels: np.ndarray | None) -> None:
        """Points (N, 2) and their classes (N,), drawn in this order; None clears."""
        self.prepareGeometryChange()  # while the old bounds are still known: Qt repaints where they were
        self.update()
        if xy is None or len(xy) == 0:
            self._xy, self._labels = np.empty((0, 2)), np.empty(0, np.uint8)
        else:
            if labels is None or len(labels) != len(xy):
                raise ValueError("one label per point is needed")
            self._xy = np.ascontiguousarray(np.asarray(xy, dtype=np.float64)[:, :2])
            self._labels = np.asarray(labels).astype(np.uint8)
        self._refresh()

    def clear(self) -> None:
        self.set_points(None, None)

    def set_class_visible(self, visible: np.ndarray) -> None:
        """One flag per class: hidden classes are not drawn (nor counted in the bounds)."""
        visible = np.asarray(visible, dtype=bool)
        if np.array_equal(visible, self._class_visible):
            return
        self.prepareGeometryChange()
        self.update()
        self._class_visible = visible.copy()
        self._refresh()

    def _refresh(self) -> None:
        if len(self._labels):
            # Classes past the flags are drawn: a live map switching to a folder's classes gives the legend
            # its names (and fewer flags) while this layer still holds the earlier set's labels.
            flags = self._class_visible
            missing = int(self._labels.max()) + 1 - len(flags)
            if missing > 0:
                flags = np.concatenate([flags, np.ones(missing, dtype=bool)])
            self._shown = np.flatnonzero(flags[self._labels])
        else:
            self._shown = self._shown[:0]
        self._bounds = None
        if len(self._shown):
            xy = self._xy[self._shown]
            (x0, y0), (x1, y1) = xy.min(axis=0), xy.max(axis=0)
            self._bounds = QRectF(QPointF(x0, y0), QPointF(x1, y1))
        self._version += 1
        self._raster = None
        self.informViewBoundsChanged()
        self.update()

    def __len__(self) -> int:
        return len(self._xy)

    @property
    def positions(self) -> np.ndarray:
        return self._xy

    @property
    def labels(self) -> np.ndarray:
        return self._labels

    def getData(self) -> tuple[np.ndarray, np.ndarray]:  # ScatterPlotItem's name, for its callers
        return self._xy[:, 0], self._xy[:, 1]

    def shown_positions(self) -> np.ndarray:
        """The points of the visible classes."""
        return self._xy[self._shown]

    # -- pyqtgraph's view box: bounds for auto-range -----------------------------------------
    def dataBounds(self, ax: int, frac: float = 1.0, orthoRange=None) -> tuple[float, float] | None:
        if self._bounds is None:
            return None
        if ax == 0:
            return self._bounds.left(), self._bounds.right()
        return self._bounds.top(), self._bounds.bottom()

    def pixelPadding(self) -> float:  # pyqtgraph's name
        return self._size / 2 + 1

    # -- Qt ----------------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:  # Qt override
        if self._bounds is None:
            return QRectF()
        px_w, px_h = self.pixelSize()  # one device pixel in item coordinates (None before there is a view)
        pad = self._size / 2 + 2
        px_w, px_h = px_w or 0.0, px_h or 0.0
        return self._bounds.adjusted(-pad * px_w, -pad * px_h, pad * px_w, pad * px_h)

    def viewTransformChanged(self) -> None:  # pyqtgraph hook
        # The dots' pixel padding is a different length in item units after a zoom: tell Qt first.
        self.prepareGeometryChange()
        super().viewTransformChanged()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if self._bounds is None:
            return
        dpr = painter.device().devicePixelRatioF()
        to_device = painter.transform() * QTransform.fromScale(dpr, dpr)  # item -> device pixels
        exposed = to_device.mapRect(option.exposedRect).toAlignedRect()
        if self._exportOpts is not False:  # an ImageExporter: draw once, at its scale, no cache
            scale = self._exportOpts.get("resolutionScale", 1.0) * dpr
            diameter = self._size * scale
            region = exposed.intersected(self._device_bounds(to_device, diameter))
            raster = self._render(to_device, region, diameter, None)
        else:
            raster = self._raster_for(to_device, exposed, self._size * dpr)
        if raster is None:
            return
        if not raster.same_scale(to_device):  # a zoom preview: the last raster, scaled
            mapping = raster.to_device(to_device)
            self.last_blit = mapping.mapRect(raster.region).intersected(exposed)
            painter.save()
            painter.setTransform(mapping * QTransform.fromScale(1 / dpr, 1 / dpr))
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.setOpacity(1.0)
            raster.image.setDevicePixelRatio(1.0)
            painter.drawImage(raster.region.topLeft(), raster.image)
            painter.restore()
            return
        offset = raster.offset(to_device)
        on_screen = raster.region.translated(offset)
        part = on_screen.intersected(exposed)
        if part.isEmpty():
            return
        self.last_blit = part
        painter.save()
        painter.resetTransform()  # device pixels (divided by dpr): the raster is copied 1:1
        painter.setOpacity(1.0)
        raster.image.setDevicePixelRatio(dpr)
        painter.drawImage(QPointF(part.x() / dpr, part.y() / dpr), raster.image, part.translated(-on_screen.topLeft()))
        painter.restore()

    def _raster_for(self, to_device: QTransform, exposed: QRect, diameter: float) -> _Raster | None:
        """The cached raster if it still fits (same zoom and points, covers what is needed), else a new one."""
        key = (diameter, self._version)
        data = self._device_bounds(to_device, diameter)
        view = self._view_device_rect(to_device)
        needed = (view.united(exposed) if not view.isEmpty() else exposed).intersected(data)
        if not view.isEmpty():
            # Never more than the view and a view's size around it: zoomed far in, the exposed rect (the
            # item's whole bounds) can be billions of device pixels (seen: a 98 GiB allocation, then a crash).
            needed = needed.intersected(view.adjusted(-view.width(), -view.height(), view.width(), view.height()))
        if needed.isEmpty():
            return None
        raster = self._raster
        if raster is not None and raster.key == key and raster.same_scale(to_device):
            if raster.region.translated(raster.offset(to_device)).contains(needed):
                self._previews = True
                return raster  # a pan within the raster, or a partial repaint (cursor, hover ring)
            # A pan beyond the raster: draw a margin around the view too, so the next frames only shift it.
            margin_x, margin_y = int(view.width() * PAN_MARGIN), int(view.height() * PAN_MARGIN)
            needed = view.adjusted(-margin_x, -margin_y, margin_x, margin_y).united(needed).intersected(data)
        elif raster is not None and raster.key == key and self._previews:
            zoom = raster.zoom(to_device)
            scaled = raster.to_device(to_device).mapRect(QRectF(raster.region))
            covered = scaled.adjusted(-2, -2, 2, 2).contains(QRectF(needed))  # to rounding; the edge is the dots' pad
            if 1 / MAX_PREVIEW_ZOOM <= zoom <= MAX_PREVIEW_ZOOM and covered:
                self._settle.start()  # (again): redraw once the zoom pauses
                return raster
        self._settle.stop()
        self._previews = True
        self._raster = self._render(to_device, needed, diameter, key)
        return self._raster

    @property
    def settling(self) -> bool:
        """A sharp redraw is pending (a zoom paused less than ``SETTLE_MS`` ago)."""
        return self._settle.isActive()

    def settle(self) -> None:
        """Redraw sharp at the current scale on the next paint (after a zoom, ``SETTLE_MS`` after it pauses)."""
        self._previews = False
        self.update()

    def _render(self, to_device: QTransform, region: QRect, diameter: float, key: tuple | None) -> _Raster | None:
        if region.isEmpty() or not len(self._shown):
            return None
        xy = self._xy[self._shown]
        x = to_device.m11() * xy[:, 0] + to_device.m21() * xy[:, 1] + to_device.dx()
        y = to_device.m12() * xy[:, 0] + to_device.m22() * xy[:, 1] + to_device.dy()
        image = rasterise(x, y, self._labels[self._shown], self._table, diameter, region)
        self.render_count += 1
        self.last_raster_region = QRect(region)
        return _Raster(image, region, QTransform(to_device), key)

    def _device_bounds(self, to_device: QTransform, diameter: float) -> QRect:
        pad = int(np.ceil(diameter / 2)) + 2
        return to_device.mapRect(self._bounds).toAlignedRect().adjusted(-pad, -pad, pad, pad)

    def _view_device_rect(self, to_device: QTransform) -> QRect:
        """The visible part of the view box, in device pixels (empty outside a view box)."""
        view_box = self.getViewBox()
        if not isinstance(view_box, pg.ViewBox):
            return QRect()
        return to_device.mapRect(self.mapRectFromItem(view_box, view_box.rect())).toAlignedRect()
