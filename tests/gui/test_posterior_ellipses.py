"""Hovering a test image on a VAE's map draws its posterior q(z|x) as 1- and 2-sigma ellipses."""

from __future__ import annotations

import numpy as np
from gui_support import hover_over

from gaerchen_gui.core.evaluation import posterior_all


def test_hovering_a_vae_point_draws_its_posterior_and_leaving_hides_it(qtbot, make_window, test_set):
    window = make_window("vae")
    encoded = window.model.encoded
    z_mean, z_log_var = posterior_all(window.model.checkpoint.model, test_set)
    np.testing.assert_allclose(encoded.z_log_var, z_log_var.numpy(), atol=1e-5)  # from the one encoder pass
    np.testing.assert_allclose(encoded.z, z_mean.numpy(), atol=1e-5)
    latent_map = window.latent_map
    index = int(np.argmin(np.sum((encoded.z - np.median(encoded.z, axis=0)) ** 2, axis=1)))
    hover_over(qtbot, latent_map, encoded.z[index])
    hovered = latent_map.hovered_index
    hover = latent_map.hover
    sigma = np.exp(0.5 * encoded.z_log_var[hovered])
    np.testing.assert_allclose(hover.posterior_sigma, sigma)
    for k, ellipse in zip((1, 2), hover.ellipses, strict=True):
        xs, ys = ellipse.getData()
        assert ellipse.isVisible()
        np.testing.assert_allclose([xs.max() - xs.min(), ys.max() - ys.min()], 2 * k * sigma, rtol=1e-3)
        np.testing.assert_allclose(
            [(xs.max() + xs.min()) / 2, (ys.max() + ys.min()) / 2], encoded.z[hovered], atol=1e-4
        )
    hover.set(None, None)
    assert hover.posterior_sigma is None and not any(e.isVisible() for e in hover.ellipses)


def test_an_ae_point_has_no_posterior_to_draw(qtbot, window):
    encoded = window.model.encoded
    assert encoded.z_log_var is None
    hover_over(qtbot, window.latent_map, encoded.z[int(np.argmin(np.abs(encoded.z).sum(1)))])
    assert window.latent_map.hovered_index is not None
    assert window.latent_map.hover.posterior_sigma is None
    assert not any(e.isVisible() for e in window.latent_map.hover.ellipses)
