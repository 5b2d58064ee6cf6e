"""Where a checkpoint may be written: the check, the refusals, stale temp files, the fallback."""

import os
import subprocess
import sys
import time

import pytest

from gaerchen_gui.core import save_target
from gaerchen_gui.core.checkpoints import load_checkpoint, make_metadata, save_checkpoint, save_with_fallback
from gaerchen_gui.core.models import build_model
from gaerchen_gui.core.save_target import (
    STALE_AFTER_S,
    SaveTargetError,
    clean_stale_temps,
    target_problem,
    user_models_dir,
)


def save(path):
    model = build_model("ae")
    return save_checkpoint(path, model, make_metadata(model))


def test_a_new_or_existing_file_and_missing_folders_are_fine(tmp_path):
    assert target_problem(tmp_path / "new.pt") is None
    assert target_problem(tmp_path / "more" / "folders" / "new.pt") is None  # the save creates them
    save(tmp_path / "old.pt")
    assert target_problem(tmp_path / "old.pt") is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.pt"]  # the check left nothing behind


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda tmp: tmp, "is a folder"),
        (lambda tmp: os.mkfifo(tmp / "pipe.pt") or tmp / "pipe.pt", "not a regular file"),
        (lambda tmp: "/dev/null", "not a regular file"),  # a device node: never replaced, even by root
        (lambda tmp: (tmp / "plain").write_text("x") and tmp / "plain" / "model.pt", "is a file, not a folder"),
        (lambda tmp: "/proc/model.pt", "no file can be created in /proc"),  # writable to root on paper only
    ],
    ids=["folder", "fifo", "device", "under-a-file", "proc"],
)
def test_paths_that_cannot_take_a_checkpoint_say_why_in_one_line(tmp_path, make, words):
    target = make(tmp_path)
    problem = target_problem(target)
    assert problem is not None and words in problem and str(target) in problem and "\n" not in problem


def test_the_save_itself_refuses_a_pipe_and_leaves_it(tmp_path):
    pipe = tmp_path / "pipe.pt"
    os.mkfifo(pipe)
    with pytest.raises(SaveTargetError, match="not a regular file"):
        save(pipe)
    assert pipe.is_fifo() and sorted(p.name for p in tmp_path.iterdir()) == ["pipe.pt"]


def test_something_put_at_the_path_while_writing_is_not_replaced(tmp_path, monkeypatch):
    path = tmp_path / "model.pt"
    real_fsync = os.fsync

    def fsync_then_a_pipe_appears(fd):
        real_fsync(fd)
        os.mkfifo(path)

    monkeypatch.setattr(os, "fsync", fsync_then_a_pipe_appears)
    with pytest.raises(SaveTargetError, match="not a regular file"):
        save(path)
    assert path.is_fifo() and sorted(p.name for p in tmp_path.iterdir()) == ["model.pt"]


def test_a_symbolic_link_is_written_through(tmp_path):
    target = tmp_path / "real.pt"
    save(target)
    link = tmp_path / "link.pt"
    link.symlink_to(target)
    before = target.stat().st_mtime_ns
    time.sleep(0.01)
    assert save(link) == target
    assert link.is_symlink() and target.stat().st_mtime_ns != before
    load_checkpoint(link)


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _temp(folder, name, age_s):
    path = folder / name
    path.write_bytes(b"half a checkpoint")
    stamp = time.time() - age_s
    os.utime(path, (stamp, stamp))
    return path


def test_stale_temp_files_are_cleaned_and_live_ones_kept(tmp_path):
    me, dead = os.getpid(), _dead_pid()
    stale = [
        _temp(tmp_path, f".a.pt.gaerchen-{dead}.abcd1234.tmp", 60),  # its writer is gone
        _temp(tmp_path, f".b.pt.gaerchen-{me}.abcd1234.tmp", STALE_AFTER_S + 60),  # untouched for too long
        _temp(tmp_path, ".c.pt.k2j4h5g6.tmp", STALE_AFTER_S + 60),  # an earlier version's name
    ]
    kept = [
        _temp(tmp_path, f".d.pt.gaerchen-{me}.abcd1234.tmp", 1),  # being written now
        _temp(tmp_path, f".e.pt.gaerchen-{dead}.abcd1234.tmp", 1),  # too young to judge (another machine?)
        _temp(tmp_path, ".f.pt.k2j4h5g6.tmp", 60),  # an earlier version's, recent
        _temp(tmp_path, ".notes.txt.abcd1234.tmp", STALE_AFTER_S + 60),  # not Gaerchen's
        _temp(tmp_path, "model.pt", STALE_AFTER_S + 60),
    ]
    assert sorted(clean_stale_temps(tmp_path)) == sorted(stale)
    assert all(p.exists() for p in kept) and not any(p.exists() for p in stale)


def test_the_next_save_to_a_folder_cleans_what_interrupted_saves_left(tmp_path):
    left = _temp(tmp_path, f".model.pt.gaerchen-{_dead_pid()}.abcd1234.tmp", 60)
    save(tmp_path / "other.pt")
    assert not left.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["other.pt"]


def test_a_full_disk_falls_back_to_the_user_models_folder(tmp_path, full_disk):
    full_disk(tmp_path)
    model = build_model("vae")
    saved = save_with_fallback(tmp_path / "vae.pt", model, make_metadata(model))
    assert saved.path.parent == user_models_dir() and saved.path.name.startswith("vae")
    assert saved.problem == f"could not save {tmp_path / 'vae.pt'}: No space left on device"
    assert load_checkpoint(saved.path).kind == "vae"
    assert list(tmp_path.iterdir()) == []  # nothing half-written where it failed
    again = save_with_fallback(tmp_path / "vae.pt", model, make_metadata(model))
    assert again.path != saved.path and again.path.parent == saved.path.parent  # the first is not replaced


def test_when_every_place_is_full_the_error_names_them_all(tmp_path, full_disk, monkeypatch):
    monkeypatch.setattr(save_target.tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    full_disk(tmp_path, user_models_dir(), tmp_path / "tmp")
    model = build_model("ae")
    with pytest.raises(OSError) as err:
        save_with_fallback(tmp_path / "ae.pt", model, make_metadata(model))
    message = str(err.value)
    assert message.count("No space left on device") == 3 and "\n" not in message
    assert str(user_models_dir()) in message and str(tmp_path / "tmp") in message
