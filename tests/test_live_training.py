import torch

from gaerchen_gui.core.config import TrainConfig
from gaerchen_gui.core.live_training import LiveSnapshot, TrainingStarted, live_training
from gaerchen_gui.core.training import StepEvent, StopEvent, Trainer


def test_snapshots_are_consistent_copies_and_throttled(small_train_set, test_set):
    config = TrainConfig.book("ae", batch_size=50, epochs=2, compile="off")
    trainer = Trainer(config, small_train_set, test_set, val_limit=200)
    live = test_set.images[:300]
    events = list(live_training(trainer, live, min_interval_s=0.0, max_share=1.0))
    assert isinstance(events[0], TrainingStarted)
    snapshots = [e for e in events if isinstance(e, LiveSnapshot)]
    steps = [e for e in events if isinstance(e, StepEvent)]
    assert isinstance(next(e for e in reversed(events) if not isinstance(e, LiveSnapshot)), StopEvent)
    assert len(snapshots) == len(steps) + 2  # before training, after every step, after the end
    assert all(s.embeddings.shape == (300, 2) for s in snapshots)
    assert not torch.equal(snapshots[0].embeddings, snapshots[-1].embeddings)  # the map moved
    # the last snapshot is the trained model, frozen and independent of it
    final = snapshots[-1].model
    assert not final.training and not any(p.requires_grad for p in final.parameters())
    with torch.no_grad():
        torch.testing.assert_close(final.embed(live), trainer.model.eval().embed(live))
        trainer.model.decoder.layers[0].bias.add_(1.0)
    assert not torch.equal(final.decoder.layers[0].bias, trainer.model.decoder.layers[0].bias)


def test_snapshot_budget_limits_their_number(small_train_set, test_set):
    config = TrainConfig.book("ae", batch_size=50, epochs=1, compile="off")
    trainer = Trainer(config, small_train_set, test_set, val_limit=200)
    events = list(live_training(trainer, test_set.images[:2000], min_interval_s=60.0))
    assert sum(isinstance(e, LiveSnapshot) for e in events) == 2  # only the first and the last
