"""Training on a folder of one's own images, for both front ends: the folder read and checked
against a run's settings (``gaerchen train --data``, the window's training dock), and the held-out
images a live map follows while it trains. No Qt: the window calls this on its training thread.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from gaerchen_gui.core.config import TrainConfig
from gaerchen_gui.core.dataset_info import DatasetInfo
from gaerchen_gui.core.frames import LIVE_SUBSET
from gaerchen_gui.core.image_folder import FolderData, change_since, check_fits_batch, load_image_folder
from gaerchen_gui.core.live_training import LiveSet


def read_training_folder(folder: str | os.PathLike, config: TrainConfig) -> FolderData:
    """The folder's images, split by the run's seed; DatasetError (a sentence for the user) if they
    cannot train with ``config`` (no folder, no classes, one class, fewer images than one batch).
    Unreadable files are left out and listed in ``skipped``: training goes on without them."""
    data = load_image_folder(folder, seed=config.seed)
    check_fits_batch(data, config.batch_size, config.limit)
    return data


def folder_live_set(data: FolderData) -> LiveSet:
    """The folder's first held-out images, as many as a Fashion-MNIST run follows (LIVE_SUBSET); the
    split shuffled them, so the first ones mix the classes."""
    n = min(len(data.test), LIVE_SUBSET.size)
    return LiveSet.of(data.test.images[:n], data.test.labels[:n].numpy(), class_names=data.info.class_names)


def change_during_training(info: DatasetInfo) -> str | None:
    """One sentence if the folder changed since the run read it, else None. The images were all read
    before the first step, so the run itself is not disturbed; but the checkpoint then describes images
    the folder no longer holds. Reads every file again (for the digest): call it off the GUI thread."""
    change = change_since(info)
    if change is None:
        return None
    return (
        f"{change} (during training): the model learnt the {info.image_count} images read at the start, "
        "and the checkpoint records those"
    )


@dataclass(frozen=True)
class FolderChanged:
    """The folder a run trained on changed while it trained (:func:`change_during_training`'s sentence)."""

    note: str


@dataclass(frozen=True)
class FolderRead:
    """A run's folder has been read: what it trains on, and the files it left out ("path: reason")."""

    info: DatasetInfo
    skipped: tuple[str, ...]
