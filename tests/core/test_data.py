import shutil

import pytest
import torch

from gaerchen_gui.core.data import (
    CLASS_NAMES,
    DATA_DIR_ENV,
    DatasetError,
    data_root,
    load_test_set,
    load_train_set,
)


def test_test_split_is_book_preprocessed(test_set):
    assert test_set.images.shape == (10_000, 1, 32, 32)
    assert test_set.images.dtype == torch.float32
    assert 0.0 <= test_set.images.min() and test_set.images.max() <= 1.0
    # the 2-pixel zero border added by padding 28x28 -> 32x32
    border = torch.cat(
        [
            test_set.images[..., :2, :].flatten(),
            test_set.images[..., -2:, :].flatten(),
            test_set.images[..., :, :2].flatten(),
            test_set.images[..., :, -2:].flatten(),
        ]
    )
    assert border.abs().max() == 0
    assert torch.bincount(test_set.labels).tolist() == [1000] * 10


def test_train_split_matches_the_original_files(small_train_set):
    assert small_train_set.labels[:10].tolist() == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]
    assert len(load_train_set()) == 60_000


def test_class_names_follow_label_order():
    assert CLASS_NAMES[0] == "T-shirt/top" and CLASS_NAMES[9] == "Ankle boot" and len(CLASS_NAMES) == 10


def _copy_dataset(tmp_path):
    root = tmp_path / "data"
    shutil.copytree(data_root() / "FashionMNIST", root / "FashionMNIST")
    return root


def test_missing_file_names_it_and_says_how_to_fix(tmp_path, monkeypatch):
    root = _copy_dataset(tmp_path)
    (root / "FashionMNIST" / "raw" / "t10k-labels-idx1-ubyte").unlink()
    monkeypatch.setenv(DATA_DIR_ENV, str(root))
    with pytest.raises(DatasetError) as err:
        load_test_set()
    assert "t10k-labels-idx1-ubyte" in str(err.value)
    assert "not found" in str(err.value) and DATA_DIR_ENV in str(err.value)


def test_empty_data_folder_is_reported(tmp_path, monkeypatch):
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path))
    with pytest.raises(DatasetError, match="t10k-images-idx3-ubyte"):
        load_test_set()


def test_corrupt_file_is_caught_by_md5(tmp_path):
    root = _copy_dataset(tmp_path)
    path = root / "FashionMNIST" / "raw" / "t10k-images-idx3-ubyte"
    data = bytearray(path.read_bytes())
    data[5000] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(DatasetError, match="corrupt"):
        load_test_set(root)
