"""Training as the GUI watches it: the core loop plus periodic snapshots for live views.

``live_training(...)`` wraps :meth:`Trainer.run` and, between steps (so the
weights are never read mid-update), now and then yields a :class:`LiveSnapshot`:
the embeddings of a fixed subset of test images and a frozen copy of the model
for the decoding cursor. Snapshots are throttled by wall-clock time and by a
budget (a share of training time), so watching costs little throughput.
No Qt here: the GUI runs this generator in a worker thread.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Generator
from dataclasses import dataclass

import numpy as np
import torch

from gaerchen_gui.core.evaluation import embed_all
from gaerchen_gui.core.models import LatentModel
from gaerchen_gui.core.training import StepEvent, Trainer, TrainEvent

# The fixed test images re-encoded while a model trains: 2,000 of the 10,000, the same every run, so
# that the live map of one run can be compared with another's (indices into the test split, sorted).
LIVE_SUBSET = np.sort(np.random.default_rng(0).choice(10_000, 2_000, replace=False))


@dataclass(frozen=True)
class LiveSnapshot:
    global_step: int
    embeddings: torch.Tensor  # (n_live, latent_dim) on the CPU, rows match live_indices
    model: LatentModel  # a frozen copy in eval mode; safe to use from another thread


@dataclass(frozen=True)
class TrainingStarted:
    trainer: Trainer  # for reading config, device and sizes; the loop owns it until it ends


def live_training(
    trainer: Trainer,
    live_images: torch.Tensor,
    min_interval_s: float = 0.5,
    max_share: float = 0.05,
) -> Generator[TrainEvent | LiveSnapshot | TrainingStarted, None, Trainer]:
    """Yield the trainer's events, with a LiveSnapshot at most every ``min_interval_s``
    and only while snapshots have cost under ``max_share`` of the elapsed time.

    ``live_images``: (n_live, 1, 32, 32), typically ~2,000 fixed test images.
    Returns the trainer (its ``model`` holds the final or last good weights).
    """
    yield TrainingStarted(trainer)
    yield make_snapshot(trainer.model, live_images, 0)
    start = time.perf_counter()
    last_snapshot = start
    snapshot_cost = 0.0
    for event in trainer.run():
        yield event
        if not isinstance(event, StepEvent):
            continue
        now = time.perf_counter()
        if now - last_snapshot < min_interval_s or snapshot_cost > max_share * (now - start):
            continue
        snapshot = make_snapshot(trainer.model, live_images, event.global_step)
        last_snapshot = time.perf_counter()
        snapshot_cost += last_snapshot - now
        yield snapshot
    yield make_snapshot(trainer.model, live_images, len(trainer.history.steps))
    return trainer


def make_snapshot(model: LatentModel, live_images: torch.Tensor, global_step: int) -> LiveSnapshot:
    frozen = copy.deepcopy(model).eval()  # the copy only: the trainer's model keeps its mode
    for p in frozen.parameters():
        p.requires_grad_(False)
    frozen = frozen.to(memory_format=torch.contiguous_format)
    return LiveSnapshot(global_step, embed_all(frozen, live_images), frozen)
