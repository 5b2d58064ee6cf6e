"""Training precision: what "auto" picks, bf16 gradients close to fp32's, bf16-trained checkpoints in fp32.

The bf16 path runs on any CPU (emulated, slowly, where there are no bf16 units), so
these tests run everywhere; which CPU has native bf16 is mocked where it matters.
"""

from __future__ import annotations

import pytest
import torch

from gaerchen_gui.core import device as device_module
from gaerchen_gui.core import training
from gaerchen_gui.core.checkpoints import load_checkpoint, make_metadata, save_checkpoint, trained_precision
from gaerchen_gui.core.config import ConfigError, TrainConfig
from gaerchen_gui.core.device import autocast, cpu_bf16_flags, resolve_precision
from gaerchen_gui.core.evaluation import evaluate
from gaerchen_gui.core.model_loading import describe
from gaerchen_gui.core.precision import PRECISIONS
from gaerchen_gui.core.training import StepEvent, StopEvent, Trainer

CPU = torch.device("cpu")


def make_trainer(small_train_set, test_set, frame_count=None, **overrides):
    config = TrainConfig.book(overrides.pop("model", "ae"), **{"batch_size": 50, "compile": "off", **overrides})
    return Trainer(config, small_train_set, test_set, val_limit=500, frame_count=frame_count)


@pytest.fixture
def cpu_with(monkeypatch):
    """Pretend the CPU has exactly the given /proc/cpuinfo flags."""

    def pretend(*flags: str) -> None:
        monkeypatch.setattr(device_module, "cpu_flags", lambda: frozenset(flags))

    return pretend


def test_auto_is_fp32_on_a_cpu_without_bf16(cpu_with):
    cpu_with("fpu", "sse2", "avx2", "fma")  # an AVX2-only EPYC (Zen 3)
    assert cpu_bf16_flags() == []
    assert resolve_precision("auto", CPU) == "fp32"
    assert resolve_precision("bf16", CPU) == "bf16"  # asked for by name: emulated, but honoured


@pytest.mark.parametrize("flags", [("avx512f", "avx512_bf16"), ("avx512f", "amx_tile", "amx_bf16")])
def test_auto_is_bf16_where_the_cpu_has_bf16_units(cpu_with, flags):
    cpu_with("avx2", *flags)
    assert cpu_bf16_flags() and resolve_precision("auto", CPU) == "bf16"
    assert resolve_precision("fp32", CPU) == "fp32"


def test_the_trainer_resolves_auto_and_keeps_fp32_weights(cpu_with, small_train_set, test_set):
    cpu_with("avx2")
    assert make_trainer(small_train_set, test_set, epochs=1).precision == "fp32"
    cpu_with("avx512_bf16")
    trainer = make_trainer(small_train_set, test_set, epochs=1)
    assert trainer.precision == "bf16" and trainer.config.precision == "auto"
    assert all(p.dtype == torch.float32 for p in trainer.model.parameters())


def test_precision_is_validated():
    assert PRECISIONS == ("auto", "fp32", "bf16") and TrainConfig().precision == "auto"
    with pytest.raises(ConfigError, match="precision"):
        TrainConfig.book("ae", precision="fp16")


def conv_output_dtypes(model: torch.nn.Module) -> tuple[list[torch.dtype], torch.utils.hooks.RemovableHandle]:
    seen: list[torch.dtype] = []
    handle = model.encoder.features[0].register_forward_hook(lambda m, i, out: seen.append(out.dtype))
    return seen, handle


@pytest.mark.parametrize("model", ["ae", "vae"])
@pytest.mark.parametrize("n_parts", [1, 2])
def test_a_bf16_step_gives_gradients_close_to_fp32s(small_train_set, test_set, model, n_parts, monkeypatch):
    # the batch split into n_parts, whatever this machine's thread count (the trainer splits one per thread)
    monkeypatch.setattr(training, "parts_for", lambda device, batch_size: n_parts)
    grads, losses = {}, {}
    for precision in ("fp32", "bf16"):
        # the same seed: the same first batch and VAE noise for both precisions
        # No frames: the recorder's fp32 encoder passes would be counted by the hook below.
        trainer = make_trainer(
            small_train_set, test_set, model=model, batch_size=100, precision=precision, frame_count=0
        )
        dtypes, handle = conv_output_dtypes(trainer.model)
        events = trainer.run()
        first_step = next(e for e in events if isinstance(e, StepEvent))
        events.close()  # the gradients of that step stay on the parameters
        handle.remove()
        # Autocast is per thread: every split-batch worker must have run its part in bf16.
        expected = torch.bfloat16 if precision == "bf16" else torch.float32
        assert dtypes and all(d == expected for d in dtypes) and len(dtypes) == n_parts
        grads[precision] = torch.cat([p.grad.flatten() for p in trainer.model.parameters()])
        assert all(p.grad.dtype == torch.float32 for p in trainer.model.parameters())
        losses[precision] = first_step.loss
    fp32, bf16 = grads["fp32"], grads["bf16"]
    assert not torch.equal(fp32, bf16)  # bf16 really ran
    assert torch.nn.functional.cosine_similarity(fp32, bf16, dim=0) > 0.99
    assert (bf16 - fp32).norm() / fp32.norm() < 0.1
    assert losses["bf16"] == pytest.approx(losses["fp32"], rel=0.01)


def test_autocast_is_a_no_op_for_fp32():
    with autocast("fp32", CPU):
        assert not torch.is_autocast_enabled("cpu")
    with autocast("bf16", CPU):
        assert torch.is_autocast_enabled("cpu")


def test_a_bf16_trained_checkpoint_records_it_and_evaluates_in_fp32(small_train_set, test_set, tmp_path):
    trainer = make_trainer(small_train_set, test_set, model="vae", epochs=1, precision="bf16")
    stop = [e for e in trainer.run() if isinstance(e, StopEvent)][-1]
    assert stop.reason == "finished"
    metadata = make_metadata(
        trainer.model,
        config=trainer.config.to_dict(),
        epochs_trained=1,
        test_metrics=trainer.last_val,
        history=trainer.history,
        precision=trainer.precision,
    )
    path = save_checkpoint(tmp_path / "vae-bf16.pt", trainer.model, metadata)
    checkpoint = load_checkpoint(path)
    assert checkpoint.metadata["precision"] == "bf16" and trained_precision(checkpoint.metadata) == "bf16"
    assert all(t.dtype == torch.float32 for t in checkpoint.model.state_dict().values())
    metrics = evaluate(checkpoint.model, test_set.images[:500], beta=500.0)
    assert metrics["bce"] == pytest.approx(trainer.last_val["bce"], rel=1e-5)  # the evaluation was fp32 too
    assert metrics["kl"] == pytest.approx(trainer.last_val["kl"], rel=1e-4)
    assert "trained in bf16" in describe(checkpoint)


def test_fp32_and_older_checkpoints_say_nothing_about_precision(small_train_set, test_set, tmp_path):
    trainer = make_trainer(small_train_set, test_set, epochs=1, precision="fp32")
    metadata = make_metadata(trainer.model, config=trainer.config.to_dict(), precision=trainer.precision)
    checkpoint = load_checkpoint(save_checkpoint(tmp_path / "ae.pt", trainer.model, metadata))
    assert checkpoint.metadata["precision"] == "fp32" and "trained in" not in describe(checkpoint)
    del checkpoint.metadata["precision"]  # a file from before the setting existed
    assert trained_precision(checkpoint.metadata) == "fp32" and "trained in" not in describe(checkpoint)
