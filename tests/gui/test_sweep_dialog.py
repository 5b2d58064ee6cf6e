"""The BETA sweep window: a real (tiny) sweep from the window, its results, bad input, closing mid-sweep."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from gaerchen_gui.core.checkpoints import load_checkpoint
from gaerchen_gui.core.config import TrainConfig
from gaerchen_gui.gui.actions import ActionKey


def item_path(item) -> Path:
    return Path(item.data(Qt.ItemDataRole.UserRole))


def small_settings(window, **overrides):
    window.training_panel.apply_config(
        TrainConfig.book("vae", **{"epochs": 1, "batch_size": 100, "limit": 200, "compile": "off", **overrides})
    )


def test_a_sweep_from_the_window_trains_saves_and_opens_its_vaes(qtbot, window, tmp_path):
    small_settings(window, seed=3)
    window.actions[ActionKey.BETA_SWEEP].trigger()
    dialog = window.training.sweep
    assert dialog.isVisible() and "1 epochs, batch 100" in dialog.settings_note.text()
    assert "200 training images" in dialog.settings_note.text() and "seed 3" in dialog.settings_note.text()
    dialog.betas.setText("5, 50")
    dialog.folder.setText(str(tmp_path / "sweep"))
    assert dialog.start()
    assert not dialog.start_button.isEnabled() and dialog.stop_button.isEnabled()
    assert window.training.what_closing_loses()[0] == "A BETA sweep is running"
    qtbot.waitUntil(lambda: not dialog.runner.is_running, timeout=180_000)
    assert "Trained 2 VAEs" in dialog.status.text() and dialog.progress.value() == 1000
    lines = [dialog.results.item(i).text() for i in range(dialog.results.count())]
    assert len(lines) == 2 and lines[0].startswith("BETA 5: finished, test BCE") and "vae-beta-50.pt" in lines[1]
    for beta in (5.0, 50.0):
        meta = load_checkpoint(tmp_path / "sweep" / f"vae-beta-{beta:g}.pt").metadata
        assert meta["beta"] == beta and meta["config"]["seed"] == 3
    # the sweep view opens on the folder by itself
    view = window.sweep_results.view
    assert view is not None and view.isVisible() and view.state.folder == tmp_path / "sweep"
    qtbot.waitUntil(lambda: sorted(view.multiples) == [5.0, 50.0], timeout=120_000)
    item = dialog.results.item(1)
    dialog.results.itemDoubleClicked.emit(item)
    qtbot.waitUntil(
        lambda: window.model.checkpoint is not None and window.model.checkpoint.path.name == "vae-beta-50.pt"
    )
    assert item_path(item) == tmp_path / "sweep" / "vae-beta-50.pt"


def test_the_training_panel_opens_the_sweep_window(qtbot, window):
    window.show_training(True)
    window.training_panel.form.sweep_button.click()
    assert window.training.sweep is not None and window.training.sweep.isVisible()


def test_bad_betas_or_folder_are_refused_with_a_message(qtbot, window, tmp_path, monkeypatch):
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text, *a: warnings.append((title, text)))
    small_settings(window)
    dialog = window.training.show_sweep()
    dialog.betas.setText("1, ten")
    assert not dialog.start() and warnings[-1] == (
        "Cannot start the sweep",
        "betas must be numbers separated by commas, not 'ten'",
    )
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    dialog.betas.setText("1")
    dialog.folder.setText(str(blocker))
    assert not dialog.start() and warnings[-1][0] == "Cannot save there"
    assert not dialog.runner.is_running and dialog.results.count() == 0


def test_an_ae_in_the_training_panel_sweeps_book_vaes(qtbot, window):
    window.training_panel.apply_config(TrainConfig.book("ae", seed=7, limit=500))
    dialog = window.training.show_sweep()
    config = dialog.vae_config()
    assert config.model == "vae" and config.lr == 3e-4 and config.batch_size == 100
    assert config.seed == 7 and config.limit == 500


def test_closing_the_window_mid_sweep_stops_it_and_keeps_the_run(qtbot, window, tmp_path, questions):
    small_settings(window, limit=2000, epochs=50)
    dialog = window.training.show_sweep()
    dialog.betas.setText("10")
    dialog.folder.setText(str(tmp_path / "s"))
    assert dialog.start()
    qtbot.waitUntil(lambda: dialog.progress.value() > 0, timeout=120_000)
    window.close()
    assert "A BETA sweep is running" in questions
    qtbot.waitUntil(lambda: not dialog.runner.is_running, timeout=2_000)  # its thread ended during close
    assert load_checkpoint(tmp_path / "s" / "vae-beta-10.pt").metadata["epochs_trained"] == 0
    qtbot.wait(200)  # the sweep's end reaches the closed window: it opens no sweep view
    assert window.sweep_results.view is None
