"""The explorer state without a window: events, latest-wins tickets, live views, the shared cursor."""

from __future__ import annotations

import numpy as np
import pytest

from gaerchen_gui.components.explorer_state import MAX_MODELS, ExplorerState
from gaerchen_gui.components.model_state import Busy, CursorImage, ManifoldPicture, ModelState
from gaerchen_gui.core.checkpoints import Checkpoint, make_metadata
from gaerchen_gui.core.encoding import EncodedSet
from gaerchen_gui.core.models import build_model
from gaerchen_gui.core.neighbours import NearestIndex


def checkpoint(kind: str = "ae") -> Checkpoint:
    model = build_model(kind, latent_dim=2)
    return Checkpoint(model, make_metadata(model))


def encoded(n: int = 20, seed: int = 0, test_ids: np.ndarray | None = None) -> EncodedSet:
    z = np.random.default_rng(seed).normal(size=(n, 2)).astype(np.float32)
    return EncodedSet(z, np.arange(n) % 10, np.zeros((n, 32, 32), np.float32), NearestIndex(z), test_ids)


def recorder(signal) -> list:  # a psygnal SignalInstance
    seen: list = []
    signal.connect(lambda *args: seen.append(args[0] if len(args) == 1 else args))
    return seen


def test_a_new_checkpoint_clears_what_was_derived_from_the_old_one():
    state = ModelState()
    state.set_checkpoint(checkpoint("ae"), "ae")
    state.set_encoded(encoded())
    state.set_samples(np.zeros((3, 2), np.float32))
    state.set_train_points((np.zeros((5, 2), np.float32), np.zeros(5, np.int64)))
    cleared = recorder(state.encoded_changed), recorder(state.samples_changed), recorder(state.train_points_changed)
    state.set_checkpoint(checkpoint("vae"), "vae")
    assert state.kind == "vae" and state.source == "vae"
    assert state.encoded is None and state.samples is None and state.train_points is None
    assert [seen for seen in cleared] == [[None], [None], [None]]


def test_latest_wins_a_newer_job_or_a_new_checkpoint_makes_results_stale():
    state = ModelState()
    state.set_checkpoint(checkpoint(), "ae")
    first = state.ticket("encode")
    second = state.ticket("encode")
    assert not state.set_encoded(encoded(seed=1), first)  # a newer encoding started
    assert state.encoded is None
    assert state.set_encoded(encoded(seed=2), second)
    other_job = state.ticket("train_points")
    assert state.is_current(second) and state.is_current(other_job)  # kinds do not interfere
    state.set_checkpoint(checkpoint(), "ae")
    assert not state.is_current(other_job)
    assert not state.set_train_points((np.zeros((1, 2)), np.zeros(1)), other_job)
    assert not state.set_busy(Busy("training images", 0.5), other_job)
    cancelled = state.ticket("train_points")
    state.cancel("train_points")
    assert not state.is_current(cancelled)


def test_a_manifold_from_an_older_request_of_the_same_model_is_still_shown():
    state = ModelState()
    state.set_checkpoint(checkpoint(), "ae")
    older, newer = state.ticket("manifold"), state.ticket("manifold")
    picture = ManifoldPicture(np.zeros((4, 4)), (0, 0, 1, 1), 4, "uniform", 0.1, ("k",))
    assert state.set_manifold(picture, older)  # while a model trains, the last grid is better than none
    assert state.manifold is picture
    state.set_checkpoint(checkpoint(), "ae")
    assert not state.set_manifold(picture, newer)


def test_sample_images_are_taken_only_for_the_samples_shown():
    state = ModelState()
    points = np.arange(6, dtype=np.float32).reshape(3, 2)
    state.set_samples(points)
    assert not state.set_sample_images(points + 1, np.zeros((3, 32, 32)))  # decoded for older samples
    assert state.sample_images is None
    assert state.set_sample_images(points.copy(), np.ones((3, 32, 32)))
    assert state.sample_images is not None


def test_a_live_snapshot_decodes_with_its_own_weights_and_drops_samples_and_training_points():
    state = ModelState()
    state.set_checkpoint(checkpoint("ae"), "ae")
    state.set_encoded(encoded())
    state.set_samples(np.zeros((3, 2), np.float32))
    ticket = state.ticket("train_points")
    decoders = recorder(state.decoder_changed)
    trained = build_model("vae", latent_dim=2)
    state.show_live(step=7, model=trained, encoded=encoded(5, test_ids=np.array([3, 9, 11, 20, 40])))
    assert state.live.step == 7 and state.kind == "vae" and state.decoding_model is trained
    assert decoders == [trained]
    assert state.samples is None and not state.is_current(ticket)
    assert state.encoded.test_id(1) == 9


def test_a_failure_is_said_in_place_of_the_map_unless_a_newer_job_took_over():
    state = ModelState()
    state.set_checkpoint(checkpoint(), "ae")
    stale, current = state.ticket("encode"), state.ticket("encode")
    assert not state.fail("old failure", stale)
    assert state.message is None
    messages = recorder(state.message_changed)
    assert state.fail("The test images could not be encoded", current)
    assert messages == ["The test images could not be encoded"] and state.error == state.message


def test_cursor_images_of_an_older_model_are_refused():
    state = ModelState()
    state.set_checkpoint(checkpoint(), "ae")
    generation = state.generation
    state.set_checkpoint(checkpoint(), "ae")
    image = CursorImage(1, np.zeros(2), np.zeros((32, 32)))
    assert not state.set_cursor_image(image, generation)
    assert state.set_cursor_image(image, state.generation) and state.cursor_image is image


def test_display_names_say_the_kind_and_the_file():
    state = ModelState()
    assert state.display_name == "no model"
    state.set_checkpoint(checkpoint("vae"), None)
    assert state.display_name == "VAE (unsaved)"


def test_one_cursor_for_every_model_and_no_event_when_it_does_not_move():
    explorer = ExplorerState()
    moves = recorder(explorer.cursor_moved)
    assert explorer.set_cursor(1.5, -2.0)
    assert not explorer.set_cursor(1.5, -2.0)
    assert not explorer.set_cursor(float("nan"), 0.0)
    assert moves == [(1.5, -2.0)] and explorer.cursor == (1.5, -2.0)


def test_models_can_be_added_up_to_the_limit_and_the_last_one_stays():
    explorer = ExplorerState()
    added = [explorer.add_model() for _ in range(MAX_MODELS - 1)]
    with pytest.raises(ValueError, match="at most"):
        explorer.add_model()
    actives = recorder(explorer.active_changed)
    explorer.set_active(added[0])
    explorer.remove_model(added[0])
    assert explorer.active is explorer.models[0] and actives == [added[0], explorer.models[0]]
    for state in explorer.models[1:]:
        explorer.remove_model(state)
    with pytest.raises(ValueError, match="always shows one model"):
        explorer.remove_model(explorer.models[0])


def test_view_options_are_evented():
    explorer = ExplorerState()
    seen = recorder(explorer.options.events.show_manifold)
    explorer.options.show_manifold = True
    explorer.options.show_manifold = True  # no change, no event
    assert [args[0] for args in seen] == [True]  # psygnal sends (new, old)


def test_a_result_written_while_the_new_checkpoint_is_announced_is_kept():
    """A cached encoding arrives inside the checkpoint_changed event; clearing must not undo it."""
    state = ModelState()
    cached = encoded()
    state.checkpoint_changed.connect(lambda _: state.set_encoded(cached, state.ticket("encode")))
    state.set_checkpoint(checkpoint(), "ae")
    assert state.encoded is cached
