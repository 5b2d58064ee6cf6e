"""What the sweep view shows of each checkpoint of a BETA sweep: its test metrics, map and samples (no Qt).

A sweep's folder holds one checkpoint per BETA, named by :func:`~gaerchen_gui.core.sweep.run_file_name`
(``vae-beta-500.pt``). For each, :func:`summarise_run` gathers what the view draws:

- the point of the rate-distortion plot: test KL (the rate, nats) and test reconstruction BCE (the
  distortion). A checkpoint that finished its training stores them (``test_metrics``) and they are
  taken as they are; one that does not (a stopped run) is evaluated on the 10,000 test images once,
  and the two numbers go into the disk cache under the checkpoint's content digest;
- its small multiple: the live subset's codes (the same 2,000 test images as the live map and the
  timelapse; a D > 2 model's on their principal plane) and a row of decoded samples, at the same
  N(0, I) draws for every BETA (the timelapse's probe points), so the row compares decoders, not draws.

:func:`load_sweep` runs through a folder's files as a generator (one event per file), the form the
GUI's workers run; a file that cannot be shown is reported and the others still load.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from gaerchen_gui.core import disk_cache
from gaerchen_gui.core.checkpoints import Checkpoint, CheckpointError, load_checkpoint
from gaerchen_gui.core.data import ImageSet
from gaerchen_gui.core.evaluation import embed_all, evaluate
from gaerchen_gui.core.frames import LIVE_SUBSET, probe_points
from gaerchen_gui.core.latent_paths import decode_path
from gaerchen_gui.core.projection import view_projection
from gaerchen_gui.core.sweep import run_file_name

SAMPLE_COUNT = 6  # decoded samples under each small multiple: a row that stays legible at ~40 px a tile
_RUN_NAME = re.compile(r"^vae-beta-(.+)\.pt$")


def sweep_files(folder: str | os.PathLike) -> list[tuple[float, Path]]:
    """The sweep checkpoints in ``folder`` as (BETA, path), by increasing BETA. Only names that
    :func:`run_file_name` gives (``vae-beta-10.pt``, not ``vae-beta-10.0.pt`` or a copy's)."""
    runs = []
    for path in Path(folder).iterdir():
        match = _RUN_NAME.match(path.name)
        if match is None or not path.is_file():
            continue
        try:
            beta = float(match.group(1))
        except ValueError:
            continue
        if run_file_name(beta) == path.name:
            runs.append((beta, path))
    return sorted(runs)


def folder_problem(folder: str | os.PathLike) -> str | None:
    """Why ``folder`` cannot be shown as a sweep (one line), or None."""
    folder = Path(folder)
    if not folder.is_dir():
        return f"{folder} is not a folder."
    try:
        files = sweep_files(folder)
    except OSError as err:
        return f"{folder} cannot be read: {err.strerror}."
    if not files:
        example = run_file_name(500)
        return f"{folder} holds no sweep checkpoints (files named like {example}, as `gaerchen sweep` writes)."
    return None


@dataclass(frozen=True)
class SweepRun:
    """One BETA's checkpoint as the sweep view shows it."""

    path: Path
    beta: float
    latent_dim: int
    bce: float  # test reconstruction BCE (mean per pixel), the distortion
    kl: float  # test KL to the prior (nats, summed over dimensions), the rate
    measured: bool  # True: the checkpoint stored no test metrics, they were measured here (or cached)
    points: np.ndarray  # (N, 2) float32: the live subset's codes, on their principal plane when D > 2
    labels: np.ndarray  # (N,) int64
    samples: np.ndarray  # (SAMPLE_COUNT, 32, 32) float32 in [0, 1]: decoded N(0, I) draws


def metrics_cache_name(digest: str) -> str:
    return f"sweep-metrics-{digest[:24]}"


def run_metrics(
    checkpoint: Checkpoint, test_images: torch.Tensor, should_stop: Callable[[], bool] | None = None
) -> tuple[float, float, bool] | None:
    """(BCE, KL, measured): the checkpoint's stored test metrics, else cached ones, else measured on
    ``test_images`` (and cached). None if ``should_stop`` said stop."""
    stored = checkpoint.test_metrics
    if "bce" in stored and "kl" in stored:
        return stored["bce"], stored["kl"], False
    name = metrics_cache_name(checkpoint.digest) if checkpoint.digest else None
    cached = disk_cache.read_array(name) if name else None
    if cached is not None and cached.shape == (2,) and np.isfinite(cached).all():
        return float(cached[0]), float(cached[1]), True
    beta = float(checkpoint.metadata.get("beta") or 1.0)  # BETA scales "recon" only; bce and kl do not use it
    metrics = evaluate(checkpoint.model, test_images, beta=beta, should_stop=should_stop)
    if metrics is None:
        return None
    if name:
        disk_cache.write_array(name, np.array([metrics["bce"], metrics["kl"]], dtype=np.float64))
    return metrics["bce"], metrics["kl"], True


@torch.inference_mode()
def summarise_run(
    path: Path, beta: float, test_set: ImageSet, should_stop: Callable[[], bool] | None = None
) -> SweepRun | None:
    """Load ``path`` and gather what the view shows of it; CheckpointError for a file it cannot show,
    None if ``should_stop`` said stop."""
    checkpoint = load_checkpoint(path)
    if checkpoint.kind != "vae":
        raise CheckpointError(f"{path.name} is an {checkpoint.kind.upper()}, not a VAE: a sweep's runs are VAEs.")
    metrics = run_metrics(checkpoint, test_set.images, should_stop)
    if metrics is None:
        return None
    model = checkpoint.model
    codes = embed_all(model, test_set.images[LIVE_SUBSET]).numpy()
    projection = view_projection(codes)
    points = codes if projection is None else projection.to_view(codes)
    samples = decode_path(model, probe_points(model.latent_dim, SAMPLE_COUNT)).numpy()
    return SweepRun(
        path=path,
        beta=beta,
        latent_dim=model.latent_dim,
        bce=float(metrics[0]),
        kl=float(metrics[1]),
        measured=metrics[2],
        points=np.ascontiguousarray(points, dtype=np.float32),
        labels=test_set.labels[LIVE_SUBSET].numpy(),
        samples=samples.astype(np.float32),
    )


@dataclass(frozen=True)
class RunFailed:
    path: Path
    message: str  # one line for a person


def load_sweep(
    files: list[tuple[float, Path]],
    load_test: Callable[[], ImageSet],
    should_stop: Callable[[], bool] | None = None,
) -> Generator[SweepRun | RunFailed, None, None]:
    """One :class:`SweepRun` or :class:`RunFailed` per file of :func:`sweep_files`, in order; stops
    early (between files, or between batches of an evaluation) when ``should_stop`` says so."""
    test_set = load_test()
    for beta, path in files:
        if should_stop is not None and should_stop():
            return
        try:
            run = summarise_run(path, beta, test_set, should_stop)
        except CheckpointError as err:
            yield RunFailed(path, str(err))
            continue
        if run is None:
            return
        yield run
