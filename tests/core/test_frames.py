"""Recorded frames: the schedule, a short real run's frames against its saved weights, the checkpoint."""

import copy

import pytest
import torch

from gaerchen_gui.core.checkpoints import load_checkpoint, make_metadata, save_checkpoint
from gaerchen_gui.core.config import TrainConfig
from gaerchen_gui.core.evaluation import embed_all
from gaerchen_gui.core.frames import (
    LIVE_SUBSET,
    MAX_CODES_BYTES,
    MAX_FRAMES,
    MIN_FRAMES,
    PROBE_COUNT,
    Frames,
    decode_probes,
    frame_count,
    frame_steps,
)
from gaerchen_gui.core.models import build_model
from gaerchen_gui.core.run_result import result_metadata
from gaerchen_gui.core.training import StepEvent, Trainer


def make_trainer(small_train_set, test_set, frame_count=6, **overrides):
    config = TrainConfig.book(overrides.pop("model", "ae"), **{"batch_size": 50, "compile": "off", **overrides})
    return Trainer(config, small_train_set, test_set, val_limit=200, frame_count=frame_count)


def test_frame_steps_run_from_0_to_the_end_denser_early():
    steps = frame_steps(2814, 200)
    assert steps[0] == 0 and steps[-1] == 2814 and steps == sorted(set(steps))
    assert 150 <= len(steps) <= 200  # early steps coincide when rounded to whole steps
    gaps = [b - a for a, b in zip(steps, steps[1:], strict=False)]
    assert gaps[:10] == [1] * 10 and gaps[-1] > 50
    assert max(gaps[:20]) < min(gaps[-20:])  # (rounding to whole steps makes neighbours uneven)
    assert frame_steps(5, 200) == [0, 1, 2, 3, 4, 5]
    assert frame_steps(0, 10) == [0]


def test_frame_count_follows_the_cost_budget_and_the_limits():
    book_ae = frame_count(2814, 64, len(LIVE_SUBSET), 2)  # 3 epochs of 938 steps... the book AE
    book_vae = frame_count(3000, 100, len(LIVE_SUBSET), 2)
    assert MIN_FRAMES < book_ae < book_vae <= MAX_FRAMES
    assert frame_count(10, 64, 2000, 2) == MIN_FRAMES  # a tiny run still has a beginning and an end
    assert frame_count(10**6, 100, 2000, 2) == MAX_FRAMES
    assert frame_count(10**6, 100, 2000, 512) * 2000 * 512 * 2 <= MAX_CODES_BYTES
    assert frame_count(100, 64, 0, 2) == 0


def test_a_frame_holds_the_codes_that_the_weights_saved_at_its_step_give(small_train_set, test_set, tmp_path):
    trainer = make_trainer(small_train_set, test_set, epochs=2)  # 24 steps, 6 frames
    weights = {0: copy.deepcopy(trainer.model.state_dict())}
    for event in trainer.run():
        if isinstance(event, StepEvent):
            weights[event.global_step] = copy.deepcopy(trainer.model.state_dict())
    frames = trainer.recorder.frames()
    assert frames.steps.tolist() == frame_steps(24, 6) and frames.steps[0] == 0 and frames.steps[-1] == 24
    assert frames.codes.shape == (6, len(LIVE_SUBSET), 2) and frames.codes.dtype == torch.float16
    assert frames.probes.shape == (6, PROBE_COUNT, 32, 32) and frames.probes.dtype == torch.uint8
    live_images = test_set.images[torch.from_numpy(LIVE_SUBSET)]
    for f, step in enumerate(frames.steps.tolist()):
        model = build_model("ae", 2)
        model.load_state_dict(weights[step])
        path = save_checkpoint(tmp_path / f"step-{step}.pt", model, make_metadata(model))
        saved = load_checkpoint(path).model
        codes = embed_all(saved, live_images)
        torch.testing.assert_close(frames.codes[f].float(), codes, rtol=2e-3, atol=1e-3 * codes.abs().max().item())
        probes = decode_probes(saved, frames.probe_z)
        assert (probes.int() - frames.probes[f].int()).abs().max() <= 1
    # ... and the map changed while it trained: frames are not copies of one another
    assert not torch.equal(frames.codes[0], frames.codes[-1])


def test_frames_travel_with_the_checkpoint(small_train_set, test_set, tmp_path):
    trainer = make_trainer(small_train_set, test_set, model="vae", epochs=1)
    list(trainer.run())
    path = save_checkpoint(tmp_path / "vae.pt", trainer.model, result_metadata(trainer))
    loaded = load_checkpoint(path).frames
    recorded = trainer.recorder.frames()
    for got, want in zip(loaded.to_dict().values(), recorded.to_dict().values(), strict=True):
        assert torch.equal(got, want)
    # The checkpoint written again from what was loaded keeps them (the window's Save… of an opened model).
    checkpoint = load_checkpoint(path)
    again = save_checkpoint(tmp_path / "again.pt", checkpoint.model, checkpoint.metadata)
    assert torch.equal(load_checkpoint(again).frames.codes, recorded.codes)


def test_recording_does_not_change_the_training(small_train_set, test_set):
    def losses(frames):
        trainer = make_trainer(small_train_set, test_set, frame_count=frames, model="vae", epochs=1, seed=3)
        return [e.loss for e in trainer.run() if isinstance(e, StepEvent)], trainer

    with_frames, recorded = losses(6)
    without, bare = losses(0)
    assert with_frames == without
    assert len(recorded.recorder.frames()) == 6 and bare.recorder.frames() is None


def test_a_stopped_run_ends_with_a_frame_of_the_weights_it_keeps(small_train_set, test_set):
    trainer = make_trainer(small_train_set, test_set, frame_count=3, epochs=3)  # planned: 0, ~, 36
    for event in trainer.run():
        if isinstance(event, StepEvent) and event.global_step == 7:
            trainer.control.cancel()
    frames = trainer.recorder.frames()
    assert frames.steps[-1] == 7 == len(trainer.history.steps)
    live_images = test_set.images[torch.from_numpy(LIVE_SUBSET)]
    torch.testing.assert_close(frames.codes[-1].float(), embed_all(trainer.model, live_images), rtol=2e-3, atol=1e-2)


def test_a_checkpoint_from_before_frames_loads_without_them(tmp_path):
    model = build_model("ae", 2)
    path = save_checkpoint(tmp_path / "old.pt", model, make_metadata(model))
    checkpoint = load_checkpoint(path)
    assert checkpoint.frames is None and "frames" not in checkpoint.metadata


def _frames(n_frames=3, n_live=50, dim=2) -> dict:
    return Frames(
        steps=torch.arange(n_frames, dtype=torch.int64),
        codes=torch.zeros(n_frames, n_live, dim, dtype=torch.float16),
        probes=torch.zeros(n_frames, PROBE_COUNT, 32, 32, dtype=torch.uint8),
        probe_z=torch.zeros(PROBE_COUNT, dim),
        live_indices=torch.arange(n_live, dtype=torch.int64),
    ).to_dict()


@pytest.mark.parametrize(
    "damage",
    [
        # a few bytes that describe 200 x 10,000 x 2 numbers, all one stored zero (stride 0)
        lambda d: d.update(codes=torch.zeros(1, dtype=torch.float16).expand(3, 50, 2)),
        lambda d: d.update(codes=d["codes"].float()),  # another dtype
        lambda d: d.update(codes=torch.zeros(3, 50, 3, dtype=torch.float16)),  # another latent size
        lambda d: d.update(steps=torch.tensor([0, 5, 5])),  # not increasing
        lambda d: d.update(live_indices=torch.full((50,), 10_000)),  # no such test image
        lambda d: d.pop("probes"),
    ],
)
def test_crafted_frames_are_dropped_and_the_model_still_loads(tmp_path, damage):
    model = build_model("ae", 2)
    metadata = make_metadata(model)
    metadata["frames"] = _frames()
    assert Frames.from_dict(metadata["frames"], 2) is not None  # the undamaged table passes
    damage(metadata["frames"])
    path = save_checkpoint(tmp_path / "crafted.pt", model, metadata)
    checkpoint = load_checkpoint(path)
    assert checkpoint.frames is None and checkpoint.kind == "ae"


def test_too_many_frames_are_refused():
    with pytest.raises(ValueError, match="out of range"):
        Frames.from_dict(_frames(n_frames=MAX_FRAMES + 1), 2)
