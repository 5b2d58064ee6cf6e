"""A model trained on a folder of one's own images opens in the explorer with its class names, and
still decodes, samples and tiles its manifold when the folder has gone (saying so)."""

import shutil

import numpy as np
import pytest
from gui_support import wait_for_map
from shape_images import make_shape_folder

from gaerchen_gui.cli import main
from gaerchen_gui.components.map_images import UNLABELLED
from gaerchen_gui.core.checkpoints import load_checkpoint
from gaerchen_gui.core.encoding import EmbeddingCache


@pytest.fixture(scope="module")
def folder_model(tmp_path_factory):
    """(folder, checkpoint path): a real 3-epoch VAE trained on 3 x 40 generated shapes, as a user would."""
    root = tmp_path_factory.mktemp("folder-model")
    folder = make_shape_folder(root / "shapes", per_class=40)
    (folder / "square" / "notes.txt").write_text("not an image")
    out = root / "vae.pt"
    code = main(["train", "--model", "vae", "--out", str(out), "--data", str(folder), "--epochs", "3",
                 "--batch-size", "16", "--seed", "3", "--compile", "off"])  # fmt: skip
    assert code == 0
    return folder, out


def open_model(qtbot, make_window, path):
    window = make_window(None, embedding_cache=EmbeddingCache())  # nothing from an earlier window's encoding
    assert window.open_checkpoint(path) is None
    wait_for_map(qtbot, window)
    return window


def test_a_folder_trained_model_opens_with_its_own_images_and_class_names(qtbot, make_window, folder_model):
    folder, path = folder_model
    history = load_checkpoint(path).history
    assert history.epochs[-1]["val_total"] < history.epochs[0]["val_total"]  # it learned something
    window = open_model(qtbot, make_window, path)
    encoded = window.model.encoded
    assert encoded.class_names == ("circle", "cross", "square")
    assert len(encoded) == 24 and set(encoded.labels.tolist()) == {0, 1, 2}  # 20% of each class held out
    legend = window.latent_map.legend
    assert legend.names == ("circle", "cross", "square") and len(legend.visible_classes()) == 3
    assert "skipped 1 file" in window.statusBar().currentMessage()  # square/notes.txt, in one line
    # the hover card and the readouts name the folder's classes
    window.latent_map.hover.set(encoded, 0)
    assert window.latent_map.hover_card.title_text.startswith(encoded.class_names[encoded.labels[0]])
    x, y = encoded.z[0]
    window.status.show_mouse_readout(window.model, float(x), float(y), None, encoded)
    assert f"nearest #0 {encoded.class_names[encoded.labels[0]]}," in window.status.mouse_label.text()
    assert window.model.encoded.images[0].max() > 0.5  # its own images, not Fashion-MNIST's
    window.explorer.options.show_train_points = True  # the folder's training split, not Fashion-MNIST's
    qtbot.waitUntil(lambda: window.model.train_points is not None, timeout=30_000)
    z, labels = window.model.train_points
    assert len(z) == 120 - 24 and set(labels.tolist()) == {0, 1, 2}


def test_a_model_whose_folder_is_gone_still_decodes_samples_and_tiles_and_says_so(
    qtbot, make_window, folder_model, tmp_path
):
    folder, path = folder_model
    moved = tmp_path / "elsewhere"
    shutil.move(folder, moved)
    try:
        window = open_model(qtbot, make_window, path)
        state = window.model
        recorded = load_checkpoint(path).frames
        assert len(state.encoded) == recorded.codes.shape[1] > 0
        np.testing.assert_allclose(state.encoded.z, recorded.codes[-1].float().numpy())
        assert state.encoded.class_names == (UNLABELLED,)
        message = window.statusBar().currentMessage()
        assert "is not there" in message and str(folder) in message and "\n" not in message
        assert window.latent_map.getPlotItem().titleLabel.text.endswith("folder missing")
        assert window.preview.image is not None  # decodes at the cursor
        qtbot.waitUntil(lambda: state.sample_images is not None)  # samples
        window.explorer.options.show_manifold = True
        qtbot.waitUntil(lambda: state.manifold is not None, timeout=30_000)  # the manifold
    finally:
        shutil.move(moved, folder)
