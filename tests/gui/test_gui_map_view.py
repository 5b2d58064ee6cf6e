"""The latent map as a new user meets it: its minimum size, the legend, the cursor off the view, fitting, export."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QRectF, Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

COAT, SANDAL = 4, 5


def synthetic_encoded(n: int = 3000, seed: int = 0):
    """Ten clusters in a wide, low band (x in about -6..6, y in about -2..2), as many embeddings look."""
    from gaerchen_gui.core.encoding import EncodedSet
    from gaerchen_gui.core.neighbours import NearestIndex

    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, n)
    centres = np.column_stack([np.linspace(-5, 5, 10), np.tile([-1.0, 1.0], 5)])
    z = (centres[labels] + rng.normal(scale=0.35, size=(n, 2))).astype(np.float32)
    return EncodedSet(z=z, labels=labels, images=np.zeros((n, 32, 32), np.float32), index=NearestIndex(z))


@pytest.fixture
def latent_map(qtbot):
    from gaerchen_gui.gui.latent_map import LatentMap

    widget = LatentMap()
    qtbot.addWidget(widget)
    widget.resize(900, 360)  # wide and low: the map beside the side panel with the training dock open
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_data(synthetic_encoded())
    widget.set_cursor_position(0.0, 0.0)
    qtbot.wait(20)
    return widget


def grab(widget) -> np.ndarray:
    image = widget.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    return qimage_rgb(image)


def qimage_rgb(image: QImage) -> np.ndarray:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8, image.sizeInBytes()).reshape(image.height(), -1)
    return rows[:, : 3 * image.width()].reshape(image.height(), image.width(), 3).astype(int)


def view_rect(latent_map) -> QRectF:
    (x0, x1), (y0, y1) = latent_map.view_box.viewRange()
    return QRectF(x0, y0, x1 - x0, y1 - y0)


def click_scene(qtbot, latent_map, scene_point) -> None:
    pos = latent_map.mapFromScene(scene_point)
    QTest.mouseClick(latent_map.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
    qtbot.wait(10)


# -- item 5: a minimum size, names never cut short ------------------------------------------------
def test_the_map_keeps_a_minimum_size_and_whole_legend_names(qtbot, latent_map):
    from gaerchen_gui.gui.latent_map import MIN_MAP_SIZE

    assert MIN_MAP_SIZE.width() >= 300 and MIN_MAP_SIZE.height() >= 260  # 900 x 600 with a scrubber and a dock
    latent_map.resize(100, 20)  # what a crowded window asked of it
    qtbot.wait(20)
    assert latent_map.width() >= MIN_MAP_SIZE.width() and latent_map.height() >= MIN_MAP_SIZE.height()
    plot_rect = latent_map.getPlotItem().sceneBoundingRect()
    assert plot_rect.width() <= latent_map.width() + 0.5  # the legend does not push the plot past the edge
    view = latent_map.mapToScene(latent_map.viewport().rect()).boundingRect()
    for _swatch, label in latent_map.legend.items:
        text_width = label.item.boundingRect().width()
        assert label.geometry().width() >= text_width - 0.5, label.text  # the whole name has room...
        right_end = label.sceneBoundingRect().topLeft() + QPoint(int(text_width), 0)
        assert view.contains(right_end), label.text  # ...on screen
    assert latent_map.view_box.height() > 100  # and the points still have room


# -- item 8: the legend name toggles, a hidden class is greyed --------------------------------------
def test_clicking_a_legend_name_hides_the_class_and_greys_the_name(qtbot, latent_map):
    legend = latent_map.legend
    shown = len(latent_map.scatter.shown_positions())
    coats = int(np.sum(latent_map.encoded.labels == COAT))
    _swatch, name = legend.items[COAT]
    name_colour = legend.name_colour(COAT)

    click_scene(qtbot, latent_map, name.sceneBoundingRect().center())  # the name, not the dot
    assert not legend.is_class_shown(COAT) and legend.is_class_shown(SANDAL)
    assert len(latent_map.scatter.shown_positions()) == shown - coats
    greyed = legend.name_colour(COAT)
    assert greyed.alpha() < 160 and greyed.rgb() == name_colour.rgb()  # the same text colour, faded
    assert name.text == legend.names[COAT]  # the entry keeps its place and its name

    # on screen: the dot is a hollow ring (its centre shows the background) and the name is paler
    swatch = legend.items[COAT][0]
    centre = latent_map.mapFromScene(swatch.sceneBoundingRect().center())
    pixels = grab(latent_map)
    background = pixels[2, 2]
    assert np.abs(pixels[centre.y(), centre.x()] - background).max() < 10
    shown_swatch = latent_map.mapFromScene(legend.items[SANDAL][0].sceneBoundingRect().center())
    assert np.abs(pixels[shown_swatch.y(), shown_swatch.x()] - background).max() > 60

    click_scene(qtbot, latent_map, legend.items[COAT][0].sceneBoundingRect().center())  # the dot works too
    assert legend.is_class_shown(COAT)
    assert len(latent_map.scatter.shown_positions()) == shown
    assert legend.name_colour(COAT).alpha() == 255


# -- item 9: the cursor out of view ------------------------------------------------------------------
def test_an_arrow_on_the_edge_points_to_a_cursor_out_of_view(qtbot, latent_map):
    marker = latent_map.edge_marker
    assert latent_map.cursor_in_view() and not marker.isVisible()
    rect = view_rect(latent_map)
    y = rect.center().y()
    latent_map.set_cursor_position(rect.right() + 5 * rect.width(), y)
    assert not latent_map.cursor_in_view()
    assert marker.isVisible()
    tip = marker.pos()
    assert rect.contains(tip)  # inside the view...
    assert tip.x() > rect.right() - 0.1 * rect.width()  # ...on the side of the cursor
    assert abs(tip.y() - y) < 0.1 * rect.height()
    # drawn there: dark arrow pixels near the tip (the cursor's accent colour on the light plot)
    qtbot.wait(20)
    at = latent_map.view_to_widget(tip.x(), tip.y())
    patch = grab(latent_map)[at.y() - 8 : at.y() + 9, at.x() - 30 : at.x() + 2]
    assert (patch.max(axis=2) < 60).sum() > 30

    latent_map.set_cursor_position(rect.center().x(), rect.top() - rect.height())  # below the view
    assert marker.isVisible() and marker.pos().y() < rect.top() + 0.15 * rect.height()

    latent_map.set_cursor_position(rect.center().x(), rect.center().y())
    assert not marker.isVisible()


def test_dragging_the_cursor_above_the_plot_leaves_an_arrow_to_it(qtbot, latent_map):
    from gui_support import move_mouse

    latent_map.set_title("AE  ·  3,000 test images")  # as in the window: room above the view
    qtbot.wait(20)
    viewport, last = latent_map.viewport(), [0.0]
    start = latent_map.view_to_widget(*latent_map.cursor_position())
    top = latent_map.mapFromScene(latent_map.view_box.sceneBoundingRect().topLeft()).y()
    move_mouse(viewport, start, last)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    end = QPoint(start.x(), top - 10)  # over the title, above the view
    assert end.y() > 0
    try:
        for step in range(1, 9):
            move_mouse(viewport, start + (end - start) * step / 8, last)
    finally:
        QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    qtbot.wait(20)
    assert not latent_map.cursor_in_view() and latent_map.cursor_position()[1] > view_rect(latent_map).bottom()
    assert latent_map.edge_marker.isVisible()
    assert latent_map.edge_marker.pos().y() > view_rect(latent_map).center().y()  # at the top edge


def test_reset_view_brings_the_cursor_back(qtbot, latent_map):
    latent_map.set_cursor_position(40.0, -25.0)
    assert not latent_map.cursor_in_view()
    latent_map.reset_view()
    assert latent_map.cursor_in_view() and not latent_map.edge_marker.isVisible()
    assert view_rect(latent_map).contains(QRectF(-5, -1, 10, 2))  # and the data


def test_clicking_the_arrow_pans_to_the_cursor(qtbot, latent_map):
    rect = view_rect(latent_map)
    latent_map.set_cursor_position(rect.right() + rect.width(), rect.center().y())
    width_before = rect.width()
    marker = latent_map.edge_marker
    target = latent_map.cursor_position()
    # the arrow is drawn in screen pixels around its tip: its own rectangle is in pixels from there
    middle = marker.boundingRect().center()
    at = latent_map.view_to_widget(marker.pos().x(), marker.pos().y()) + QPoint(round(middle.x()), round(middle.y()))
    QTest.mouseClick(latent_map.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)
    assert latent_map.cursor_position() == target  # the click did not move the cursor to the arrow
    assert latent_map.cursor_in_view()
    assert view_rect(latent_map).width() == pytest.approx(width_before)  # panned, not zoomed


def test_typed_positions_far_off_the_data_are_clamped_and_shown(qtbot, latent_map):
    from gaerchen_gui.gui.map_cursor import reachable_box

    notices, moves = [], []
    latent_map.notice.connect(notices.append)
    latent_map.cursorMoved.connect(lambda x, y: moves.append((x, y)))
    x0, y0, x1, y1 = reachable_box(latent_map.encoded.z)
    assert x0 < -5 - 5 and x1 > 5 + 5  # a data span beyond the data on each side: off-data decoding stays possible

    latent_map.enter_cursor_position(1000.0, 0.5)
    assert latent_map.cursor_position() == (pytest.approx(x1), pytest.approx(0.5))
    assert moves[-1] == latent_map.cursor_position()  # the entry is told where the cursor went
    assert len(notices) == 1 and "1000" in notices[0]
    assert latent_map.cursor_in_view()  # the view followed it

    latent_map.enter_cursor_position(1000.0, 0.5)  # the same again: no move, but the entry is corrected again
    assert len(moves) == 2 and len(notices) == 2

    latent_map.enter_cursor_position(1.5, -0.5)  # near the data: as typed, no notice
    assert latent_map.cursor_position() == (1.5, -0.5) and len(notices) == 2


# -- item 7: fit to data, or equal scales; the export is what the map shows ------------------------
def units_per_pixel(latent_map) -> tuple[float, float]:
    rect = view_rect(latent_map)
    return rect.width() / latent_map.view_box.width(), rect.height() / latent_map.view_box.height()


def test_the_map_fits_the_data_unless_the_aspect_is_locked(qtbot, latent_map):
    z = latent_map.encoded.z
    span = z.max(axis=0) - z.min(axis=0)
    assert not latent_map.aspect_locked
    rect = view_rect(latent_map)
    assert rect.width() < 1.25 * span[0] and rect.height() < 1.25 * span[1]  # both axes filled

    latent_map.set_aspect_locked(True)
    assert latent_map.aspect_locked
    per_x, per_y = units_per_pixel(latent_map)
    assert per_x == pytest.approx(per_y, rel=0.02)  # one unit as long across as up
    rect = view_rect(latent_map)
    assert rect.width() >= span[0] and rect.height() >= span[1]  # still all in view

    latent_map.set_fit_to_data(True)
    assert not latent_map.aspect_locked and view_rect(latent_map).height() < 1.25 * span[1]


def test_the_export_is_the_map_as_shown_at_twice_the_pixels(qtbot, latent_map, tmp_path):
    latent_map.legend.set_class_shown(SANDAL, False)
    qtbot.wait(20)
    path = latent_map.export_png(tmp_path / "map.png")
    viewport = latent_map.viewport()
    with Image.open(path) as image:
        assert image.size == (2 * viewport.width(), 2 * viewport.height())
        exported = np.asarray(image.convert("RGB")).astype(int)
        halved = np.asarray(image.convert("RGB").resize((viewport.width(), viewport.height()), Image.BOX)).astype(int)
    on_screen = grab(latent_map)
    # the same picture: view range, axes, legend (with its greyed class) and points where they are on screen
    assert np.abs(halved - on_screen).mean() < 6
    # the legend's names as large as the tick labels (the old export drew them smaller)
    tick_font = latent_map.getPlotItem().getAxis("bottom").font()
    assert all(label.item.font().pointSizeF() >= tick_font.pointSizeF() for _, label in latent_map.legend.items)
    # no wide empty margins: the class-coloured points span most of the image both ways
    saturated = np.argwhere(exported.max(axis=2) - exported.min(axis=2) > 80)
    (top, left), (bottom, right) = saturated.min(axis=0), saturated.max(axis=0)
    assert right - left > 0.8 * exported.shape[1] and bottom - top > 0.6 * exported.shape[0]


def test_the_export_needs_a_map(qtbot, tmp_path):
    from gaerchen_gui.gui.latent_map import LatentMap

    empty = LatentMap()
    qtbot.addWidget(empty)
    with pytest.raises(ValueError):
        empty.export_png(tmp_path / "map.png")


def test_typed_positions_reach_a_few_units_past_even_a_small_data_cloud():
    from gaerchen_gui.gui.map_cursor import MIN_TYPED_REACH, reachable_box

    z = np.random.default_rng(0).normal(scale=0.05, size=(500, 2))  # a young model's embeddings
    x0, y0, x1, y1 = reachable_box(z)
    assert x1 >= z[:, 0].max() + MIN_TYPED_REACH and y0 <= z[:, 1].min() - MIN_TYPED_REACH
    assert MIN_TYPED_REACH >= 3  # N(0, I) samples and a VAE's prior stay within reach
