"""Which images a checkpoint's map shows: Fashion-MNIST's test set, or its own folder's (no Qt).

A model trained on a folder (``gaerchen train --data FOLDER``) records that folder
(``core/dataset_info.py``); its map shows the folder's held-out images, split again by the
recorded seed (``core/recorded_data.py``), with the folder's class names in the legend. When
the folder is not there any more, the model itself still decodes, samples and tiles its
manifold: the map then shows the codes the checkpoint recorded of its test images at the end of
training (its last frame, ``core/frames.py``), without images or classes, and says so in one
line (:attr:`EncodedSet.note`).
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import replace
from pathlib import Path

import numpy as np

from gaerchen_gui.components.latent_view import MapView, encode_for_map, plan_view
from gaerchen_gui.core.checkpoints import Checkpoint
from gaerchen_gui.core.data import IMAGE_SIZE, DatasetError, ImageSet
from gaerchen_gui.core.dataset_info import DatasetInfo
from gaerchen_gui.core.encoding import EncodedSet, embed_in_slices, encode_progressively, encode_training_points
from gaerchen_gui.core.image_folder import load_image_folder
from gaerchen_gui.core.neighbours import NearestIndex
from gaerchen_gui.core.recorded_data import FolderMissingError, held_out_images, run_seed

# The one "class" of the stand-in points: their labels went with the folder.
UNLABELLED = "test images (folder missing: no classes)"


def dataset_of(checkpoint: Checkpoint) -> DatasetInfo | None:
    """The folder dataset ``checkpoint`` was trained on; None for Fashion-MNIST (or a damaged record,
    which the encoding then reports)."""
    try:
        info = DatasetInfo.from_metadata(checkpoint.metadata)
    except DatasetError:
        return None
    return info if info.is_folder else None


def encode_for_checkpoint(
    checkpoint: Checkpoint, load_fashion_mnist: Callable[[], ImageSet], cache_name: str | None = None
) -> Generator[float, None, MapView]:
    """The checkpoint's map (progress as :func:`encode_for_map`): Fashion-MNIST's test images through
    ``load_fashion_mnist``, or its folder's, or the recorded stand-in when the folder is gone."""
    info = DatasetInfo.from_metadata(checkpoint.metadata)  # DatasetError for a damaged record
    if not info.is_folder:
        return (yield from encode_for_map(checkpoint.model, load_fashion_mnist, cache_name))
    try:
        held = held_out_images(checkpoint.metadata)
    except FolderMissingError as err:
        return plan_view(recorded_codes(checkpoint, str(err)))
    codes = yield from encode_progressively(checkpoint.model, lambda: held.image_set)  # not disk-cached: it may change
    return plan_view(replace(codes, class_names=held.info.class_names, note="; ".join(held.notes) or None))


def encode_training_for_checkpoint(
    checkpoint: Checkpoint, cache_name: str | None = None
) -> Generator[float, None, tuple[np.ndarray, np.ndarray]]:
    """The training images' codes and labels for the map's training layer: Fashion-MNIST's 60,000
    (:func:`encode_training_points`), or the folder's training split (DatasetError if it is gone)."""
    info = dataset_of(checkpoint)
    if info is None:
        return (yield from encode_training_points(checkpoint.model, cache_name))
    if not Path(info.folder).is_dir():
        raise FolderMissingError(f"the folder of images this model was trained on is not there: {info.folder}")
    yield 0.0
    data = load_image_folder(info.folder, seed=run_seed(checkpoint.metadata), test_fraction=info.test_fraction)
    z = yield from embed_in_slices(checkpoint.model, data.train, None)
    return z, data.train.labels.numpy()


def recorded_codes(checkpoint: Checkpoint, reason: str) -> EncodedSet:
    """The codes of the folder's test images that the checkpoint's last frame recorded (the weights it
    holds), as a map without images or classes; DatasetError if it recorded none."""
    frames = checkpoint.frames
    if frames is None or len(frames) == 0 or frames.codes.shape[1] == 0:  # a tiny folder may have none recorded
        raise DatasetError(f"{reason}, and the checkpoint records no codes to show instead")
    z = np.ascontiguousarray(frames.codes[-1].float().numpy())
    n = len(z)
    return EncodedSet(
        z=z,
        labels=np.zeros(n, dtype=np.int64),
        images=np.zeros((n, IMAGE_SIZE, IMAGE_SIZE), dtype=np.float32),
        index=NearestIndex(z),
        test_ids=frames.live_indices.numpy(),
        class_names=(UNLABELLED,),
        note=(
            f"{reason}. The map shows where {n} of its test images landed at the end of training "
            "(recorded in the checkpoint), without their images; decoding, samples and the manifold work."
        ),
    )


def is_stand_in(encoded: EncodedSet) -> bool:
    """Whether ``encoded`` is :func:`recorded_codes`' stand-in (not worth keeping: the folder may come back)."""
    return encoded.class_names == (UNLABELLED,)
