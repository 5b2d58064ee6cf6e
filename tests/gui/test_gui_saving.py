"""The training dock's Save…: a place that cannot take the file, a full disk, every place full.
The trained model stays in the window whatever happens (issue 14.2)."""

import os

import pytest
from PySide6.QtWidgets import QFileDialog, QMessageBox

from gaerchen_gui.core import save_target
from gaerchen_gui.core.checkpoints import load_checkpoint
from gaerchen_gui.core.config import TrainConfig
from gaerchen_gui.core.live_training import LiveSet
from gaerchen_gui.core.save_target import user_models_dir
from gaerchen_gui.gui.training_panel import TrainingPanel


@pytest.fixture(scope="module")
def trained_panel_config():
    return TrainConfig.book("ae", epochs=1, batch_size=50, limit=100)


@pytest.fixture
def panel(qtbot, test_set, trained_panel_config):
    """A dock that has just trained a (tiny) model for real."""
    widget = TrainingPanel()
    qtbot.addWidget(widget)
    widget.live_set = LiveSet.of(test_set.images[:100], test_set.labels[:100].numpy())
    widget.val_limit = 100
    widget.apply_config(trained_panel_config)
    widget.show()
    assert widget.start()
    qtbot.waitUntil(lambda: not widget.runner.is_running and widget.result is not None, timeout=120_000)
    assert widget.save_button.isEnabled() and widget.has_unsaved_result
    yield widget
    widget.shutdown(5000)


@pytest.fixture
def warnings_shown(monkeypatch):
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append((title, text)))
    return shown


def choose(monkeypatch, path) -> None:
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), "Checkpoints (*.pt)"))


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda tmp: tmp, "is a folder"),
        (lambda tmp: os.mkfifo(tmp / "pipe.pt") or tmp / "pipe.pt", "not a regular file"),
        (lambda tmp: (tmp / "plain").write_text("x") and tmp / "plain" / "m.pt", "is a file, not a folder"),
    ],
    ids=["folder", "fifo", "under-a-file"],
)
def test_a_place_that_cannot_take_the_file_is_refused_before_writing(
    panel, tmp_path, monkeypatch, warnings_shown, make, reason
):
    target = make(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    choose(monkeypatch, target)
    panel.save_button.click()
    [(title, text)] = warnings_shown
    assert title == "Cannot save there" and reason in text and str(target) in text
    assert "still here" in text and panel.has_unsaved_result
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_full_disk_saves_to_the_user_models_folder_and_says_where(
    qtbot, panel, tmp_path, monkeypatch, warnings_shown, full_disk
):
    full_disk(tmp_path)
    choose(monkeypatch, tmp_path / "mine.pt")
    with qtbot.waitSignal(panel.modelSaved):
        panel.save_button.click()
    saved = panel.result.path
    assert saved is not None and saved.parent == user_models_dir() and not panel.has_unsaved_result
    [(title, text)] = warnings_shown
    assert title == "Saved elsewhere"
    assert f"Could not save {tmp_path / 'mine.pt'}: No space left on device" in text and str(saved) in text
    assert str(saved) in panel.message.text()
    assert load_checkpoint(saved).kind == "ae" and list(tmp_path.iterdir()) == []


def test_when_no_place_can_take_it_the_model_stays_in_the_dock(panel, tmp_path, monkeypatch, warnings_shown, full_disk):
    (tmp_path / "tmp").mkdir()
    monkeypatch.setattr(save_target.tempfile, "tempdir", str(tmp_path / "tmp"))
    full_disk(tmp_path, user_models_dir(), tmp_path / "tmp")
    choose(monkeypatch, tmp_path / "mine.pt")
    panel.save_button.click()
    [(title, text)] = warnings_shown
    assert title == "Could not save" and text.count("No space left on device") == 3 and "still here" in text
    assert panel.has_unsaved_result and panel.save_button.isEnabled()
    (tmp_path / "roomy").mkdir()  # a disk with room: the same model saves
    saved = panel.save_result(tmp_path / "roomy" / "mine.pt")
    assert saved.problem is None and load_checkpoint(saved.path).kind == "ae"
