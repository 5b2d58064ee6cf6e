"""A folder read before is not decoded again: its prepared images come from the disk cache, by its digest."""

import shutil

import numpy as np
from PIL import Image
from shape_images import make_shape_folder

from gaerchen_gui.core import image_folder
from gaerchen_gui.core.image_folder import folder_digest, load_image_folder


def counting_prepare(monkeypatch) -> list[int]:
    calls = [0]
    prepare = image_folder.prepare_image

    def counted(*args, **kwargs):
        calls[0] += 1
        return prepare(*args, **kwargs)

    monkeypatch.setattr(image_folder, "prepare_image", counted)
    return calls


def test_a_folder_read_again_is_not_decoded_again_and_gives_the_same_data(tmp_path, monkeypatch):
    folder = make_shape_folder(tmp_path / "shapes", per_class=12, seed=4)
    (folder / "circle" / "notes.txt").write_text("not an image")
    calls = counting_prepare(monkeypatch)
    first = load_image_folder(folder, seed=2)
    assert calls[0] == 37  # 36 images and the text file, each decoded once
    again = load_image_folder(folder, seed=2)
    assert calls[0] == 38  # only the unreadable file, for its reason
    assert again.info == first.info and again.info.digest == folder_digest(folder)
    assert again.skipped == first.skipped == ("circle/notes.txt: not an image",)
    assert again.test_files == first.test_files
    assert np.array_equal(again.train.images.numpy(), first.train.images.numpy())
    assert np.array_equal(again.test.labels.numpy(), first.test.labels.numpy())


def test_a_changed_file_is_decoded_again(tmp_path, monkeypatch):
    folder = make_shape_folder(tmp_path / "shapes", per_class=10, seed=5)
    first = load_image_folder(folder)
    shutil.copy(folder / "square" / "000.png", folder / "circle" / "000.png")  # a square among the circles now
    Image.open(folder / "cross" / "001.png").rotate(90).save(folder / "cross" / "001.png")
    calls = counting_prepare(monkeypatch)
    changed = load_image_folder(folder)
    assert calls[0] == 30 and changed.info.digest != first.info.digest
    assert changed.info.digest == folder_digest(folder)
