"""Deterministic metrics and embeddings over a whole image set, in batches."""

from __future__ import annotations

from collections.abc import Callable

import torch

from gaerchen_gui.core.config import DEFAULT_BETA
from gaerchen_gui.core.data import ImageSet
from gaerchen_gui.core.losses import kl_to_standard_normal, mean_pixel_bce
from gaerchen_gui.core.models import LatentModel


def _batches(n: int, batch_size: int):
    for start in range(0, n, batch_size):
        yield slice(start, min(start + batch_size, n))


@torch.inference_mode()
def evaluate(
    model: LatentModel,
    images: torch.Tensor,
    beta: float = DEFAULT_BETA,
    batch_size: int = 500,
    should_stop: Callable[[], bool] | None = None,
) -> dict[str, float] | None:
    """Mean per-pixel BCE of the reconstructions (the VAE decodes ``z_mean``) and, for a VAE,
    the mean KL summed over dims; ``recon``/``total`` are the training loss's terms.

    ``images``: (N, 1, 32, 32) in [0, 1] on the model's device. ``should_stop`` is asked before
    each batch: a pass over the 10,000 test images takes seconds on a busy CPU, and a run being
    stopped (a closing window) must not wait for it. None if it said stop.
    """
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    bce_sum, kl_sum, n = 0.0, 0.0, images.shape[0]
    for rows in _batches(n, batch_size):
        if should_stop is not None and should_stop():
            model.train(was_training)
            return None
        x = images[rows].to(device)
        if model.kind == "vae":
            z_mean, z_log_var = model.encoder(x)
            kl_sum += kl_to_standard_normal(z_mean, z_log_var).item() * x.shape[0]
            z = z_mean
        else:
            z = model.encoder(x)
        bce_sum += mean_pixel_bce(model.decoder(z), x).item() * x.shape[0]
    model.train(was_training)
    bce = bce_sum / n
    if model.kind == "vae":
        kl = kl_sum / n
        return {"bce": bce, "recon": beta * bce, "kl": kl, "total": beta * bce + kl}
    return {"bce": bce, "recon": bce, "kl": 0.0, "total": bce}


@torch.inference_mode()
def reconstruction_bce(
    model: LatentModel,
    images: torch.Tensor,
    z: torch.Tensor,
    batch_size: int = 500,
    should_stop: Callable[[], bool] | None = None,
) -> float | None:
    """Mean per-pixel BCE of the images decoded from the codes ``z`` (N, D) the encoder already gave
    (:func:`evaluate`'s ``bce`` without encoding again); None if ``should_stop`` said stop."""
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    bce_sum, n = 0.0, images.shape[0]
    for rows in _batches(n, batch_size):
        if should_stop is not None and should_stop():
            model.train(was_training)
            return None
        x = images[rows].to(device)
        bce_sum += mean_pixel_bce(model.decoder(z[rows].to(device)), x).item() * x.shape[0]
    model.train(was_training)
    return bce_sum / n


@torch.inference_mode()
def embed_all(model: LatentModel, image_set: ImageSet | torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """(N, latent_dim) embeddings on the CPU: where each image lands on the latent map."""
    images = image_set.images if isinstance(image_set, ImageSet) else image_set
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    out = [model.embed(images[rows].to(device)).float().cpu() for rows in _batches(images.shape[0], batch_size)]
    model.train(was_training)
    return torch.cat(out) if out else torch.empty(0, model.latent_dim)


@torch.inference_mode()
def posterior_all(
    model: LatentModel,
    image_set: ImageSet | torch.Tensor,
    batch_size: int = 1000,
    should_stop: Callable[[], bool] | None = None,
) -> tuple[torch.Tensor, torch.Tensor] | None:
    """A VAE's ``(z_mean, z_log_var)`` for every image, each (N, latent_dim) on the CPU; None if
    ``should_stop`` (asked before each batch) said stop."""
    if model.kind != "vae":
        raise ValueError("only a VAE's encoder gives a posterior; an AE's gives a point")
    images = image_set.images if isinstance(image_set, ImageSet) else image_set
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    means, log_vars = [], []
    for rows in _batches(images.shape[0], batch_size):
        if should_stop is not None and should_stop():
            model.train(was_training)
            return None
        z_mean, z_log_var = model.encoder(images[rows].to(device))
        means.append(z_mean.float().cpu())
        log_vars.append(z_log_var.float().cpu())
    model.train(was_training)
    if not means:
        return torch.empty(0, model.latent_dim), torch.empty(0, model.latent_dim)
    return torch.cat(means), torch.cat(log_vars)
