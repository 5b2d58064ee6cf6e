"""Training hyperparameters in one dataclass, with the book's settings as presets."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Any

from gaerchen_gui.core.models import MODEL_KINDS, ModelKind
from gaerchen_gui.core.precision import DEFAULT_PRECISION, PRECISIONS, Precision


class ConfigError(ValueError):
    """A hyperparameter is out of range; the message names it and says why."""


# The book's weight of the reconstruction term in the VAE loss (SEED.md); every default BETA reads this.
DEFAULT_BETA = 500.0


@dataclass(frozen=True)
class Limit:
    """The allowed range of one hyperparameter: what validation enforces and what input widgets offer."""

    label: str
    low: float
    high: float
    integer: bool = True
    low_open: bool = False  # the low end itself is not allowed (a learning rate of 0 trains nothing)


# The one table of hyperparameter limits; the CLI (through validation) and the training panel read it.
# The seed stops at 2**31 - 1: Qt's spin boxes hold 32-bit ints, and a seed is only a label for a run.
LIMITS: dict[str, Limit] = {
    "epochs": Limit("epochs", 1, 10_000),
    "batch_size": Limit("batch size", 1, 60_000),
    "latent_dim": Limit("latent dim", 1, 512),
    "seed": Limit("seed", 0, 2**31 - 1),
    "limit": Limit("limit", 1, 60_000),
    "lr": Limit("learning rate", 0.0, 10.0, integer=False, low_open=True),
    "beta": Limit("beta", 0.0, 1e6, integer=False, low_open=True),
    "kl_warmup_steps": Limit("KL warm-up steps", 0, 1_000_000),
}


# The latent sizes the training dock offers: the explorer draws 2 as it is and wider spaces as a 2-D
# view; past 64 a slider per hidden component is no longer a thing a person can use.
EXPLORER_LATENT_DIMS = (2, 64)


@dataclass(frozen=True)
class TrainConfig:
    model: ModelKind = "ae"
    epochs: int = 3
    batch_size: int = 64
    lr: float = 1e-3
    beta: float = DEFAULT_BETA  # weight of the reconstruction term; VAE only
    latent_dim: int = 2
    seed: int = 0
    limit: int | None = None  # use only the first N training images
    device: str = "auto"
    compile: str = "auto"  # "auto", "on" or "off": torch.compile the forward pass
    precision: Precision = DEFAULT_PRECISION  # of the forward pass' maths; see core/precision.py
    # VAE only: the KL term's weight rises linearly from 0 to 1 over this many steps (0: no warm-up).
    kl_warmup_steps: int = 0

    @classmethod
    def book(cls, model: ModelKind, **overrides: Any) -> TrainConfig:
        """SEED.md's settings: AE Adam 1e-3, batch 64, 3 epochs; VAE Adam 3e-4, batch 100, 5 epochs, BETA 500."""
        if model == "vae":
            base = cls(model="vae", epochs=5, batch_size=100, lr=3e-4, beta=DEFAULT_BETA)
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
        for name in ("epochs", "batch_size", "latent_dim", "seed", "lr", "beta", "kl_warmup_steps"):
            check(name, getattr(self, name))
        if self.limit is not None:
            check("limit", self.limit)
        if self.compile not in ("auto", "on", "off"):
            raise ConfigError(f"compile must be auto, on or off, not {self.compile!r}")
        if self.precision not in PRECISIONS:
            raise ConfigError(f"precision must be one of {', '.join(PRECISIONS)}, not {self.precision!r}")
        return self

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def kl_weight(self, global_step: int) -> float:
        """The KL term's weight in the loss of step ``global_step`` (1-based): the warm-up's ramp."""
        if self.kl_warmup_steps == 0:
            return 1.0
        return min(1.0, global_step / self.kl_warmup_steps)


def is_finite_number(value: object) -> bool:
    """A real int or float (not a bool), neither NaN nor infinite."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def check(name: str, value: object) -> None:
    """Raise ConfigError unless ``value`` is within ``LIMITS[name]``."""
    limit = LIMITS[name]
    if limit.integer:
        if isinstance(value, bool) or not isinstance(value, int) or not limit.low <= value <= limit.high:
            raise ConfigError(f"{limit.label} must be a whole number from {limit.low} to {limit.high}, not {value!r}")
        return
    low_ok = (lambda v: v > limit.low) if limit.low_open else (lambda v: v >= limit.low)
    if not (is_finite_number(value) and low_ok(value) and value <= limit.high):
        bracket = "(" if limit.low_open else "["
        raise ConfigError(f"{limit.label} must be a number in {bracket}{limit.low:g}, {limit.high:g}], not {value!r}")
