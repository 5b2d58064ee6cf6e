"""Which checkpoints the explorer opens, and how it describes them (no widgets)."""

from __future__ import annotations

import os
from pathlib import Path

from gaerchen_gui.core.checkpoints import Checkpoint, CheckpointError, load_checkpoint, trained_precision
from gaerchen_gui.resources import shipped_model_path

SHIPPED = {"ae": "ae.pt", "vae": "vae.pt"}
SHIPPED_SWEEP = "sweep"  # a folder of models/
# Points the AE / VAE buttons at another folder of ae.pt and vae.pt (tests, self-test on fresh models).
MODELS_DIR_ENV = "GAERCHEN_MODELS_DIR"
DEVICE = "cpu"  # single decodes are latency-bound: ~1 ms on one CPU thread beats a GPU round trip


def shipped_path(kind: str) -> Path:
    override = os.environ.get(MODELS_DIR_ENV)
    return Path(override) / SHIPPED[kind] if override else shipped_model_path(SHIPPED[kind])


def shipped_sweep_dir() -> Path:
    """The shipped BETA sweep (``models/sweep/``: one VAE per BETA, see README), which the sweep view
    shows until another folder is chosen."""
    override = os.environ.get(MODELS_DIR_ENV)
    return Path(override) / SHIPPED_SWEEP if override else shipped_model_path(SHIPPED_SWEEP)


def load_for_explorer(path: str | os.PathLike) -> Checkpoint:
    """Load a checkpoint the map can show (any latent size: D > 2 through a projection, see
    components/latent_view.py); CheckpointError (with a message for a person) otherwise."""
    return load_checkpoint(path, device=DEVICE)


def load_shipped(kind: str) -> Checkpoint:
    path = shipped_path(kind)
    if not path.is_file():
        raise CheckpointError(
            f"The shipped {kind.upper()} is missing ({path}). Train it with "
            f"`gaerchen train --model {kind} --out {path}`, or open another checkpoint."
        )
    return load_for_explorer(path)


def describe(checkpoint: Checkpoint) -> str:
    """One line for the status bar: kind, training (and its precision unless fp32), test metrics, device."""
    meta = checkpoint.metadata
    parts = [checkpoint.kind.upper(), f"{checkpoint.model.latent_dim}-D latent"]
    epochs = meta.get("epochs_trained")
    if isinstance(epochs, int):
        parts.append(f"{epochs} epoch{'s' if epochs != 1 else ''}")
    precision = trained_precision(meta)
    if precision != "fp32":
        parts.append(f"trained in {precision}")
    metrics = checkpoint.test_metrics
    if "bce" in metrics:
        parts.append(f"test BCE {metrics['bce']:.4f}")
    if checkpoint.kind == "vae" and "kl" in metrics:
        parts.append(f"KL {metrics['kl']:.2f}")
    parts.append(f"device {DEVICE}")
    return "  ·  ".join(parts)


def shipped_kind_of(path: str | os.PathLike | None) -> str | None:
    """ "ae"/"vae" when ``path`` is one of the shipped checkpoints."""
    if path is None:
        return None
    resolved = Path(path).resolve()
    for kind in SHIPPED:
        if shipped_path(kind).resolve() == resolved:
            return kind
    return None
