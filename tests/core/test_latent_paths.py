"""Straight and spherical paths between two codes, and what they decode to."""

import math

import pytest
import torch

from gaerchen_gui.core.checkpoints import load_checkpoint
from gaerchen_gui.core.evaluation import embed_all
from gaerchen_gui.core.latent_paths import decode_path, lerp, slerp
from gaerchen_gui.core.model_loading import shipped_path


def test_lerp_is_evenly_spaced_on_the_segment_with_exact_ends():
    z0, z1 = torch.tensor([0.3, -1.7]), torch.tensor([2.9, 0.1])
    path = lerp(z0, z1, 5)
    assert path.shape == (5, 2) and path.dtype == torch.float32
    assert torch.equal(path[0], z0) and torch.equal(path[-1], z1)
    steps = path[1:] - path[:-1]
    torch.testing.assert_close(steps, ((z1 - z0) / 4).expand(4, 2))


def test_slerp_follows_the_arc_about_the_origin_in_equal_angles():
    z0, z1 = torch.tensor([2.0, 0.0, 0.0]), torch.tensor([0.0, 2.0, 0.0])
    path = slerp(z0, z1, 7)
    assert torch.equal(path[0], z0) and torch.equal(path[-1], z1)
    torch.testing.assert_close(path.norm(dim=1), torch.full((7,), 2.0))  # on the circle, not through it
    angles = torch.atan2(path[:, 1], path[:, 0])
    torch.testing.assert_close(angles, torch.linspace(0, math.pi / 2, 7))


def test_slerp_changes_the_length_smoothly_between_unequal_ends():
    z0, z1 = torch.tensor([1.0, 0.0]), torch.tensor([0.0, 3.0])
    norms = slerp(z0, z1, 9).norm(dim=1)
    assert norms[0] == 1 and norms[-1] == 3 and bool((norms[1:] >= norms[:-1]).all())


@pytest.mark.parametrize("z1", [torch.tensor([2.0, 4.0]), torch.tensor([-1.0, -2.0]), torch.tensor([0.0, 0.0])])
def test_slerp_without_a_plane_is_the_straight_line(z1):
    z0 = torch.tensor([1.0, 2.0])  # parallel, opposite, or an end at the origin: no arc is defined
    torch.testing.assert_close(slerp(z0, z1, 6), lerp(z0, z1, 6))


def test_a_path_needs_two_points():
    with pytest.raises(ValueError, match="at least 2"):
        lerp(torch.zeros(2), torch.ones(2), 1)


@pytest.mark.parametrize("kind", ["ae", "vae"])
@pytest.mark.parametrize("path_of", [lerp, slerp])
def test_walk_ends_decode_to_the_endpoints_own_reconstructions(test_set, kind, path_of):
    model = load_checkpoint(shipped_path(kind)).model
    images = test_set.images[torch.tensor([0, 1])]
    z = embed_all(model, images)
    walk = decode_path(model, path_of(z[0], z[1], 8))
    with torch.inference_mode():
        own = model.reconstruct(images).float()[:, 0]
    assert walk.shape == (8, 32, 32)
    torch.testing.assert_close(walk[0], own[0], atol=1e-6, rtol=0)
    torch.testing.assert_close(walk[-1], own[1], atol=1e-6, rtol=0)
    assert (walk[3] - own[0]).abs().mean() > 0.01  # the middle is neither end
