"""The latent path's state without a display: picking ends, lerp/slerp walks, recording, the cursor on it."""

from __future__ import annotations

import numpy as np
import pytest

from gaerchen_gui.components.explorer_state import ExplorerState
from gaerchen_gui.components.latent_path import LatentPath, spherical_problem


def make_path():
    explorer = ExplorerState()
    return explorer, LatentPath(explorer)


def test_two_picks_make_a_walk_whose_ends_are_the_picked_points_exactly():
    _, path = make_path()
    seen = []
    path.path_changed.connect(seen.append)
    assert path.pick((0.1, -0.7), "test image 3") == "start"
    assert path.points is None
    assert path.pick((1.3, 2.9), "test image 7") == "end"
    assert path.points.shape == (10, 2) and len(seen) == 2
    for method in ("lerp", "slerp"):
        path.set_method(method)
        assert tuple(path.points[0]) == (0.1, -0.7) and tuple(path.points[-1]) == (1.3, 2.9)
    # a third pick starts a new walk
    assert path.pick((5.0, 5.0), "(5.00, 5.00)") == "start" and path.points is None


def test_slerp_keeps_to_the_arc_and_lerp_to_the_line():
    _, path = make_path()
    path.set_ends(None, None)
    path.pick((2.0, 0.0), "a")
    path.pick((0.0, 2.0), "b")
    path.set_steps(9)
    assert not np.allclose(np.linalg.norm(path.points, axis=1), 2.0)  # the line cuts inside the circle
    path.set_method("slerp")
    assert np.allclose(np.linalg.norm(path.points, axis=1), 2.0)
    with pytest.raises(ValueError):
        path.set_steps(1)
    with pytest.raises(ValueError):
        path.set_method("cubic")


def test_the_cursor_runs_along_the_path_and_stops_at_its_end():
    explorer, path = make_path()
    path.pick((0.0, 0.0), "a")
    path.pick((1.0, 2.0), "b")
    path.set_steps(3)
    moves = []
    explorer.cursor_moved.connect(lambda x, y: moves.append((x, y)))
    path.set_position(0)
    while path.advance():
        pass
    assert moves == [(0.5, 1.0), (1.0, 2.0)]  # the cursor was at the start already: no event for it
    assert explorer.cursor == (1.0, 2.0) and path.position == 2
    path.set_position(99)  # clamped
    assert path.position == 2


def test_recording_collects_the_cursor_moves_and_becomes_the_path():
    explorer, path = make_path()
    explorer.set_cursor(0.5, 0.5)
    path.set_recording(True)
    for x in (0.6, 0.7, 0.9):
        explorer.set_cursor(x, 0.5)
    path.set_recording(False)
    assert path.kind == "recording"
    assert path.points.tolist() == [[0.5, 0.5], [0.6, 0.5], [0.7, 0.5], [0.9, 0.5]]
    explorer.set_cursor(3.0, 3.0)  # no longer recorded
    assert len(path.points) == 4
    path.set_steps(5)  # steps belong to walks: the recording stays as it is
    assert len(path.points) == 4


def test_images_are_kept_only_for_the_path_they_were_decoded_for():
    _, path = make_path()
    path.pick((0.0, 0.0), "a")
    path.pick((1.0, 1.0), "b")
    old = path.points.copy()
    images = np.zeros((10, 32, 32), np.float32)
    assert path.set_images("ae", old, images) and path.images_of("ae") is images
    path.set_steps(4)
    assert path.images_of("ae") is None
    assert not path.set_images("ae", old, images)  # decoded for the walk of 10 steps


def test_spherical_walks_are_for_a_vae_in_its_own_coordinates():
    assert spherical_problem("vae", projected=False) is None
    assert "VAE" in spherical_problem("ae", projected=False)
    assert "2-D view" in spherical_problem("vae", projected=True)
