"""Walk mode in the window, with the tiny models and the real test images: dots picked with the mouse,
straight and spherical walks, a recorded drag replayed, paths saved and loaded, compare mode."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from gui_support import drag_cursor_through, hover_over, wait_for_cursor_decode
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from gaerchen_gui.gui.actions import ActionKey


@pytest.fixture
def warnings(monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a, **k: shown.append(text))
    return shown


def walk_mode(window):
    window.actions[ActionKey.WALK].trigger()
    assert window.walk.dock.isVisible() and window.walk.path.active
    return window.walk


def click_dot(qtbot, window, row: int) -> None:
    """Hover test image ``row`` with the mouse, then click it."""
    latent_map = window.latent_map
    pos = hover_over(qtbot, latent_map, latent_map.encoded.z[row, :2])
    QTest.mouseClick(latent_map.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)


def far_apart_rows(encoded) -> tuple[int, int]:
    """Two dots well apart and well inside the view (the extreme ones sit on its edge)."""
    order = np.argsort(encoded.z[:, 0])
    return int(order[len(order) // 10]), int(order[9 * len(order) // 10])


def wait_for_images(qtbot, walk, state):
    qtbot.waitUntil(lambda: walk.path.images_of(state) is not None, timeout=20_000)
    return walk.path.images_of(state)


@pytest.mark.parametrize(("kind", "method"), [("ae", "lerp"), ("vae", "lerp"), ("vae", "slerp")])
def test_a_walks_ends_decode_to_the_picked_images_own_decodes(qtbot, make_window, kind, method):
    window = make_window(kind)
    walk = walk_mode(window)
    state, encoded = window.model, window.model.encoded
    rows = far_apart_rows(encoded)
    for row in rows:
        click_dot(qtbot, window, row)
    qtbot.waitUntil(lambda: walk.path.points is not None)
    # each end is the test image the mouse hovered when it clicked (where dots overlap, one of those
    # under the mouse): its own code, exactly
    picked = [int(e.label.removeprefix("test image ")) for e in (walk.path.start, walk.path.end)]
    assert encoded.test_ids is None  # the full test set: rows are test ids
    for end, row, aimed in zip((walk.path.start, walk.path.end), picked, rows, strict=True):
        assert end.point == tuple(map(float, encoded.z[row, :2]))
        at, aimed_at = (window.latent_map.view_to_widget(*map(float, encoded.z[r, :2])) for r in (row, aimed))
        assert (at - aimed_at).manhattanLength() <= 12  # pixels: the dot under the mouse
    rows = picked
    walk.panel.method.setCurrentIndex(walk.panel.method.findData(method))
    walk.panel.steps.setValue(7)
    assert walk.path.method == method and len(walk.path.points) == 7
    images = wait_for_images(qtbot, walk, state)
    assert walk.panel.strip.images(state) is images and images.shape == (7, 32, 32)
    with torch.inference_mode():  # each image's reconstruction: its own code through the decoder
        own = state.latent_model.decode(torch.from_numpy(encoded.z[list(rows)])).numpy()[:, 0]
    assert np.allclose(images[[0, -1]], own, atol=1e-5)
    # the cursor run to each end decodes the same image in the preview
    for index, expected in ((6, own[1]), (0, own[0])):  # the slider starts at 0: first away from it
        walk.panel.slider.setValue(index)
        wait_for_cursor_decode(qtbot, window)
        assert np.allclose(window.preview.image, expected, atol=1e-5)
    if method == "slerp":  # the arc about the origin keeps the ends' radii in between, the line does not
        radii = np.linalg.norm(walk.path.points, axis=1)
        assert np.all(radii >= min(radii[0], radii[-1]) - 1e-9)


def test_spherical_is_offered_for_a_vae_only(qtbot, make_window):
    window = make_window("ae")
    walk = walk_mode(window)
    combo = walk.panel.method
    assert not combo.model().item(combo.findData("slerp")).isEnabled()
    window.show_shipped("vae")
    qtbot.waitUntil(lambda: combo.model().item(combo.findData("slerp")).isEnabled())


def test_a_recorded_drag_replays_the_same_decoded_images(qtbot, window):
    walk = walk_mode(window)
    (x0, x1), (y0, y1) = window.latent_map.view_box.viewRange()
    targets = [(x0 + f * (x1 - x0), y0 + (0.3 + 0.4 * f) * (y1 - y0)) for f in (0.3, 0.4, 0.5, 0.6, 0.7)]
    walk.panel.record.click()
    assert walk.path.recording and walk.panel.record.text().startswith("■")
    dragged = drag_cursor_through(qtbot, window, targets)
    released_at = window.latent_map.cursor_position()
    walk.panel.record.click()
    assert not walk.path.recording and walk.path.kind == "recording"
    points = walk.path.points
    assert len(points) >= len(targets) + 1  # where the cursor was, then at least one move per target
    # the last recorded point is where the drag ended; stopping put the cursor on the recording's start
    assert np.allclose(points[-1], released_at) and np.allclose(window.latent_map.cursor_position(), points[0])
    replayed = []
    for i in range(len(points)):
        walk.panel.slider.setValue(i)
        wait_for_cursor_decode(qtbot, window)
        replayed.append(window.preview.image.copy())
    assert np.allclose(replayed[-1], dragged[-1], atol=1e-6)
    strip = wait_for_images(qtbot, walk, window.model)
    assert np.allclose(np.stack(replayed), strip, atol=1e-5)  # the strip shows what the cursor decodes
    # Play runs the cursor along the whole recording and stops at its end
    walk.panel.slider.setValue(0)
    walk.panel.play.click()
    qtbot.waitUntil(lambda: not walk.panel.play.isChecked(), timeout=20_000)
    assert walk.path.position == len(points) - 1
    assert np.allclose(window.explorer.cursor, points[-1])


def test_a_path_saved_as_csv_loads_back_and_a_bad_csv_says_why(qtbot, window, tmp_path, warnings):
    walk = walk_mode(window)
    assert walk.save_csv(tmp_path / "none.csv") == "There is no path to save." and warnings
    walk.path.pick((0.1, 0.2), "a")
    walk.path.pick((1.5, -0.5), "b")
    walk.panel.steps.setValue(13)
    saved = walk.path.points.copy()
    assert walk.save_csv(tmp_path / "walk.csv") is None
    walk.panel.clear.click()
    assert walk.path.points is None and not walk.panel.export.isEnabled()
    assert walk.load_csv(tmp_path / "walk.csv") is None
    assert np.array_equal(walk.path.points, saved) and walk.panel.where.text() == "1 / 13"
    assert np.allclose(window.explorer.cursor, saved[0])
    (tmp_path / "bad.csv").write_text("x,y\n0,0\n1,oops\n")
    del warnings[:]
    assert walk.load_csv(tmp_path / "bad.csv") == "bad.csv, line 3: 'oops' is not a number"
    assert warnings == ["bad.csv, line 3: 'oops' is not a number"]
    assert np.array_equal(walk.path.points, saved)  # the path shown stays
    assert walk.load_csv(tmp_path / "missing.csv").startswith("Could not read missing.csv")


def test_in_compare_mode_the_path_runs_through_every_pane(qtbot, make_window):
    window = make_window("ae")
    window.actions[ActionKey.COMPARE_AE_VAE].trigger()
    qtbot.waitUntil(
        lambda: len(window.panes.panes) == 2 and all(p.state.encoded is not None for p in window.panes.panes),
        timeout=120_000,
    )
    walk = walk_mode(window)
    walk.path.pick((-0.5, 0.2), "a")
    walk.path.pick((0.8, -0.4), "b")
    for pane in window.panes.panes:
        assert np.array_equal(walk.layers[pane.state].shown_points, walk.path.points)
        wait_for_images(qtbot, walk, pane.state)
    ae, vae = (walk.path.images_of(p.state) for p in window.panes.panes)
    assert not np.allclose(ae, vae)  # same path, two decoders
    walk.panel.slider.setValue(4)
    for pane in window.panes.panes:
        assert np.allclose(pane.latent_map.cursor_position(), walk.path.points[4])
    # a pane removed takes its row and layer with it; the path stays on the other
    window.panes.remove_pane(window.panes.panes[1])
    assert list(walk.layers) == [window.model] and walk.panel.strip.images(window.model) is not None


def test_the_controls_show_the_paths_method_and_steps_however_they_were_set(qtbot):
    """The panel shows the state: a method or a step count set on the path itself (a script, a
    restored session) appears in the controls, without the controls echoing it back."""
    from gaerchen_gui.components.explorer_state import ExplorerState
    from gaerchen_gui.components.latent_path import LatentPath, PathEnd
    from gaerchen_gui.gui.walk_panel import WalkPanel

    path = LatentPath(ExplorerState())
    panel = WalkPanel(path)
    qtbot.addWidget(panel)
    path.set_ends(PathEnd((1.0, 0.0), "a"), PathEnd((0.0, 1.0), "b"))
    path.set_method("slerp")
    path.set_steps(7)
    assert panel.method.currentData() == "slerp" and panel.steps.value() == 7
    assert path.method == "slerp" and len(path.points) == 7
