"""The latent map's point layers: the training points, what a paint redraws, pixels on screen and in the export."""

from __future__ import annotations

import numpy as np
from gui_support import hover_over
from PIL import Image
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtTest import QTest

from gaerchen_gui.gui.point_layer import MAX_STACK, colour_table, dot_footprint, rasterise
from gaerchen_gui.gui.theme import CLASS_COLORS, POINT_ALPHA, plot_background

TROUSER = 1  # the class of the made-up training cluster


def grab(latent_map) -> np.ndarray:
    """The map's viewport as it is on screen now: (H, W, 3) uint8."""
    image = latent_map.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes()).reshape(image.height(), -1)
    return rows[:, : 3 * image.width()].reshape(image.height(), image.width(), 3).copy()


def colour_near(latent_map, xy, radius: int = 4) -> np.ndarray:
    """The mean colour of the viewport pixels within ``radius`` of latent point ``xy``."""
    pos = latent_map.view_to_widget(float(xy[0]), float(xy[1]))
    pixels = grab(latent_map)[pos.y() - radius : pos.y() + radius + 1, pos.x() - radius : pos.x() + radius + 1]
    return pixels.reshape(-1, 3).mean(axis=0)


def is_background(colour: np.ndarray) -> bool:
    return bool(np.abs(colour - np.array(plot_background().getRgb()[:3])).max() < 12)


def off_data_cluster(window, n: int = 6000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A dense cluster of made-up 'training' points to the right of all test points: (z, labels, centre)."""
    z = window.model.encoded.z[:, :2]
    span = z.max(axis=0) - z.min(axis=0)
    centre = np.array([z[:, 0].max() + 0.3 * span[0], np.median(z[:, 1])])
    rng = np.random.default_rng(0)
    return (centre + rng.normal(size=(n, 2)) * 0.01 * span).astype(np.float32), np.full(n, TROUSER), centre


def show_cluster_as_training_points(qtbot, window) -> np.ndarray:
    """Put an off-data cluster on the map's training layer, fit the view and paint; its centre."""
    latent_map = window.latent_map
    z, labels, centre = off_data_cluster(window)
    latent_map.set_train_points(z, labels)
    latent_map.set_train_points_visible(True)
    latent_map.reset_view()
    repaint(qtbot, latent_map)
    return centre


def repaint(qtbot, latent_map) -> None:
    latent_map.viewport().repaint()
    qtbot.wait(10)


def test_training_points_show_hide_and_clear(qtbot, window):
    latent_map = window.latent_map
    z, labels, centre = off_data_cluster(window)
    latent_map.set_train_points(z, labels)
    assert len(latent_map.train_layer) == len(z) and not latent_map.train_points_visible  # hidden until asked for

    latent_map.set_train_points_visible(True)
    latent_map.reset_view()  # now fits the training points too
    (x0, x1), (y0, y1) = latent_map.view_box.viewRange()
    assert x0 < z[:, 0].min() and z[:, 0].max() < x1 and y0 < z[:, 1].min() and z[:, 1].max() < y1
    repaint(qtbot, latent_map)
    seen = colour_near(latent_map, centre)
    assert not is_background(seen)
    assert np.argmax(seen) == 0  # reddish-orange: tab10's orange is the trousers' colour

    latent_map.set_train_points_visible(False)
    repaint(qtbot, latent_map)
    assert is_background(colour_near(latent_map, centre))

    latent_map.set_train_points_visible(True)
    latent_map.set_train_points(None, None)
    repaint(qtbot, latent_map)
    assert len(latent_map.train_layer) == 0 and is_background(colour_near(latent_map, centre))


def legend_entry_pos(latent_map, label: int) -> QPoint:
    return latent_map.mapFromScene(latent_map.legend.entry_rect(label).center())


def test_legend_toggles_hide_the_class_in_both_layers(qtbot, window):
    latent_map = window.latent_map
    centre = show_cluster_as_training_points(qtbot, window)
    assert not is_background(colour_near(latent_map, centre))
    shown_before = len(latent_map.scatter.shown_positions())

    pos = legend_entry_pos(latent_map, TROUSER)
    QTest.mouseClick(latent_map.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
    qtbot.waitUntil(lambda: not latent_map.legend.is_class_shown(TROUSER))
    repaint(qtbot, latent_map)
    assert is_background(colour_near(latent_map, centre))  # the training trousers are gone...
    shown = latent_map.scatter.shown_positions()
    assert len(shown) == shown_before - int(np.sum(window.model.encoded.labels == TROUSER))  # ...and the test ones
    assert len(latent_map.train_layer.shown_positions()) == 0

    QTest.mouseClick(latent_map.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
    qtbot.waitUntil(lambda: latent_map.legend.is_class_shown(TROUSER))
    repaint(qtbot, latent_map)
    assert not is_background(colour_near(latent_map, centre))


def test_hover_finds_test_images_not_training_points(qtbot, window):
    latent_map = window.latent_map
    z = window.model.encoded.z[:, :2]
    # training points right on top of the test points, and a dense clump exactly where the mouse goes
    index = int(np.argmin(np.sum((z - np.median(z, axis=0)) ** 2, axis=1)))
    clump = np.repeat(z[index : index + 1], 500, axis=0) + 1e-4
    latent_map.set_train_points(np.concatenate([z, clump]), np.zeros(len(z) + len(clump), dtype=int))
    latent_map.set_train_points_visible(True)
    pos = hover_over(qtbot, latent_map, z[index])
    mouse = np.array(latent_map.widget_to_view(pos))
    assert latent_map.hovered_index == int(np.argmin(np.sum((z - mouse) ** 2, axis=1)))
    assert latent_map.hover_card.index == latent_map.hovered_index < len(z)


class PaintWatch(QObject):
    """Records the rectangles a widget's paint events cover."""

    def __init__(self, widget) -> None:  # a QWidget
        super().__init__()
        self.rects: list[QRect] = []
        widget.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # Qt override
        if event.type() == QEvent.Type.Paint:
            self.rects.append(event.region().boundingRect())
        return False


def test_a_cursor_move_repaints_a_small_part_from_cached_layers(qtbot, window):
    latent_map = window.latent_map
    show_cluster_as_training_points(qtbot, window)
    layers = (latent_map.scatter, latent_map.train_layer)
    viewport = latent_map.viewport().rect()
    # whatever zoomed before (fitting the view) has had its sharp redraw: on a busy machine it came late
    qtbot.waitUntil(lambda: not any(layer.settling for layer in layers))
    (x0, x1), (y0, y1) = latent_map.view_box.viewRange()
    shift = 0.02 * (x1 - x0)

    def pan(steps: int) -> None:
        latent_map.view_box.setRange(xRange=(x0 + steps * shift, x1 + steps * shift), yRange=(y0, y1), padding=0)
        repaint(qtbot, latent_map)

    # The first pan past a raster drawn for the view alone draws it again with a margin around the view
    # (point_layer.PAN_MARGIN); later pans within that margin only move it.
    pan(1)
    rendered = [layer.render_count for layer in layers]
    pan(2)
    pan(1)
    assert [layer.render_count for layer in layers] == rendered
    assert latent_map.scatter.last_blit.width() * latent_map.scatter.last_blit.height() > viewport.width() * 100

    x, y = map(float, np.median(window.model.encoded.z[:, :2], axis=0))
    latent_map.set_cursor_position(x, y)
    qtbot.wait(200)  # whatever else the move set off (the decoded image, readouts) has settled
    latent_map.scatter.last_blit = QRect()
    watch = PaintWatch(latent_map.viewport())
    latent_map.set_cursor_position(x + 2 * shift / 10, y)  # a few pixels
    qtbot.waitUntil(lambda: len(watch.rects) > 0)
    assert all(r.width() * r.height() < 0.02 * viewport.width() * viewport.height() for r in watch.rects)
    # the layers under the cursor came from Qt's pixmap cache (paint_from_cache): not even a blit in Python
    assert latent_map.scatter.last_blit.isEmpty()
    assert [layer.render_count for layer in layers] == rendered

    # a zoom (out, so that both stay in view) shows the rasters scaled at once, then redraws them sharp
    latent_map.view_box.scaleBy((1.25, 1.25))
    latent_map.viewport().repaint()
    assert [layer.render_count for layer in layers] == rendered
    qtbot.waitUntil(lambda: all(layer.render_count > n for layer, n in zip(layers, rendered, strict=True)))
    # zooming far at once redraws them straight away
    rendered = [layer.render_count for layer in layers]
    latent_map.view_box.scaleBy((3.0, 3.0))
    latent_map.viewport().repaint()
    assert all(layer.render_count > n for layer, n in zip(layers, rendered, strict=True))


def test_map_export_shows_the_points(qtbot, window, tmp_path):
    latent_map = window.latent_map
    z, labels, centre = off_data_cluster(window)
    latent_map.set_train_points(z, labels)
    latent_map.set_train_points_visible(True)
    latent_map.reset_view()
    path = window.files.export("map", tmp_path / "map.png")
    with Image.open(path) as image:
        assert image.format == "PNG" and image.width == 2 * window.latent_map.viewport().width()
        rgb = np.asarray(image.convert("RGB")).astype(int)
    # colourful pixels are points (the axes, grid, text and background are grey)
    saturation = rgb.max(axis=2) - rgb.min(axis=2)
    assert np.sum(saturation > 60) > 5000
    background = np.array(plot_background().getRgb()[:3])
    found = 0
    for colour in CLASS_COLORS:
        one_dot = np.array(QColor(colour).getRgb()[:3]) * POINT_ALPHA / 255 + background * (1 - POINT_ALPHA / 255)
        found += int(np.sum(np.abs(rgb - one_dot).max(axis=2) < 30) > 20)
    assert found >= 8  # (nearly) every class's colour, as a single dot over the background


def test_rasterise_draws_antialiased_dots_that_stack(qtbot):
    table = colour_table([QColor(c) for c in CLASS_COLORS], 170)
    region = QRect(0, 0, 40, 20)
    x, y = np.array([10.0, 30.0, 30.0, 30.0]), np.array([10.0, 10.0, 10.0, 10.0])
    image = rasterise(x, y, np.array([0, 3, 3, 3]), table, 4.0, region)
    alpha = np.frombuffer(image.constBits(), np.uint32, 40 * 20).reshape(20, 40) >> 24
    footprint = dot_footprint(4.0)
    assert len(footprint) == 16  # a 4 px disc: a 4x4 block with soft corners
    lone = alpha[:, :20]
    assert np.count_nonzero(lone) == 16 and lone.max() == 170  # the point's colour at full coverage is POINT_ALPHA
    assert 0 < lone[lone > 0].min() < 170  # anti-aliased corners
    stacked = alpha[:, 20:]
    assert stacked.max() == round(255 * (1 - (1 - 170 / 255) ** 3))  # three dots on one pixel: denser
    assert table.shape == (10, MAX_STACK + 1) and not table[:, 0].any()


def test_zoomed_far_in_the_points_are_drawn_for_the_view_only(qtbot):
    """A live map linked to another pane's scale once zoomed to a range of ~1e-5: the raster must stay
    the size of the view (it asked for 98 GiB and the app crashed)."""
    from gaerchen_gui.gui.latent_map import LatentMap

    latent_map = LatentMap()
    qtbot.addWidget(latent_map)
    latent_map.resize(600, 500)
    latent_map.show()
    z = np.random.default_rng(0).normal(size=(2000, 2)).astype(np.float32)
    latent_map.scatter.set_points(z, np.arange(2000) % 10)
    latent_map.view_box.setRange(xRange=(0.0, 1e-5), yRange=(0.0, 1e-5), padding=0)
    before = latent_map.scatter.render_count
    latent_map.viewport().repaint()
    qtbot.waitUntil(lambda: latent_map.scatter.render_count > before)
    viewport = latent_map.viewport().rect()
    region = latent_map.scatter.last_raster_region
    assert region.width() * region.height() <= 9 * viewport.width() * viewport.height()
