"""Training hyperparameters in one dataclass, with the book's settings as presets."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Any

from gaerchen_gui.core.models import MODEL_KINDS, ModelKind
from gaerchen_gui.core.precision import DEFAULT_PRECISION, PRECISIONS, Precision


class ConfigError(ValueError):
    """A hyperparameter is out of range; the message names it and says why."""


@dataclass(frozen=True)
class TrainConfig:
    model: ModelKind = "ae"
    epochs: int = 3
    batch_size: int = 64
    lr: float = 1e-3
    beta: float = 500.0  # weight of the reconstruction term; VAE only
    latent_dim: int = 2
    seed: int = 0
    limit: int | None = None  # use only the first N training images
    device: str = "auto"
    compile: str = "auto"  # "auto", "on" or "off": torch.compile the forward pass
    precision: Precision = DEFAULT_PRECISION  # of the forward pass' maths; see core/precision.py

    @classmethod
    def book(cls, model: ModelKind, **overrides: Any) -> TrainConfig:
        """SEED.md's settings: AE Adam 1e-3, batch 64, 3 epochs; VAE Adam 3e-4, batch 100, 5 epochs, BETA 500."""
        if model == "vae":
            base = cls(model="vae", epochs=5, batch_size=100, lr=3e-4, beta=500.0)
        elif model == "ae":
            base = cls(model="ae", epochs=3, batch_size=64, lr=1e-3)
        else:
            raise ConfigError(f"model must be one of {', '.join(MODEL_KINDS)}, not {model!r}")
        overrides = {k: v for k, v in overrides.items() if v is not None}
        return replace(base, **overrides).validated()

    def validated(self) -> TrainConfig:
        """Return self, or raise ConfigError naming the first bad value."""
        if self.model not in MODEL_KINDS:
            raise ConfigError(f"model must be one of {', '.join(MODEL_KINDS)}, not {self.model!r}")
        _check_int("epochs", self.epochs, 1, 10_000)
        _check_int("batch size", self.batch_size, 1, 60_000)
        _check_int("latent dim", self.latent_dim, 1, 512)
        _check_int("seed", self.seed, 0, 2**63 - 1)
        if self.limit is not None:
            _check_int("limit", self.limit, 1, 60_000)
        if not (is_finite_number(self.lr) and 0 < self.lr <= 10):
            raise ConfigError(f"learning rate must be a number in (0, 10], not {self.lr!r}")
        if not (is_finite_number(self.beta) and 0 < self.beta <= 1e6):
            raise ConfigError(f"beta must be a number in (0, 1e6], not {self.beta!r}")
        if self.compile not in ("auto", "on", "off"):
            raise ConfigError(f"compile must be auto, on or off, not {self.compile!r}")
        if self.precision not in PRECISIONS:
            raise ConfigError(f"precision must be one of {', '.join(PRECISIONS)}, not {self.precision!r}")
        return self

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def is_finite_number(value: object) -> bool:
    """A real int or float (not a bool), neither NaN nor infinite."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_int(name: str, value: object, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ConfigError(f"{name} must be a whole number from {low} to {high}, not {value!r}")
