"""``gaerchen sweep`` and ``--kl-warmup`` from the command line, end to end on real data."""

import pytest

from gaerchen_gui.cli import main
from gaerchen_gui.core.checkpoints import load_checkpoint

SMALL = ["--limit", "200", "--epochs", "1", "--batch-size", "100", "--compile", "off"]


def test_a_sweep_saves_one_vae_per_beta_and_reports_each(tmp_path, capsys):
    out = tmp_path / "sweep"
    assert main(["sweep", "--betas", "5,500", "--out", str(out), "--kl-warmup", "3", *SMALL]) == 0
    err = capsys.readouterr().err
    assert "sweeping BETA over 5, 500: 2 VAEs" in err
    assert "run 1/2 beta 5: finished, test bce" in err and f"saved {out / 'vae-beta-5.pt'}" in err
    assert "run 2/2 beta 500: finished" in err and "Trained 2 VAEs in" in err
    for beta in (5.0, 500.0):
        meta = load_checkpoint(out / f"vae-beta-{beta:g}.pt").metadata
        assert meta["beta"] == beta and meta["config"]["kl_warmup_steps"] == 3 and meta["config"]["limit"] == 200


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--betas", "1,abc"], "betas must be numbers separated by commas, not 'abc'"),
        (["--betas", "0"], "beta must be a number in (0, "),
        (["--betas", "1,1"], "each BETA may appear only once"),
        (["--betas", "1", "--kl-warmup", "-5"], "KL warm-up steps must be a whole number from 0"),
    ],
)
def test_bad_sweep_settings_exit_2_with_the_sweeps_usage(tmp_path, capsys, args, reason):
    with pytest.raises(SystemExit) as exit_info:
        main(["sweep", "--out", str(tmp_path / "s"), *args, *SMALL])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert reason in err and err.startswith("usage: gaerchen sweep")
    assert not (tmp_path / "s").exists()


def test_a_sweep_into_a_place_that_cannot_take_files_is_refused_before_training(tmp_path, capsys):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(SystemExit) as exit_info:
        main(["sweep", "--betas", "1", "--out", str(blocker), *SMALL])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "--out:" in err and "sweeping" not in err


def test_train_with_a_kl_warm_up_records_it(tmp_path):
    out = tmp_path / "vae.pt"
    assert main(["train", "--model", "vae", "--out", str(out), "--kl-warmup", "1000", *SMALL]) == 0
    assert load_checkpoint(out).metadata["config"]["kl_warmup_steps"] == 1000
