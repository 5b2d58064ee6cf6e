"""The latent map: every test image as a point coloured by class, a draggable cursor, samples.

The test points (10,000) and, on demand, the training points (60,000) are each
one :class:`~gaerchen_gui.gui.point_layer.PointLayer`: a raster redrawn only when
the zoom or the points change, so panning, a moving cursor and the hover ring
cost a copy of pixels, not a redraw of every point (pyqtgraph's ScatterPlotItem
redrew all of them on every paint). The grid is a
:class:`~gaerchen_gui.gui.map_grid.MapGrid` under the points (pyqtgraph's own grid
lines cost more than all the points). The cursor, its edge arrow and the limits of typed
positions are in map_cursor.py, the legend in class_legend.py, the hover ring and card in
map_hover.py, what clicks and mouse moves do in map_mouse.py, the stacking order in map_items.py.

Clicking the map moves the cursor there; dragging the cursor moves it
continuously; arrow keys nudge it (Shift: ten times further). Dragging the
background still pans and the wheel zooms, as everywhere in pyqtgraph.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QImage, QKeyEvent
from PySide6.QtWidgets import QGraphicsItem, QWidget

from gaerchen_gui.core.data import CLASS_NAMES
from gaerchen_gui.core.encoding import EncodedSet
from gaerchen_gui.gui.class_legend import ClassLegend
from gaerchen_gui.gui.hover_card import HoverCard
from gaerchen_gui.gui.images import render_scene
from gaerchen_gui.gui.map_cursor import CursorItem, EdgeMarker, clamp_to, contains, reachable_box
from gaerchen_gui.gui.map_grid import MapGrid
from gaerchen_gui.gui.map_hover import MapHover
from gaerchen_gui.gui.map_items import (
    Z_CURSOR,
    Z_GRID,
    Z_TEST,
    Z_TRAIN,
    paint_from_cache,
)
from gaerchen_gui.gui.map_message import MapMessage
from gaerchen_gui.gui.map_mouse import MapMouse
from gaerchen_gui.gui.map_samples import SampleMarkers
from gaerchen_gui.gui.point_layer import PointLayer
from gaerchen_gui.gui.theme import POINT_ALPHA, is_dark, muted, plot_background, plot_foreground

POINT_SIZE = 4
TRAIN_POINT_SIZE = 3  # smaller and fainter than the test points, which stay readable on top
TRAIN_POINT_ALPHA = 70  # of 255; six training points per test point, so their density still shows
GRID_ALPHA = 0.15
# Below this the map stops shrinking (the window or the training dock gives way instead): room for the
# view, both axes, the title and a two-row legend whose names are never cut short.
MIN_MAP_SIZE = QSize(340, 260)  # with the scrubber under it and the training dock below, 900 x 600 still fits
EXPORT_SCALE = 2  # an exported map has twice the pixels of the map on screen, drawn the same way
NUDGE_FRACTION = 0.01  # an arrow key moves the cursor by 1% of the visible width


class LatentMap(pg.PlotWidget):
    cursorMoved = Signal(float, float)  # the cursor's new position, however it moved
    # latent x, y under the mouse and the nearest test image (a Nearest), or None while the cursor is dragged
    mouseMoved = Signal(float, float, object)
    mouseLeft = Signal()  # the mouse left the map: what it pointed at is no longer under it
    hoveredChanged = Signal(object)  # index of the test image under the mouse, or None
    # a note for the status bar, e.g. that a typed position was brought back nearer the data
    notice = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        self._built = False  # PlotWidget's constructor already triggers changeEvent
        super().__init__(parent)
        self.setObjectName("latentMap")
        self.setMinimumSize(MIN_MAP_SIZE)
        # Antialiasing for this view only: pyqtgraph's global option would also slow other plots' long curves.
        self.setAntialiasing(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAcceptDrops(False)  # let checkpoint files dropped here reach the window
        self.viewport().setAcceptDrops(False)
        self.encoded: EncodedSet | None = None

        plot = self.getPlotItem()
        # Fit to the data by default: a locked aspect left most of a wide, low map empty (the x axis
        # ran -9..9 for data in -3..3). set_aspect_locked(True) keeps distances true to scale instead.
        plot.setAspectLocked(False)
        plot.setLabel("bottom", "z₀")
        plot.setLabel("left", "z₁")
        plot.setMenuEnabled(False)
        plot.hideButtons()
        self.view_box: pg.ViewBox = plot.getViewBox()
        for name in ("left", "bottom"):
            # No tick marks into the view (the grid marks the ticks) and no zero-length ones either: a
            # translucent 1 px line, even that short, costs Qt's raster engine a slow path.
            plot.getAxis(name).setStyle(tickLength=0)
            plot.getAxis(name).setTickPen(pg.mkPen(None))
        self.grid = MapGrid(plot, alpha=GRID_ALPHA)  # instead of plot.showGrid(), see map_grid.py
        self.grid.setZValue(Z_GRID)
        paint_from_cache(self.grid)
        plot.addItem(self.grid, ignoreBounds=True)

        self.train_layer = PointLayer(TRAIN_POINT_SIZE, TRAIN_POINT_ALPHA)
        self.train_layer.setZValue(Z_TRAIN)
        self.train_layer.setVisible(False)
        paint_from_cache(self.train_layer)
        plot.addItem(self.train_layer)
        self.scatter = PointLayer(POINT_SIZE, POINT_ALPHA)  # the test points
        self.scatter.setZValue(Z_TEST)
        paint_from_cache(self.scatter)
        plot.addItem(self.scatter)

        self.samples = SampleMarkers(plot)

        self.hover = MapHover(self, on_change=self.hoveredChanged.emit)

        self.cursor = CursorItem(pos=(0.0, 0.0), size=26, symbol="crosshair", movable=True)
        self.cursor.setZValue(Z_CURSOR)
        # Qt keeps the drawn cross as a pixmap while it only moves: stroking its antialiased 2.5 px path
        # took ~2 ms a paint, and a drag paints it twice per mouse move (where it was, where it is).
        self.cursor.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.cursor.setVisible(False)
        plot.addItem(self.cursor)
        self.cursor.sigPositionChanged.connect(self._on_cursor_moved)

        # Below the axis, not over the data: a legend inside the view would hide points and samples.
        self.legend = ClassLegend(CLASS_NAMES)
        plot.layout.addItem(self.legend, 4, 1, alignment=Qt.AlignmentFlag.AlignHCenter)
        self.legend.visibilityChanged.connect(self._on_legend_toggled)

        self.edge_marker = EdgeMarker(on_click=self.bring_cursor_into_view)
        self.edge_marker.setZValue(Z_CURSOR)
        plot.addItem(self.edge_marker, ignoreBounds=True)
        self.view_box.sigRangeChanged.connect(self._place_edge_marker)
        self.view_box.sigResized.connect(self._place_edge_marker)

        self._message = MapMessage(self)

        self.mouse = MapMouse(self)
        self._built = True
        self.apply_palette()

    # -- appearance ------------------------------------------------------------------------
    def apply_palette(self) -> None:
        """Follow the system palette: plot background, axes, cursor and legend frame."""
        background, foreground = plot_background(), plot_foreground()
        self.setBackground(background)
        plot = self.getPlotItem()
        for name in ("left", "bottom"):
            axis = plot.getAxis(name)
            axis.enableAutoSIPrefix(False)  # latent units are plain numbers, never "z₁ (x0.001)"
            axis.setPen(pg.mkPen(muted(foreground, 150)))
            axis.setTextPen(pg.mkPen(foreground))
        self.grid.set_color(muted(foreground, 150))  # the axes' pen, as pyqtgraph's grid uses
        accent = pg.mkColor("#ffd43b") if is_dark() else pg.mkColor("#111111")
        self.cursor.setPen(pg.mkPen(accent, width=2.5))
        self.cursor.setBrush(muted(background, 90))
        self.cursor.setHoverPen(pg.mkPen("#e8590c", width=3))
        self.cursor.setHoverBrush(muted(pg.mkColor("#e8590c"), 60))
        self.hover.ring.setPen(pg.mkPen(foreground, width=2))
        self.samples.set_colours(foreground, background)
        self.legend.set_text_colour(foreground)
        self.edge_marker.setStyle(brush=accent)
        self._message.set_colours(foreground, background)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange and self._built:
            self.apply_palette()
        super().changeEvent(event)

    def set_title(self, text: str) -> None:
        self.getPlotItem().setTitle(text or None, size="10pt", color=plot_foreground())

    def set_legend_visible(self, visible: bool) -> None:
        self.legend.setVisible(visible)

    # -- data ------------------------------------------------------------------------------
    def set_data(self, encoded: EncodedSet, keep_view: bool = False) -> None:
        """Draw the encoded test set (one ``setData`` call) and fit it into view, unless ``keep_view``
        (live training: the points move under a steady view the user may have zoomed)."""
        self.encoded = encoded
        if encoded.class_names != self.legend.names:  # a model trained on a folder of one's own images
            self.legend.set_names(encoded.class_names)
            self._fit_legend(self.width())
        self.scatter.set_points(encoded.z[:, :2], encoded.labels)
        self._apply_class_visibility()
        self.cursor.setVisible(True)
        self._place_edge_marker()
        self.set_message(None)
        if not keep_view:
            self.reset_view()

    def clear_map(self, message: str | None = None) -> None:
        """Empty the map (while a new model is encoded, or when there is none); the training points
        belonged to the old model, so they go too."""
        self.encoded = None
        self.scatter.clear()
        self.train_layer.clear()
        self.set_samples(None)
        self.hover.set(None, None)
        self.cursor.setVisible(False)
        self._place_edge_marker()
        self.set_message(message)

    def reset_view(self) -> None:
        """Fit the encoded images, the training points when shown, the sampled points (a VAE's prior
        samples may lie off the data) and the cursor, wherever it went."""
        if self.encoded is None or not len(self.encoded):
            return
        parts = [self.encoded.z[:, :2], np.array([self.cursor_position()])]
        if self.train_points_visible and len(self.train_layer):
            parts.append(self.train_layer.positions)
        if self.samples.visible:
            parts.append(self.samples.positions())
        z = np.concatenate(parts).astype(np.float64)  # float32 bounds overflow in ViewBox's range checks
        (x0, y0), (x1, y1) = z.min(axis=0).tolist(), z.max(axis=0).tolist()
        self.view_box.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0.06)

    # -- how the view fits ------------------------------------------------------------------
    def set_aspect_locked(self, locked: bool) -> None:
        """True: one latent unit as long across as up (distances on screen are true to scale); False: fit
        to the data, each axis filling the map. The view is fitted again either way."""
        self.getPlotItem().setAspectLocked(bool(locked))
        self.reset_view()

    @property
    def aspect_locked(self) -> bool:
        return bool(self.view_box.state["aspectLocked"])

    def set_fit_to_data(self, on: bool) -> None:
        """The opposite of :meth:`set_aspect_locked`, for a "Fit to Data" toggle."""
        self.set_aspect_locked(not on)

    # -- export ----------------------------------------------------------------------------
    def render_image(self, scale: float = EXPORT_SCALE) -> QImage:
        """The map as it is on screen (view range, axes, title, legend, points, cursor), ``scale`` times
        the pixels: everything is scaled alike, so the legend stays as readable next to the tick labels
        as on screen, and there is no margin the screen does not show. Hover cards and notes are left out."""
        return render_scene(self, scale, plot_background())

    def export_png(self, path: str | Path, scale: float = EXPORT_SCALE) -> Path:
        """Save :meth:`render_image` as a PNG; raises ValueError before there is a map, OSError if not written."""
        if self.encoded is None:
            raise ValueError("the map is not ready yet")
        path = Path(path)
        if not self.render_image(scale).save(str(path), "PNG"):
            raise OSError(f"could not write {path}")
        return path

    def set_message(self, text: str | None) -> None:
        """A centred note over the map ("Encoding…", "No model"); None hides it."""
        self._message.show_text(text)

    @property
    def message(self) -> str | None:
        return self._message.text() if self._message.isVisible() else None

    def resizeEvent(self, event) -> None:  # Qt override
        if self._built and self.getPlotItem() is not None:  # None once closed
            # Before the plot is resized: a plot never gets narrower than its legend's minimum width.
            self._fit_legend(event.size().width())
        super().resizeEvent(event)
        if self._built:
            self._message.centre()

    def _fit_legend(self, map_width: int) -> None:
        """Two rows of five classes when there is room, more rows in a narrow map."""
        self.legend.fit_columns(map_width - self.getPlotItem().getAxis("left").width() - 16)

    def _on_legend_toggled(self, _shown: np.ndarray) -> None:
        self._apply_class_visibility()

    def _apply_class_visibility(self) -> None:
        shown = self.legend.visible_classes()  # the legend is where the shown classes are kept
        self.scatter.set_class_visible(shown)
        self.train_layer.set_class_visible(shown)

    # -- training points -------------------------------------------------------------------
    def set_train_points(self, z: np.ndarray | None, labels: np.ndarray | None) -> None:
        """The training set's embeddings (N, 2+) and labels (N,), drawn under the test points when
        :meth:`set_train_points_visible` says so; None clears them. Never hovered: hover stays on test images."""
        if z is None or labels is None or len(z) == 0:
            self.train_layer.clear()
            return
        self.train_layer.set_points(np.asarray(z)[:, :2], np.asarray(labels))

    def set_train_points_visible(self, visible: bool) -> None:
        self.train_layer.setVisible(visible)

    @property
    def train_points_visible(self) -> bool:
        return self.train_layer.isVisible()

    # -- samples ---------------------------------------------------------------------------
    def set_samples(self, points: np.ndarray | None) -> None:
        """Mark sampled points, numbered 1..N as in the sample grid; None removes them."""
        self.samples.set_points(points)

    def set_samples_visible(self, visible: bool) -> None:
        self.samples.set_visible(visible)

    # -- the cursor ------------------------------------------------------------------------
    def cursor_position(self) -> tuple[float, float]:
        pos = self.cursor.pos()
        return float(pos.x()), float(pos.y())

    def set_cursor_position(self, x: float, y: float) -> None:
        """Move the cursor; :attr:`cursorMoved` follows (as it does for drags)."""
        self.cursor.setPos(float(x), float(y))

    def enter_cursor_position(self, x: float, y: float) -> None:
        """A typed position: kept within reach of the data (see ``map_cursor.reachable_box``, with a
        :attr:`notice` when it was brought nearer), then shown: the view fits again if it is out of view.
        :attr:`cursorMoved` always follows, so that the entry shows where the cursor really is."""
        if self.encoded is not None and len(self.encoded):
            box = reachable_box(self.encoded.z)
            cx, cy = clamp_to(box, x, y)
            if (cx, cy) != (float(x), float(y)):
                self.notice.emit(
                    f"({x:g}, {y:g}) is far from the data: the cursor went to ({cx:.3g}, {cy:.3g}), the nearest"
                    f" point within z₀ {box[0]:.3g}..{box[2]:.3g}, z₁ {box[1]:.3g}..{box[3]:.3g}"
                )
            x, y = cx, cy
        moved = (float(x), float(y)) != self.cursor_position()
        self.set_cursor_position(x, y)
        if not moved:
            self.cursorMoved.emit(*self.cursor_position())
        if not self.cursor_in_view():
            self.reset_view()

    def cursor_in_view(self) -> bool:
        (x0, x1), (y0, y1) = self.view_box.viewRange()
        return contains(QRectF(x0, y0, x1 - x0, y1 - y0), *self.cursor_position())

    def bring_cursor_into_view(self) -> None:
        """Pan (keeping the zoom) so that the cursor is in the middle of the view."""
        (x0, x1), (y0, y1) = self.view_box.viewRange()
        x, y = self.cursor_position()
        self.view_box.setRange(
            xRange=(x - (x1 - x0) / 2, x + (x1 - x0) / 2), yRange=(y - (y1 - y0) / 2, y + (y1 - y0) / 2), padding=0
        )

    def _place_edge_marker(self) -> None:
        self.edge_marker.point_at(self.view_box, self.cursor_position() if self.cursor.isVisible() else None)

    def _on_cursor_moved(self) -> None:
        x, y = self.cursor_position()
        self._place_edge_marker()
        self.cursorMoved.emit(x, y)

    def nudge(self, dx_steps: int, dy_steps: int, fast: bool = False) -> None:
        (x0, x1), _ = self.view_box.viewRange()
        step = (x1 - x0) * NUDGE_FRACTION * (10 if fast else 1)
        x, y = self.cursor_position()
        self.set_cursor_position(x + dx_steps * step, y + dy_steps * step)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        moves = {
            Qt.Key.Key_Left: (-1, 0),
            Qt.Key.Key_Right: (1, 0),
            Qt.Key.Key_Up: (0, 1),
            Qt.Key.Key_Down: (0, -1),
        }
        move = moves.get(Qt.Key(event.key()))
        if move is not None and self.cursor.isVisible():
            self.nudge(*move, fast=bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier))
            event.accept()
            return
        super().keyPressEvent(event)

    # -- coordinates -----------------------------------------------------------------------
    def view_to_widget(self, x: float, y: float) -> QPoint:
        """Latent (x, y) -> pixel in :meth:`viewport` coordinates (where mouse events go)."""
        scene = self.view_box.mapViewToScene(QPointF(x, y))
        return self.mapFromScene(scene)

    def widget_to_view(self, pos: QPoint) -> tuple[float, float]:
        view = self.view_box.mapSceneToView(self.mapToScene(pos))
        return float(view.x()), float(view.y())

    # -- mouse (what it does is in map_mouse.py) -------------------------------------------
    @property
    def hovered_index(self) -> int | None:
        """The test image under the mouse, or None."""
        return self.hover.index

    @property
    def hover_card(self) -> HoverCard:
        return self.hover.card

    def leaveEvent(self, event: QEvent) -> None:
        self.hover.set(None, None)
        self.mouseLeft.emit()
        super().leaveEvent(event)
