"""The book's autoencoder and variational autoencoder (Foster, *Generative Deep Learning*, ch. 3).

Layer for layer as in the Keras notebooks; one line per layer. Keras' "same"
padding with stride 2 becomes ``padding=1`` (plus ``output_padding=1`` for the
transposed convolutions), which gives the same shapes and parameter counts.

The decoder's last layer is the book's Conv2D(1, sigmoid); the sigmoid is
applied by :meth:`Decoder.forward` callers through :func:`torch.sigmoid`, and
the losses use ``binary_cross_entropy_with_logits`` on the raw output, which is
the same maths without ``log(0)``.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

import torch
from torch import nn

ModelKind = Literal["ae", "vae"]
MODEL_KINDS: tuple[ModelKind, ...] = ("ae", "vae")


class Encoder(nn.Module):
    """(B, 1, 32, 32) -> (B, latent_dim), or (z_mean, z_log_var) when ``variational``."""

    def __init__(self, latent_dim: int = 2, variational: bool = False) -> None:
        super().__init__()
        self.variational = variational
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, stride=2, padding=1), nn.ReLU(),  # (B, 32, 16, 16)
            nn.Conv2d(32, 64, 3, stride=2, padding=1), nn.ReLU(),  # (B, 64, 8, 8)
            nn.Conv2d(64, 128, 3, stride=2, padding=1), nn.ReLU(),  # (B, 128, 4, 4)
            nn.Flatten(),  # (B, 2048)
        )  # fmt: skip
        if variational:
            self.z_mean = nn.Linear(4 * 4 * 128, latent_dim)
            self.z_log_var = nn.Linear(4 * 4 * 128, latent_dim)
        else:
            self.z = nn.Linear(4 * 4 * 128, latent_dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        h = self.features(x)
        if self.variational:
            return self.z_mean(h), self.z_log_var(h)
        return self.z(h)


class Decoder(nn.Module):
    """(B, latent_dim) -> (B, 1, 32, 32) logits; ``torch.sigmoid`` of them is the image."""

    def __init__(self, latent_dim: int = 2) -> None:
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(latent_dim, 4 * 4 * 128),
            nn.Unflatten(1, (128, 4, 4)),  # (B, 128, 4, 4)
            nn.ConvTranspose2d(128, 128, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),  # (B, 128, 8, 8)
            nn.ConvTranspose2d(128, 64, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),  # (B, 64, 16, 16)
            nn.ConvTranspose2d(64, 32, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),  # (B, 32, 32, 32)
            nn.Conv2d(32, 1, 3, stride=1, padding=1),  # (B, 1, 32, 32), sigmoid applied by the caller
        )  # fmt: skip

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.layers(z)


class ModelOutput(NamedTuple):
    """What one training forward pass gives. ``z_mean``/``z_log_var`` are None for a plain AE."""

    logits: torch.Tensor  # (B, 1, 32, 32)
    z: torch.Tensor  # (B, latent_dim), the code that was decoded
    z_mean: torch.Tensor | None = None
    z_log_var: torch.Tensor | None = None


class LatentModel(nn.Module):
    """What the AE and the VAE share: an encoder, a decoder, and the maps between them."""

    kind: ModelKind

    def __init__(self, latent_dim: int, variational: bool) -> None:
        super().__init__()
        self.latent_dim = latent_dim
        self.encoder = Encoder(latent_dim, variational=variational)
        self.decoder = Decoder(latent_dim)

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """The point each image lands on in the latent map (the VAE's ``z_mean``)."""
        raise NotImplementedError

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """(B, latent_dim) -> (B, 1, 32, 32) images in [0, 1]."""
        return torch.sigmoid(self.decoder(z))

    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        """Deterministic reconstruction: decode the embedding (no sampling)."""
        return self.decode(self.embed(x))


class Autoencoder(LatentModel):
    kind: ModelKind = "ae"

    def __init__(self, latent_dim: int = 2) -> None:
        super().__init__(latent_dim, variational=False)

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)

    def forward(self, x: torch.Tensor) -> ModelOutput:
        z = self.encoder(x)
        return ModelOutput(self.decoder(z), z)


def sample_z(z_mean: torch.Tensor, z_log_var: torch.Tensor, eps: torch.Tensor | None = None) -> torch.Tensor:
    """The reparameterisation trick: z = z_mean + exp(0.5 * z_log_var) * eps, eps ~ N(0, I).

    ``eps`` is drawn here unless given (the trainer draws it for a whole batch it splits)."""
    if eps is None:
        eps = torch.randn_like(z_mean)
    return z_mean + torch.exp(0.5 * z_log_var) * eps


class VariationalAutoencoder(LatentModel):
    kind: ModelKind = "vae"

    def __init__(self, latent_dim: int = 2) -> None:
        super().__init__(latent_dim, variational=True)

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        z_mean, _ = self.encoder(x)
        return z_mean

    def forward(self, x: torch.Tensor, eps: torch.Tensor | None = None) -> ModelOutput:
        z_mean, z_log_var = self.encoder(x)
        z = sample_z(z_mean, z_log_var, eps)
        return ModelOutput(self.decoder(z), z, z_mean, z_log_var)


def build_model(kind: ModelKind, latent_dim: int = 2) -> LatentModel:
    if kind == "ae":
        return Autoencoder(latent_dim)
    if kind == "vae":
        return VariationalAutoencoder(latent_dim)
    raise ValueError(f"unknown model kind {kind!r}; expected one of {', '.join(MODEL_KINDS)}")


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())
