"""What the KL term does to a VAE's latent space, per dimension, and whether its codes collapsed.

All of it is computed from the encoder's posterior ``q(z|x) = N(z_mean, exp(z_log_var))``
over a set of images (the test set, or the live subset while training):

- **KL per dimension**: the mean over images of ``KL(q(z_d|x) || N(0, 1))``; their sum is the
  KL term the loss reports. A dimension with almost no KL carries no information about ``x``.
- **Active units** (Burda et al., 2016, "Importance Weighted Autoencoders", section 5.2): a
  dimension is active when the variance over images of its ``z_mean`` exceeds 0.01. A collapsed
  dimension encodes every image to the same mean, so the decoder cannot tell images apart by it.
- **Mean sigma** per dimension: a collapsed dimension's sigma goes to 1 (the prior's).
- **Class separation**: the share of the codes' variance that lies between the class means
  (0 when the classes' codes lie on top of one another, near 1 when each class is a tight
  cluster of its own). For a VAE the codes are samples of ``q(z|x)``, so the posterior's own
  variance counts in the total: means that differ by far less than a sigma do not separate
  anything (a collapsed VAE's means still differ by class, by a thousandth of a sigma).

The collapse alarm reads these and says in plain words what is wrong and what helps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch

    from gaerchen_gui.core.models import LatentModel

# The usual definition of an active unit (see the module docstring).
ACTIVE_VARIANCE = 0.01
# Below this share of active dimensions the codes are said to have collapsed onto the prior.
COLLAPSED_ACTIVE_SHARE = 0.5
# Below this class separation the classes are said to overlap. Measured on the test set: the
# shipped VAE (2-D, BETA 500) 0.66, the shipped AE 0.73, a 16-D VAE 0.75; VAEs whose codes
# collapsed (BETA 1 or 10, one epoch) below 0.001.
OVERLAP_SEPARATION = 0.05


@dataclass(frozen=True)
class Verdict:
    """What the alarm says: a short headline and a sentence with the fix."""

    headline: str
    advice: str


@dataclass(frozen=True)
class LatentDiagnostics:
    """Per-dimension statistics of a posterior over a set of images; see the module docstring."""

    kl_per_dim: np.ndarray  # (D,) nats, mean over images
    z_mean_variance: np.ndarray  # (D,) variance over images of z_mean
    mean_sigma: np.ndarray  # (D,) mean over images of exp(z_log_var / 2)
    class_separation: float | None  # None without labels or with a single class

    @property
    def latent_dim(self) -> int:
        return int(self.kl_per_dim.shape[0])

    @property
    def active(self) -> np.ndarray:
        """(D,) bool: which dimensions are active units."""
        return self.z_mean_variance > ACTIVE_VARIANCE

    @property
    def n_active(self) -> int:
        return int(self.active.sum())

    @property
    def kl_total(self) -> float:
        return float(self.kl_per_dim.sum())

    def verdict(self, beta: float | None = None) -> Verdict | None:
        """The collapse alarm: None when the space looks healthy."""
        collapsed = self.n_active < COLLAPSED_ACTIVE_SHARE * self.latent_dim
        overlapping = self.class_separation is not None and self.class_separation < OVERLAP_SEPARATION
        if not (collapsed or overlapping):
            return None
        beta_text = f" (now {beta:g})" if beta is not None else ""
        advice = (
            f"Raise BETA{beta_text}, the weight of the reconstruction term, so that reconstructing "
            "pays more than matching the prior; or warm the KL term up over the first steps."
        )
        if collapsed:
            headline = (
                f"Posterior collapse: only {self.n_active} of {self.latent_dim} latent dimensions carry "
                f"information (total KL {self.kl_total:.3g} nats); the others encode every image to the "
                "prior, and the decoder ignores them."
            )
        else:
            headline = (
                f"The classes' codes overlap (class separation {self.class_separation:.2f}): the codes "
                "were pulled onto the prior so hard that the map is one blob."
            )
        return Verdict(headline, advice)


def diagnose(z_mean: np.ndarray, z_log_var: np.ndarray, labels: np.ndarray | None = None) -> LatentDiagnostics:
    """Diagnostics of a posterior given as ``(N, D)`` arrays of means and log-variances."""
    z_mean = np.asarray(z_mean, dtype=np.float64)
    z_log_var = np.asarray(z_log_var, dtype=np.float64)
    if z_mean.ndim != 2 or z_mean.shape != z_log_var.shape or z_mean.shape[0] == 0:
        raise ValueError(f"need two (N, D) arrays of the same shape, got {z_mean.shape} and {z_log_var.shape}")
    kl = -0.5 * (1.0 + z_log_var - np.square(z_mean) - np.exp(z_log_var))
    return LatentDiagnostics(
        kl_per_dim=kl.mean(axis=0),
        z_mean_variance=z_mean.var(axis=0),
        mean_sigma=np.exp(0.5 * z_log_var).mean(axis=0),
        class_separation=(
            class_separation(z_mean, labels, noise_variance=float(np.exp(z_log_var).mean(axis=0).sum()))
            if labels is not None
            else None
        ),
    )


def class_separation(z: np.ndarray, labels: np.ndarray, noise_variance: float = 0.0) -> float | None:
    """Between-class variance of the codes over their total variance (0..1); None for one class.

    ``z``: (N, D) codes (a VAE's means); ``noise_variance``: the posterior's variance summed over
    dimensions and averaged over images, added to the total (0 for an AE's point codes).
    """
    z = np.asarray(z, dtype=np.float64)
    labels = np.asarray(labels)
    classes, inverse, counts = np.unique(labels, return_inverse=True, return_counts=True)
    if len(classes) < 2:
        return None
    total = np.square(z - z.mean(axis=0)).sum() + noise_variance * z.shape[0]
    if total <= 0.0:
        return 0.0
    sums = np.zeros((len(classes), z.shape[1]))
    np.add.at(sums, inverse, z)
    class_means = sums / counts[:, None]
    between = (counts[:, None] * np.square(class_means - z.mean(axis=0))).sum()
    return float(between / total)


@dataclass(frozen=True)
class ModelDiagnostics:
    """The diagnostics of one model's weights on a set of images, with the loss's two terms there."""

    latent: LatentDiagnostics
    beta: float
    recon_term: float  # BETA x mean per-pixel BCE of the reconstructions from z_mean
    n_images: int
    step: int | None = None  # the training step of the weights, for a model being trained


def diagnose_model(
    model: LatentModel,
    images: torch.Tensor,
    labels: np.ndarray,
    beta: float,
    should_stop: Callable[[], bool] | None = None,
    posterior: tuple[np.ndarray, np.ndarray] | None = None,
) -> ModelDiagnostics | None:
    """Diagnose a VAE's posterior over ``images`` (N, 1, 32, 32) and reconstruct them from ``z_mean``;
    None if ``should_stop`` said stop (it is asked between batches: a closing window does not wait for
    a pass). ``posterior``: the images' (z_mean, z_log_var) (N, D) when they are already encoded (a
    loaded model's map holds them): then only the decoder runs."""
    import torch

    from gaerchen_gui.core.evaluation import posterior_all, reconstruction_bce

    if posterior is None:
        encoded = posterior_all(model, images, should_stop=should_stop)
        if encoded is None:
            return None
        posterior = (encoded[0].numpy(), encoded[1].numpy())
    z_mean, z_log_var = posterior
    bce = reconstruction_bce(model, images, torch.from_numpy(np.asarray(z_mean)), should_stop=should_stop)
    if bce is None:
        return None
    latent = diagnose(z_mean, z_log_var, labels)
    return ModelDiagnostics(latent, float(beta), float(beta) * bce, int(images.shape[0]))
