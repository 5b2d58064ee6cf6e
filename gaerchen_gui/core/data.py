"""Fashion-MNIST, loaded offline from the files shipped in ``resources/data``.

The four original IDX files live decompressed in ``<root>/FashionMNIST/raw/``,
the layout ``torchvision.datasets.FashionMNIST(root, download=False)`` reads, so
the data also loads from a read-only place such as a PyInstaller bundle.
Each file is checked by md5 before use, so a damaged copy is reported by name
instead of surfacing later as a cryptic shape error.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from gaerchen_gui.core import disk_cache
from gaerchen_gui.resources import resource_path

CLASS_NAMES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

# md5 of the decompressed original files (the .gz files Debian and others
# recompress differ, the contents do not).
FILE_MD5 = {
    "train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
    "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
    "t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
    "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
}

DATA_DIR_ENV = "GAERCHEN_DATA_DIR"
IMAGE_SIZE = 32  # the book pads 28x28 to 32x32 so three stride-2 convs give 4x4


class DatasetError(Exception):
    """Fashion-MNIST is missing or damaged; the message says which file and what to do.

    Not a RuntimeError: that is what torch raises for its own failures, and what superqt's workers
    mistake for a deleted worker (the GUI's workers report every exception anyway, see gui/workers.py)."""


@dataclass(frozen=True)
class ImageSet:
    """One split held as tensors: ``images`` (N, 1, 32, 32) float32 in [0, 1], ``labels`` (N,) int64."""

    images: torch.Tensor
    labels: torch.Tensor

    def __len__(self) -> int:
        return self.labels.shape[0]

    def to(self, device: torch.device | str) -> ImageSet:
        return ImageSet(self.images.to(device), self.labels.to(device))

    def subset(self, limit: int | None) -> ImageSet:
        if limit is None or limit >= len(self):
            return self
        return ImageSet(self.images[:limit], self.labels[:limit])


def data_root() -> Path:
    """Folder holding ``FashionMNIST/raw``: $GAERCHEN_DATA_DIR if set, else the shipped copy."""
    override = os.environ.get(DATA_DIR_ENV)
    return Path(override) if override else resource_path("data")


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def verify_files(root: Path, split: str) -> None:
    """Raise DatasetError naming the first missing or corrupt file of ``split`` ("train" or "t10k")."""
    raw = root / "FashionMNIST" / "raw"
    for name in (f"{split}-images-idx3-ubyte", f"{split}-labels-idx1-ubyte"):
        path = raw / name
        fix = (
            f"Restore it from the project (git checkout resources/data), or point "
            f"{DATA_DIR_ENV} at a folder holding FashionMNIST/raw/ with the four "
            f"decompressed original files (on Debian: apt-get install dataset-fashion-mnist, "
            f"then gunzip /usr/share/datasets/fashion-mnist/*.gz into it)."
        )
        if not path.is_file():
            raise DatasetError(f"Fashion-MNIST file not found: {path}\n{fix}")
        if _md5(path) != FILE_MD5[name]:
            raise DatasetError(f"Fashion-MNIST file is corrupt (md5 mismatch): {path}\n{fix}")


def pad_to_32(images_u8: torch.Tensor) -> torch.Tensor:
    """(N, 28, 28) uint8 -> (N, 1, 32, 32) float32 in [0, 1], zero-padded by 2 on each side."""
    images = images_u8.to(torch.float32).div_(255.0).unsqueeze(1)
    return F.pad(images, (2, 2, 2, 2))


def load_split(train: bool, root: Path | None = None) -> ImageSet:
    """Load the training (60,000) or test (10,000) split, preprocessed as in the book.

    The files are read through torchvision the first time; the decoded pixels and labels are then
    kept in the user cache folder (named by the files' md5, which was just checked), because
    importing torchvision alone takes seconds that the app's start-up should not pay every time.
    """
    root = data_root() if root is None else root
    split = "train" if train else "t10k"
    verify_files(root, split)
    cache_name = f"fashion-mnist-{split}-{FILE_MD5[f'{split}-images-idx3-ubyte'][:12]}"
    pixels, labels = disk_cache.read_array(cache_name + "-images"), disk_cache.read_array(cache_name + "-labels")
    if pixels is None or labels is None or pixels.shape[0] != labels.shape[0] or pixels.dtype != np.uint8:
        pixels, labels = _read_with_torchvision(root, train)
        disk_cache.write_array(cache_name + "-images", pixels)
        disk_cache.write_array(cache_name + "-labels", labels)
    return ImageSet(pad_to_32(torch.from_numpy(pixels)), torch.from_numpy(labels.astype(np.int64)))


def _read_with_torchvision(root: Path, train: bool) -> tuple[np.ndarray, np.ndarray]:
    """(N, 28, 28) uint8 pixels and (N,) uint8 labels, read by torchvision's FashionMNIST."""
    # Imported here: torchvision costs seconds to import and only this needs it.
    from torchvision.datasets import FashionMNIST

    try:
        dataset = FashionMNIST(str(root), train=train, download=False)
    except RuntimeError as err:  # torchvision wants all four files present
        raise DatasetError(f"Fashion-MNIST could not be read from {root}: {err}") from err
    return dataset.data.numpy(), dataset.targets.numpy().astype(np.uint8)


def load_test_set(root: Path | None = None) -> ImageSet:
    return load_split(train=False, root=root)


def load_train_set(root: Path | None = None) -> ImageSet:
    return load_split(train=True, root=root)
