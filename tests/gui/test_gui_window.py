"""The explorer window, driven through its widgets with real mouse and key events."""

from __future__ import annotations

import numpy as np
import pytest
from gui_support import drag_cursor_through, hover_over, move_mouse, wait_for_cursor_decode, wait_for_map
from PySide6.QtCore import QEvent, QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel

from gaerchen_gui.gui.actions import ActionKey


def test_dragging_the_cursor_moves_it_and_changes_the_decoded_image(qtbot, window):
    z = window.model.encoded.z
    low, high = np.percentile(z, 10, axis=0), np.percentile(z, 90, axis=0)
    path = np.linspace(low, high, 8)
    images = drag_cursor_through(qtbot, window, path)
    x, y = window.latent_map.cursor_position()
    # the cursor lands where the mouse let go, to within a pixel
    (x0, x1), _ = window.latent_map.view_box.viewRange()
    pixel = (x1 - x0) / window.latent_map.view_box.width()
    assert abs(x - path[-1][0]) < 3 * pixel and abs(y - path[-1][1]) < 3 * pixel
    changes = [np.abs(a - b).max() for a, b in zip(images, images[1:], strict=False)]
    assert all(c > 1e-3 for c in changes)
    assert window.side.coordinates.position() == pytest.approx((x, y), abs=1e-3)
    assert window.preview.coordinates_text.startswith("z = (")


def test_typed_coordinates_move_the_cursor_and_junk_is_refused(qtbot, window):
    box = window.side.coordinates.x_box
    box.selectAll()
    qtbot.keyClicks(box, "1.25")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert window.latent_map.cursor_position()[0] == pytest.approx(1.25)
    wait_for_cursor_decode(qtbot, window)
    box.selectAll()
    qtbot.keyClicks(box, "abc")  # the validator refuses letters
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert box.value() == pytest.approx(1.25)
    assert window.latent_map.cursor_position()[0] == pytest.approx(1.25)


def test_arrow_keys_nudge_the_cursor(qtbot, window):
    latent_map = window.latent_map
    latent_map.setFocus()
    x, y = latent_map.cursor_position()
    (x0, x1), _ = latent_map.view_box.viewRange()
    step = (x1 - x0) * 0.01
    qtbot.keyClick(latent_map, Qt.Key.Key_Right)
    qtbot.keyClick(latent_map, Qt.Key.Key_Up)
    qtbot.keyClick(latent_map, Qt.Key.Key_Up, Qt.KeyboardModifier.ShiftModifier)
    assert latent_map.cursor_position() == pytest.approx((x + step, y + 11 * step))
    wait_for_cursor_decode(qtbot, window)


def test_clicking_the_map_jumps_the_cursor_there(qtbot, window):
    latent_map = window.latent_map
    target = np.percentile(window.model.encoded.z, 75, axis=0)
    pos = latent_map.view_to_widget(*map(float, target))
    move_mouse(latent_map.viewport(), pos, [0.0])
    QTest.mouseClick(latent_map.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
    assert latent_map.cursor_position() == pytest.approx(latent_map.widget_to_view(pos), abs=1e-6)
    wait_for_cursor_decode(qtbot, window)
    assert window.preview.off_data is not None


def test_switching_to_the_vae_redraws_the_map(qtbot, window):
    ae_points = window.latent_map.scatter.getData()[0].copy()
    button = window.toolbar.widgetForAction(window.actions[ActionKey.SHOW_VAE])
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.model.kind == "vae" and window.actions[ActionKey.SHOW_VAE].isChecked()
    assert not window.actions[ActionKey.SHOW_AE].isChecked()
    wait_for_map(qtbot, window)
    vae_points = window.latent_map.scatter.getData()[0]
    assert len(vae_points) == 10_000 and not np.allclose(vae_points, ae_points)
    assert "VAE" in window.windowTitle()
    window.actions[ActionKey.SHOW_AE].trigger()
    wait_for_map(qtbot, window)
    assert np.allclose(window.latent_map.scatter.getData()[0], ae_points)  # from the cache, same points


def test_hovering_a_point_shows_that_image(qtbot, window):
    latent_map = window.latent_map
    z = window.model.encoded.z
    index = int(np.argmin(np.sum((z - np.median(z, axis=0)) ** 2, axis=1)))  # a point inside the data
    pos = hover_over(qtbot, latent_map, z[index])
    # the card names the test image nearest to where the mouse is, which is the point under it
    mouse = np.array(latent_map.widget_to_view(pos))
    expected = int(np.argmin(np.sum((z - mouse) ** 2, axis=1)))
    assert latent_map.hovered_index == expected
    assert np.linalg.norm(z[expected] - z[index]) <= 2 * np.linalg.norm(z[index] - mouse) + 1e-6  # triangle
    card = latent_map.hover_card
    assert card.isVisible() and card.index == expected
    assert f"#{expected}" in card.title_text
    (title,) = [label for label in card.findChildren(QLabel) if label.text() == card.title_text]
    assert title.width() >= title.sizeHint().width()  # the title is not clipped
    qtbot.waitUntil(lambda: card.has_reconstruction)


def test_far_away_cursor_is_off_the_data(qtbot, window):
    z = window.model.encoded.z
    far = z.max(axis=0) + 50 * window.model.encoded.index.off_data_threshold
    window.latent_map.set_cursor_position(*map(float, far))
    qtbot.waitUntil(lambda: window.preview.off_data is True)  # readouts follow the decoded image
    assert window.preview.shown_z == pytest.approx(far[:2])
    near = z[0]
    window.latent_map.set_cursor_position(*map(float, near))
    qtbot.waitUntil(lambda: window.preview.off_data is False)
    assert window.side.coordinates.position() == pytest.approx(tuple(near[:2]), abs=1e-3)


def test_a_mouse_readout_deferred_across_a_map_change_names_no_stale_image(qtbot, window):
    from gaerchen_gui.core.encoding import EncodedSet
    from gaerchen_gui.core.neighbours import NearestIndex

    old = window.model.encoded
    nearest = old.index.query(tuple(old.z[-1, :2]))  # a row the smaller map below does not have
    small = EncodedSet(old.z[:3], old.labels[:3], old.images[:3], NearestIndex(old.z[:3, :2]))
    window.model.encoded = small  # as when a live-training snapshot replaces the map while a readout waits
    window.status.show_mouse_readout(window.model, 0.0, 0.0, nearest, old)
    assert (
        "nearest" not in window.status.mouse_label.text() and "z = (+0.000, +0.000)" in window.status.mouse_label.text()
    )
    window.status.show_mouse_readout(window.model, 0.0, 0.0, small.index.query((0.0, 0.0)), small)
    assert "nearest #" in window.status.mouse_label.text()


def test_sampling_draws_n_points_and_decodes_them(qtbot, window):
    qtbot.waitUntil(lambda: window.side.sample_grid.images is not None)
    assert len(window.side.sample_grid) == 18  # the book's default
    z = window.model.encoded.z
    assert np.all(window.model.samples >= z.min(axis=0) - 1e-6) and np.all(window.model.samples <= z.max(axis=0) + 1e-6)
    window.side.sample_panel.count_box.setValue(7)
    qtbot.waitUntil(lambda: window.side.sample_grid.images is not None)
    assert window.side.sample_grid.images.shape == (7, 32, 32)
    assert window.latent_map.samples.positions().shape == (7, 2)
    before = window.model.samples.copy()
    qtbot.mouseClick(window.side.sample_panel.resample_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.side.sample_grid.images is not None)
    assert not np.allclose(window.model.samples, before)
    # clicking a tile moves the cursor to that sample
    grid = window.side.sample_grid
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=grid.tile_rect(1).center())
    assert window.latent_map.cursor_position() == pytest.approx(tuple(window.model.samples[1]), abs=1e-5)


def test_vae_samples_come_from_the_prior(qtbot, make_window):
    window = make_window("vae")
    window.side.sample_panel.count_box.setValue(60)
    qtbot.waitUntil(lambda: window.side.sample_grid.images is not None and len(window.side.sample_grid) == 60)
    assert abs(window.model.samples.mean()) < 0.5 and 0.6 < window.model.samples.std() < 1.4
    assert "N(0, I)" in window.side.sample_panel.rule.text()


def test_dropping_a_checkpoint_opens_it_and_remembers_it(qtbot, window, tiny_models):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tiny_models / "vae.pt"))])
    assert window.checkpoint_in(mime) == tiny_models / "vae.pt"
    no_buttons, no_keys = Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier
    event = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, no_buttons, no_keys)
    window.dropEvent(event)
    assert window.model.kind == "vae"
    wait_for_map(qtbot, window)
    other = QMimeData()
    other.setUrls([QUrl.fromLocalFile("/tmp/notes.txt")])
    assert window.checkpoint_in(other) is None


def test_recent_files_and_toggles_persist(qtbot, make_window, tiny_models, tmp_path):
    import shutil

    copy = tmp_path / "mine.pt"
    shutil.copy(tiny_models / "ae.pt", copy)
    first = make_window(None)
    assert first.open_checkpoint(copy) is None
    first.actions[ActionKey.SHOW_LEGEND].setChecked(False)
    first.actions[ActionKey.SMOOTH_PREVIEW].setChecked(True)
    first.side.sample_panel.count_box.setValue(12)
    wait_for_map(qtbot, first)
    first.close()

    second = make_window(None)
    assert second.settings.recent_files == [str(copy.resolve())]
    recent = [a.text() for a in second.recent_menu_actions()]
    assert any("mine.pt" in text for text in recent)
    assert not second.actions[ActionKey.SHOW_LEGEND].isChecked() and not second.latent_map.legend.isVisible()
    assert second.actions[ActionKey.SMOOTH_PREVIEW].isChecked()
    assert second.side.sample_panel.count() == 12
    second.start()  # reopens the model shown last
    assert second.model.checkpoint.path == copy
    wait_for_map(qtbot, second)


def test_about_names_version_and_links_the_licences(qtbot):
    import gaerchen_gui
    from gaerchen_gui.gui.about_dialog import FASHION_MNIST_LICENSE, AboutDialog, about_html
    from gaerchen_gui.resources import resource_path

    text = about_html()
    assert gaerchen_gui.__version__ in text and "Zalando" in text and "MIT licence" in text
    # a summary with links, not a pasted copyright file in monospace
    assert "<pre" not in text and "Permission is hereby granted" not in text and "debian.org" not in text
    notice = resource_path(*FASHION_MNIST_LICENSE)
    assert QUrl.fromLocalFile(str(notice)).toString() in text and notice.is_file()
    dialog = AboutDialog()
    qtbot.addWidget(dialog)
    shown = dialog.browser.toPlainText()
    assert "Fashion-MNIST" in shown and "PyTorch" in shown and "LGPL-3.0" in shown
    assert len(shown) < 1200  # short: it fits the dialog without scrolling


def test_an_in_memory_checkpoint_can_be_shown(qtbot, window, tiny_models):
    from gaerchen_gui.core.checkpoints import load_checkpoint

    trained = load_checkpoint(tiny_models / "vae.pt")
    trained.path = None  # as if just trained and not saved
    assert window.show_checkpoint(trained) is None
    assert window.model.kind == "vae" and window.model.source is None
    wait_for_map(qtbot, window)
    assert window.settings.last_model == "ae"  # an unsaved model is not reopened next time
    assert "unsaved" in window.windowTitle()


def test_at_900_by_600_with_the_training_dock_the_map_keeps_its_size_and_the_toolbar_its_icons(qtbot, window):
    from gaerchen_gui.gui.latent_map import MIN_MAP_SIZE

    window.resize(900, 600)
    window.actions[ActionKey.SHOW_TRAINING].setChecked(True)
    qtbot.waitUntil(lambda: window.training_dock.isVisible())
    qtbot.wait(50)
    latent_map = window.latent_map
    assert latent_map.height() >= MIN_MAP_SIZE.height() and latent_map.width() >= MIN_MAP_SIZE.width()
    view = latent_map.mapToScene(latent_map.viewport().rect()).boundingRect()
    for _swatch, label in latent_map.legend.items:  # every class name whole and on screen
        assert label.geometry().width() >= label.item.boundingRect().width() - 0.5, label.text
        assert view.contains(label.sceneBoundingRect().topLeft() + QPointF(label.item.boundingRect().width(), 0))
    buttons = [a for a in window.toolbar.actions() if not a.isSeparator() and a.isVisible()]
    assert len(buttons) >= 6 and all(not a.icon().isNull() for a in buttons)  # no text-only buttons among icons


def test_a_typed_far_position_is_clamped_and_said_and_equal_scales_are_remembered(qtbot, make_window):
    from gaerchen_gui.gui.map_cursor import reachable_box

    window = make_window("ae")
    box = window.side.coordinates.x_box
    box.setFocus()
    box.lineEdit().selectAll()
    QTest.keyClicks(box, "1000")
    QTest.keyClick(box, Qt.Key.Key_Return)
    x, _y = window.latent_map.cursor_position()
    assert x == pytest.approx(reachable_box(window.model.encoded.z)[2])  # as far as a typed position may go
    qtbot.waitUntil(lambda: box.value() == pytest.approx(x, abs=1e-3))  # the entry shows where the cursor went
    assert "far from the data" in window.statusBar().currentMessage()
    assert window.latent_map.cursor_in_view()

    assert not window.latent_map.aspect_locked
    window.actions[ActionKey.LOCK_ASPECT].trigger()
    assert window.latent_map.aspect_locked
    window.close()
    again = make_window("ae")
    assert again.actions[ActionKey.LOCK_ASPECT].isChecked() and again.latent_map.aspect_locked


def test_closing_with_a_trained_model_never_saved_asks_first(qtbot, window, questions, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from gaerchen_gui.core.checkpoints import Checkpoint

    window.training_panel.result = Checkpoint(window.model.checkpoint.model, dict(window.model.checkpoint.metadata))
    monkeypatch.setattr(
        QMessageBox, "question", lambda *a, **k: questions.append(a[1]) or QMessageBox.StandardButton.No
    )
    window.close()
    assert questions == ["The trained model is not saved"] and window.isVisible()  # No: it stays open
    window.training_panel.result.path = window.model.checkpoint.path  # saved meanwhile: nothing to lose
    window.close()
    assert questions == ["The trained model is not saved"] and not window.isVisible()


def test_the_mouse_readout_goes_back_to_the_hint_when_the_mouse_leaves_the_map(qtbot, window):
    from gaerchen_gui.gui.status_bar import HINT

    hover_over(qtbot, window.latent_map, window.model.encoded.z[0, :2])
    qtbot.waitUntil(lambda: "nearest #" in window.status.mouse_text)
    QTest.mouseMove(window.side.preview, QPoint(5, 5))
    window.latent_map.leaveEvent(QEvent(QEvent.Type.Leave))
    qtbot.waitUntil(lambda: window.status.mouse_text == HINT)


def test_after_switching_models_the_status_bar_speaks_of_no_old_image(qtbot, window):
    """Issue 12.6: after AE -> VAE the status bar kept the AE's "nearest #2009 ... OFF THE DATA"."""
    from gaerchen_gui.gui.status_bar import HINT

    hover_over(qtbot, window.latent_map, window.model.encoded.z[0, :2])
    qtbot.waitUntil(lambda: "nearest #" in window.status.mouse_text)
    assert window.show_shipped("vae") is None
    assert window.status.mouse_text == HINT
    assert window.windowTitle() == "VAE (vae.pt)"  # Qt appends "— Gaerchen" once, by itself


def test_after_save_the_title_names_the_file(qtbot, window, tmp_path):
    """Issue 12.6: after Save the title still said "(unsaved)"."""
    from gaerchen_gui.core.checkpoints import Checkpoint

    trained = Checkpoint(window.model.checkpoint.model, dict(window.model.checkpoint.metadata))
    assert window.show_checkpoint(trained) is None
    assert window.windowTitle() == "AE (unsaved)"
    window.training_panel.result = trained
    saved = window.training_panel.save_result(tmp_path / "mine.pt").path
    assert window.windowTitle() == "AE (mine.pt)" and window.model.source == str(saved.resolve())
    assert str(saved) in window.settings.recent_files or str(saved.resolve()) in window.settings.recent_files


def test_opening_a_bad_checkpoint_at_launch_says_so_and_shows_the_shipped_ae(qtbot, make_window, tmp_path, monkeypatch):
    """Issue 12.4: `gaerchen --open bad.pt` said "the current model stays" over an empty window."""
    from PySide6.QtWidgets import QMessageBox

    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"\x00garbage")
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    window = make_window(None)
    window.start(bad)
    assert len(shown) == 1 and "bad.pt" in shown[0] and "opens the shipped AE instead" in shown[0]
    assert "stays loaded" not in shown[0]
    assert window.model.source == "ae"
