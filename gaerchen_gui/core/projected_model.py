"""A D-dimensional model seen through a :class:`LatentProjection`: a 2-D latent model (no Qt).

Everything in the explorer that decodes map points (the cursor's decode worker,
the samples, the manifold grid, the compare strip) or encodes images onto the
map (the coverage layer) takes a 2-D model. :class:`ProjectedModel` is one: its
decoder first maps a view point to the code it stands for (one affine layer,
``z = xy @ axes.T + base``), then runs the model's decoder; its encoder projects
the model's codes onto the view's axes. So those parts work on the view
unchanged, and the decode worker traces the whole decoder as usual.

For a VAE the encoder's posterior N(mu, diag(sigma^2)) projects to
N(P^T mu, P^T diag(sigma^2) P) with P the (D, 2) axes; its diagonal,
``sigma^2 @ P**2``, is the variance along each view axis (what the coverage
layer's aggregate posterior needs). The off-diagonal term is dropped: the
layer draws diagonal Gaussians.
"""

from __future__ import annotations

import torch
from torch import nn

from gaerchen_gui.core.models import LatentModel
from gaerchen_gui.core.projection import LatentProjection


class ViewDecoder(nn.Module):
    """(B, 2) view points -> (B, D) codes -> (B, 1, 32, 32) logits."""

    def __init__(self, projection: LatentProjection, decoder: nn.Module, dtype: torch.dtype) -> None:
        super().__init__()
        self.unproject = nn.Linear(2, projection.dim)
        with torch.no_grad():
            self.unproject.weight.copy_(torch.as_tensor(projection.axes, dtype=dtype))  # (D, 2)
            self.unproject.bias.copy_(torch.as_tensor(projection.base, dtype=dtype))  # (D,)
        self.unproject.requires_grad_(False)
        self.decoder = decoder  # the model's own module, shared, never trained through this

    def forward(self, xy: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.unproject(xy))


class ViewEncoder(nn.Module):
    """Images -> their codes' view coordinates (B, 2), or a VAE's projected ``(z_mean, z_log_var)``."""

    def __init__(self, projection: LatentProjection, encoder: nn.Module, dtype: torch.dtype) -> None:
        super().__init__()
        self.encoder = encoder
        self.variational = encoder.variational
        self.register_buffer("axes", torch.as_tensor(projection.axes, dtype=dtype), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        if self.variational:
            z_mean, z_log_var = self.encoder(x)
            return z_mean @ self.axes, torch.log(torch.exp(z_log_var) @ self.axes.square())
        return self.encoder(x) @ self.axes


class ProjectedModel(nn.Module):
    """``model`` (D > 2) on the plane of ``projection``: ``latent_dim`` is 2, ``code_dim`` is D.

    It quacks like a :class:`LatentModel` (kind, latent_dim, encoder, decoder, embed, decode,
    reconstruct) without being one, because a LatentModel builds its own encoder and decoder.
    """

    def __init__(self, model: LatentModel, projection: LatentProjection) -> None:
        super().__init__()
        if projection.dim != model.latent_dim:
            raise ValueError(f"a {projection.dim}-D projection cannot show a {model.latent_dim}-D model")
        dtype = next(model.parameters()).dtype
        self.kind = model.kind
        self.latent_dim = 2
        self.code_dim = model.latent_dim
        self.model = model
        self.projection = projection
        self.encoder = ViewEncoder(projection, model.encoder, dtype)
        self.decoder = ViewDecoder(projection, model.decoder, dtype)
        self.train(model.training)

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        return self.model.embed(x) @ self.encoder.axes

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """(B, 2) view points, or (B, D) whole codes (the hover card's reconstruction of a test image is
        its own code, not its shadow on the plane) -> (B, 1, 32, 32) images in [0, 1]."""
        if z.shape[-1] == self.code_dim:
            return self.model.decode(z)
        return torch.sigmoid(self.decoder(z))

    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        return self.model.reconstruct(x)


def seen_through(model: LatentModel | None, projection: LatentProjection | None) -> LatentModel | None:
    """What decodes map points: ``model`` itself when it is 2-D; a D > 2 model seen through ``projection``,
    or None while it has none yet (its codes are still being encoded: a map point means nothing to it)."""
    if model is None or projection is None:
        return model if model is not None and model.latent_dim == 2 else None
    return ProjectedModel(model, projection)  # type: ignore[return-value]  # duck-typed, see the class
