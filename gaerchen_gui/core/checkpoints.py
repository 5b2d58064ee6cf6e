"""One checkpoint format: the weights plus what a person needs to know about them.

On disk it is the bytes of ``torch.save`` of a plain dict::

    {"format": "gaerchen-checkpoint", "format_version": 1,
     "metadata": {...JSON-like...}, "state_dict": {name: tensor}}

followed by a 40-byte trailer: the SHA-256 of those bytes and the magic
``GAERCHK1``. The checksum catches what the zip container would not: a flipped
bit inside a weight or a metadata number loads "fine" with plain torch.load.
Zip readers ignore trailing bytes, so ``torch.load`` still opens the file.

The payload is read with ``torch.load(weights_only=True)``, which refuses
pickled code, so opening a hostile file can never run it. Every way a file can
be wrong (missing, empty, truncated, flipped bytes, someone else's .pt, wrong
shapes) ends in :class:`CheckpointError` with a message meant for a person.
"""

from __future__ import annotations

import hashlib
import io
import os
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

import gaerchen_gui
from gaerchen_gui.core.config import DEFAULT_BETA, is_finite_number
from gaerchen_gui.core.dataset_info import FASHION_MNIST, DatasetInfo
from gaerchen_gui.core.frames import Frames
from gaerchen_gui.core.models import MODEL_KINDS, LatentModel, build_model
from gaerchen_gui.core.precision import ResolvedPrecision
from gaerchen_gui.core.save_target import (
    SaveTargetError,
    clean_stale_temps,
    describe_os_error,
    fallback_paths,
    make_temp,
    new_file_mode,
    not_a_file_problem,
    target_problem,
    write_target,
)
from gaerchen_gui.core.training import TrainingHistory

FORMAT = "gaerchen-checkpoint"
FORMAT_VERSION = 1
MAGIC = b"GAERCHK1"
TRAILER_SIZE = 32 + len(MAGIC)  # sha256 digest + magic


class CheckpointError(Exception):
    """The file is not a usable Gaerchen checkpoint; ``str(err)`` says why in plain words."""


@dataclass
class Checkpoint:
    model: LatentModel
    metadata: dict[str, Any]
    path: Path | None = None
    history: TrainingHistory = field(default_factory=TrainingHistory)
    # SHA-256 (hex) of the file's contents as loaded: names data derived from exactly these weights
    # (cached embeddings); None for a model that was never saved.
    digest: str | None = None
    # The run's recorded frames (core/frames.py); None for files from before they were recorded.
    frames: Frames | None = None

    @property
    def kind(self) -> str:
        return self.model.kind

    @property
    def test_metrics(self) -> dict[str, float]:
        return dict(self.metadata.get("test_metrics") or {})


def make_metadata(
    model: LatentModel,
    *,
    config: dict[str, Any] | None = None,
    epochs_trained: int = 0,
    test_metrics: dict[str, float] | None = None,
    history: TrainingHistory | None = None,
    precision: ResolvedPrecision = "fp32",
    dataset: DatasetInfo = FASHION_MNIST,
    frames: Frames | None = None,
) -> dict[str, Any]:
    """``precision``: what the training's forward pass ran in (the trainer's resolved one, not "auto");
    ``dataset``: the images it was trained on (read back by ``DatasetInfo.from_metadata``)."""
    config = dict(config or {})
    metadata = {
        "model": model.kind,
        "latent_dim": model.latent_dim,
        "beta": float(config.get("beta", DEFAULT_BETA)) if model.kind == "vae" else None,
        "epochs_trained": int(epochs_trained),
        "optimizer": {"name": "Adam", "lr": config.get("lr"), "batch_size": config.get("batch_size")},
        "config": config,
        "test_metrics": dict(test_metrics or {}),
        "precision": precision,
        "dataset": dataset.to_dict(),
        "history": (history or TrainingHistory()).to_dict(),
        "gaerchen_version": gaerchen_gui.__version__,
        "torch_version": str(torch.__version__),
    }
    if frames is not None:
        metadata["frames"] = frames.to_dict()
    return metadata


def trained_precision(metadata: dict[str, Any]) -> str:
    """The precision a checkpoint was trained in; files from before the setting existed were fp32.
    The weights are fp32 whatever it was."""
    precision = metadata.get("precision")
    return precision if isinstance(precision, str) and precision else "fp32"


def save_checkpoint(path: str | os.PathLike, model: LatentModel, metadata: dict[str, Any]) -> Path:
    """Write atomically: a temporary file in the same folder, flushed, then renamed over ``path``
    (through a symbolic link, to its target); the path written. Refuses, with SaveTargetError (an
    OSError saying why in one line), a path that is not a regular file or cannot be written; any
    other OSError (a full disk) leaves ``path`` as it was and no temporary file behind."""
    path = write_target(path)
    problem = target_problem(path)
    if problem:
        raise SaveTargetError(problem)
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_temps(path.parent)  # what interrupted saves to this folder left behind
    state = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    payload = {"format": FORMAT, "format_version": FORMAT_VERSION, "metadata": metadata, "state_dict": state}
    buffer = io.BytesIO()
    torch.save(payload, buffer)
    body = buffer.getvalue()
    fd, tmp_name = make_temp(path)
    try:
        os.chmod(tmp_name, new_file_mode())  # mkstemp makes 0600 files; a checkpoint is an ordinary file
        with os.fdopen(fd, "wb") as f:
            f.write(body)
            f.write(hashlib.sha256(body).digest() + MAGIC)
            f.flush()
            os.fsync(f.fileno())
        # Once more just before the rename, which would replace a device node or a pipe as readily
        # as a file: something may have been put at ``path`` while the bytes were written.
        problem = not_a_file_problem(path)
        if problem:
            raise SaveTargetError(problem)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return path


@dataclass(frozen=True)
class SavedCheckpoint:
    path: Path  # where the checkpoint is now
    problem: str | None = None  # why the path asked for could not take it (``path`` is then a fallback)


def save_with_fallback(path: str | os.PathLike, model: LatentModel, metadata: dict[str, Any]) -> SavedCheckpoint:
    """Save to ``path``, or, if that fails, to the first place of ``fallback_paths`` that works: a
    trained model is not thrown away because one folder is full or gone. OSError (one line naming
    every place tried) only if none works."""
    try:
        return SavedCheckpoint(save_checkpoint(path, model, metadata))
    except OSError as err:
        problem = f"could not save {path}: {describe_os_error(err)}"
    tried = [problem]
    for candidate in fallback_paths(write_target(path)):
        try:
            return SavedCheckpoint(save_checkpoint(candidate, model, metadata), problem)
        except OSError as err:
            tried.append(f"nor in {candidate.parent}: {describe_os_error(err)}")
    raise OSError("; ".join(tried))


def load_checkpoint(path: str | os.PathLike, device: torch.device | str = "cpu") -> Checkpoint:
    path = Path(path)
    name = path.name
    if not path.exists():
        raise CheckpointError(f"{name}: no such file ({path}).")
    if path.is_dir():
        raise CheckpointError(f"{name} is a folder, not a checkpoint file.")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise CheckpointError(f"{name} cannot be read: {err.strerror}.") from err
    if not data:
        raise CheckpointError(f"{name} is empty (0 bytes): it is not a Gaerchen checkpoint.")
    body, digest, magic = data[:-TRAILER_SIZE], data[-TRAILER_SIZE : -len(MAGIC)], data[-len(MAGIC) :]
    if len(data) < TRAILER_SIZE or magic != MAGIC:
        if data.startswith(b"PK"):
            raise CheckpointError(
                f"{name} is a PyTorch or zip file, but not a Gaerchen checkpoint (or its end was cut off)."
            )
        raise CheckpointError(f"{name} is not a Gaerchen checkpoint (or it was cut off before its end).")
    if hashlib.sha256(body).digest() != digest:
        raise CheckpointError(f"{name} is damaged: its checksum does not match its contents.")
    try:
        # On the CPU first: the history is float64, which some devices (Apple's MPS) cannot hold;
        # the model moves to ``device`` once it is built.
        with warnings.catch_warnings():
            # torch warns (a multi-line UserWarning) about files it then loads or refuses; either way
            # what a person needs is the one line below or nothing, never torch's advice to file an issue.
            warnings.simplefilter("ignore")
            payload = torch.load(io.BytesIO(body), map_location="cpu", weights_only=True)
    except Exception as err:  # torch raises many types for damaged files
        raise CheckpointError(_describe_load_failure(name, err)) from err
    checkpoint = _checkpoint_from_payload(payload, name, path, device)
    checkpoint.digest = digest.hex()
    return checkpoint


def _describe_load_failure(name: str, err: Exception) -> str:
    text = str(err)
    if "Unsupported operand" in text:  # e.g. pickle protocol 4's FRAME: not what torch.save writes by default
        return (
            f"{name} was written with a pickle format (protocol) that Gaerchen's safe loader does not read; "
            "it was not saved by Gaerchen. Only checkpoints saved by Gaerchen can be opened."
        )
    if "Weights only load failed" in text or "Unsupported global" in text:
        return (
            f"{name} contains pickled Python objects, which Gaerchen refuses to load because "
            "they could run code. Only checkpoints saved by Gaerchen can be opened."
        )
    return f"{name} is not a readable checkpoint: the file is damaged, truncated or of another kind."


def _check_dtypes(name: str, kind: str, latent_dim: int, state: dict, expected: dict[str, torch.Tensor]) -> None:
    """load_state_dict would cast an int64 or float64 tensor of the right shape into the model without
    a word; Gaerchen writes each tensor in the model's own dtype, so any other is not its file."""
    for key, want in expected.items():
        got = state.get(key)
        if isinstance(got, torch.Tensor) and got.dtype != want.dtype:
            raise CheckpointError(
                f"{name}: its weight {key} is stored as {str(got.dtype).removeprefix('torch.')}, "
                f"not {str(want.dtype).removeprefix('torch.')} as a {kind.upper()} with a {latent_dim}-D "
                "latent space needs."
            )


def _checkpoint_from_payload(payload: Any, name: str, path: Path, device: torch.device | str) -> Checkpoint:
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(f"{name} is a PyTorch file, but not a Gaerchen checkpoint (it has no Gaerchen header).")
    version = payload.get("format_version")
    if version != FORMAT_VERSION:
        raise CheckpointError(
            f"{name} uses checkpoint format {version!r}; this Gaerchen reads format {FORMAT_VERSION}."
        )
    metadata = payload.get("metadata")
    state = payload.get("state_dict")
    if not isinstance(metadata, dict) or not isinstance(state, dict):
        raise CheckpointError(f"{name} is damaged: its metadata or weights are missing.")
    kind = metadata.get("model")
    latent_dim = metadata.get("latent_dim")
    if kind not in MODEL_KINDS:
        raise CheckpointError(f"{name} names an unknown model kind {kind!r}.")
    if isinstance(latent_dim, bool) or not isinstance(latent_dim, int) or not 1 <= latent_dim <= 512:
        raise CheckpointError(f"{name} has an invalid latent size {latent_dim!r}.")
    model = build_model(kind, latent_dim)
    _check_dtypes(name, kind, latent_dim, state, model.state_dict())
    try:
        model.load_state_dict(state, strict=True)
    except (RuntimeError, TypeError, ValueError) as err:
        raise CheckpointError(
            f"{name}: its weights do not fit a {kind.upper()} with a {latent_dim}-D latent space "
            "(missing, extra or wrongly shaped tensors)."
        ) from err
    if not all(torch.isfinite(t).all() for t in model.state_dict().values() if t.is_floating_point()):
        raise CheckpointError(f"{name} contains NaN or infinite weights.")
    model.to(device).eval()
    history = metadata.get("history") or {}
    try:
        parsed_history = TrainingHistory.from_dict(history) if isinstance(history, dict) else TrainingHistory()
    except (TypeError, ValueError, RuntimeError):
        parsed_history = TrainingHistory()  # curves are a nicety; the weights are what matter
    metrics = metadata.get("test_metrics")
    if isinstance(metrics, dict):
        metadata["test_metrics"] = {k: float(v) for k, v in metrics.items() if is_finite_number(v)}
    return Checkpoint(model, metadata, path, parsed_history, frames=_frames_from(metadata, latent_dim))


def _frames_from(metadata: dict[str, Any], latent_dim: int) -> Frames | None:
    """The recorded frames, or None: absent (older files) or not within the limits (a timelapse is a
    nicety; the weights are what matter). The metadata keeps the checked copy only."""
    data = metadata.pop("frames", None)
    if data is None:
        return None
    try:
        frames = Frames.from_dict(data, latent_dim)
    except (TypeError, ValueError, RuntimeError):
        return None
    metadata["frames"] = frames.to_dict()
    return frames
