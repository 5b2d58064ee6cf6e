"""A walk's movie frames: the map with the path and a moving marker beside the decoded image."""

from __future__ import annotations

import numpy as np

from gaerchen_gui.core.frame_drawing import TEXT, grey_indices, upscale
from gaerchen_gui.core.walk_drawing import walk_movie_frames


def test_frames_show_the_marker_moving_and_the_image_at_it():
    rng = np.random.default_rng(0)
    points, labels = rng.normal(size=(500, 2)), rng.integers(0, 10, 500)
    path = np.linspace([-1.0, -1.0], [1.0, 1.0], 5)
    images = rng.random((5, 32, 32)).astype(np.float32)
    frames = walk_movie_frames(points, labels, path, images, 128)
    assert frames.shape == (5, 128, 256) and frames.dtype == np.uint8
    for i in range(5):
        assert np.array_equal(frames[i, :, 128:], upscale(grey_indices(images[i]), 128))
    # the marker (dark pixels beyond the line's) moves from the lower left to the upper right
    dark = [np.argwhere(frame[:, :128] == TEXT) for frame in frames]
    centres = [d[(d[:, 0] > 20)].mean(axis=0) for d in dark]  # below the label
    assert centres[0][1] < centres[-1][1] and centres[0][0] > centres[-1][0]
