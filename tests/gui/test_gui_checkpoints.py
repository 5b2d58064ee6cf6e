"""Opening files that are not usable checkpoints: a clear message, and the current model stays."""

from __future__ import annotations

import pickle

import pytest
import torch
from PySide6.QtWidgets import QMessageBox

from gaerchen_gui.gui.actions import ActionKey


class Payload:  # pickled into a file: loading it must not run code
    def __reduce__(self):
        return (print, ("pwned",))


def corrupt(path):
    path.write_bytes(b"\x00garbage" * 100)


def foreign(path):
    torch.save({"weights": torch.zeros(3)}, path)


def pickled(path):
    path.write_bytes(pickle.dumps(Payload()))


def truncated(path, source):
    path.write_bytes(source.read_bytes()[:5000])


@pytest.mark.parametrize(
    ("make_file", "expected"),
    [
        (corrupt, "not a Gaerchen checkpoint"),
        (foreign, "not a Gaerchen checkpoint"),
        (pickled, "not a Gaerchen checkpoint"),
        (None, "no such file"),
    ],
    ids=["corrupt", "foreign", "pickle", "missing"],
)
def test_bad_checkpoint_shows_a_message_and_keeps_the_model(qtbot, window, tmp_path, monkeypatch, make_file, expected):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append((title, text)))
    before = window.model.checkpoint
    path = tmp_path / "bad.pt"
    if make_file is not None:
        make_file(path)
    message = window.open_checkpoint(path)
    assert message is not None and expected in message
    assert len(shown) == 1 and expected in shown[0][1] and "current model stays loaded" in shown[0][1]
    assert window.model.checkpoint is before and window.map_ready and window.model.source == "ae"
    assert window.actions[ActionKey.SHOW_AE].isChecked()
    assert window.settings.recent_files == []


def test_truncated_shipped_model_keeps_the_current_one(qtbot, make_window, tiny_models, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: shown.append(text))
    window = make_window("ae")
    broken = tmp_path / "models"
    broken.mkdir()
    truncated(broken / "vae.pt", tiny_models / "vae.pt")
    monkeypatch.setenv("GAERCHEN_MODELS_DIR", str(broken))
    window.actions[ActionKey.SHOW_VAE].trigger()
    assert shown and "vae.pt" in shown[0]
    assert window.model.kind == "ae"
    assert window.actions[ActionKey.SHOW_AE].isChecked() and not window.actions[ActionKey.SHOW_VAE].isChecked()
