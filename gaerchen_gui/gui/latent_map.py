"""The latent map: every test image as a point coloured by class, a draggable cursor, samples.

The test points (10,000) and, on demand, the training points (60,000) are each
one :class:`~gaerchen_gui.gui.point_layer.PointLayer`: a raster redrawn only when
the zoom or the points change, so panning, a moving cursor and the hover ring
cost a copy of pixels, not a redraw of every point (pyqtgraph's ScatterPlotItem
redrew all of them on every paint). The grid is a
:class:`~gaerchen_gui.gui.map_grid.MapGrid` under the points (pyqtgraph's own grid
lines cost more than all the points). A ``TargetItem`` is the cursor. Z order,
bottom to top::

    Z_BACKGROUND  a decoded-manifold ImageItem placed with setRect (main window)
    Z_GRID        the grid lines
    Z_TRAIN       the training points: smaller and fainter, hidden until asked for
    Z_TEST        the test points
    Z_SAMPLES     sampled points and their numbers
    Z_HOVER       ring around the point under the mouse
    Z_CURSOR      the cursor

Clicking the map moves the cursor there; dragging the cursor moves it
continuously; arrow keys nudge it (Shift: ten times further). Dragging the
background still pans and the wheel zooms, as everywhere in pyqtgraph.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import QGraphicsItem, QLabel, QWidget

from gaerchen_gui.core.data import CLASS_NAMES
from gaerchen_gui.core.encoding import EncodedSet
from gaerchen_gui.core.neighbours import Nearest
from gaerchen_gui.gui import process_tuning
from gaerchen_gui.gui.hover_card import HoverCard
from gaerchen_gui.gui.map_grid import MapGrid
from gaerchen_gui.gui.point_layer import PointLayer
from gaerchen_gui.gui.theme import POINT_ALPHA, class_color, css, is_dark, muted, plot_background, plot_foreground

Z_BACKGROUND, Z_GRID, Z_TRAIN, Z_TEST, Z_SAMPLES, Z_HOVER, Z_CURSOR = -20, -15, -10, 0, 10, 15, 20
POINT_SIZE = 4
TRAIN_POINT_SIZE = 3  # smaller and fainter than the test points, which stay readable on top
TRAIN_POINT_ALPHA = 70  # of 255; six training points per test point, so their density still shows
GRID_ALPHA = 0.15
HOVER_RADIUS_PX = 10  # the hover card shows the nearest image only if it is this close on screen
LEGEND_COLUMN_PX = 150  # room one legend entry needs
NUDGE_FRACTION = 0.01  # an arrow key moves the cursor by 1% of the visible width


def paint_from_cache(item: QGraphicsItem) -> None:
    """Let Qt keep ``item`` as a pixmap in screen pixels, redrawn only when it changes or the view zooms.

    A cursor drag repaints the few pixels the cursor left and entered, many times a second, and Qt
    calls the Python ``paint`` of every item under them: ~2 ms a move for the grid, the point layers
    and the samples, on the GUI thread and holding the GIL while the decoder thread waits for it.
    From the cache, the same repaint is a copy of pixels in C++. Panning moves the cache as it is.
    """
    item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)


def replace_points(item: pg.ScatterPlotItem, positions) -> None:  # noqa: ANN001 - (N, 2) array-like or None
    """``item.setData(pos=positions)`` (or ``clear()``), repainting where the old points were.

    pyqtgraph's setData empties the item *before* it announces the geometry change, so Qt never
    repaints the old points' area: under X11 a moved hover ring or resampled marker stays on
    screen as a ghost. Announcing the change while the old points are still there fixes it.
    """
    item.prepareGeometryChange()
    item.update()
    if positions is None or len(positions) == 0:
        item.clear()
    else:
        item.setData(pos=positions)


class CursorItem(pg.TargetItem):
    """TargetItem whose bounding box includes its pen: with a pen wider than one pixel, the stock one
    left slivers of the cross behind when dragged."""

    def boundingRect(self):  # noqa: ANN201 - Qt override
        rect = super().boundingRect()
        width = max(self.pen.widthF(), self.hoverPen.widthF(), 1.0)
        px_w, px_h = self.pixelSize()  # one device pixel, in item coordinates
        return rect.adjusted(-width * px_w, -width * px_h, width * px_w, width * px_h)

    def viewTransformChanged(self) -> None:
        # The cross is drawn at a fixed pixel size, so its extent in view units changes with the zoom:
        # tell Qt before the old extent is forgotten, or a zoom leaves a stale cross behind.
        self.prepareGeometryChange()
        super().viewTransformChanged()


class LatentMap(pg.PlotWidget):
    cursorMoved = Signal(float, float)  # the cursor's new position, however it moved
    # latent x, y under the mouse and the nearest test image (a Nearest), or None while the cursor is dragged
    mouseMoved = Signal(float, float, object)
    hoveredChanged = Signal(object)  # index of the test image under the mouse, or None

    def __init__(self, parent: QWidget | None = None) -> None:
        self._built = False  # PlotWidget's constructor already triggers changeEvent
        super().__init__(parent)
        self.setObjectName("latentMap")
        # Antialiasing for this view only: pyqtgraph's global option would also slow other plots' long curves.
        self.setAntialiasing(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAcceptDrops(False)  # let checkpoint files dropped here reach the window
        self.viewport().setAcceptDrops(False)
        self.encoded: EncodedSet | None = None
        self.hovered_index: int | None = None
        self._class_visible = np.ones(len(CLASS_NAMES), dtype=bool)

        plot = self.getPlotItem()
        plot.setAspectLocked(True)  # one latent unit is as long across as up: distances are honest
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

        self.sample_markers = pg.ScatterPlotItem(size=11, symbol="o", antialias=True)
        self.sample_markers.setZValue(Z_SAMPLES)
        paint_from_cache(self.sample_markers)
        plot.addItem(self.sample_markers)
        self._sample_labels: list[pg.TextItem] = []
        self._samples_visible = True

        self.hover_ring = pg.ScatterPlotItem(size=13, symbol="o", brush=None, antialias=True)
        self.hover_ring.setZValue(Z_HOVER)
        plot.addItem(self.hover_ring)

        self.cursor = CursorItem(pos=(0.0, 0.0), size=26, symbol="crosshair", movable=True)
        self.cursor.setZValue(Z_CURSOR)
        # Qt keeps the drawn cross as a pixmap while it only moves: stroking its antialiased 2.5 px path
        # took ~2 ms a paint, and a drag paints it twice per mouse move (where it was, where it is).
        self.cursor.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.cursor.setVisible(False)
        plot.addItem(self.cursor)
        self.cursor.sigPositionChanged.connect(self._on_cursor_moved)

        # Below the axis, not over the data: a legend inside the view would hide points and samples.
        self.legend = pg.LegendItem(
            offset=None, colCount=5, horSpacing=14, verSpacing=-4, labelTextSize="9pt", frame=False
        )
        plot.layout.addItem(self.legend, 4, 1, alignment=Qt.AlignmentFlag.AlignHCenter)
        self._legend_samples: list[pg.ScatterPlotItem] = []
        for label, name in enumerate(CLASS_NAMES):
            sample = pg.ScatterPlotItem(size=9, symbol="o", pen=None, brush=class_color(label), antialias=True)
            sample.visibleChanged.connect(self._on_legend_toggled)  # clicking an entry hides its class
            self._legend_samples.append(sample)
            self.legend.addItem(sample, name)

        self.hover_card = HoverCard(self)
        self._message = QLabel(self)
        self._message.setObjectName("mapMessage")
        self._message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._message.setWordWrap(True)
        self._message.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        font = QFont(self._message.font())
        font.setPointSizeF(font.pointSizeF() + 1)
        self._message.setFont(font)
        self._message.hide()

        self.scene().sigMouseMoved.connect(self._on_mouse_moved)
        if process_tuning.current().skip_hover_while_dragging:
            self._skip_hover_events_while_dragging()
        self.scene().sigMouseClicked.connect(self._on_mouse_clicked)
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
        self.hover_ring.setPen(pg.mkPen(foreground, width=2))
        self.sample_markers.setPen(pg.mkPen(foreground, width=1.5))
        self.sample_markers.setBrush(pg.mkBrush(background))
        for text in self._sample_labels:
            text.setColor(foreground)
        self.legend.setLabelTextColor(foreground)  # for entries added later; existing ones below
        for _, label in self.legend.items:
            label.setText(label.text, color=foreground)
        self._message.setStyleSheet(
            f"QLabel#mapMessage {{ background: {css(muted(background, 235))}; color: {css(foreground)};"
            f" border: 1px solid {css(muted(foreground, 70))}; border-radius: 6px; padding: 14px 22px; }}"
        )

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
        self.scatter.set_points(encoded.z[:, :2], encoded.labels)
        self._apply_class_visibility()
        self.cursor.setVisible(True)
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
        replace_points(self.hover_ring, None)
        self.hover_card.dismiss()
        self.hovered_index = None
        self.cursor.setVisible(False)
        self.set_message(message)

    def reset_view(self) -> None:
        """Fit the encoded images, the training points when shown, and the sampled points (a VAE's prior
        samples may lie off the data)."""
        if self.encoded is None or not len(self.encoded):
            return
        parts = [self.encoded.z[:, :2]]
        if self.train_points_visible and len(self.train_layer):
            parts.append(self.train_layer.positions)
        samples = self.sample_markers.getData()
        if self._samples_visible and len(samples[0]):
            parts.append(np.column_stack(samples))
        z = np.concatenate(parts).astype(np.float64)  # float32 bounds overflow in ViewBox's range checks
        (x0, y0), (x1, y1) = z.min(axis=0).tolist(), z.max(axis=0).tolist()
        self.view_box.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0.06)

    def set_message(self, text: str | None) -> None:
        """A centred note over the map ("Encoding…", "No model"); None hides it."""
        if not text:
            self._message.hide()
            return
        self._message.setText(text)
        metrics = self._message.fontMetrics()
        longest = max(metrics.horizontalAdvance(line) for line in text.splitlines())
        margins = self._message.contentsMargins()
        width = longest + margins.left() + margins.right() + 48  # the style sheet's padding and border
        self._message.setFixedWidth(max(200, min(width, self.width() - 80)))
        self._message.adjustSize()
        self._place_message()
        self._message.show()
        self._message.raise_()

    @property
    def message(self) -> str | None:
        return self._message.text() if self._message.isVisible() else None

    def _place_message(self) -> None:
        self._message.move((self.width() - self._message.width()) // 2, (self.height() - self._message.height()) // 2)

    def resizeEvent(self, event) -> None:  # noqa: ANN001 - Qt override
        super().resizeEvent(event)
        if self._built:
            self._place_message()
            # Two rows of five classes when there is room, more rows in a narrow window.
            columns = int(np.clip(self.width() // LEGEND_COLUMN_PX, 2, 5))
            if columns != self.legend.columnCount:
                self.legend.setColumnCount(columns)

    def _on_legend_toggled(self) -> None:
        self._class_visible = np.array([s.isVisible() for s in self._legend_samples])
        self._apply_class_visibility()

    def _apply_class_visibility(self) -> None:
        self.scatter.set_class_visible(self._class_visible)
        self.train_layer.set_class_visible(self._class_visible)

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
        plot = self.getPlotItem()
        for text in self._sample_labels:
            plot.removeItem(text)
        self._sample_labels = []
        if points is None or len(points) == 0:
            replace_points(self.sample_markers, None)
            return
        replace_points(self.sample_markers, points[:, :2])
        foreground = plot_foreground()
        for number, (x, y) in enumerate(points[:, :2], start=1):
            text = pg.TextItem(str(number), color=foreground, anchor=(-0.15, 1.05))
            text.setZValue(Z_SAMPLES)
            paint_from_cache(text.textItem)  # the QGraphicsTextItem that draws the number
            text.setPos(float(x), float(y))
            text.setVisible(self._samples_visible)
            plot.addItem(text)
            self._sample_labels.append(text)

    def set_samples_visible(self, visible: bool) -> None:
        self._samples_visible = visible
        self.sample_markers.setVisible(visible)
        for text in self._sample_labels:
            text.setVisible(visible)

    # -- the cursor ------------------------------------------------------------------------
    def cursor_position(self) -> tuple[float, float]:
        pos = self.cursor.pos()
        return float(pos.x()), float(pos.y())

    def set_cursor_position(self, x: float, y: float) -> None:
        """Move the cursor; :attr:`cursorMoved` follows (as it does for drags)."""
        self.cursor.setPos(float(x), float(y))

    def _on_cursor_moved(self) -> None:
        x, y = self.cursor_position()
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

    def _skip_hover_events_while_dragging(self) -> None:
        """While the cursor is dragged, skip pyqtgraph's own hover events for the scene.

        At every mouse move pyqtgraph asks Qt for every item near the mouse (each one's Python
        boundingRect) to send hover events: ~3 ms per move, before the drag reaches the cursor
        and asks for a decode. During a drag the cursor holds the mouse and nothing else should
        light up, so that work is wasted where latency matters most.
        """
        scene = self.scene()
        send_hover_events = scene.sendHoverEvents

        def unless_dragging(event, exitOnly: bool = False) -> None:  # noqa: ANN001, N803 - pyqtgraph's names
            if self.cursor.moving and not exitOnly:
                return
            send_hover_events(event, exitOnly)

        scene.sendHoverEvents = unless_dragging

    # -- coordinates -----------------------------------------------------------------------
    def view_to_widget(self, x: float, y: float) -> QPoint:
        """Latent (x, y) -> pixel in :meth:`viewport` coordinates (where mouse events go)."""
        scene = self.view_box.mapViewToScene(QPointF(x, y))
        return self.mapFromScene(scene)

    def widget_to_view(self, pos: QPoint) -> tuple[float, float]:
        view = self.view_box.mapSceneToView(self.mapToScene(pos))
        return float(view.x()), float(view.y())

    # -- mouse -----------------------------------------------------------------------------
    def _on_mouse_clicked(self, event) -> None:  # noqa: ANN001 - pyqtgraph MouseClickEvent
        if event.button() != Qt.MouseButton.LeftButton or self.encoded is None:
            return
        scene_pos = event.scenePos()
        if not self.view_box.sceneBoundingRect().contains(scene_pos):
            return  # on an axis
        if self.legend.isVisible() and self.legend.sceneBoundingRect().contains(scene_pos):
            return  # the legend toggles classes
        view = self.view_box.mapSceneToView(scene_pos)
        self.set_cursor_position(view.x(), view.y())
        self.setFocus(Qt.FocusReason.MouseFocusReason)

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        if self.encoded is None or not self.view_box.sceneBoundingRect().contains(scene_pos):
            self._set_hovered(None)
            return
        view = self.view_box.mapSceneToView(scene_pos)
        if self.cursor.moving:  # while dragging the cursor, the card would only be in the way
            self._set_hovered(None)
            # No nearest-image query here: this runs before the drag moves the cursor and asks for its
            # decode; the readout that shows it waits for the decoded image anyway (readouts.py).
            self.mouseMoved.emit(float(view.x()), float(view.y()), None)
            return
        point = np.array([view.x(), view.y()])
        nearest = self.encoded.index.query(point)
        self.mouseMoved.emit(float(view.x()), float(view.y()), nearest)
        self._set_hovered(self._hover_candidate(point, scene_pos, nearest), scene_pos)

    def _hover_candidate(self, point: np.ndarray, scene_pos: QPointF, nearest: Nearest) -> int | None:
        index = nearest.index
        if not self._class_visible[self.encoded.labels[index]]:
            visible = self._class_visible[self.encoded.labels]
            if not visible.any():
                return None
            d2 = np.sum((self.encoded.z[:, :2] - point) ** 2, axis=1)
            d2[~visible] = np.inf
            index = int(np.argmin(d2))
        z = self.encoded.z[index]
        on_screen = self.view_box.mapViewToScene(QPointF(float(z[0]), float(z[1])))
        distance_px = np.hypot(on_screen.x() - scene_pos.x(), on_screen.y() - scene_pos.y())
        return index if distance_px <= HOVER_RADIUS_PX else None

    def _set_hovered(self, index: int | None, scene_pos: QPointF | None = None) -> None:
        if index is None:
            if self.hovered_index is not None:
                self.hovered_index = None
                replace_points(self.hover_ring, None)
                self.hover_card.dismiss()
                self.hoveredChanged.emit(None)
            return
        z = self.encoded.z[index]
        if index != self.hovered_index:
            self.hovered_index = index
            replace_points(self.hover_ring, [z[:2]])
            label = int(self.encoded.labels[index])
            self.hover_card.show_image(index, label, self.encoded.images[index], z, self.encoded.test_id(index))
            self.hoveredChanged.emit(index)
        if scene_pos is not None:
            self.hover_card.place_near(self.mapFromScene(scene_pos))

    def leaveEvent(self, event: QEvent) -> None:
        self._set_hovered(None)
        super().leaveEvent(event)
