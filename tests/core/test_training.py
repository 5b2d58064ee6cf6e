import threading

import pytest
import torch

from gaerchen_gui.core.config import ConfigError, TrainConfig
from gaerchen_gui.core.training import (
    EpochEvent,
    PausedEvent,
    StepEvent,
    StopEvent,
    TrainControl,
    Trainer,
    wants_compile,
)


def make_trainer(small_train_set, test_set, val_limit=500, **overrides):
    config = TrainConfig.book(overrides.pop("model", "ae"), **{"batch_size": 50, "compile": "off", **overrides})
    return Trainer(config, small_train_set, test_set, val_limit=val_limit)


def test_short_real_run_lowers_the_loss(small_train_set, test_set):
    trainer = make_trainer(small_train_set, test_set, epochs=3)
    events = list(trainer.run())
    steps = [e for e in events if isinstance(e, StepEvent)]
    epochs = [e for e in events if isinstance(e, EpochEvent)]
    assert len(steps) == 3 * 12 and [e.epoch for e in epochs] == [1, 2, 3]
    assert isinstance(events[-1], StopEvent) and events[-1].reason == "finished"
    assert sum(e.loss for e in steps[-5:]) / 5 < 0.9 * sum(e.loss for e in steps[:5]) / 5
    assert epochs[-1].val["bce"] < epochs[0].val["bce"]
    assert steps[-1].global_step == steps[-1].total_steps == 36
    assert all(e.images_per_s > 0 and e.eta_s >= 0 for e in steps)
    assert all(a.finished_at < b.finished_at for a, b in zip(steps, steps[1:], strict=False))
    assert trainer.torch_threads == torch.get_num_threads()  # this thread's, which ran the loop
    assert len(trainer.history.steps) == 36 and len(trainer.history.epochs) == 3
    assert trainer.epochs_completed == 3 and trainer.last_val == epochs[-1].val


def test_vae_run_reports_recon_and_kl(small_train_set, test_set):
    trainer = make_trainer(small_train_set, test_set, model="vae", epochs=1)
    events = list(trainer.run())
    step = next(e for e in events if isinstance(e, StepEvent))
    assert step.loss == pytest.approx(step.recon + step.kl, rel=1e-5)
    val = next(e for e in events if isinstance(e, EpochEvent)).val
    assert set(val) == {"bce", "recon", "kl", "total"}
    assert val["recon"] == pytest.approx(500 * val["bce"], rel=1e-6)


def test_same_seed_same_run(small_train_set, test_set):
    def losses(seed):
        trainer = make_trainer(small_train_set, test_set, model="vae", epochs=1, seed=seed)
        return [e.loss for e in trainer.run() if isinstance(e, StepEvent)]

    assert losses(3) == losses(3)
    assert losses(3) != losses(4)


def test_pause_yields_paused_events_until_resumed(small_train_set, test_set):
    trainer = make_trainer(small_train_set, test_set, epochs=1)
    trainer.control.pause()
    run = trainer.run()
    assert isinstance(next(run), PausedEvent)
    assert isinstance(next(run), PausedEvent)  # still paused: no step was taken
    assert trainer.history.steps == []
    trainer.control.resume()
    assert isinstance(next(run), StepEvent)
    run.close()


def test_pause_and_cancel_from_another_thread(small_train_set, test_set):
    control = TrainControl()
    trainer = make_trainer(small_train_set, test_set, epochs=5)
    trainer.control = control
    seen = []
    for event in trainer.run():
        seen.append(event)
        if isinstance(event, StepEvent) and event.global_step == 3:
            threading.Thread(target=control.pause).start()
        if isinstance(event, PausedEvent):
            threading.Thread(target=control.cancel).start()
    assert any(isinstance(e, PausedEvent) for e in seen)
    assert isinstance(seen[-1], StopEvent) and seen[-1].reason == "cancelled"
    assert max(e.global_step for e in seen if isinstance(e, StepEvent)) <= 4


def test_a_stopped_run_keeps_its_last_step_and_only_matching_test_results(small_train_set, test_set):
    from gaerchen_gui.core.run_result import kept_message, kept_metrics, result_metadata

    trainer = make_trainer(small_train_set, test_set, epochs=3)
    for event in trainer.run():
        if isinstance(event, EpochEvent):
            assert kept_metrics(trainer) == event.val  # measured on the weights the trainer holds
        if isinstance(event, StepEvent) and event.epoch == 2 and event.step == 5:
            trainer.control.cancel()
            at_stop = {k: v.clone() for k, v in trainer.model.state_dict().items()}
        stop = event
    assert trainer.epochs_completed == 1 and len(trainer.history.steps) == trainer.history.epochs[0]["global_step"] + 5
    assert all(torch.equal(v, at_stop[k]) for k, v in trainer.model.state_dict().items())
    assert kept_metrics(trainer) is None  # epoch 1's results are of other weights
    meta = result_metadata(trainer)
    assert meta["epochs_trained"] == 1 and meta["test_metrics"] == {} and meta["history"]["steps"].shape[0] == 17
    assert (
        kept_message(stop, trainer)
        == "Kept the weights of step 17 (1 finished epoch; no test results for these weights)."
    )


def test_the_test_pass_stops_within_a_batch_when_cancelled(small_train_set, test_set, monkeypatch):
    """Closing the window at an epoch's end must not wait for the whole test pass (issue 12.3)."""
    from gaerchen_gui.core import evaluation

    trainer = make_trainer(small_train_set, test_set, epochs=2, val_limit=2000)
    batches = []
    real = evaluation.mean_pixel_bce

    def counting_bce(*args):
        batches.append(1)
        if len(batches) == 2:
            trainer.control.cancel()  # as the GUI thread would, while the test pass runs
        return real(*args)

    monkeypatch.setattr(evaluation, "mean_pixel_bce", counting_bce)
    events = list(trainer.run())
    assert len(batches) == 2  # of 4 batches of 500
    assert isinstance(events[-1], StopEvent) and events[-1].reason == "cancelled"
    assert trainer.epochs_completed == 0 and not any(isinstance(e, EpochEvent) for e in events)


def test_non_finite_loss_stops_and_keeps_the_last_good_weights(small_train_set, test_set):
    from gaerchen_gui.core.data import ImageSet

    data = ImageSet(small_train_set.images.clone(), small_train_set.labels.clone())
    trainer = make_trainer(data, test_set, epochs=2)
    events = []
    for event in trainer.run():
        events.append(event)
        if isinstance(event, StepEvent) and event.global_step == 4:
            trainer.train_set.images.fill_(float("nan"))  # every later batch gives a NaN loss
    stop = events[-1]
    assert isinstance(stop, StopEvent) and stop.reason == "non_finite"
    assert "lower learning rate" in stop.message
    assert len(trainer.history.steps) == 4
    assert all(torch.isfinite(p).all() for p in trainer.model.parameters())


def test_non_finite_restores_exactly_the_weights_of_the_last_finite_step(small_train_set, test_set):
    from gaerchen_gui.core.data import ImageSet

    data = ImageSet(small_train_set.images.clone(), small_train_set.labels.clone())
    trainer = make_trainer(data, test_set, epochs=1)
    run = trainer.run()
    for _ in range(3):
        next(run)
    # step 4 starts from these weights, its loss is finite; step 5's is NaN
    before_step_4 = [p.detach().clone() for p in trainer.model.parameters()]
    next(run)  # step 4
    trainer.train_set.images.fill_(float("nan"))
    stop = next(run)
    assert isinstance(stop, StopEvent) and stop.reason == "non_finite"
    assert all(torch.equal(p, q) for p, q in zip(trainer.model.parameters(), before_step_4, strict=True))


def test_absurd_learning_rate_on_a_vae_stops_cleanly(small_train_set, test_set):
    trainer = make_trainer(small_train_set, test_set, model="vae", epochs=2, lr=10.0)
    stop = list(trainer.run())[-1]
    assert stop.reason == "non_finite"
    assert all(torch.isfinite(p).all() for p in trainer.model.parameters())


@pytest.mark.parametrize(
    "overrides, word",
    [
        ({"epochs": 0}, "epochs"),
        ({"batch_size": -5}, "batch size"),
        ({"lr": 0.0}, "learning rate"),
        ({"lr": float("nan")}, "learning rate"),
        ({"beta": -1.0}, "beta"),
        ({"latent_dim": 0}, "latent dim"),
        ({"limit": 0}, "limit"),
        ({"compile": "maybe"}, "compile"),
    ],
)
def test_invalid_hyperparameters_are_refused_with_a_reason(overrides, word):
    with pytest.raises(ConfigError, match=word):
        TrainConfig.book("vae", **overrides)


def test_book_presets():
    ae, vae = TrainConfig.book("ae"), TrainConfig.book("vae")
    assert (ae.epochs, ae.batch_size, ae.lr) == (3, 64, 1e-3)
    assert (vae.epochs, vae.batch_size, vae.lr, vae.beta) == (5, 100, 3e-4, 500.0)


def test_compile_falls_back_to_eager_when_the_compiler_fails(small_train_set, test_set, monkeypatch):
    def broken_compile(fn, *args, **kwargs):
        def fail(*a, **k):
            raise RuntimeError("no C++ compiler")

        return fail

    monkeypatch.setattr(torch, "compile", broken_compile)
    trainer = make_trainer(small_train_set, test_set, epochs=1, compile="on")
    events = list(trainer.run())
    assert events[-1].reason == "finished"
    assert trainer.compiled is False


def test_denormal_flushing_is_undone_after_the_run(small_train_set, test_set):
    trainer = make_trainer(small_train_set, test_set, epochs=1)
    tiny = torch.tensor([1e-40])  # a denormal float32
    for event in trainer.run():
        if isinstance(event, StepEvent):
            assert (tiny * 1).item() == 0.0  # flushed while training
    assert (tiny * 1).item() != 0.0


def test_auto_compile_stays_eager_on_the_cpu_even_for_long_runs(small_train_set, test_set):
    # the split batch trains as fast eagerly as compiled on a CPU (benchmarks/train_throughput.py)
    trainer = make_trainer(small_train_set, test_set, epochs=1, compile="auto")
    assert trainer.device.type == "cpu"
    assert not wants_compile(trainer.config.compile, trainer.device, 100_000)
    assert wants_compile("on", trainer.device, 10)  # asked for by name: honoured


def test_a_loss_that_turns_nan_right_after_an_epoch_keeps_no_test_results(small_train_set, test_set):
    """The restored weights are one update before the ones the epoch's test pass measured: its numbers
    must not become the checkpoint's, and both front ends say what is kept (issue 14.6)."""
    from gaerchen_gui.core.data import ImageSet
    from gaerchen_gui.core.run_result import kept_message, kept_metrics, result_metadata

    data = ImageSet(small_train_set.images.clone(), small_train_set.labels.clone())
    trainer = make_trainer(data, test_set, epochs=3)
    for event in trainer.run():
        if isinstance(event, EpochEvent):
            trainer.train_set.images.fill_(float("nan"))  # step 13, the first of epoch 2, gives NaN
        stop = event
    assert stop.reason == "non_finite" and "kept" not in stop.message  # what is kept: run_result's words
    assert len(trainer.history.steps) == 12 and trainer.epochs_completed == 1
    assert kept_metrics(trainer) is None and result_metadata(trainer)["test_metrics"] == {}
    assert kept_message(stop, trainer) == (
        "Kept the weights of step 12, the last with a finite loss "
        "(1 finished epoch; no test results for these weights)."
    )
