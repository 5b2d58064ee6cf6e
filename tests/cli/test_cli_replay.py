"""``gaerchen timelapse`` and ``gaerchen walk`` end to end, on a short real run and the shipped models."""

import imageio_ffmpeg
import pytest
from PIL import Image

from gaerchen_gui.cli import main
from gaerchen_gui.core.checkpoints import save_checkpoint
from gaerchen_gui.core.config import TrainConfig
from gaerchen_gui.core.model_loading import shipped_path
from gaerchen_gui.core.run_result import result_metadata
from gaerchen_gui.core.training import Trainer


@pytest.fixture(scope="module")
def recorded(tmp_path_factory, small_train_set, test_set):
    """A checkpoint of a short real run that recorded 5 frames."""
    config = TrainConfig.book("vae", epochs=1, batch_size=50, compile="off")
    trainer = Trainer(config, small_train_set, test_set, val_limit=200, frame_count=5)
    list(trainer.run())
    return save_checkpoint(tmp_path_factory.mktemp("replay") / "vae.pt", trainer.model, result_metadata(trainer))


def gif_frames(path):
    with Image.open(path) as image:
        return image.n_frames, image.size


def test_timelapse_writes_one_gif_frame_per_recorded_frame(recorded, tmp_path, capsys):
    out = tmp_path / "t.gif"
    assert main(["timelapse", str(recorded), "--out", str(out), "--size", "128", "--fps", "10"]) == 0
    assert gif_frames(out) == (5, (128, 128))
    assert "wrote 5 frames (128 x 128, steps 0 to 12)" in capsys.readouterr().err


def test_timelapse_as_mp4(recorded, tmp_path):
    out = tmp_path / "t.mp4"
    assert main(["timelapse", str(recorded), "--out", str(out), "--size", "160"]) == 0
    reader = imageio_ffmpeg.read_frames(str(out))
    assert tuple(next(reader)["size"]) == (160, 160) and sum(1 for _ in reader) == 5


def test_timelapse_of_a_checkpoint_without_frames_says_so(tmp_path, capsys, small_train_set, test_set):
    config = TrainConfig.book("ae", epochs=1, batch_size=50, limit=100, compile="off")
    trainer = Trainer(config, small_train_set, test_set, val_limit=100, frame_count=0)  # records nothing
    list(trainer.run())
    plain = save_checkpoint(tmp_path / "plain.pt", trainer.model, result_metadata(trainer))
    out = tmp_path / "t.gif"
    assert main(["timelapse", str(plain), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "plain.pt has no recorded frames" in err and "Traceback" not in err
    assert not out.exists()


def test_timelapse_to_a_full_disk_says_so_and_leaves_nothing(recorded, tmp_path, capsys, full_disk):
    full_disk(tmp_path)
    assert main(["timelapse", str(recorded), "--out", str(tmp_path / "t.gif"), "--size", "64"]) == 1
    assert "No space left on device" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("name", "frames", "size"), [("w.gif", 6, (96, 96)), ("w.png", 1, (6 * 96, 96))])
def test_walk_between_two_test_images(tmp_path, name, frames, size):
    out = tmp_path / name
    args = ["walk", str(shipped_path("vae")), "--from", "3", "--to", "42", "--steps", "6", "--size", "96"]
    assert main([*args, "--slerp", "--out", str(out)]) == 0
    assert gif_frames(out) == (frames, size)


def test_walk_as_mp4(tmp_path):
    out = tmp_path / "w.mp4"
    assert main(["walk", str(shipped_path("ae")), "--from", "0", "--to", "1", "--out", str(out)]) == 0
    reader = imageio_ffmpeg.read_frames(str(out))
    assert tuple(next(reader)["size"]) == (160, 160) and sum(1 for _ in reader) == 10


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["walk", "{vae}", "--from", "0", "--to", "10000", "--out", "{dir}/w.gif"], "numbered 0 to 9999"),
        (["walk", "{vae}", "--from", "0", "--to", "1", "--steps", "1", "--out", "{dir}/w.gif"], "from 2"),
        (["walk", "{vae}", "--from", "0", "--to", "1", "--out", "{dir}/w.jpg"], "must end in .gif, .mp4, .png"),
        (["timelapse", "{vae}", "--out", "{dir}/t.png"], "must end in .gif, .mp4"),
        (["timelapse", "{vae}", "--out", "{dir}/t.gif", "--size", "100"], "multiple of 16"),
        (["timelapse", "{vae}", "--out", "{dir}/t.gif", "--fps", "0"], "from 1 to 50"),
        (["timelapse", "{vae}", "--out", "{dir}/folder.gif"], "is a folder"),
    ],
)
def test_bad_arguments_exit_2_with_a_reason(tmp_path, capsys, args, reason):
    (tmp_path / "folder.gif").mkdir()
    filled = [a.format(vae=shipped_path("vae"), dir=tmp_path) for a in args]
    with pytest.raises(SystemExit) as exit_:
        main(filled)
    assert exit_.value.code == 2
    assert reason in capsys.readouterr().err
