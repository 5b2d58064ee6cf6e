"""Your Images: a drawing pinned where the core encodes it, dropped files pinned or named, pins kept."""

import numpy as np
import pytest
import torch
from gui_support import wait_for_map
from PIL import Image
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtTest import QTest

from gaerchen_gui.core.evaluation import embed_all, posterior_all
from gaerchen_gui.core.own_images import prepare_image
from gaerchen_gui.core.placement import pad_drawing
from gaerchen_gui.gui.actions import ActionKey

STROKE = [(6, 6), (6, 22), (14, 14), (22, 22), (22, 6)]  # an "M", in the pad's cells


def draw(qtbot, pad, points=STROKE) -> None:
    """A stroke with real mouse events: press, moves along ``points`` (cells), release."""
    QTest.mousePress(
        pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pad.widget_pos(*points[0]).toPoint()
    )
    for x, y in points[1:]:
        QTest.mouseMove(pad, pad.widget_pos(x, y).toPoint())
    QTest.mouseRelease(
        pad, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pad.widget_pos(*points[-1]).toPoint()
    )


def core_codes(model, image32):
    x = torch.from_numpy(image32[None, None])
    if model.kind == "vae":
        mean, log_var = posterior_all(model, x)
        return mean[0].numpy(), log_var[0].numpy()
    return embed_all(model, x)[0].numpy(), None


@pytest.fixture
def image_files(tmp_path):
    shirt = Image.new("RGB", (90, 120), (245, 245, 240))  # a dark shape on white, like a product photo
    shirt.paste((30, 40, 120), (20, 15, 70, 105))
    shirt.save(tmp_path / "shirt.jpg")
    Image.new("L", (40, 40), 0).save(tmp_path / "blank.png")
    (tmp_path / "notes.txt").write_text("hello")
    noise = np.random.default_rng(0).integers(0, 255, (64, 64), dtype=np.uint8)
    Image.fromarray(noise).save(tmp_path / "noise.png")
    (tmp_path / "cut.png").write_bytes((tmp_path / "noise.png").read_bytes()[:2000])  # truncated
    return tmp_path


def drop_files(window, paths) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    event = QDropEvent(
        QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
    )
    window.dropEvent(event)
    assert event.isAccepted()


def test_a_drawings_pin_is_where_the_core_encodes_the_same_array(qtbot, make_window):
    window = make_window("vae")
    window.actions[ActionKey.SHOW_OWN_IMAGES].trigger()  # View > Your Images
    assert window.own_images.dock.isVisible()
    panel = window.own_images.panel
    draw(qtbot, panel.pad)
    drawing = pad_drawing(panel.pad.pixels)
    assert drawing.shape == (32, 32) and drawing.max() == 1.0 and drawing[:2].max() == 0.0  # padded like the data
    mean, log_var = core_codes(window.model.checkpoint.model, drawing)
    layer = window.own_images.layer_of(window.model)
    qtbot.waitUntil(lambda: layer.drawing_xy is not None and np.allclose(layer.drawing_xy, mean, atol=1e-5))
    placement = window.own_images.own.drawing_placement(window.model)
    np.testing.assert_allclose(placement.log_var, log_var, atol=1e-5)
    # the 1- and 2-sigma ellipses: as wide as the posterior says
    xs, _ = layer.ellipses[1].getData()
    assert layer.ellipses[1].isVisible()
    assert xs.max() - mean[0] == pytest.approx(2 * np.exp(0.5 * log_var[0]), rel=1e-4)
    assert not panel.reconstruction.pixmap().isNull()
    window.own_images.dock.close()  # its own close button: the menu item follows
    assert not window.actions[ActionKey.SHOW_OWN_IMAGES].isChecked()


def test_the_drawing_is_pinned_in_every_pane_in_compare_mode(qtbot, make_window):
    window = make_window("ae")
    window.compare_shipped()
    qtbot.waitUntil(lambda: all(s.encoded is not None for s in window.explorer.models), timeout=120_000)
    window.own_images.show(True)
    draw(qtbot, window.own_images.panel.pad)
    drawing = pad_drawing(window.own_images.panel.pad.pixels)
    for state in window.explorer.models:
        z, _ = core_codes(state.checkpoint.model, drawing)
        layer = window.own_images.layer_of(state)
        qtbot.waitUntil(
            lambda layer=layer, z=z: layer.drawing_xy is not None and np.allclose(layer.drawing_xy, z, atol=1e-5)
        )
    assert {s.kind for s in window.explorer.models} == {"ae", "vae"}
    window.own_images.panel.pad.clear()
    assert all(window.own_images.layer_of(s).drawing_xy is None for s in window.explorer.models)
    # a pane removed: its layer stops listening, the first pane still follows the pad
    first = window.explorer.models[0]
    window.panes.remove_pane(window.panes.panes[1])
    draw(qtbot, window.own_images.panel.pad, STROKE[:3])
    qtbot.waitUntil(lambda: window.own_images.layer_of(first).drawing_xy is not None)
    assert len(window.own_images.layers) == 1


def test_a_wide_models_pin_is_its_code_seen_through_the_maps_projection(qtbot, make_window, wide_models):
    window = make_window(None)
    assert window.open_checkpoint(wide_models / "vae8d.pt") is None
    wait_for_map(qtbot, window)
    window.own_images.show(True)
    draw(qtbot, window.own_images.panel.pad)
    state = window.model
    mean, log_var = core_codes(state.checkpoint.model, pad_drawing(window.own_images.panel.pad.pixels))
    assert mean.shape == (8,)
    xy = state.projection.to_view(mean[None])[0]
    layer = window.own_images.layer_of(state)
    qtbot.waitUntil(lambda: layer.drawing_xy is not None and np.allclose(layer.drawing_xy, xy, atol=1e-4))
    sigma = np.exp(0.5 * state.projection.log_var_to_view(log_var[None])[0])
    xs, _ = layer.ellipses[0].getData()
    assert xs.max() - xy[0] == pytest.approx(sigma[0], rel=1e-3)


def test_a_drop_of_mixed_files_pins_the_images_and_names_the_rest_in_one_message(qtbot, make_window, image_files):
    window = make_window("ae")
    files = [image_files / n for n in ("shirt.jpg", "notes.txt", "cut.png", "blank.png", "gone.png")]
    drop_files(window, files)
    own = window.own_images.own
    qtbot.waitUntil(lambda: len(own.pins) == 2)
    assert [p.name for p in own.pins] == ["shirt.jpg", "blank.png"]
    message = window.statusBar().currentMessage()
    assert message.startswith("Skipped 3 files") and "notes.txt: not an image" in message
    assert "cut.png: truncated" in message and "gone.png: no such file" in message
    shirt = own.pins[0]
    assert shirt.inverted and np.allclose(shirt.pixels, prepare_image(image_files / "shirt.jpg"))
    z = embed_all(window.model.checkpoint.model, torch.from_numpy(shirt.pixels[None, None]))[0].numpy()
    layer = window.own_images.layer_of(window.model)
    qtbot.waitUntil(lambda: shirt.id in layer.pin_positions)
    np.testing.assert_allclose(layer.pin_positions[shirt.id], z, atol=1e-5)
    # the list shows them; one removed, then all
    panel = window.own_images.panel
    assert panel.pins.count() == 2
    panel.pins.setCurrentRow(0)
    QTest.mouseClick(panel.remove, Qt.MouseButton.LeftButton)
    assert [p.name for p in own.pins] == ["blank.png"] and shirt.id not in layer.pin_positions
    QTest.mouseClick(panel.remove_all, Qt.MouseButton.LeftButton)
    assert own.pins == () and layer.pin_positions == {} and panel.pins.count() == 0


def test_pins_persist_with_the_session_and_missing_files_are_named(qtbot, make_window, image_files):
    window = make_window("ae", settings_file="pins.ini")
    window.own_images.jobs.open_files([image_files / "shirt.jpg", image_files / "blank.png"])
    own = window.own_images.own
    qtbot.waitUntil(lambda: len(own.pins) == 2)
    window.own_images.show(True)
    panel = window.own_images.panel
    panel.pins.setCurrentRow(0)
    assert panel.invert_pin.isChecked()  # chosen by its white background
    QTest.mouseClick(panel.invert_pin, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))
    qtbot.waitUntil(lambda: own.pins[0].invert is False)
    assert [p.name for p in own.pins] == ["shirt.jpg", "blank.png"]  # kept its place
    window.close()

    again = make_window("ae", settings_file="pins.ini")
    qtbot.waitUntil(lambda: len(again.own_images.own.pins) == 2)
    restored = again.own_images.own.pins
    assert [(p.name, p.invert) for p in restored] == [("shirt.jpg", False), ("blank.png", None)]
    again.close()

    (image_files / "blank.png").unlink()
    third = make_window("ae", settings_file="pins.ini")
    qtbot.waitUntil(lambda: third.own_images.jobs.reading == 0 and len(third.own_images.own.pins) == 1)
    assert "blank.png: no such file" in third.statusBar().currentMessage()
    wait_for_map(qtbot, third)


@pytest.mark.parametrize(("size", "floats"), [((900, 600), True), ((1400, 900), False)], ids=["900x600", "1400x900"])
def test_the_dock_never_makes_the_window_outgrow_a_small_screen(qtbot, make_window, size, floats):
    """At 900 x 600 the dock beside the map and the side panel made the window 1,065 x 671: there it
    opens floating; on a large screen it docks beside the map."""
    window = make_window("ae")
    window.resize(*size)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == size)
    window.own_images.show(True)
    qtbot.waitUntil(window.own_images.dock.isVisible)
    assert window.own_images.dock.isFloating() == floats
    assert (window.width(), window.height()) == size
    assert window.actions[ActionKey.SHOW_OWN_IMAGES].isChecked()
