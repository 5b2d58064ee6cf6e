"""A 16-D VAE (a short real training) in the explorer: its principal plane, diagnostics, samples and hover."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from gui_support import hover_over, train_tiny, wait_for_map

from gaerchen_gui.core.checkpoints import load_checkpoint
from gaerchen_gui.core.diagnostics import diagnose_model
from gaerchen_gui.core.evaluation import embed_all
from gaerchen_gui.core.projection import pca_projection
from gaerchen_gui.gui.actions import ActionKey

ATOL = 2e-4  # the window decodes with a traced copy of the decoder; here it is the eager one


@pytest.fixture(scope="module")
def vae16(tmp_path_factory, test_set):
    path = train_tiny("vae", test_set, tmp_path_factory.mktemp("vae16"), latent_dim=16)
    torch.set_flush_denormal(False)  # as the other tiny models' fixtures
    return path


def decoded(model, codes) -> np.ndarray:
    with torch.inference_mode():
        return model.decode(torch.as_tensor(np.asarray(codes), dtype=torch.float32)).numpy()[:, 0]


def test_a_16d_vae_opens_with_its_projection_diagnostics_samples_and_hover(qtbot, make_window, vae16, test_set):
    window = make_window(None)
    window.start(vae16)
    wait_for_map(qtbot, window)
    state, latent_map = window.model, window.latent_map
    model = load_checkpoint(vae16).model.eval()
    z = embed_all(model, test_set).numpy()
    assert window.last_error is None and state.kind == "vae" and state.checkpoint.model.latent_dim == 16
    # the projection: the codes' principal plane, and the view says so
    projection = pca_projection(z)
    np.testing.assert_allclose(state.codes.z, z, atol=1e-5)
    np.testing.assert_allclose(latent_map.scatter.positions, projection.to_view(z), atol=1e-4)
    assert "2-D view of 16-D" in latent_map.getPlotItem().titleLabel.text
    assert latent_map.getPlotItem().getAxis("bottom").labelText.startswith("PC 1 (")
    assert len(window.side.latent_view.sliders) == 8  # the first 8 of the 14 hidden components
    # samples: N(0, I) on the view's plane, decoded through the projection
    qtbot.waitUntil(lambda: state.sample_images is not None, timeout=10_000)
    assert state.samples.shape[1] == 2
    np.testing.assert_allclose(state.sample_images, decoded(model, projection.to_latent(state.samples)), atol=ATOL)
    # diagnostics over all 16 dimensions
    window.actions[ActionKey.SHOW_DIAGNOSTICS].trigger()
    panel = window.diagnostics.panel
    qtbot.waitUntil(lambda: panel.kl_bar_heights().size == 16, timeout=60_000)
    expected = diagnose_model(model, test_set.images, test_set.labels.numpy(), state.checkpoint.metadata["beta"])
    np.testing.assert_allclose(panel.kl_bar_heights(), expected.latent.kl_per_dim, rtol=1e-5)
    assert "of 16</b>" in panel.summary_text
    # hover: the image under the mouse, its posterior ellipses on the view, its own reconstruction
    encoded = state.encoded
    index = int(np.argmin(np.sum((encoded.z - np.median(encoded.z, axis=0)) ** 2, axis=1)))
    with qtbot.waitSignal(window.pane.jobs.hover_decoded, timeout=10_000) as hovered:
        hover_over(qtbot, latent_map, encoded.z[index])
    hovered_index = latent_map.hovered_index
    assert hovered.args[0] == hovered_index
    np.testing.assert_allclose(hovered.args[1], decoded(model, z[hovered_index : hovered_index + 1])[0], atol=ATOL)
    sigma = np.exp(0.5 * encoded.z_log_var[hovered_index])
    np.testing.assert_allclose(latent_map.hover.posterior_sigma, sigma)
    assert all(ellipse.isVisible() for ellipse in latent_map.hover.ellipses)
