"""A folder of one's own images as a dataset: reading, splitting, skipping, refusing, training."""

import os

import pytest
import torch
from PIL import Image
from shape_images import SHAPES, make_shape_folder

from gaerchen_gui.core.checkpoints import load_checkpoint, make_metadata, save_checkpoint
from gaerchen_gui.core.config import TrainConfig
from gaerchen_gui.core.data import DatasetError
from gaerchen_gui.core.dataset_info import FASHION_MNIST, DatasetInfo
from gaerchen_gui.core.evaluation import evaluate
from gaerchen_gui.core.image_folder import (
    change_since,
    check_fits_batch,
    folder_digest,
    load_image_folder,
)
from gaerchen_gui.core.models import build_model
from gaerchen_gui.core.own_images import skipped_message
from gaerchen_gui.core.recorded_data import FolderMissingError, held_out_images
from gaerchen_gui.core.training import EpochEvent, Trainer


@pytest.fixture(scope="module")
def shapes(tmp_path_factory):
    return make_shape_folder(tmp_path_factory.mktemp("own") / "shapes", per_class=30)


def test_a_folder_becomes_prepared_labelled_training_and_test_sets(shapes):
    data = load_image_folder(shapes, seed=1)
    assert data.info.class_names == tuple(sorted(SHAPES)) and data.info.name == "shapes"
    assert data.info.image_count == 90 and data.skipped == ()
    assert len(data.test) == data.info.test_count == 18 and len(data.train) == 72  # 20% of each class held out
    assert data.train.images.shape == (72, 1, 32, 32) and data.train.images.dtype == torch.float32
    assert 0 <= data.train.images.min() and data.train.images.max() <= 1
    # the shapes were drawn dark on light backgrounds: prepared, they are bright on black
    assert data.train.images[:, :, 0, :].mean() < 0.1 < data.train.images[:, :, 8:24, 8:24].mean()
    assert torch.bincount(data.test.labels).tolist() == [6, 6, 6]
    for label, path in zip(data.test.labels.tolist(), data.test_files, strict=True):
        assert path.startswith(data.info.class_names[label] + "/")
    # shuffled, so that --limit or the live map's first images mix the classes
    assert len(set(data.train.labels[:12].tolist())) == 3


def test_the_split_is_fixed_by_the_seed(shapes):
    assert load_image_folder(shapes, seed=3).test_files == load_image_folder(shapes, seed=3).test_files
    assert set(load_image_folder(shapes, seed=3).test_files) != set(load_image_folder(shapes, seed=4).test_files)


def test_the_digest_names_the_contents(shapes, tmp_path):
    data = load_image_folder(shapes)
    assert folder_digest(shapes) == data.info.digest and change_since(data.info) is None
    copy = make_shape_folder(tmp_path / "shapes", per_class=30)
    assert folder_digest(copy) == data.info.digest  # same files, same digest wherever they are
    Image.new("L", (20, 20), 0).save(copy / "circle" / "000.png")
    assert folder_digest(copy) != data.info.digest
    moved = load_image_folder(copy).info
    (copy / "circle" / "001.png").unlink()
    assert "has changed" in change_since(moved)
    os.rename(copy, tmp_path / "elsewhere")
    assert "is gone" in change_since(moved)


def test_a_file_name_that_is_not_utf8_is_read_like_any_other(tmp_path):
    root = make_shape_folder(tmp_path / "names", per_class=4, shapes=("circle", "square"))
    os.rename(root / "circle" / "000.png", os.path.join(os.fsencode(root / "circle"), b"caf\xe9.png"))
    data = load_image_folder(root)
    assert data.info.image_count == 8 and folder_digest(root) == data.info.digest


def test_bad_files_are_skipped_and_listed_in_one_message(tmp_path, monkeypatch):
    root = make_shape_folder(tmp_path / "mixed", per_class=6, shapes=("circle", "square"))
    (root / "notes.txt").write_text("stray")
    (root / "circle" / "readme.md").write_text("not a picture")
    png = (root / "circle" / "000.png").read_bytes()
    (root / "square" / "cut.png").write_bytes(png[: len(png) // 2])
    Image.new("L", (300, 300), 255).save(root / "square" / "huge.png")
    (root / "circle" / ".DS_Store").write_bytes(b"\0\1")  # hidden: not looked at
    (root / "empty").mkdir()
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 50_000)
    data = load_image_folder(root)
    assert data.info.class_names == ("circle", "square") and data.info.image_count == 12
    assert sorted(data.skipped) == sorted(
        [
            "notes.txt: not in a class folder",
            "circle/readme.md: not an image",
            "square/cut.png: truncated",
            "square/huge.png: too large (over Pillow's limit of 50,000 pixels)",
            "empty/: no readable image (class left out)",
        ]
    )
    message = skipped_message(data.skipped)
    assert message.startswith("skipped 5 ") and "\n" not in message and "square/cut.png: truncated" in message


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda root: root.mkdir(), "is empty: put each class's images in a subfolder"),
        (lambda root: None, "no such folder"),
        (lambda root: root.write_text("a file"), "is a file, not a folder"),
        (lambda root: make_shape_folder(root, 5, ("circle",)), r"one class only \(circle\)"),
        (lambda root: (root / "a").mkdir(parents=True) or (root / "a" / "x.txt").write_text("?"), "no readable image"),
        (lambda root: make_shape_folder(root, 1), "too few images to hold any out"),
    ],
    ids=["empty", "missing", "a file", "one class", "no images", "one image a class"],
)
def test_a_folder_that_cannot_train_says_why_in_one_line(tmp_path, build, expected):
    root = tmp_path / "data"
    build(root)
    with pytest.raises(DatasetError, match=expected) as caught:
        load_image_folder(root)
    assert "\n" not in str(caught.value)


def test_images_without_class_subfolders_are_told_how_to_arrange_them(tmp_path):
    root = tmp_path / "flat"
    root.mkdir()
    Image.new("L", (20, 20), 0).save(root / "a.png")
    with pytest.raises(DatasetError, match="holds images but no class subfolders"):
        load_image_folder(root)


def test_fewer_training_images_than_one_batch_is_refused(shapes):
    data = load_image_folder(shapes)
    check_fits_batch(data, 72)
    with pytest.raises(DatasetError, match="gives 72 training images .* fewer than one batch of 100"):
        check_fits_batch(data, 100)
    with pytest.raises(DatasetError, match="gives 10 training images"):
        check_fits_batch(data, 16, limit=10)


def test_the_dataset_record_survives_a_checkpoint_and_old_ones_mean_fashion_mnist(shapes, tmp_path):
    info = load_image_folder(shapes).info
    model = build_model("ae", 2)
    path = save_checkpoint(tmp_path / "m.pt", model, make_metadata(model, dataset=info))
    assert DatasetInfo.from_metadata(load_checkpoint(path).metadata) == info  # weights-only load: plain types
    assert DatasetInfo.from_metadata({"model": "ae"}) == FASHION_MNIST
    assert DatasetInfo.from_metadata(make_metadata(model)) == FASHION_MNIST
    with pytest.raises(DatasetError, match="damaged"):
        DatasetInfo.from_metadata({"dataset": {"name": "x"}})


def test_a_short_training_run_on_a_folder_lowers_the_loss(shapes):
    data = load_image_folder(shapes)
    config = TrainConfig.book("ae", epochs=4, batch_size=16, compile="off", device="cpu")
    trainer = Trainer(config, data.train, data.test)
    before = evaluate(trainer.model, data.test.images)["bce"]
    epochs = [e.val["bce"] for e in trainer.run() if isinstance(e, EpochEvent)]
    assert len(epochs) == 4 and epochs[-1] < 0.8 * before


def test_a_checkpoints_own_test_images_are_found_again_or_said_to_be_missing(shapes, tmp_path):
    data = load_image_folder(shapes, seed=2)
    model = build_model("ae", 2)
    metadata = make_metadata(model, config={"seed": 2}, dataset=data.info)
    again = held_out_images(metadata)  # the recorded folder, split again by the recorded seed
    assert again.files == data.test_files and again.notes == () and again.info == data.info
    assert torch.equal(again.image_set.images, data.test.images)
    gone = dict(metadata, dataset={**data.info.to_dict(), "folder": str(tmp_path / "gone")})
    with pytest.raises(FolderMissingError, match="trained on is not there"):
        held_out_images(gone)
