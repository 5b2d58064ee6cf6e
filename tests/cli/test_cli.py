"""The command line end to end, on a few hundred real images."""

import csv
import json
import os
import signal
import subprocess
import sys
import time

import pytest
import torch

from gaerchen_gui.cli import main
from gaerchen_gui.core.checkpoints import load_checkpoint
from gaerchen_gui.core.data import DATA_DIR_ENV
from gaerchen_gui.core.device import resolve_precision


def run_cli(*args, env=None, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "gaerchen_gui", *args],
        capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})},
    )  # fmt: skip


@pytest.fixture(scope="module")
def trained_vae(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "vae.pt"
    code = main(["train", "--model", "vae", "--out", str(out), "--limit", "300", "--epochs", "1",
                 "--batch-size", "50", "--beta", "400", "--seed", "2", "--compile", "off"])  # fmt: skip
    assert code == 0
    return out


def test_train_writes_a_checkpoint_with_metadata(trained_vae):
    checkpoint = load_checkpoint(trained_vae)
    meta = checkpoint.metadata
    assert checkpoint.kind == "vae" and meta["beta"] == 400.0 and meta["epochs_trained"] == 1
    assert meta["config"]["limit"] == 300 and meta["config"]["seed"] == 2
    assert set(checkpoint.test_metrics) == {"bce", "recon", "kl", "total"}
    assert len(checkpoint.history.steps) == 6
    # the precision the run used: what "auto" means on this machine, never "auto" itself
    assert meta["precision"] == resolve_precision("auto", torch.device("cpu"))


def test_evaluate_json(trained_vae, capsys):
    assert main(["evaluate", str(trained_vae), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["model"] == "vae" and result["latent_dim"] == 2 and result["n_test"] == 10_000
    assert 0 < result["test_bce"] < 0.7 and result["test_kl"] >= 0
    stored = load_checkpoint(trained_vae).test_metrics
    assert result["test_bce"] == pytest.approx(stored["bce"], rel=1e-5)  # same maths in training and here
    assert result["trained_in"] == load_checkpoint(trained_vae).metadata["precision"]


def test_encode_csv(trained_vae, tmp_path):
    out = tmp_path / "z.csv"
    assert main(["encode", str(trained_vae), "--out", str(out)]) == 0
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 10_000
    assert list(rows[0]) == ["index", "label", "class_name", "z0", "z1"]
    assert rows[0]["label"] == "9" and rows[0]["class_name"] == "Ankle boot"
    float(rows[123]["z0"]), float(rows[123]["z1"])


def test_ae_train_then_evaluate_in_a_subprocess(tmp_path):
    out = tmp_path / "ae.pt"
    train = run_cli("train", "--model", "ae", "--out", str(out), "--limit", "200", "--epochs", "1", "--compile", "off")
    assert train.returncode == 0, train.stderr
    evaluate = run_cli("evaluate", str(out), "--json")
    result = json.loads(evaluate.stdout)
    assert result["model"] == "ae" and "test_kl" not in result


@pytest.mark.parametrize(
    "args, reason",
    [
        (["--epochs", "0"], "at least 1"),
        (["--lr", "abc"], "expected a number"),
        (["--lr", "nan"], "finite"),
        (["--lr", "-1"], "learning rate"),
        (["--beta", "0"], "beta"),
        (["--device", "tpu9"], "device"),
        (["--latent-dim", "1000"], "latent dim"),
        (["--precision", "fp16"], "invalid choice: 'fp16' (choose from 'auto', 'fp32', 'bf16')"),
    ],
)
def test_invalid_values_exit_2_with_a_reason(tmp_path, capsys, args, reason):
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--model", "vae", "--out", str(tmp_path / "x.pt"), *args])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert reason in err
    assert err.startswith("usage: gaerchen train")  # the command's usage, also for errors found after parsing
    assert not (tmp_path / "x.pt").exists()


def test_bad_checkpoint_exits_nonzero_without_traceback(tmp_path):
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"\x00garbage" * 100)
    for command in (["evaluate", str(bad), "--json"], ["encode", str(bad), "--out", str(tmp_path / "z.csv")]):
        result = run_cli(*command)
        assert result.returncode == 1
        assert "bad.pt" in result.stderr and "not a Gaerchen checkpoint" in result.stderr
        assert "Traceback" not in result.stderr and result.stdout == ""


def test_missing_dataset_message(tmp_path, trained_vae):
    result = run_cli("evaluate", str(trained_vae), env={DATA_DIR_ENV: str(tmp_path)})
    assert result.returncode == 1
    assert "Fashion-MNIST file not found" in result.stderr and "t10k-images-idx3-ubyte" in result.stderr
    assert "Traceback" not in result.stderr


def test_ctrl_c_stops_cleanly_and_saves_the_weights_of_the_last_step(tmp_path):
    out = tmp_path / "interrupted.pt"
    process = subprocess.Popen(
        [sys.executable, "-m", "gaerchen_gui", "train", "--model", "ae", "--out", str(out),
         "--limit", "400", "--epochs", "500", "--compile", "off"],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    lines = []
    deadline = time.monotonic() + 240
    for line in iter(process.stderr.readline, ""):  # epoch summaries end with a newline; the bar does not
        lines.append(line)
        if "epoch 1/500: val" in line or time.monotonic() > deadline:
            break
    process.send_signal(signal.SIGINT)
    _, rest = process.communicate(timeout=120)
    stderr = "".join(lines) + rest
    assert process.returncode == 130, stderr
    assert "Stopped by request" in stderr and "Traceback" not in stderr
    assert "saved interrupted.pt" in stderr.replace(str(tmp_path) + "/", ""), stderr
    assert "Kept the weights of step" in stderr, stderr  # the rule of gaerchen_gui.core.run_result
    checkpoint = load_checkpoint(out)
    assert 1 <= checkpoint.metadata["epochs_trained"] < 500
    assert len(checkpoint.history.epochs) == checkpoint.metadata["epochs_trained"]
    assert len(checkpoint.history.steps) >= checkpoint.history.epochs[-1]["global_step"]


@pytest.mark.parametrize(
    ("make_out", "reason"),
    [
        (lambda tmp: tmp, "is a folder"),
        (lambda tmp: os.mkfifo(tmp / "pipe.pt") or tmp / "pipe.pt", "not a regular file"),
        (lambda tmp: "/dev/full", "not a regular file"),
        (lambda tmp: (tmp / "plain").write_text("x") and tmp / "plain" / "x.pt", "is a file, not a folder"),
        (lambda tmp: "/proc/x.pt", "no file can be created in /proc"),
    ],
    ids=["folder", "fifo", "device", "under-a-file", "proc"],
)
def test_an_out_that_cannot_be_written_is_refused_before_training(tmp_path, capsys, make_out, reason):
    out = make_out(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--model", "ae", "--out", str(out), "--limit", "100", "--epochs", "1", "--compile", "off"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert (
        err.startswith("usage: gaerchen train")
        and "gaerchen train: error: --out: " in err
        and str(out) in err
        and reason in err
    )
    assert "training AE" not in err  # refused before the run, not after it
    assert os.path.exists("/dev/full") and not os.path.isfile("/dev/full")


def test_a_full_disk_at_the_end_keeps_the_model_and_says_where(tmp_path, capsys, full_disk):
    from gaerchen_gui.core.save_target import user_models_dir

    folder = tmp_path / "full"
    folder.mkdir()
    full_disk(folder)  # the check before training passes (an empty file fits); the save fails
    code = main(["train", "--model", "ae", "--out", str(folder / "ae.pt"), "--limit", "100", "--epochs", "1",
                 "--compile", "off"])  # fmt: skip
    assert code == 1
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert last.startswith(f"gaerchen: error: could not save {folder / 'ae.pt'}: No space left on device; ")
    fallback = user_models_dir() / last.split("saved the model to ")[1].removesuffix(" instead.")
    assert fallback.parent == user_models_dir() and load_checkpoint(fallback).metadata["epochs_trained"] == 1
    assert list(folder.iterdir()) == []


def _no_nan(token):
    raise ValueError(f"invalid JSON constant {token}")


def test_evaluate_json_says_null_for_a_metric_that_is_not_a_number(tmp_path, capsys):
    from gaerchen_gui.core.checkpoints import make_metadata, save_checkpoint
    from gaerchen_gui.core.models import build_model

    model = build_model("vae")
    with torch.no_grad():
        model.encoder.features[0].weight.fill_(3e38)  # finite weights whose activations overflow
    path = save_checkpoint(tmp_path / "overflow.pt", model, make_metadata(model))
    assert main(["evaluate", str(path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out, parse_constant=_no_nan)  # strict JSON: no NaN, no Infinity
    assert result["test_bce"] is None and result["test_kl"] is None and result["model"] == "vae"


def test_evaluate_on_a_pickle_protocol_4_file_says_one_line(tmp_path):
    import hashlib
    import io

    from gaerchen_gui.core.checkpoints import MAGIC, make_metadata
    from gaerchen_gui.core.models import build_model

    model = build_model("ae")
    buffer = io.BytesIO()
    payload = {"format": "gaerchen-checkpoint", "format_version": 1, "metadata": make_metadata(model),
               "state_dict": model.state_dict()}  # fmt: skip
    torch.save(payload, buffer, pickle_protocol=4)
    body = buffer.getvalue()
    (tmp_path / "p4.pt").write_bytes(body + hashlib.sha256(body).digest() + MAGIC)
    result = run_cli("evaluate", str(tmp_path / "p4.pt"), "--json")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("gaerchen: error: p4.pt "), result.stderr
