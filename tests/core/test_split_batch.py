"""Splitting a batch over worker threads must give the whole batch's loss and gradients."""

import threading

import pytest
import torch

import gaerchen_gui.core.training as training
from gaerchen_gui.core.config import TrainConfig
from gaerchen_gui.core.losses import ae_loss, vae_loss
from gaerchen_gui.core.models import build_model
from gaerchen_gui.core.split_batch import SplitBatch, parts_for, split_batch
from gaerchen_gui.core.training import StepEvent, Trainer


def test_split_gradients_equal_the_whole_batch_gradients(test_set):
    torch.manual_seed(0)
    model = build_model("vae")
    params = list(model.parameters())
    x = test_set.images[:37]  # odd size: unequal parts
    eps = torch.randn(37, 2)

    def loss_fn(xb, eps_b):
        out = model(xb, eps_b)
        return vae_loss(out.logits, xb, out.z_mean, out.z_log_var, beta=500.0)

    whole = loss_fn(x, eps)
    whole.total.backward()
    expected = [p.grad.clone() for p in params]
    for p in params:
        p.grad = None
    runner = SplitBatch(3)
    try:
        terms = runner.forward_backward(loss_fn, params, x, eps)
    finally:
        runner.close()
    for got, want in zip(terms, whole, strict=True):
        assert got.item() == pytest.approx(want.item(), rel=1e-5)
    for p, want in zip(params, expected, strict=True):
        torch.testing.assert_close(p.grad, want, rtol=1e-4, atol=1e-5)


def _step_losses(small_train_set, test_set, model, split, steps=6):
    original = training.parts_for
    # two parts when split, whatever this machine's thread count (the trainer splits one per thread)
    training.parts_for = lambda device, batch_size: 2 if split else 1
    try:
        config = TrainConfig.book(model, batch_size=50, epochs=1, compile="off", device="cpu")
        trainer = Trainer(config, small_train_set, test_set, val_limit=200)
        losses = []
        for event in trainer.run():
            if isinstance(event, StepEvent):
                losses.append(event.loss)
                if len(losses) == steps:
                    break
    finally:
        training.parts_for = original
    return losses


@pytest.mark.parametrize("model", ["ae", "vae"])
def test_split_training_follows_the_unsplit_trajectory(small_train_set, test_set, model):
    split = _step_losses(small_train_set, test_set, model, split=True)
    whole = _step_losses(small_train_set, test_set, model, split=False)
    # Same maths, sums in another order: only rounding differs (and grows slowly with the steps).
    assert split == pytest.approx(whole, rel=1e-3)


def test_split_training_is_reproducible(small_train_set, test_set):
    first = _step_losses(small_train_set, test_set, "vae", split=True)
    again = _step_losses(small_train_set, test_set, "vae", split=True)
    assert first == again


def test_parts_follow_the_thread_count_on_cpu_only():
    threads = torch.get_num_threads()
    assert parts_for(torch.device("cpu"), 100) == min(threads, 100 // 8)
    assert parts_for(torch.device("cpu"), 4) == 1
    assert parts_for(torch.device("cuda"), 100) == 1


def test_the_thread_count_is_restored_after_splitting():
    # A worker's set_num_threads(1) also sets the default that threads started later get.
    def new_thread_count():
        seen = []
        thread = threading.Thread(target=lambda: seen.append(torch.get_num_threads()))
        thread.start()
        thread.join()
        return seen[0]

    before = torch.get_num_threads()
    with split_batch(2) as runner:
        assert runner is not None
        model = build_model("ae")
        x = torch.rand(4, 1, 32, 32)
        runner.forward_backward(lambda xb, _eps: ae_loss(model(xb).logits, xb), list(model.parameters()), x)
        # a worker has started: its set_num_threads(1) ran
        assert new_thread_count() == 1
    assert new_thread_count() == before
    assert torch.get_num_threads() == before
