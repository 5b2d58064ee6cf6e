"""The 60,000 training images on the map: encoded in the background, cached, dropped with their model."""

from __future__ import annotations

import numpy as np
from gui_support import wait_for_map

from gaerchen_gui.core import disk_cache
from gaerchen_gui.core.encoding import embeddings_cache_name
from gaerchen_gui.core.evaluation import embed_all
from gaerchen_gui.gui.actions import ActionKey

TIMEOUT_MS = 180_000  # 60,000 images through the encoder on two shared cores


def test_training_points_are_encoded_drawn_cached_and_follow_the_model(qtbot, make_window, small_train_set):
    window = make_window("ae")
    layer = window.latent_map.train_layer
    assert len(layer) == 0
    window.actions[ActionKey.SHOW_TRAIN_POINTS].trigger()
    assert window.latent_map.train_points_visible
    qtbot.waitUntil(lambda: len(layer) == 60_000, timeout=TIMEOUT_MS)
    assert not window.status.progress.isVisible()

    # the points are the model's embeddings of the real training images, in order
    expected = embed_all(window.model.checkpoint.model, small_train_set.images[:50]).numpy()
    np.testing.assert_allclose(layer.positions[:50], expected[:, :2], atol=1e-5)
    np.testing.assert_array_equal(layer.labels[:600], small_train_set.labels.numpy())
    # and they went into the disk cache under the checkpoint's contents
    cached = disk_cache.read_array(embeddings_cache_name(window.model.checkpoint.digest, "train"))
    assert cached is not None and cached.shape == (60_000, 2)

    ae_points = layer.positions.copy()
    assert window.show_shipped("vae") is None
    assert len(layer) == 0  # the AE's points went with the AE
    wait_for_map(qtbot, window)
    qtbot.waitUntil(lambda: len(layer) == 60_000, timeout=TIMEOUT_MS)
    assert not np.allclose(layer.positions, ae_points)

    assert window.show_shipped("ae") is None  # back: from memory, at once
    wait_for_map(qtbot, window)
    assert len(layer) == 60_000
    np.testing.assert_array_equal(layer.positions, ae_points)

    window.actions[ActionKey.SHOW_TRAIN_POINTS].trigger()
    assert not window.latent_map.train_points_visible


def test_the_training_points_toggle_is_remembered(qtbot, make_window):
    window = make_window("ae")
    window.actions[ActionKey.SHOW_TRAIN_POINTS].trigger()
    window.actions[ActionKey.SHOW_TRAIN_POINTS].trigger()  # on and off again before the encoding ends
    window.actions[ActionKey.SHOW_TRAIN_POINTS].trigger()
    window.close()
    again = make_window("ae")
    assert again.actions[ActionKey.SHOW_TRAIN_POINTS].isChecked()
    assert again.latent_map.train_points_visible
    qtbot.waitUntil(lambda: len(again.latent_map.train_layer) == 60_000, timeout=TIMEOUT_MS)
