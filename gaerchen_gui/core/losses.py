"""The book's losses, one function each, terms named as in the book.

All of them take the decoder's raw output (logits): BCE-with-logits is the
book's sigmoid + binary cross-entropy in one numerically safe step.
"""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F


class LossTerms(NamedTuple):
    """``total`` is what is minimised; ``recon`` and ``kl`` as the book reports them (kl 0 for an AE)."""

    total: torch.Tensor
    recon: torch.Tensor
    kl: torch.Tensor


def mean_pixel_bce(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy averaged over pixels and images (the AE's loss)."""
    return F.binary_cross_entropy_with_logits(logits, target)


def kl_to_standard_normal(z_mean: torch.Tensor, z_log_var: torch.Tensor) -> torch.Tensor:
    """KL(N(z_mean, exp(z_log_var)) || N(0, I)), summed over latent dims, averaged over the batch."""
    per_dim = -0.5 * (1 + z_log_var - z_mean.square() - z_log_var.exp())
    return per_dim.sum(dim=1).mean()


def ae_loss(logits: torch.Tensor, target: torch.Tensor) -> LossTerms:
    bce = mean_pixel_bce(logits, target)
    return LossTerms(bce, bce, torch.zeros_like(bce))


def vae_loss(
    logits: torch.Tensor,
    target: torch.Tensor,
    z_mean: torch.Tensor,
    z_log_var: torch.Tensor,
    beta: float,
    kl_weight: float | torch.Tensor = 1.0,
) -> LossTerms:
    """The book's ``BETA * mean_pixel_BCE + KL``; during a KL warm-up the KL term is weighted by
    ``kl_weight`` (0..1) in the total that is minimised, and reported unweighted."""
    recon = beta * mean_pixel_bce(logits, target)
    kl = kl_to_standard_normal(z_mean, z_log_var)
    return LossTerms(recon + kl_weight * kl, recon, kl)
