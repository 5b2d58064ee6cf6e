"""The disk cache: derived data found again by name, damaged entries ignored, failures harmless."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch
from core_support import drain

from gaerchen_gui.core import disk_cache
from gaerchen_gui.core.checkpoints import load_checkpoint, make_metadata, save_checkpoint
from gaerchen_gui.core.data import load_split
from gaerchen_gui.core.encoding import embeddings_cache_name, encode_progressively
from gaerchen_gui.core.models import build_model


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(disk_cache.CACHE_DIR_ENV, str(folder))
    return folder


def test_arrays_round_trip_and_a_missing_one_is_none(cache):
    assert disk_cache.read_array("nothing") is None
    array = np.arange(12, dtype=np.float32).reshape(3, 4)
    disk_cache.write_array("numbers", array)
    np.testing.assert_array_equal(disk_cache.read_array("numbers"), array)
    assert not list(cache.glob("*.tmp"))  # written atomically, no leftovers


@pytest.mark.parametrize("damage", [b"", b"not an npy file at all", None])
def test_a_damaged_entry_is_ignored_and_removed(cache, damage):
    disk_cache.write_array("numbers", np.ones(1000, dtype=np.float32))
    (entry,) = cache.glob("numbers*")
    data = entry.read_bytes()
    entry.write_bytes(data[: len(data) // 2] if damage is None else damage)
    assert disk_cache.read_array("numbers") is None
    assert not entry.exists()


def test_pickled_objects_are_never_loaded(cache):
    cache.mkdir()
    np.save(cache / f"evil.v{disk_cache.FORMAT}.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    assert disk_cache.read_array("evil") is None


def test_an_unwritable_cache_folder_only_means_no_cache(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(disk_cache.CACHE_DIR_ENV, str(blocker / "cache"))
    disk_cache.write_array("numbers", np.ones(3))  # logs, does not raise
    assert disk_cache.read_array("numbers") is None
    images = load_split(train=False)  # the dataset still loads, straight from the files
    assert images.images.shape == (10_000, 1, 32, 32)


def test_the_cached_split_is_identical_to_torchvision_s_and_skips_it(cache, test_set):
    first = load_split(train=False)  # fills the cache
    assert any(cache.glob("fashion-mnist-t10k-*-images*"))
    torch.testing.assert_close(first.images, test_set.images)
    code = (
        "import json, sys; from gaerchen_gui.core.data import load_split; s = load_split(train=False); "
        "print(json.dumps([int(s.labels[:100].sum()), float(s.images.sum()), 'torchvision' in sys.modules]))"
    )
    env = dict(os.environ, **{disk_cache.CACHE_DIR_ENV: str(cache)})
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    label_sum, pixel_sum, imported_torchvision = json.loads(out.stdout)
    assert label_sum == int(test_set.labels[:100].sum())
    assert pixel_sum == pytest.approx(float(test_set.images.sum()), rel=1e-6)
    assert not imported_torchvision


def test_a_checkpoint_s_embeddings_are_cached_under_its_content_digest(cache, tmp_path, test_set):
    torch.manual_seed(0)
    model = build_model("ae", 2).eval()
    path = save_checkpoint(tmp_path / "ae.pt", model, make_metadata(model, config={}, epochs_trained=0))
    checkpoint = load_checkpoint(path)
    assert checkpoint.digest and len(checkpoint.digest) == 64
    name = embeddings_cache_name(checkpoint.digest, "test")
    small = test_set.subset(700)

    def run(model):
        return drain(encode_progressively(model, lambda: small, cache_name=name))

    encoded, fractions = run(checkpoint.model)
    assert len(fractions) > 2  # it encoded, slice by slice
    np.testing.assert_array_equal(disk_cache.read_array(name), encoded.z)
    again, fractions = run(checkpoint.model)
    assert fractions == [0.0]  # straight from the cache
    np.testing.assert_array_equal(again.z, encoded.z)

    # other weights, other file contents: another name, so never the stale embeddings
    with torch.no_grad():
        model.encoder.z.bias.add_(1.0)
    other = load_checkpoint(
        save_checkpoint(tmp_path / "ae.pt", model, make_metadata(model, config={}, epochs_trained=1))
    )
    assert embeddings_cache_name(other.digest, "test") != name
    assert embeddings_cache_name(None, "test") is None
