"""``--data FOLDER`` end to end: train, evaluate and encode on a folder of one's own images."""

import csv
import json
import os
import shutil

import pytest
from PIL import Image
from shape_images import make_shape_folder

from gaerchen_gui.cli import main
from gaerchen_gui.core.checkpoints import load_checkpoint
from gaerchen_gui.core.config import TrainConfig
from gaerchen_gui.core.dataset_info import DatasetInfo
from gaerchen_gui.core.image_folder import load_image_folder
from gaerchen_gui.core.model_loading import shipped_path
from gaerchen_gui.terminal_training import run_training_in_terminal


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """(folder, checkpoint, what train printed) of a 2-epoch AE on 3 x 25 generated shapes."""
    root = tmp_path_factory.mktemp("cli-data")
    folder = make_shape_folder(root / "shapes", per_class=25)
    (folder / "circle" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    out = root / "ae.pt"
    code = main(["train", "--model", "ae", "--out", str(out), "--data", str(folder), "--epochs", "2",
                 "--batch-size", "16", "--seed", "5", "--compile", "off"])  # fmt: skip
    assert code == 0
    return folder, out


def test_train_records_the_folder_in_the_checkpoint(trained):
    folder, out = trained
    checkpoint = load_checkpoint(out)
    info = DatasetInfo.from_metadata(checkpoint.metadata)
    assert info.folder == str(folder) and info.name == "shapes"
    assert info.class_names == ("circle", "cross", "square") and info.image_count == 75 and info.test_count == 15
    assert info.digest == load_image_folder(folder).info.digest
    assert len(checkpoint.history.steps) == 2 * 4  # 60 training images in batches of 16


def test_evaluate_uses_the_folder_the_model_was_trained_on(trained, capsys):
    folder, out = trained
    assert main(["evaluate", str(out), "--json"]) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out)
    assert result["dataset"] == "shapes" and result["n_test"] == 15
    # the same held-out images training tested on: the seed and fraction recorded split them again
    assert result["test_bce"] == pytest.approx(load_checkpoint(out).test_metrics["bce"], rel=1e-5)
    assert "skipped 1 " in captured.err and "circle/broken.png" in captured.err
    assert main(["evaluate", str(out), "--json", "--data", str(folder)]) == 0
    assert json.loads(capsys.readouterr().out)["test_bce"] == pytest.approx(result["test_bce"], rel=1e-6)


def test_encode_writes_the_folders_class_names_and_files(trained, tmp_path, capsys):
    _, out = trained
    csv_path = tmp_path / "z.csv"
    assert main(["encode", str(out), "--out", str(csv_path)]) == 0
    rows = list(csv.DictReader(csv_path.open()))
    assert len(rows) == 15 and list(rows[0]) == ["index", "label", "class_name", "file", "z0", "z1"]
    assert all(row["file"].startswith(row["class_name"] + "/") for row in rows)
    assert {row["class_name"] for row in rows} == {"circle", "cross", "square"}


def test_a_moved_folder_is_named_in_one_line(trained, tmp_path, capsys):
    folder, out = trained
    moved = shutil.copytree(folder, tmp_path / "moved")
    shutil.copy(out, tmp_path / "ae.pt")
    shutil.move(folder, tmp_path / "away")
    try:
        assert main(["evaluate", str(tmp_path / "ae.pt")]) == 1
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and "not there" in err and "--data FOLDER" in err
        Image.new("L", (30, 30), 255).save(moved / "cross" / "new.png")  # a changed copy: evaluated, with a note
        assert main(["evaluate", str(tmp_path / "ae.pt"), "--data", str(moved), "--json"]) == 0
        assert "not the set of images this model was trained on" in capsys.readouterr().err
    finally:
        shutil.move(tmp_path / "away", folder)


def test_a_fashion_mnist_model_can_be_encoded_on_a_folder(tmp_path, capsys):
    folder = make_shape_folder(tmp_path / "shapes", per_class=10)
    for path in (folder / "circle").iterdir():  # names that are not UTF-8 reach the CSV as they are on disk
        os.rename(path, os.fsencode(path).replace(b"circle/", b"circle/\xe9t\xe9-"))
    assert main(["encode", str(shipped_path("ae")), "--out", str(tmp_path / "z.csv"), "--data", str(folder)]) == 0
    assert "trained on Fashion-MNIST" in capsys.readouterr().err
    rows = list(csv.DictReader((tmp_path / "z.csv").open(encoding="utf-8", errors="surrogateescape")))
    assert len(rows) == 6 and all((folder / row["file"]).is_file() for row in rows)
    assert any(row["file"].startswith("circle/\udce9t\udce9-") for row in rows)


@pytest.mark.parametrize(
    ("build", "args", "expected"),
    [
        (lambda root: root.mkdir(), [], "is empty"),
        (lambda root: make_shape_folder(root, 8, ("circle",)), [], "one class only"),
        (lambda root: make_shape_folder(root, 10), ["--batch-size", "64"], "fewer than one batch of 64"),
    ],
    ids=["empty", "one class", "fewer than a batch"],
)
def test_train_on_a_folder_that_cannot_train_exits_with_one_line(tmp_path, capsys, build, args, expected):
    build(tmp_path / "data")
    code = main(["train", "--model", "ae", "--out", str(tmp_path / "m.pt"), "--data", str(tmp_path / "data"), *args])
    err = capsys.readouterr().err
    assert code == 1 and expected in err and "Traceback" not in err and err.count("\n") == 1
    assert not (tmp_path / "m.pt").exists()


def test_a_folder_changed_during_training_is_reported_and_the_read_images_recorded(tmp_path, capsys):
    folder = make_shape_folder(tmp_path / "shapes", per_class=10)
    data = load_image_folder(folder)
    # every image was read before the first step: a change made now is one made "while training"
    Image.new("L", (30, 30), 255).save(folder / "square" / "late.png")
    config = TrainConfig.book("ae", epochs=1, batch_size=8, compile="off", device="cpu")
    assert run_training_in_terminal(config, tmp_path / "m.pt", data) == 0
    assert "has changed since its images were read (during training)" in capsys.readouterr().err
    recorded = DatasetInfo.from_metadata(load_checkpoint(tmp_path / "m.pt").metadata)
    assert recorded.digest == data.info.digest and recorded.image_count == 30


def test_a_sweep_trains_every_vae_on_the_folder_and_records_it(trained, tmp_path, capsys):
    folder, _ = trained
    out = tmp_path / "sweep"
    code = main(["sweep", "--betas", "1,100", "--out", str(out), "--data", str(folder), "--epochs", "1",
                 "--batch-size", "16", "--seed", "5", "--compile", "off"])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    for beta in ("1", "100"):
        checkpoint = load_checkpoint(out / f"vae-beta-{beta}.pt")
        info = DatasetInfo.from_metadata(checkpoint.metadata)
        assert info.name == "shapes" and info.class_names == ("circle", "cross", "square") and info.test_count == 15
        assert checkpoint.metadata["beta"] == float(beta) and len(checkpoint.history.steps) == 4  # 60 images / 16
    assert main(["evaluate", str(out / "vae-beta-1.pt"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["dataset"] == "shapes"


def test_a_sweep_on_a_folder_too_small_for_a_batch_exits_with_one_line(trained, tmp_path, capsys):
    folder, _ = trained
    code = main(
        ["sweep", "--betas", "1,100", "--out", str(tmp_path / "s"), "--data", str(folder), "--batch-size", "500"]
    )
    err = capsys.readouterr().err
    assert code == 1 and "fewer than one batch of 500" in err and "Traceback" not in err
    assert err.count("gaerchen: error") == 1 and not (tmp_path / "s").exists()
