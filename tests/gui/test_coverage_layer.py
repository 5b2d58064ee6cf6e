"""The holes layer: distance shading for any model, the prior's and aggregate posterior's contours for a VAE."""

from __future__ import annotations

import numpy as np
import torch

from gaerchen_gui.core.coverage import model_coverage
from gaerchen_gui.gui.actions import ActionKey


def test_the_layer_shades_holes_and_draws_a_vaes_contours(qtbot, make_window):
    window = make_window("vae")
    pane, state = window.pane, window.model
    assert state.coverage is None and not pane.coverage_layer.shade.isVisible()
    window.actions[ActionKey.SHOW_COVERAGE].trigger()
    assert window.explorer.options.show_coverage and window.side.coverage_controls.show_box.isChecked()
    qtbot.waitUntil(lambda: state.coverage is not None, timeout=60_000)
    picture = state.coverage
    encoded = state.encoded
    images = torch.from_numpy(encoded.images).unsqueeze(1)
    expected = model_coverage(state.checkpoint.model, images, encoded.z[:, :2], encoded.index.off_data_threshold)
    np.testing.assert_allclose(picture.distance, expected.distance, atol=1e-5)
    assert picture.density is not None and len(picture.density_levels) == 3
    layer = pane.coverage_layer
    assert layer.shade.isVisible() and layer.shows_posterior
    assert all(curve.isVisible() for curve in layer.prior + layer.posterior)
    window.side.coverage_controls.opacity_slider.setValue(30)
    assert window.explorer.options.coverage_opacity == 0.3 and layer.shade.opacity() == 0.3
    window.actions[ActionKey.SHOW_COVERAGE].trigger()
    assert not layer.shade.isVisible() and not any(curve.isVisible() for curve in layer.prior)


def test_an_ae_gets_the_shade_only_and_a_new_model_gets_a_new_picture(qtbot, make_window):
    window = make_window("vae")
    window.explorer.options.show_coverage = True
    qtbot.waitUntil(lambda: window.model.coverage is not None, timeout=60_000)
    vae_picture = window.model.coverage
    assert window.show_shipped("ae") is None
    qtbot.waitUntil(lambda: window.model.coverage is not None and window.model.kind == "ae", timeout=60_000)
    assert window.model.coverage is not vae_picture and window.model.coverage.density is None
    layer = window.pane.coverage_layer
    assert layer.shade.isVisible() and not layer.shows_posterior
    assert not any(curve.isVisible() for curve in layer.prior + layer.posterior)


def test_every_compare_pane_gets_its_own_picture(qtbot, make_window):
    window = make_window("ae")
    window.actions[ActionKey.COMPARE_AE_VAE].trigger()
    qtbot.waitUntil(lambda: len(window.panes.panes) == 2, timeout=10_000)
    window.explorer.options.show_coverage = True
    panes = window.panes.panes
    qtbot.waitUntil(lambda: all(p.state.coverage is not None for p in panes), timeout=90_000)
    kinds = {p.state.kind: p.state.coverage.density is not None for p in panes}
    assert kinds == {"ae": False, "vae": True}
