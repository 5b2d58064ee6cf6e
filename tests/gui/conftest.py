"""Fixtures of the GUI tests: a decode worker, the tiny models, explorer windows on them.

The tiny models are trained once per session and the encoded maps are cached in the process-wide
EmbeddingCache, so each model's 10,000 test images are encoded once however many windows the tests open.
"""

from __future__ import annotations

import pytest
import torch
from gui_support import train_tiny, wait_for_map
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox


@pytest.fixture(autouse=True)
def questions(monkeypatch):
    """Questions the window asks (close mid-training, an unsaved model): answered Yes and recorded, so
    that closing a window at a test's end never waits for a person. Tests that answer No patch it again."""
    asked: list[str] = []

    def answer(parent, title, *args, **kwargs):
        asked.append(title)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    return asked


@pytest.fixture(autouse=True)
def unexpected_dialogs(monkeypatch):
    """Modal dialogs no test asked for. Offscreen nobody ever closes one, so its nested event loop would
    hang the test and the whole run (CI would time out with no word of why). Each is recorded and
    answered as a person cancelling would, and the test fails naming it. Tests that expect a dialog
    patch the function again: the later patch wins."""
    shown: list[str] = []

    def refuse(what: str, answer):
        def show(*args, **kwargs):
            shown.append(f"{what}: " + " / ".join(a for a in args if isinstance(a, str)))
            return answer

        return show

    for name in ("warning", "critical", "information"):
        monkeypatch.setattr(QMessageBox, name, refuse(f"QMessageBox.{name}", QMessageBox.StandardButton.Ok))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", refuse("QFileDialog.getOpenFileName", ("", "")))
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", refuse("QFileDialog.getOpenFileNames", ([], "")))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", refuse("QFileDialog.getSaveFileName", ("", "")))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", refuse("QFileDialog.getExistingDirectory", ""))
    monkeypatch.setattr(QDialog, "exec", refuse("QDialog.exec", QDialog.DialogCode.Rejected.value))
    yield shown
    if shown:
        pytest.fail("a modal dialog opened that the test did not expect: " + "; ".join(shown), pytrace=False)


@pytest.fixture
def dialogs(monkeypatch):
    """Warning and error dialogs, recorded as (title, text) instead of waiting for a click."""
    shown: list[tuple[str, str]] = []

    def record(parent, title, text, *args, **kwargs):
        shown.append((title, text))
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", record)
    monkeypatch.setattr(QMessageBox, "critical", record)
    return shown


@pytest.fixture
def worker(qtbot):
    """A running DecodeWorker and the list its results are appended to; stopped after the test."""
    from gaerchen_gui.gui.decode_worker import DecodeWorker

    worker = DecodeWorker()
    results = []
    worker.decoded.connect(results.append)
    worker.start()
    yield worker, results
    worker.stop()


_models: dict[str, object] = {}  # trained once per session


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory, test_set):
    """A folder holding ae.pt and vae.pt, for GAERCHEN_MODELS_DIR."""
    if "models" not in _models:
        folder = tmp_path_factory.mktemp("models")
        for kind in ("ae", "vae"):
            train_tiny(kind, test_set, folder)
        # Trainer flushes denormals process-wide (a training speed-up); put the default back so that
        # hypothesis, which refuses to run float strategies in that mode, works in later test modules.
        torch.set_flush_denormal(False)
        _models["models"] = folder
    return _models["models"]


@pytest.fixture(scope="session")
def wide_models(tmp_path_factory, test_set):
    """A folder holding ae8d.pt and vae8d.pt: tiny models with 8 latent dimensions."""
    if "wide" not in _models:
        folder = tmp_path_factory.mktemp("wide-models")
        for kind in ("ae", "vae"):
            train_tiny(kind, test_set, folder, latent_dim=8)
        torch.set_flush_denormal(False)  # as in tiny_models
        _models["wide"] = folder
    return _models["wide"]


@pytest.fixture
def make_window(qtbot, tiny_models, test_set, tmp_path, monkeypatch):
    """Open explorer windows on the tiny models, with settings in a temporary INI file."""
    from gaerchen_gui.gui.main_window import ExplorerWindow
    from gaerchen_gui.gui.settings import Settings

    monkeypatch.setenv("GAERCHEN_MODELS_DIR", str(tiny_models))

    def make(
        kind: str | None = "ae", settings_file: str = "settings.ini", image_set=None, embedding_cache=None
    ) -> ExplorerWindow:
        """``image_set``: the test set the map encodes (default: the real one, not disk-cached);
        ``embedding_cache``: an EmbeddingCache of its own (default: the process-wide one)."""
        window = ExplorerWindow(
            settings=Settings.in_file(tmp_path / settings_file),
            image_set=test_set if image_set is None else image_set,
            embedding_cache=embedding_cache,
            seed=0,
        )
        qtbot.addWidget(window)  # closed (and its threads stopped) after the test
        window.show()
        if kind is not None:
            assert window.show_shipped(kind) is None
            wait_for_map(qtbot, window)
        return window

    return make


@pytest.fixture
def window(make_window):
    return make_window("ae")
