"""The test images that go with a checkpoint: the ones it recorded training on, or a folder given.

A model trained on a folder is tested on that folder's held-out images, split again by the run's
seed and held-out fraction (both recorded), so the split is the training's as long as the folder
holds the same files (its digest says whether it does). A folder that is not there any more is a
:class:`FolderMissingError`: the model itself still decodes and samples without it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gaerchen_gui.core.data import DatasetError, ImageSet, load_test_set
from gaerchen_gui.core.dataset_info import FASHION_MNIST, HELD_OUT_FRACTION, DatasetInfo
from gaerchen_gui.core.image_folder import load_image_folder
from gaerchen_gui.core.own_images import skipped_message


class FolderMissingError(DatasetError):
    """The folder a model was trained on is not where the checkpoint says."""


@dataclass(frozen=True)
class HeldOutImages:
    image_set: ImageSet
    info: DatasetInfo  # the images' dataset (the folder as read now, for a folder)
    files: tuple[str, ...] | None  # each image's path inside its folder; None for Fashion-MNIST
    notes: tuple[str, ...]  # one line each: files skipped, a folder that differs from the model's


def run_seed(metadata: dict[str, Any]) -> int:
    """The seed of the training run (it also chose the folder's split); 0, the default, if not recorded."""
    seed = (metadata.get("config") or {}).get("seed", 0)
    return seed if isinstance(seed, int) and not isinstance(seed, bool) else 0


def held_out_images(metadata: dict[str, Any], folder: str | os.PathLike | None = None) -> HeldOutImages:
    """The test images to evaluate or encode a checkpoint (its ``metadata``) with: ``folder``'s if
    given, else those it was trained on. DatasetError (FolderMissingError) if they cannot be had."""
    recorded = DatasetInfo.from_metadata(metadata)
    if folder is None and not recorded.is_folder:
        return HeldOutImages(load_test_set(), FASHION_MNIST, None, ())
    if folder is None:
        folder = recorded.folder
        if not Path(folder).is_dir():
            raise FolderMissingError(f"the folder of images this model was trained on is not there: {folder}")
    fraction = recorded.test_fraction if recorded.is_folder else HELD_OUT_FRACTION
    data = load_image_folder(folder, seed=run_seed(metadata), test_fraction=fraction)
    notes = [skipped_message(data.skipped)] if data.skipped else []
    if not recorded.is_folder:
        notes.append(f"this model was trained on {recorded.name}, not on {data.info.folder}")
    elif data.info.digest != recorded.digest:
        notes.append(
            f"{data.info.folder} is not the set of images this model was trained on (its contents differ), "
            "so its test images may include training images"
        )
    if recorded.class_names != data.info.class_names:
        notes.append(
            f"the classes differ: the model's are {', '.join(recorded.class_names)}; "
            f"the folder's {', '.join(data.info.class_names)}"
        )
    return HeldOutImages(data.test, data.info, data.test_files, tuple(notes))
