"""Where to sample new latent points, as the book does (numpy only, no Qt).

AE: uniformly inside the embeddings' bounding box, because a plain AE gives no
prior to sample from. VAE: from N(0, I), the prior its KL term pulls towards.
"""

from __future__ import annotations

import numpy as np

DEFAULT_SAMPLE_COUNT = 18  # the book's 6 x 3 grid


def sample_latent_points(kind: str, n: int, embeddings: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(n, D) float32 points; ``embeddings`` (N, D) fixes D and, for an AE, the box."""
    if n < 0:
        raise ValueError(f"cannot draw {n} samples")
    dim = embeddings.shape[1]
    if kind == "vae":
        points = rng.standard_normal((n, dim))
    elif kind == "ae":
        low, high = embeddings.min(axis=0), embeddings.max(axis=0)
        points = rng.uniform(low, high, size=(n, dim))
    else:
        raise ValueError(f"unknown model kind {kind!r}")
    return points.astype(np.float32)


def sampling_rule(kind: str) -> str:
    """One line for the user: where the samples come from."""
    if kind == "vae":
        return "drawn from N(0, I), the VAE's prior"
    return "drawn uniformly inside the embeddings' bounding box"
