"""Compare mode: several models side by side under one cursor, driven with real mouse events."""

from __future__ import annotations

import time

import numpy as np
import pytest
from gui_support import hover_over, move_mouse
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest

from gaerchen_gui.gui.actions import ActionKey


def open_ae_vs_vae(qtbot, make_window):
    window = make_window("ae")
    window.actions[ActionKey.COMPARE_AE_VAE].trigger()
    qtbot.waitUntil(lambda: len(window.panes.panes) == 2, timeout=10_000)
    for pane in window.panes.panes:
        qtbot.waitUntil(lambda pane=pane: pane.state.encoded is not None, timeout=120_000)
    strip = window.panes.strip
    qtbot.waitUntil(lambda: all(slot.shown_request_id > 0 for slot in strip.slots), timeout=10_000)
    wait_for_settled_views(qtbot, window)
    return window


def wait_for_settled_views(qtbot, window, timeout_s: float = 10.0) -> None:
    """Until no pane's view or map size changes for 0.2 s. With the encodings already cached (later in a
    full run) a map is ready before its view is fitted and the layout is final; a drag aimed before
    that lands off by the change (pyqtgraph takes the drag's offset from the press, mapped anew)."""

    def geometry():
        return [
            (pane.latent_map.view_box.viewRange(), pane.latent_map.viewport().size().toTuple())
            for pane in window.panes.panes
        ]

    deadline = time.monotonic() + timeout_s
    before = geometry()
    while time.monotonic() < deadline:
        qtbot.wait(200)
        now = geometry()
        if now == before:
            return
        before = now
    raise AssertionError("the panes' views kept changing")


def test_ae_vs_vae_shows_both_shipped_models_with_headers_and_a_strip(qtbot, make_window):
    window = open_ae_vs_vae(qtbot, make_window)
    a, b = window.panes.panes
    assert (a.state.kind, b.state.kind) == ("ae", "vae")
    assert window.actions[ActionKey.COMPARE].isChecked() and window.panes.strip.isVisible()
    captions = [slot.caption.text() for slot in window.panes.strip.slots]
    assert captions == ["AE (ae.pt)", "VAE (ae.pt)".replace("ae.pt", "vae.pt")]
    # Compare off: back to one pane; the shown model stays.
    window.actions[ActionKey.COMPARE].setChecked(False)
    assert len(window.panes.panes) == 1 and not window.panes.strip.isVisible()
    assert window.model.kind == "ae"
    # the removed pane and its jobs no longer listen: moving the cursor or an option reaches only live ones
    window.explorer.set_cursor(0.1, 0.1)
    window.explorer.options.show_manifold = True
    window.explorer.set_hovered(5)


def test_dragging_in_pane_b_moves_the_cursor_in_pane_a_and_both_decode(qtbot, make_window):
    window = open_ae_vs_vae(qtbot, make_window)
    a, b = window.panes.panes
    strip = window.panes.strip
    before = [slot.view.paint_count for slot in strip.slots]
    first_images = [slot.state.cursor_image.image.copy() for slot in strip.slots]
    (x0, x1), (y0, y1) = b.latent_map.view_box.viewRange()
    target = np.array([x0 + 0.3 * (x1 - x0), y0 + 0.7 * (y1 - y0)])  # inside the view, away from the start
    viewport = b.latent_map.viewport()
    last = [0.0]
    start = b.latent_map.view_to_widget(*b.latent_map.cursor_position())
    move_mouse(viewport, start, last)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, start)
    end = b.latent_map.view_to_widget(float(target[0]), float(target[1]))
    for step in range(1, 6):
        move_mouse(viewport, start + (end - start) * (step / 5), last)
    QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
    xy = b.latent_map.cursor_position()
    # Where the mouse was let go, in the view as it is now: under load a late fit of the view can move
    # the map between aiming and releasing, and the cursor follows the mouse, not the old coordinates.
    # Within 5% of the view: in one full CI run (2026-11-30) the cursor ended 0.17 (3% of the view) off
    # the release point in y, once, never alone; pyqtgraph maps the press anew at the drag's start, so a
    # late layout change between press and first move shifts the end (see wait_for_settled_views).
    (x0, x1), _ = b.latent_map.view_box.viewRange()
    assert np.allclose(xy, b.latent_map.widget_to_view(end), atol=0.05 * (x1 - x0))
    assert a.latent_map.cursor_position() == xy  # one cursor for every pane
    assert window.explorer.cursor == xy
    for state in (a.state, b.state):
        qtbot.waitUntil(lambda s=state: np.allclose(s.cursor_image.z[:2], xy, atol=1e-5), timeout=10_000)
    assert all(after > count for after, count in zip([s.view.paint_count for s in strip.slots], before, strict=True))
    for state, first in zip((a.state, b.state), first_images, strict=True):
        assert not np.allclose(state.cursor_image.image, first)  # both previews changed
    assert not np.allclose(a.state.cursor_image.image, b.state.cursor_image.image)  # two decoders


def test_hovering_an_image_in_one_pane_rings_the_same_image_in_the_other(qtbot, make_window):
    window = open_ae_vs_vae(qtbot, make_window)
    a, b = window.panes.panes
    row = 123
    hover_over(qtbot, a.latent_map, a.state.encoded.z[row, :2])
    hovered = a.latent_map.hovered_index
    assert window.explorer.hovered == a.state.encoded.test_id(hovered)
    ring_x, ring_y = b.echo_ring.getData()
    assert len(ring_x) == 1
    assert np.allclose((ring_x[0], ring_y[0]), b.state.encoded.z[hovered, :2])  # the same test image, B's place
    qtbot.wait(30)  # pyqtgraph ignores mouse moves closer than 10 ms apart
    move_mouse(a.latent_map.viewport(), QPoint(2, 2), [0.0])  # off the points
    qtbot.waitUntil(lambda: len(b.echo_ring.getData()[0]) == 0)


def test_a_broken_checkpoint_leaves_its_pane_with_a_message_and_the_others_work(qtbot, make_window, tmp_path):
    window = open_ae_vs_vae(qtbot, make_window)
    broken = tmp_path / "broken.pt"
    broken.write_bytes(b"not a checkpoint")
    b = window.panes.panes[1]
    error = window.open_checkpoint(broken, quiet=True, state=b.state)
    assert error is not None and "broken.pt" in error
    assert b.state.kind == "vae"  # the model it showed stays
    added = window.panes.add_pane(window, str(broken))
    assert added is not None and added.state.checkpoint is None
    assert "broken.pt" in added.latent_map.message
    window.explorer.set_cursor(0.25, -0.5)
    qtbot.waitUntil(lambda: np.allclose(window.panes.panes[0].state.cursor_image.z[:2], (0.25, -0.5)), timeout=10_000)


def test_panes_and_their_models_persist_between_launches(qtbot, make_window):
    window = open_ae_vs_vae(qtbot, make_window)
    window.close()
    again = make_window(None)
    again.start()
    qtbot.waitUntil(lambda: len(again.panes.panes) == 2, timeout=10_000)
    assert [p.state.source for p in again.panes.panes] == ["ae", "vae"]
    assert again.actions[ActionKey.COMPARE].isChecked()


def test_linked_views_pan_together_and_unlink_on_request(qtbot, make_window):
    window = open_ae_vs_vae(qtbot, make_window)
    a, b = window.panes.panes
    assert not window.actions[ActionKey.LINK_VIEWS].isChecked()  # off by default: the maps' scales differ
    window.actions[ActionKey.LINK_VIEWS].setChecked(True)
    a.latent_map.view_box.setRange(xRange=(-1, 1), yRange=(-1, 1), padding=0)
    qtbot.waitUntil(lambda: np.allclose(b.latent_map.view_box.viewRange()[0], a.latent_map.view_box.viewRange()[0]))
    window.actions[ActionKey.LINK_VIEWS].setChecked(False)
    a.latent_map.view_box.setRange(xRange=(5, 6), yRange=(5, 6), padding=0)
    assert not np.allclose(b.latent_map.view_box.viewRange()[0], (5, 6))


def test_the_other_models_history_is_drawn_over_the_dock_curves_in_the_same_units(qtbot, make_window):
    from gaerchen_gui.core.training import TrainingHistory

    window = open_ae_vs_vae(qtbot, make_window)
    a, b = window.panes.panes
    beta = b.state.checkpoint.metadata.get("beta") or 1.0
    b.state.checkpoint.history = TrainingHistory(steps=[[1, 150.0, beta * 0.30, 5.0], [2, 140.0, beta * 0.28, 5.0]])
    window.explorer.set_active(a.state)
    window.show_other_histories()
    overlays = window.training.overlays
    assert overlays.curve_count == 1 and "VAE (vae.pt)" in window.training_panel.curves.compare_key.text()
    x, y = overlays.curves_data()[0]
    assert list(x) == [1, 2] and y[0] == pytest.approx(0.30)  # plain BCE on the AE's BCE plot
    window.actions[ActionKey.COMPARE].setChecked(False)
    assert overlays.curve_count == 0 and not window.training_panel.curves.compare_key.isVisible()


def test_at_900_by_600_compare_fits_the_window_folding_the_side_panel(qtbot, make_window):
    window = make_window("ae")
    window.resize(900, 600)
    qtbot.wait(50)
    window.actions[ActionKey.COMPARE_AE_VAE].trigger()
    qtbot.waitUntil(lambda: len(window.panes.panes) == 2, timeout=10_000)
    qtbot.wait(100)  # layouts settle
    assert window.width() <= 900 and not window.side.isVisible()
    assert all(pane.latent_map.width() >= 340 for pane in window.panes.panes)
    assert window.panes.add_pane(window) is None  # a third would not fit: the window does not grow
    assert "widen the window" in window.statusBar().currentMessage()
    window.actions[ActionKey.COMPARE].setChecked(False)
    qtbot.waitUntil(lambda: window.side.isVisible())
