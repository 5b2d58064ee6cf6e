import time

import torch

from gaerchen_gui.core.config import TrainConfig
from gaerchen_gui.core.live_training import (
    LAG_GOAL_S,
    MAX_SHARE,
    MAX_WAIT_S,
    LiveMapFailed,
    LiveSnapshot,
    TrainingStarted,
    live_training,
    snapshot_wait,
)
from gaerchen_gui.core.training import StepEvent, StopEvent, Trainer


def test_snapshots_are_consistent_copies(small_train_set, test_set):
    config = TrainConfig.book("ae", batch_size=50, epochs=2, compile="off")
    trainer = Trainer(config, small_train_set, test_set, val_limit=200)
    live = test_set.images[:300]
    events = list(live_training(trainer, live, min_interval_s=0.0))
    assert isinstance(events[0], TrainingStarted)
    snapshots = [e for e in events if isinstance(e, LiveSnapshot)]
    assert isinstance(next(e for e in reversed(events) if not isinstance(e, LiveSnapshot)), StopEvent)
    assert isinstance(events[-1], LiveSnapshot) and events[-1].global_step == 24  # the final model, last
    steps = [s.global_step for s in snapshots]
    assert steps[0] == 0 and steps == sorted(steps) and len(steps) >= 3
    assert all(s.embeddings.shape == (300, 2) for s in snapshots)
    assert not torch.equal(snapshots[0].embeddings, snapshots[-1].embeddings)  # the map moved
    # the last snapshot is the trained model, frozen and independent of it
    final = snapshots[-1].model
    assert not final.training and not any(p.requires_grad for p in final.parameters())
    with torch.no_grad():
        torch.testing.assert_close(final.embed(live), trainer.model.eval().embed(live))
        trainer.model.decoder.layers[0].bias.add_(1.0)
    assert not torch.equal(final.decoder.layers[0].bias, trainer.model.decoder.layers[0].bias)


def test_a_snapshot_shows_the_step_it_was_taken_at(small_train_set, test_set):
    config = TrainConfig.book("ae", batch_size=50, epochs=1, compile="off")
    trainer = Trainer(config, small_train_set, test_set, val_limit=200)
    live = test_set.images[:300]
    embedded_at: dict[int, torch.Tensor] = {}
    for event in live_training(trainer, live, min_interval_s=0.0):
        if isinstance(event, StepEvent):
            with torch.no_grad():
                embedded_at[event.global_step] = trainer.model.eval().embed(live)
            trainer.model.train()
            time.sleep(0.05)  # let the snapshot thread finish before the next step
        elif isinstance(event, LiveSnapshot) and event.global_step > 0:
            torch.testing.assert_close(event.embeddings, embedded_at[event.global_step], atol=1e-4, rtol=1e-4)


def test_the_throttle_keeps_the_map_within_the_lag_goal_while_it_can():
    assert snapshot_wait(0.13) == 0.5  # this machine, idle: twice a second
    assert snapshot_wait(0.4) + 0.4 <= LAG_GOAL_S + 0.05  # busy, but still within about a second
    # out of reach: a quarter of the time at most, and never more than MAX_WAIT_S apart
    assert snapshot_wait(0.46) == 0.46 / MAX_SHARE
    assert snapshot_wait(5.0) == MAX_WAIT_S


def test_a_failing_snapshot_is_told_once_and_training_ends_with_its_model(small_train_set, test_set):
    config = TrainConfig.book("ae", batch_size=50, epochs=1, compile="off")
    trainer = Trainer(config, small_train_set, test_set, val_limit=200)
    wrong_size = torch.rand(100, 1, 20, 20)  # the encoder raises a RuntimeError on these, in the snapshot thread
    events = list(live_training(trainer, wrong_size, min_interval_s=0.0))
    failures = [e for e in events if isinstance(e, LiveMapFailed)]
    assert len(failures) == 1 and isinstance(failures[0].error, RuntimeError)
    assert not any(isinstance(e, LiveSnapshot) for e in events)
    stop = next(e for e in events if isinstance(e, StopEvent))
    assert stop.reason == "finished" and len(trainer.history.steps) == 12
