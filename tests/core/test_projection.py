"""The 2-D view of a D-dimensional latent space: round trips, PCA's properties, the projected model."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from gaerchen_gui.core.evaluation import posterior_all
from gaerchen_gui.core.models import build_model
from gaerchen_gui.core.projected_model import ProjectedModel, seen_through
from gaerchen_gui.core.projection import (
    LiveProjector,
    axes_projection,
    dimension_name,
    pca_projection,
    view_projection,
)


def codes(n=2000, dim=8, seed=0):
    """Correlated codes with a clear order of variances and a mean away from 0."""
    rng = np.random.default_rng(seed)
    mixing = rng.normal(size=(dim, dim)) * np.linspace(3, 0.2, dim)[:, None]
    return rng.normal(size=(n, dim)) @ mixing + rng.normal(size=dim) * 4


def test_basis_is_orthonormal_and_round_trips():
    z = codes()
    for projection in (pca_projection(z), axes_projection(z, 3, 5)):
        assert np.allclose(projection.basis.T @ projection.basis, np.eye(8), atol=1e-10)
        xy = np.random.default_rng(1).normal(size=(50, 2)) * 5
        assert np.allclose(projection.to_view(projection.to_latent(xy)), xy, atol=1e-10)
        # a code whose hidden components are at the data's mean comes back whole from its view point
        centred = projection.to_latent(projection.to_view(z[:10]))
        assert np.allclose(projection.hidden.T @ centred.T, (projection.hidden.T @ projection.centre)[:, None])
        assert np.allclose(projection.to_view(centred), projection.to_view(z[:10]))


def test_pca_axes_carry_the_most_variance_in_order():
    z = codes()
    projection = pca_projection(z)
    view = projection.to_view(z)
    variances = np.var(z @ projection.basis, axis=0, ddof=1)
    assert np.all(np.diff(variances) <= 1e-9)  # largest first
    assert np.allclose(np.sqrt(variances), projection.spread)
    assert np.isclose(projection.variance_share.sum(), 1.0)
    assert np.isclose(
        np.var(view, axis=0, ddof=1).sum() / np.var(z, axis=0, ddof=1).sum(), projection.variance_share[:2].sum()
    )
    # no other plane holds more: random orthonormal planes hold less variance than the first two PCs
    rng = np.random.default_rng(2)
    for _ in range(20):
        plane, _ = np.linalg.qr(rng.normal(size=(8, 2)))
        assert np.var(z @ plane, axis=0, ddof=1).sum() <= np.var(view, axis=0, ddof=1).sum() + 1e-9
    # the view's axes are uncorrelated over the codes
    assert abs(np.corrcoef(view.T)[0, 1]) < 1e-8
    assert projection.axis_label(0).startswith("PC 1 (") and projection.axis_label(0).endswith("% of variance)")


def test_pca_signs_are_deterministic_and_follow_the_previous_projection():
    z = codes()
    first = pca_projection(z)
    assert np.array_equal(pca_projection(z).basis, first.basis)
    flipped = first.basis * np.array([-1, 1, -1, 1, 1, 1, 1, -1])
    previous = type(first)(first.centre, flipped, first.spread, first.variance_share, first.names)
    aligned = pca_projection(z, previous=previous)
    assert np.allclose(aligned.basis, flipped)


def test_picked_dimensions_show_the_codes_values():
    z = codes()
    projection = axes_projection(z, 3, 5)
    assert np.array_equal(projection.to_view(z), z[:, [3, 5]])
    assert projection.names[:2] == ("z₃", "z₅") and projection.dims == (3, 5)
    assert projection.hidden_names == tuple(dimension_name(k) for k in (0, 1, 2, 4, 6, 7))
    # the hidden dimensions sit at the codes' mean
    latent = projection.to_latent([[1.0, 2.0]])[0]
    assert latent[3] == 1.0 and latent[5] == 2.0
    others = [0, 1, 2, 4, 6, 7]
    assert np.allclose(latent[others], z.mean(axis=0)[others])
    with pytest.raises(ValueError, match="two different dimensions"):
        axes_projection(z, 2, 2)
    with pytest.raises(ValueError, match="between 0 and 7"):
        axes_projection(z, 0, 8)


def test_hidden_offsets_move_the_decoded_code_not_the_view():
    z = codes()
    projection = pca_projection(z)
    moved = projection.with_offsets(np.arange(6.0))
    xy = np.array([[0.5, -1.0]])
    assert np.allclose(moved.to_view(z), projection.to_view(z))
    delta = moved.to_latent(xy) - projection.to_latent(xy)
    assert np.allclose(projection.hidden.T @ delta[0], np.arange(6.0))
    assert np.allclose(projection.axes.T @ delta[0], 0.0)
    assert np.allclose(moved.with_offsets(None).to_latent(xy), projection.to_latent(xy))
    with pytest.raises(ValueError, match="6 hidden offsets"):
        projection.with_offsets(np.zeros(3))


def test_two_dimensional_codes_get_no_projection():
    z = codes(dim=2)
    assert view_projection(z) is None and view_projection(z, (0, 1)) is None
    projection, points = LiveProjector().project(z.astype(np.float32))
    assert projection is None and np.array_equal(points, z.astype(np.float32))
    with pytest.raises(ValueError, match="3 or more"):
        pca_projection(z)


def test_live_projector_keeps_the_axes_from_flipping():
    """Two snapshots whose first component turns slightly, so that its largest entry changes from the
    second dimension to the first: on its own, PCA's sign rule flips the axis; the live view does not."""
    rng = np.random.default_rng(3)

    def snapshot(direction):
        direction = np.array(direction + [0.0] * 6) / np.linalg.norm(direction)
        return rng.normal(size=(500, 1)) * 5 * direction + rng.normal(size=(500, 8)) * np.linspace(1, 0.1, 8)

    early, late = snapshot([0.70, -0.71]), snapshot([0.71, -0.70])
    alone = pca_projection(late)
    projector = LiveProjector()
    first, _ = projector.project(early)
    second, points = projector.project(late)
    assert np.dot(alone.axes[:, 0], first.axes[:, 0]) < 0  # what PCA alone would show: PC 1 flipped
    assert np.dot(second.axes[:, 0], first.axes[:, 0]) > 0.99  # the live view keeps its direction
    assert np.allclose(points, second.to_view(late).astype(np.float32))


@pytest.mark.parametrize("kind", ["ae", "vae"])
def test_projected_model_decodes_and_encodes_on_the_view(kind):
    torch.manual_seed(0)
    model = build_model(kind, latent_dim=6).eval()
    projection = pca_projection(codes(dim=6)).with_offsets(np.linspace(-1, 1, 4))
    wrapped = ProjectedModel(model, projection)
    assert wrapped.latent_dim == 2 and wrapped.code_dim == 6 and wrapped.kind == kind
    xy = torch.tensor([[0.3, -0.7], [2.0, 1.0]])
    with torch.inference_mode():
        expected = model.decode(torch.as_tensor(projection.to_latent(xy.numpy()), dtype=torch.float32))
        assert torch.allclose(wrapped.decode(xy), expected, atol=1e-5)
        whole = torch.randn(3, 6)
        assert torch.equal(wrapped.decode(whole), model.decode(whole))  # whole codes: decoded as they are
        images = torch.rand(4, 1, 32, 32)
        embedded = wrapped.embed(images)
        assert torch.allclose(
            embedded, torch.as_tensor(projection.to_view(model.embed(images).numpy()), dtype=torch.float32), atol=1e-5
        )
    if kind == "vae":
        means, log_vars = posterior_all(wrapped, images)
        full_means, full_log_vars = posterior_all(model, images)
        assert torch.allclose(means, embedded, atol=1e-5)
        axes = torch.as_tensor(projection.axes, dtype=torch.float32)
        # the variance along each view axis: diag(P^T diag(sigma^2) P)
        for row in range(4):
            covariance = axes.T @ torch.diag(full_log_vars[row].exp()) @ axes
            assert torch.allclose(log_vars[row].exp(), torch.diagonal(covariance), rtol=1e-4)
        np.testing.assert_allclose(projection.log_var_to_view(full_log_vars.numpy()), log_vars.numpy(), atol=1e-4)
    flat = build_model(kind, latent_dim=2)
    assert seen_through(flat, None) is flat and seen_through(None, projection) is None
    assert seen_through(model, None) is None  # a D > 2 model decodes map points only through a projection
    with pytest.raises(ValueError, match="8-D projection cannot show a 6-D model"):
        ProjectedModel(model, pca_projection(codes(dim=8)))
