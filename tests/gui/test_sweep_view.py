"""The sweep view on a real (tiny) BETA sweep: the plot and the small multiples, and what clicking them does."""

from __future__ import annotations

import pytest
from gui_support import wait_for_map
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QFileDialog

from gaerchen_gui.core.checkpoints import load_checkpoint
from gaerchen_gui.gui.actions import ActionKey

LOAD_TIMEOUT_MS = 120_000


def open_sweep_view(qtbot, window, folder, monkeypatch):
    """View > Sweep Results…, choosing ``folder`` in the folder dialog; until every run is shown."""
    asked = []

    def choose(parent, caption, start):
        asked.append(caption)
        return str(folder)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", choose)
    window.actions[ActionKey.SWEEP_RESULTS].trigger()
    view = window.sweep_results.view
    assert asked == ["Open a sweep's folder"] and view.isVisible()
    qtbot.waitUntil(lambda: not view.loader.running and len(view.multiples) == 3, timeout=LOAD_TIMEOUT_MS)
    return view


def click_point(qtbot, view, beta, modifier=Qt.KeyboardModifier.NoModifier):
    pos = view.plot.point_position(beta).toPoint()
    qtbot.mouseClick(view.plot.plot.viewport(), Qt.MouseButton.LeftButton, modifier, pos)


def shows(state, path) -> bool:
    return state.checkpoint is not None and state.checkpoint.path == path


def test_the_view_shows_each_beta_and_the_rate_distortion_curve(qtbot, window, tiny_sweep, monkeypatch):
    view = open_sweep_view(qtbot, window, tiny_sweep, monkeypatch)
    assert view.status.text() == "3 VAEs, BETA 1 to 2000" and str(tiny_sweep) in view.folder_label.text()
    assert view.plot.labels() == ["β 1", "β 100", "β 2000"]
    xs, ys = view.plot.line.getData()
    for x, y, beta in zip(xs, ys, (1, 100, 2000), strict=True):
        metrics = load_checkpoint(tiny_sweep / f"vae-beta-{beta}.pt").test_metrics
        assert (x, y) == (metrics["kl"], metrics["bce"])
    multiple = view.multiples[100.0]
    assert "BETA 100" in multiple.title.text() and multiple.scatter.points().size == 2000
    assert multiple.samples.pixmap().width() > 6 * 25
    assert window.last_error is None


def test_clicking_a_point_opens_its_model_and_ctrl_click_adds_a_compare_pane(qtbot, window, tiny_sweep, monkeypatch):
    view = open_sweep_view(qtbot, window, tiny_sweep, monkeypatch)
    click_point(qtbot, view, 100.0)
    qtbot.waitUntil(lambda: shows(window.model, tiny_sweep / "vae-beta-100.pt"))
    wait_for_map(qtbot, window)
    assert view.plot.selected == 100.0 and len(window.panes.panes) == 1
    click_point(qtbot, view, 2000.0, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(window.panes.panes) == 2)
    assert window.actions[ActionKey.COMPARE].isChecked() and window.panes.compare
    assert shows(window.explorer.models[1], tiny_sweep / "vae-beta-2000.pt")
    assert shows(window.explorer.models[0], tiny_sweep / "vae-beta-100.pt")  # the explorer's model stays
    assert window.settings.compare_sources == [str(tiny_sweep / "vae-beta-2000.pt")]


def test_a_multiples_map_and_buttons_open_or_compare_its_model(qtbot, window, tiny_sweep, monkeypatch):
    view = open_sweep_view(qtbot, window, tiny_sweep, monkeypatch)
    multiple = view.multiples[1.0]
    centre = QPoint(multiple.map.width() // 2, multiple.map.height() // 2)
    qtbot.mouseClick(multiple.map.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.waitUntil(lambda: shows(window.model, tiny_sweep / "vae-beta-1.pt"))
    assert view.plot.selected == 1.0
    qtbot.mouseClick(view.multiples[2000.0].compare_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(window.panes.panes) == 2)
    assert shows(window.explorer.models[1], tiny_sweep / "vae-beta-2000.pt")
    qtbot.mouseClick(view.multiples[100.0].open_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: shows(window.model, tiny_sweep / "vae-beta-100.pt"))


def test_a_folder_without_a_sweep_is_refused_in_one_line(qtbot, window, tiny_sweep, tmp_path, monkeypatch):
    view = open_sweep_view(qtbot, window, tiny_sweep, monkeypatch)
    (tmp_path / "notes.txt").write_text("x")
    assert view.open_folder(tmp_path) is not None
    assert view.status.text().startswith(f"{tmp_path} holds no sweep checkpoints")
    assert len(view.multiples) == 3  # the sweep shown stays
    view.open_folder(tmp_path / "gone")
    assert view.status.text() == f"{tmp_path / 'gone'} is not a folder."


def test_the_small_multiples_reflow_with_the_width(qtbot, window, tiny_sweep, monkeypatch):
    view = open_sweep_view(qtbot, window, tiny_sweep, monkeypatch)
    rows = {}
    for width, height in ((1400, 900), (900, 600)):
        view.resize(width, height)
        qtbot.wait(50)
        rows[width] = len({m.geometry().top() for m in view.multiples.values()})
        across = view.multiples[1.0].parentWidget().width()
        # never cut off at the side: a narrower view puts the multiples in more rows (it scrolls down)
        assert max(m.geometry().right() for m in view.multiples.values()) < across
    assert rows == {1400: 1, 900: 2}


def test_without_a_folder_chosen_the_view_shows_the_shipped_sweep(qtbot, window, tiny_sweep, tmp_path, monkeypatch):
    """Sweep Results… shows the shipped sweep (models/sweep/) at once, without asking for a folder."""
    import shutil

    from gaerchen_gui.core.model_loading import MODELS_DIR_ENV, shipped_sweep_dir

    shutil.copytree(tiny_sweep, tmp_path / "models" / "sweep")
    monkeypatch.setenv(MODELS_DIR_ENV, str(tmp_path / "models"))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a: pytest.fail("asked for a folder"))
    window.actions[ActionKey.SWEEP_RESULTS].trigger()
    view = window.sweep_results.view
    qtbot.waitUntil(lambda: not view.loader.running and len(view.multiples) == 3, timeout=LOAD_TIMEOUT_MS)
    assert view.state.folder == shipped_sweep_dir() and view.status.text() == "3 VAEs, BETA 1 to 2000"
