"""A folder of one's own images as a training set: one subfolder per class (torchvision's ImageFolder
convention, ``FOLDER/cats/1.png``, ``FOLDER/dogs/a.jpg``), each image prepared like Fashion-MNIST's
(:mod:`gaerchen_gui.core.own_images`), split into training and test images by the seed.

What cannot be used is skipped and listed, never a traceback: files that are not images, truncated
or too large, files outside a class folder, class folders without a readable image. Hidden files
and folders (``.DS_Store``, ``.git``) are not looked at. A folder that cannot train at all (empty,
one class, no readable image) is a :class:`DatasetError` saying what to do.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from gaerchen_gui.core import disk_cache
from gaerchen_gui.core.data import IMAGE_SIZE, DatasetError, ImageSet
from gaerchen_gui.core.dataset_info import HELD_OUT_FRACTION, DatasetInfo
from gaerchen_gui.core.own_images import PREPARATION, ImageReadError, prepare_image, skipped_message


@dataclass(frozen=True)
class FolderData:
    train: ImageSet
    test: ImageSet
    info: DatasetInfo
    test_files: tuple[str, ...]  # each test image's path inside the folder, in the test set's order
    skipped: tuple[str, ...]  # "path: reason" for each file or class folder left out


def _hidden(name: str) -> bool:
    return name.startswith(".")


def _check_folder(root: Path) -> None:
    if not root.exists():
        raise DatasetError(f"{root}: no such folder")
    if not root.is_dir():
        raise DatasetError(f"{root} is a file, not a folder of class subfolders")


def _class_folders(root: Path) -> list[str]:
    try:
        return sorted(e.name for e in os.scandir(root) if e.is_dir() and not _hidden(e.name))
    except OSError as err:
        raise DatasetError(f"{root} cannot be read: {err.strerror}") from None


def _files(root: Path, class_name: str) -> list[str]:
    """Paths (relative to ``root``, with /) of the visible files under one class folder, sorted."""
    found = []
    for folder, dirs, names in os.walk(root / class_name):  # no symlinked folders: they can loop
        dirs[:] = [d for d in dirs if not _hidden(d)]
        found += [Path(folder, n).relative_to(root).as_posix() for n in names if not _hidden(n)]
    return sorted(found)


def _contents(root: Path) -> tuple[list[str], list[tuple[str, int]], list[str]]:
    """(class names, [(file, class index)], files outside any class folder)."""
    classes = _class_folders(root)  # checks that root can be listed
    stray = sorted(e.name for e in os.scandir(root) if e.is_file() and not _hidden(e.name))
    files = [(path, index) for index, name in enumerate(classes) for path in _files(root, name)]
    return classes, files, stray


def _read_files(
    root: Path, classes: list[str], files: list[tuple[str, int]], digest
) -> Iterator[tuple[str, int, bytes | None]]:
    """Each file's bytes (None if unreadable), fed to ``digest`` with its path in the same pass."""
    # os.fsencode: a file name need not be valid UTF-8 (it then holds surrogates that .encode() refuses)
    digest.update(os.fsencode("\0".join([PREPARATION, *classes])))
    for path, label in files:
        try:
            data = (root / path).read_bytes()
        except OSError:
            data = None
        digest.update(os.fsencode(f"\0{label}\0{path}\0{-1 if data is None else len(data)}\0"))
        digest.update(data or b"")
        yield path, label, data


def folder_digest(root: str | os.PathLike) -> str:
    """The SHA-256 :func:`load_image_folder` records, of the folder as it is now (the files' names,
    classes and bytes, and the preparation rule)."""
    root = Path(root)
    _check_folder(root)
    digest = hashlib.sha256()
    classes, files, _ = _contents(root)
    for _ in _read_files(root, classes, files, digest):
        pass
    return digest.hexdigest()


def _prepare_bytes(path: str, data: bytes | None) -> np.ndarray | str:
    """One file prepared, or why it cannot be (a few words)."""
    try:
        if data is None:
            raise ImageReadError(path, "cannot be read (removed?)")
        return prepare_image(io.BytesIO(data))
    except ImageReadError as err:
        return err.reason


def _prepare_all(root: Path, classes: list[str], files: list[tuple[str, int]]) -> tuple[str, list[np.ndarray | str]]:
    """(the folder's digest, each file prepared or why it cannot be).

    Decoding and preparing is most of a folder's reading time (a photo: tens of milliseconds; its bytes:
    well under one), so the prepared images are kept in the disk cache under the folder's content
    digest: a folder read before is read once more for its digest, and decoded only if a byte changed.
    """
    digest = hashlib.sha256()
    for _ in _read_files(root, classes, files, digest):
        pass
    cached = disk_cache.read_array(f"folder-images-{digest.hexdigest()[:32]}")
    if cached is not None and cached.shape == (len(files), IMAGE_SIZE, IMAGE_SIZE) and cached.dtype == np.float32:
        prepared: list[np.ndarray | str] = [None if np.isnan(row[0, 0]) else row for row in cached]
        for i, image in enumerate(prepared):
            if image is None:  # why not: read again (such files are few and fail fast)
                path = files[i][0]
                reason = _prepare_bytes(path, _bytes_of(root / path))
                prepared[i] = reason if isinstance(reason, str) else "changed while being read"
        return digest.hexdigest(), prepared
    digest = hashlib.sha256()  # of the bytes prepared now: the folder may change between the two passes
    prepared = [_prepare_bytes(path, data) for path, _, data in _read_files(root, classes, files, digest)]
    unreadable = np.full((IMAGE_SIZE, IMAGE_SIZE), np.nan, dtype=np.float32)
    rows = [image if isinstance(image, np.ndarray) else unreadable for image in prepared]
    if rows:
        disk_cache.write_array(f"folder-images-{digest.hexdigest()[:32]}", np.stack(rows))
    return digest.hexdigest(), prepared


def _bytes_of(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _split(labels: np.ndarray, seed: int, fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """(train indices, test indices): ``fraction`` of each class held out (at least one image of a
    class that has two), each part in an order shuffled by ``seed`` so that ``--limit`` or the
    live map's first images mix the classes."""
    rng = np.random.default_rng(seed)
    train, test = [], []
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        n_test = min(max(round(fraction * members.size), 1), members.size - 1) if members.size >= 2 else 0
        test.append(members[:n_test])
        train.append(members[n_test:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def load_image_folder(root: str | os.PathLike, seed: int = 0, test_fraction: float = HELD_OUT_FRACTION) -> FolderData:
    """Read, prepare and split every image of ``root``; DatasetError if it cannot make a training set."""
    root = Path(root).absolute()
    _check_folder(root)
    classes, files, stray = _contents(root)
    skipped = [f"{name}: not in a class folder" for name in stray]
    if not classes:
        what = "holds images but no class subfolders" if stray else "is empty"
        raise DatasetError(
            f"{root} {what}: put each class's images in a subfolder named after the class "
            f"({root.name}/cats/1.png, {root.name}/dogs/1.png, ...)"
        )
    digest, prepared = _prepare_all(root, classes, files)
    pixels, labels, paths = [], [], []
    for (path, label), image in zip(files, prepared, strict=True):
        if isinstance(image, str):
            skipped.append(f"{path}: {image}")
            continue
        pixels.append(image)
        labels.append(label)
        paths.append(path)
    used = sorted(set(labels))
    skipped += [f"{classes[i]}/: no readable image (class left out)" for i in range(len(classes)) if i not in used]
    _check_classes(root, [classes[i] for i in used], skipped)
    # Labels renumbered over the classes that have images, so that class_names[label] holds.
    renumber = {old: new for new, old in enumerate(used)}
    label_array = np.array([renumber[label] for label in labels], dtype=np.int64)
    train_rows, test_rows = _split(label_array, seed, test_fraction)
    if test_rows.size == 0:
        raise DatasetError(f"{root}: too few images to hold any out for testing (a class needs at least two)")
    images = torch.from_numpy(np.stack(pixels)).unsqueeze(1)  # (N, 1, 32, 32)
    labels_t = torch.from_numpy(label_array)
    info = DatasetInfo(
        name=root.name,
        class_names=tuple(classes[i] for i in used),
        image_count=len(labels),
        test_count=int(test_rows.size),
        digest=digest,
        folder=str(root),
        test_fraction=test_fraction,
    )
    rows = (torch.from_numpy(train_rows), torch.from_numpy(test_rows))
    return FolderData(
        train=ImageSet(images[rows[0]], labels_t[rows[0]]),
        test=ImageSet(images[rows[1]], labels_t[rows[1]]),
        info=info,
        test_files=tuple(paths[i] for i in test_rows),
        skipped=tuple(skipped),
    )


def _check_classes(root: Path, classes: list[str], skipped: list[str]) -> None:
    listed = f" ({skipped_message(skipped)})" if skipped else ""
    if not classes:
        raise DatasetError(f"{root}: no readable image in any class folder{listed}")
    if len(classes) == 1:
        raise DatasetError(
            f"{root} has images of one class only ({classes[0]}): a map of classes needs at least two "
            f"class subfolders{listed}"
        )


def check_fits_batch(data: FolderData, batch_size: int, limit: int | None = None) -> None:
    """DatasetError if the training images (the first ``limit``) do not fill one batch."""
    n = len(data.train) if limit is None else min(limit, len(data.train))
    if n < batch_size:
        listed = f" ({skipped_message(data.skipped)})" if data.skipped else ""
        raise DatasetError(
            f"{data.info.folder} gives {n} training images ({data.info.test_count} more held out for testing), "
            f"fewer than one batch of {batch_size}: add images or choose a smaller batch size{listed}"
        )


def change_since(info: DatasetInfo) -> str | None:
    """None if the folder still holds what ``info`` records; else one sentence saying it changed."""
    assert info.folder is not None
    try:
        unchanged = folder_digest(info.folder) == info.digest
    except (DatasetError, OSError):
        return f"{info.folder} is gone or cannot be read any more"
    return None if unchanged else f"{info.folder} has changed since its images were read"
