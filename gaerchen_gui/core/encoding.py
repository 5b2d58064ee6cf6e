"""Encoding the test set for the latent map, in slices so that a worker can report progress (no Qt).

The GUI runs :func:`encode_progressively` in a ``superqt`` thread worker: each
``yield`` becomes a progress signal and a chance to cancel, the return value
arrives on the GUI thread as an :class:`EncodedSet`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Generator
from dataclasses import dataclass

import numpy as np
import torch

from gaerchen_gui.core import disk_cache
from gaerchen_gui.core.data import CLASS_NAMES, ImageSet
from gaerchen_gui.core.evaluation import embed_all, posterior_all
from gaerchen_gui.core.models import LatentModel
from gaerchen_gui.core.neighbours import NearestIndex

SLICE = 500  # images per progress step: ~0.1 s on two busy cores


@dataclass(frozen=True)
class EncodedSet:
    """The test set as the map shows it; ``images`` shares memory with the loaded tensor."""

    z: np.ndarray  # (N, D) float32 embeddings
    labels: np.ndarray  # (N,) int64
    images: np.ndarray  # (N, 32, 32) float32 in [0, 1], the originals for the hover card
    index: NearestIndex
    # The test-set number of each row, when the rows are a subset (the live map while training);
    # None: row i is test image i.
    test_ids: np.ndarray | None = None
    # A VAE's posterior log-variances (N, D), beside ``z`` (its means): each image is a cloud, not a
    # dot. None for an AE, and for the live map (its snapshots carry the means only).
    z_log_var: np.ndarray | None = None
    # What label i is called: Fashion-MNIST's classes, or a folder's (a model trained with --data).
    class_names: tuple[str, ...] = CLASS_NAMES
    # Why the map shows less than a model's test images, in one line (its folder is gone); None: it does not.
    note: str | None = None

    def __len__(self) -> int:
        return self.z.shape[0]

    def test_id(self, row: int) -> int:
        """The test-set number of row ``row``: what the user is told ("test image #...")."""
        return int(self.test_ids[row]) if self.test_ids is not None else int(row)


def encode_progressively(
    model: LatentModel, load_images: Callable[[], ImageSet], cache_name: str | None = None
) -> Generator[float, None, EncodedSet]:
    """Yield the fraction done (0..1) after each slice; return the :class:`EncodedSet`.

    With ``cache_name`` (see :func:`embeddings_cache_name`) the embeddings come from the disk cache
    when they are there, and go into it when they had to be computed.
    """
    image_set = load_images()
    yield 0.0
    codes = yield from embed_in_slices(model, image_set, cache_name, posterior=True)
    z, z_log_var = codes[:, : model.latent_dim], None
    if model.kind == "vae":
        z, z_log_var = np.ascontiguousarray(z), np.ascontiguousarray(codes[:, model.latent_dim :])
    return EncodedSet(
        z=z,
        labels=image_set.labels.numpy(),
        images=image_set.images[:, 0].numpy(),
        index=NearestIndex(z),
        z_log_var=z_log_var,
    )


def encode_training_points(
    model: LatentModel, cache_name: str | None = None
) -> Generator[float, None, tuple[np.ndarray, np.ndarray]]:
    """The 60,000 training images' embeddings and labels, for the map's training layer (progress as above).

    The images themselves (245 MB as float32) are dropped once encoded: the map only needs the points.
    """
    from gaerchen_gui.core.data import load_train_set

    yield 0.0
    image_set = load_train_set()
    z = yield from embed_in_slices(model, image_set, cache_name)
    return z, image_set.labels.numpy()


def embed_in_slices(
    model: LatentModel, image_set: ImageSet, cache_name: str | None, posterior: bool = False
) -> Generator[float, None, np.ndarray]:
    """(N, D) float32 embeddings from the disk cache, or encoded ``SLICE`` images at a time (then cached).

    With ``posterior`` a VAE's rows are (N, 2D): its means, then its log-variances (one encoder pass
    gives both). An entry of the other width is a miss, so older caches are simply rebuilt.
    """
    n = len(image_set)
    width = 2 * model.latent_dim if posterior and model.kind == "vae" else model.latent_dim
    z = disk_cache.read_array(cache_name) if cache_name else None
    if z is not None and z.shape == (n, width) and z.dtype == np.float32:
        return z
    parts = []
    for start in range(0, n, SLICE):
        images = image_set.images[start : start + SLICE]
        if width == model.latent_dim:
            parts.append(embed_all(model, images))
        else:
            parts.append(torch.cat(posterior_all(model, images), dim=1))
        yield min(start + SLICE, n) / n
    z = torch.cat(parts).numpy() if parts else np.empty((0, width), np.float32)
    if cache_name:
        disk_cache.write_array(cache_name, z)
    return z


def embeddings_cache_name(checkpoint_digest: str | None, split: str) -> str | None:
    """The one key of a checkpoint's embeddings of a Fashion-MNIST split, in memory and on disk.

    Keyed by the checkpoint's content digest (SHA-256), so a file rewritten in place, copied or renamed
    is recognised by what it holds; None for a model never saved (nothing is cached for it)."""
    return f"embeddings-{checkpoint_digest[:24]}-{split}" if checkpoint_digest else None


class EmbeddingCache:
    """Encoded sets in memory (the test set as an :class:`EncodedSet`, the training points as arrays), by
    :func:`embeddings_cache_name`, so that switching models back and forth is instant. The disk cache
    below it (``embed_in_slices``) uses the same names. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, object] = {}

    def get(self, name: str | None) -> object | None:
        if name is None:
            return None
        with self._lock:
            return self._entries.get(name)

    def put(self, name: str | None, value: object) -> None:
        if name is not None:
            with self._lock:
                self._entries[name] = value


SHARED_CACHE = EmbeddingCache()  # one per process: every window and pane reuses encodings of unchanged files


_shared_test_set: ImageSet | None = None
_shared_lock = threading.Lock()


def shared_test_set() -> ImageSet:
    """The Fashion-MNIST test split, loaded once per process (thread-safe; ~2 s the first time)."""
    global _shared_test_set
    with _shared_lock:
        if _shared_test_set is None:
            from gaerchen_gui.core.data import load_test_set

            _shared_test_set = load_test_set()
        return _shared_test_set
