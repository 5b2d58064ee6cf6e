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
    assert reason in capsys.readouterr().err
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
