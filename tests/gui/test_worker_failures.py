"""Every worker's exception reaches the user: on the map, in the side panel, the status bar, the training
panel or a dialog; and the window goes on working. Each kind of worker is made to fail for real:

- encoding the test set: images of the wrong size (torch raises a RuntimeError, the class superqt's
  workers used to swallow);
- the training points, the training run: Fashion-MNIST missing ($GAERCHEN_DATA_DIR an empty folder);
- decoding (cursor, samples, manifold): a decoder that raises;
- the live-map snapshots: live images of the wrong size (training goes on and keeps its model).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from gui_support import wait_for_map

from gaerchen_gui.core.checkpoints import Checkpoint, load_checkpoint
from gaerchen_gui.core.config import TrainConfig
from gaerchen_gui.core.data import DATA_DIR_ENV, ImageSet
from gaerchen_gui.core.encoding import EmbeddingCache
from gaerchen_gui.core.live_training import LiveSet
from gaerchen_gui.gui.actions import ActionKey

TIMEOUT_MS = 60_000


@pytest.fixture
def no_data(tmp_path, monkeypatch):
    folder = tmp_path / "no-data"
    folder.mkdir()
    monkeypatch.setenv(DATA_DIR_ENV, str(folder))
    return folder


def test_an_encoding_that_raises_says_why_on_the_map_and_the_window_goes_on(qtbot, make_window):
    wrong_size = ImageSet(torch.rand(60, 1, 20, 20), torch.zeros(60, dtype=torch.int64))
    window = make_window(None, image_set=wrong_size, embedding_cache=EmbeddingCache())
    assert window.show_shipped("ae") is None
    qtbot.waitUntil(lambda: "could not be encoded" in (window.latent_map.message or ""), timeout=TIMEOUT_MS)
    assert "RuntimeError" in window.latent_map.message and window.model.error
    assert not window.status.progress.isVisible()  # not "busy" forever
    # the decoder still paints the cursor, and another model can be chosen (and fails as plainly)
    window.explorer.set_cursor(0.5, -0.5)
    qtbot.waitUntil(lambda: window.preview.image is not None, timeout=10_000)
    window.actions[ActionKey.SHOW_VAE].trigger()
    assert window.model.kind == "vae"
    qtbot.waitUntil(lambda: "could not be encoded" in (window.latent_map.message or ""), timeout=TIMEOUT_MS)


def test_training_points_without_the_data_say_which_file_is_missing(qtbot, make_window, dialogs, no_data):
    window = make_window("ae", embedding_cache=EmbeddingCache())  # the map's test set is handed in
    window.actions[ActionKey.SHOW_TRAIN_POINTS].trigger()
    qtbot.waitUntil(lambda: bool(dialogs), timeout=TIMEOUT_MS)
    title, text = dialogs[0]
    assert title == "Training images unavailable"
    assert "train-images-idx3-ubyte" in text and "not found" in text
    assert not window.actions[ActionKey.SHOW_TRAIN_POINTS].isChecked()
    assert not window.status.progress.isVisible()
    assert window.map_ready  # the test images stay on the map


class BrittleDecoder(torch.nn.Module):
    """The model's decoder, except that it raises for more than one point or for a point far out."""

    def __init__(self, decoder: torch.nn.Module) -> None:
        super().__init__()
        self.inner = decoder

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        if z.shape[0] > 1 or z.abs().max() > 1000:
            raise RuntimeError("the decoder broke")
        return self.inner(z)


def test_decoding_failures_are_shown_where_the_images_were_expected(qtbot, make_window, tiny_models):
    window = make_window(None)
    checkpoint = load_checkpoint(tiny_models / "ae.pt")
    model = checkpoint.model
    model.decoder = BrittleDecoder(model.decoder)
    assert window.show_checkpoint(Checkpoint(model, checkpoint.metadata, None, checkpoint.history)) is None
    wait_for_map(qtbot, window)  # the cursor's single point decodes
    # the samples (18 points at once) could not be decoded: the status bar says so
    qtbot.waitUntil(lambda: "the decoder broke" in window.statusBar().currentMessage(), timeout=10_000)
    window.statusBar().clearMessage()
    window.actions[ActionKey.SHOW_MANIFOLD].trigger()
    status = window.side.manifold_controls.status
    qtbot.waitUntil(lambda: status.text().startswith("Cannot draw the manifold"), timeout=TIMEOUT_MS)
    assert "RuntimeError: the decoder broke" in status.text()
    window.statusBar().clearMessage()
    window.explorer.set_cursor(5000.0, 5000.0)
    qtbot.waitUntil(lambda: "Decoding failed" in window.statusBar().currentMessage(), timeout=10_000)
    window.explorer.set_cursor(0.0, 0.0)  # and the next point decodes again
    qtbot.waitUntil(
        lambda: window.preview.shown_z is not None and abs(window.preview.shown_z).max() < 1e-6, timeout=10_000
    )


def start_small_run(window, epochs: int = 1) -> None:
    panel = window.training_panel
    panel.val_limit = 200
    panel.apply_config(TrainConfig.book("ae", epochs=epochs, batch_size=50, limit=1_000))
    assert panel.start(), panel.message.text()


def test_a_training_run_that_cannot_load_its_data_fails_with_a_dialog(qtbot, window, dialogs, no_data):
    start_small_run(window)
    panel = window.training_panel
    qtbot.waitUntil(lambda: not panel.runner.is_running, timeout=TIMEOUT_MS)
    assert dialogs and dialogs[0][0] == "Training failed"
    assert "train-images-idx3-ubyte" in dialogs[0][1]
    assert "Training failed: Fashion-MNIST file not found" in panel.message.text()
    assert panel.start_button.isEnabled()  # ready for another run


def test_a_failing_live_map_is_reported_and_training_goes_on_to_keep_its_model(qtbot, window, dialogs):
    panel = window.training_panel
    # the encoder cannot take these: every snapshot fails
    panel.live_set = LiveSet.of(torch.rand(100, 1, 20, 20), np.zeros(100, dtype=np.int64))
    start_small_run(window, epochs=20)
    qtbot.waitUntil(lambda: "live map stopped" in panel.message.text(), timeout=TIMEOUT_MS)
    assert "RuntimeError" in panel.message.text() and panel.runner.is_running
    panel.stop_button.click()
    qtbot.waitUntil(lambda: not panel.runner.is_running, timeout=TIMEOUT_MS)
    assert not dialogs  # not a failed run
    assert panel.result is not None  # the trained model is kept
