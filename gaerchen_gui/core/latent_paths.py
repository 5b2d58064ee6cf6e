"""Paths between two points of the latent space, and the images along them (``gaerchen walk``).

A straight line (:func:`lerp`) suits an AE, whose space has no special point. A VAE's codes are
pulled towards its N(0, I) prior, where most of the mass of a many-dimensional Gaussian lies in a
shell around the origin rather than near it; a straight line between two codes cuts through the
less-visited middle, so the usual alternative is the great-circle arc about the origin
(:func:`slerp`, Shoemake's formula as used for GAN and VAE latents), whose length changes
smoothly from one endpoint's to the other's.
"""

from __future__ import annotations

import torch

from gaerchen_gui.core.models import LatentModel

# Below this angle (radians) the arc is a line to float precision; near pi the arc's plane is undefined.
_PARALLEL = 1e-4


def _fractions(n: int) -> torch.Tensor:
    if n < 2:
        raise ValueError(f"a path needs at least 2 points (its two ends), not {n}")
    return torch.linspace(0.0, 1.0, n, dtype=torch.float64)


def _with_exact_ends(path: torch.Tensor, z0: torch.Tensor, z1: torch.Tensor) -> torch.Tensor:
    """The endpoints as given, bit for bit: they must decode to the endpoints' own images."""
    path = path.to(z0.dtype)
    path[0], path[-1] = z0, z1
    return path


def lerp(z0: torch.Tensor, z1: torch.Tensor, n: int) -> torch.Tensor:
    """(n, D): n evenly spaced points on the segment from ``z0`` to ``z1`` (each (D,)), ends included."""
    t = _fractions(n)[:, None]
    a, b = z0.double(), z1.double()
    return _with_exact_ends((1 - t) * a + t * b, z0, z1)


def slerp(z0: torch.Tensor, z1: torch.Tensor, n: int) -> torch.Tensor:
    """(n, D): n points on the arc about the origin from ``z0`` to ``z1``, evenly spaced in angle:
    ``sin((1-t)W)/sin W * z0 + sin(tW)/sin W * z1`` with W the angle between them. Where the arc is
    undefined (an end at the origin, ends parallel or opposite) it is the straight line."""
    t = _fractions(n)[:, None]
    a, b = z0.double(), z1.double()
    norms = a.norm() * b.norm()
    if norms == 0:
        return lerp(z0, z1, n)
    omega = torch.arccos(torch.clamp(a @ b / norms, -1.0, 1.0))
    if omega < _PARALLEL or torch.pi - omega < _PARALLEL:
        return lerp(z0, z1, n)
    path = (torch.sin((1 - t) * omega) * a + torch.sin(t * omega) * b) / torch.sin(omega)
    return _with_exact_ends(path, z0, z1)


@torch.inference_mode()
def decode_path(model: LatentModel, path: torch.Tensor) -> torch.Tensor:
    """(n, 32, 32) float images in [0, 1] of the points of ``path`` (n, D)."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    images = model.decode(path.to(device, torch.float32)).float().cpu()[:, 0]
    model.train(was_training)
    return images
