"""The time-lapse state without a window, on the frames of short real runs: loading, the position,
playback, frames arriving while a run trains, and compare panes moving together."""

from __future__ import annotations

import numpy as np
import pytest

from gaerchen_gui.components.model_state import ModelState
from gaerchen_gui.components.timelapse import SPEEDS, Timelapse, TimelapseSync, matching_index, steps_per_epoch_of
from gaerchen_gui.core.checkpoints import Checkpoint, make_metadata
from gaerchen_gui.core.models import build_model


def events_of(signal) -> list:  # a psygnal SignalInstance
    seen: list = []
    signal.connect(seen.append)
    return seen


def loaded(checkpoint: Checkpoint) -> Timelapse:
    timelapse = Timelapse()
    timelapse.load(checkpoint)
    return timelapse


def test_a_checkpoint_s_frames_load_with_their_steps_codes_and_probes(recorded_runs):
    checkpoint, _ = recorded_runs("ae", epochs=2, frames=8)
    frames = checkpoint.frames
    timelapse = loaded(checkpoint)
    assert len(timelapse) == len(frames) == 8
    assert timelapse.steps == frames.steps.tolist() and timelapse.steps[0] == 0 and timelapse.total_steps == 24
    np.testing.assert_array_equal(timelapse.codes(3), frames.codes[3].float().numpy())
    np.testing.assert_array_equal(timelapse.probes(7), frames.probes[7].numpy())
    np.testing.assert_array_equal(timelapse.live_indices, frames.live_indices.numpy())
    assert steps_per_epoch_of(checkpoint) == 12  # 600 images in batches of 50
    assert timelapse.label(len(timelapse) - 1) == "step 24 of 24, epoch 2.00"
    assert timelapse.label(None) == "live" and timelapse.position is None


def test_a_checkpoint_without_frames_has_an_empty_timelapse_and_stays_live():
    model = build_model("ae", latent_dim=2)
    timelapse = loaded(Checkpoint(model, make_metadata(model)))
    assert len(timelapse) == 0
    timelapse.seek(3)
    timelapse.step_by(-1)
    timelapse.play()
    assert timelapse.position is None and not timelapse.playing


def test_seeking_stepping_and_playback(recorded_runs):
    timelapse = loaded(recorded_runs("ae", epochs=2, frames=8)[0])
    positions = events_of(timelapse.position_changed)
    timelapse.step_by(-1)  # back from live: the last frame
    timelapse.step_by(-1)
    timelapse.seek(99)  # clamped
    timelapse.step_by(1)  # on from the last frame: live
    timelapse.seek(-4)
    assert positions == [7, 6, 7, None, 0]
    playing = events_of(timelapse.playing_changed)
    timelapse.play()
    for _ in range(7):
        timelapse.advance()
    assert timelapse.position == 7 and timelapse.playing
    timelapse.advance()  # past the last frame: back to the live map, and playback ends
    assert timelapse.position is None and playing == [True, False]
    timelapse.set_speed(SPEEDS[-1])
    assert timelapse.speed == SPEEDS[-1]
    with pytest.raises(ValueError, match="frames per second"):
        timelapse.set_speed(7)


def test_frames_arriving_while_a_run_trains_build_the_same_timelapse_as_its_checkpoint(recorded_runs):
    checkpoint, events = recorded_runs("ae", epochs=2, frames=8)
    assert [e.index for e in events] == list(range(8))  # each frame reached the loop's consumer, in order
    timelapse = loaded(recorded_runs("vae", epochs=1, frames=4)[0])  # another model's frames, shown before
    counts = events_of(timelapse.frames_changed)
    for event in events[:3]:
        timelapse.add_frame(event)
    assert timelapse.recording and len(timelapse) == 3 and timelapse.total_steps == 24
    timelapse.seek(1)  # scrub back while the run goes on: later frames do not move the position
    for event in events[3:]:
        timelapse.add_frame(event)
    timelapse.finish_recording()
    assert timelapse.position == 1 and counts == list(range(1, 9))  # the first frame restarted it: 1, not 5
    reference = loaded(checkpoint)
    assert timelapse.steps == reference.steps and timelapse.steps_per_epoch == reference.steps_per_epoch
    for i in range(len(reference)):
        np.testing.assert_allclose(timelapse.codes(i), reference.codes(i), rtol=0, atol=0)
        np.testing.assert_array_equal(timelapse.probes(i), reference.probes(i))


def test_a_model_loaded_mid_run_keeps_its_frames(recorded_runs):
    _, events = recorded_runs("ae", epochs=2, frames=8)
    state = ModelState()
    state.timelapse.add_frame(events[0])
    state.set_checkpoint(recorded_runs("vae", epochs=1, frames=4)[0], None)
    state.timelapse.add_frame(events[1])  # the run's next frame belongs to the model no longer shown
    assert len(state.timelapse) == 4 and not state.timelapse.recording


def test_compare_panes_scrub_together_by_step_or_by_fraction_of_the_run(recorded_runs):
    ae = recorded_runs("ae", epochs=2, frames=8)[0]
    same_schedule = loaded(recorded_runs("vae", epochs=2, frames=8)[0])
    shorter = loaded(recorded_runs("vae", epochs=1, frames=4)[0])  # 12 steps: steps 0, ..., 12
    driver = loaded(ae)
    sync = TimelapseSync([driver, same_schedule, shorter])
    driver.seek(5)
    assert same_schedule.position == 5  # the same steps: the same frame
    wanted = driver.fraction(5)
    best = min(range(len(shorter)), key=lambda i: abs(shorter.fraction(i) - wanted))
    assert shorter.position == best == matching_index(driver, 5, shorter)
    shorter.seek(len(shorter) - 1)  # any pane drives: the end of one run is the end of the others
    assert driver.position == len(driver) - 1 == same_schedule.position
    driver.seek(None)
    assert shorter.position is None and same_schedule.position is None
    shorter.play()
    driver.play()  # one plays, the others follow it
    assert driver.playing and not shorter.playing
    sync.set_members([driver])
    driver.seek(2)
    assert same_schedule.position is None  # no longer linked
