"""A damaged disk-cache entry is never used: detected by its digest, removed, made again, results unchanged.

The damage is the kind a disk or a copy does: one flipped byte, a zeroed block, a file shifted by a
byte, a header that tells another shape; on the real cached Fashion-MNIST split and real embeddings.
"""

from __future__ import annotations

import logging

import numpy as np
import pytest
import torch
from core_support import drain
from numpy.lib import format as npy_format

from gaerchen_gui.core import disk_cache
from gaerchen_gui.core.data import FILE_MD5, load_split
from gaerchen_gui.core.encoding import encode_progressively
from gaerchen_gui.core.models import build_model


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(disk_cache.CACHE_DIR_ENV, str(folder))
    return folder


def entry_path(cache, name: str):
    (path,) = cache.glob(f"{name}.v*.npy")
    return path


def data_offset(path) -> int:
    """Where the array's bytes start in an entry (after the .npy header)."""
    with path.open("rb") as f:
        npy_format.read_magic(f)
        npy_format.read_array_header_1_0(f)
        return f.tell()


def flip_byte(data: bytearray, at: int) -> None:
    data[at] ^= 0x01


def zero_block(data: bytearray, at: int) -> None:
    data[at : at + 4096] = bytes(len(data[at : at + 4096]))


def shift_by_one(data: bytearray, at: int) -> None:
    """One byte lost at ``at``, the rest moved up, the size kept: the header still fits the length."""
    data[at:-1] = data[at + 1 :]


DAMAGES = {"flipped byte": flip_byte, "zeroed block": zero_block, "shifted": shift_by_one}


def damage(path, how, where: float = 0.5) -> None:
    data = bytearray(path.read_bytes())
    start = data_offset(path)
    DAMAGES[how](data, start + int(where * (len(data) - start - 4096)))
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", sorted(DAMAGES))
def test_damage_anywhere_in_the_bytes_is_a_miss_that_is_logged_and_removed(cache, how, caplog):
    array = np.arange(10_000, dtype=np.float32).reshape(2_500, 4)
    disk_cache.write_array("numbers", array)
    path = entry_path(cache, "numbers")
    damage(path, how)
    with caplog.at_level(logging.WARNING, logger=disk_cache.__name__):
        assert disk_cache.read_array("numbers") is None
    assert not path.exists()
    assert "numbers" in caplog.text and "digest" in caplog.text


def test_a_header_that_tells_another_shape_of_the_same_size_is_a_miss(cache):
    disk_cache.write_array("numbers", np.arange(12, dtype=np.float32).reshape(3, 4))
    path = entry_path(cache, "numbers")
    path.write_bytes(path.read_bytes().replace(b"(3, 4)", b"(4, 3)", 1))
    assert disk_cache.read_array("numbers") is None


@pytest.mark.parametrize("extra", [b"", b"x"])
def test_an_entry_without_its_digest_or_with_bytes_after_it_is_a_miss(cache, extra):
    disk_cache.write_array("numbers", np.ones(100, dtype=np.float32))
    path = entry_path(cache, "numbers")
    data = path.read_bytes()
    path.write_bytes(data[:-1] if not extra else data + extra)
    assert disk_cache.read_array("numbers") is None


def test_a_header_that_promises_gigabytes_is_refused_before_reading(cache):
    disk_cache.write_array("numbers", np.ones((60_000, 28), dtype=np.uint8))
    path = entry_path(cache, "numbers")
    path.write_bytes(path.read_bytes().replace(b"(60000, 28)", b"(90000000, 28)", 1))
    assert disk_cache.read_array("numbers") is None


def test_an_entry_of_the_older_format_is_removed_when_the_new_one_is_written(cache):
    cache.mkdir()
    old = cache / "numbers.v1.npy"
    np.save(old, np.ones(3))
    disk_cache.write_array("numbers", np.ones(3))
    assert not old.exists()
    np.testing.assert_array_equal(disk_cache.read_array("numbers"), np.ones(3))


def split_entry(split: str, what: str) -> str:
    return f"fashion-mnist-{split}-{FILE_MD5[f'{split}-images-idx3-ubyte'][:12]}-{what}"


@pytest.mark.parametrize(
    ("what", "how"),
    [("images", "flipped byte"), ("images", "zeroed block"), ("labels", "shifted"), ("labels", "flipped byte")],
)
def test_a_damaged_cached_split_is_read_again_from_the_files_and_is_unchanged(cache, test_set, what, how):
    load_split(train=False)  # fills the cache
    path = entry_path(cache, split_entry("t10k", what))
    damage(path, how, where=0.3)
    again = load_split(train=False)
    torch.testing.assert_close(again.images, test_set.images, rtol=0, atol=0)
    torch.testing.assert_close(again.labels, test_set.labels, rtol=0, atol=0)
    # and the entry was written anew, whole: the next start reads it from the cache
    assert disk_cache.read_array(split_entry("t10k", what)) is not None


@pytest.mark.parametrize("how", ["zeroed", "flipped byte"])
def test_damaged_cached_embeddings_are_encoded_again_and_are_unchanged(cache, test_set, how):
    torch.manual_seed(0)
    model = build_model("ae", 2).eval()
    small = test_set.subset(700)
    encoded, _ = drain(encode_progressively(model, lambda: small, cache_name="embeddings-test"))
    path = entry_path(cache, "embeddings-test")
    if how == "zeroed":  # every point at (0, 0), the file otherwise intact
        data = bytearray(path.read_bytes())
        start = data_offset(path)
        data[start : start + encoded.z.nbytes] = bytes(encoded.z.nbytes)
        path.write_bytes(bytes(data))
    else:
        damage(path, how)
    again, fractions = drain(encode_progressively(model, lambda: small, cache_name="embeddings-test"))
    assert len(fractions) > 2  # encoded anew, slice by slice, not read from the damaged entry
    np.testing.assert_array_equal(again.z, encoded.z)
    np.testing.assert_array_equal(disk_cache.read_array("embeddings-test"), encoded.z)
