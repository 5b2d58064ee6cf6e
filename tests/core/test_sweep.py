import pytest

from gaerchen_gui.core.checkpoints import load_checkpoint
from gaerchen_gui.core.config import ConfigError, TrainConfig
from gaerchen_gui.core.sweep import BetaSweep, SweepRunDone, SweepStep, SweepStopped, parse_betas, run_file_name


def test_parse_betas_accepts_a_list_and_names_what_is_wrong():
    assert parse_betas("1, 10,100.5") == [1.0, 10.0, 100.5]
    for text, message in [("1,x", "'x'"), ("1,,2", "''"), ("0,1", "beta"), ("1,1", "only once"), ("nan", "beta")]:
        with pytest.raises(ConfigError, match=message):
            parse_betas(text)
    with pytest.raises(ConfigError, match="at most"):
        parse_betas(",".join(str(b) for b in range(1, 40)))
    assert run_file_name(500.0) == "vae-beta-500.pt" and run_file_name(0.5) == "vae-beta-0.5.pt"


def test_only_vaes_are_swept(tmp_path):
    with pytest.raises(ConfigError, match="VAE"):
        BetaSweep(TrainConfig.book("ae"), [1.0], tmp_path)


def sweep_config(**overrides):
    return TrainConfig.book("vae", **{"epochs": 1, "batch_size": 100, "compile": "off", **overrides})


def test_a_real_sweep_trains_and_saves_one_vae_per_beta(small_train_set, test_set, tmp_path):
    sweep = BetaSweep(
        sweep_config(), [1.0, 500.0], tmp_path, train_set=small_train_set, test_set=test_set, val_limit=300
    )
    events = list(sweep.run())
    steps = [e for e in events if isinstance(e, SweepStep)]
    done = [e for e in events if isinstance(e, SweepRunDone)]
    assert isinstance(events[-1], SweepStopped) and events[-1].reason == "finished" and events[-1].runs_done == 2
    fractions = [e.fraction for e in steps]
    assert fractions == sorted(fractions) and fractions[-1] == pytest.approx(1.0)
    assert all(e.eta_s >= 0 for e in steps) and steps[0].runs == 2
    assert [e.beta for e in done] == [1.0, 500.0] and all(e.stop.reason == "finished" for e in done)
    for event, beta in zip(done, [1.0, 500.0], strict=True):
        checkpoint = load_checkpoint(event.path)
        assert event.path == tmp_path / run_file_name(beta)
        assert checkpoint.metadata["beta"] == beta and checkpoint.metadata["config"]["seed"] == 0
        assert checkpoint.test_metrics == event.test_metrics
    # Same seed, same images: BETA is the only difference, and it shows in the KL.
    assert done[0].test_metrics["kl"] < done[1].test_metrics["kl"]


def test_a_stopped_sweep_keeps_the_runs_it_finished(small_train_set, test_set, tmp_path):
    sweep = BetaSweep(
        sweep_config(), [10.0, 100.0, 1000.0], tmp_path, train_set=small_train_set, test_set=test_set, val_limit=100
    )
    events = []
    for event in sweep.run():
        events.append(event)
        if isinstance(event, SweepStep) and event.run == 1 and event.step.global_step == 2:
            sweep.control.cancel()
    done = [e for e in events if isinstance(e, SweepRunDone)]
    assert [e.stop.reason for e in done] == ["finished", "cancelled"]
    assert events[-1] == SweepStopped("cancelled", 1, "The sweep stopped during run 2 of 3.")
    assert load_checkpoint(done[0].path).metadata["epochs_trained"] == 1
    assert load_checkpoint(done[1].path).metadata["epochs_trained"] == 0  # the stopped run keeps its last step
    assert not (tmp_path / run_file_name(1000.0)).exists()
