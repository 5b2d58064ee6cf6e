"""The decoded-manifold grid and its picture (core, numpy only)."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gaerchen_gui.core.manifold import TILE, manifold_grid, normal_quantiles, render_manifold


def test_normal_quantiles_split_the_normal_into_equally_likely_parts():
    q = normal_quantiles(10)
    cdf = np.array([NormalDist().cdf(v) for v in q])
    np.testing.assert_allclose(cdf, (np.arange(10) + 0.5) / 10, atol=1e-9)
    np.testing.assert_allclose(q, -q[::-1], atol=1e-9)  # symmetric about 0
    assert np.all(np.diff(q) > 0)
    # dense in the middle, sparse in the tails
    gaps = np.diff(q)
    assert gaps[len(gaps) // 2] < gaps[0]


def test_uniform_grid_spans_the_box_row_by_row_from_the_bottom():
    grid = manifold_grid(5, "uniform", box=(-2.0, 1.0, 6.0, 3.0))
    np.testing.assert_allclose(grid.x_centres, np.linspace(-2, 6, 5))
    np.testing.assert_allclose(grid.y_centres, np.linspace(1, 3, 5))
    points = grid.points
    assert points.shape == (25, 2) and points.dtype == np.float32
    np.testing.assert_allclose(points[0], [-2, 1])  # bottom-left first
    np.testing.assert_allclose(points[4], [6, 1])  # x varies fastest
    np.testing.assert_allclose(points[-1], [6, 3])
    x0, y0, w, h = grid.extent
    assert x0 == pytest.approx(-3.0) and w == pytest.approx(10.0)  # half a cell beyond each outer centre
    assert y0 == pytest.approx(0.75) and h == pytest.approx(2.5)


def test_normal_grid_ignores_the_box():
    grid = manifold_grid(20, "normal")
    np.testing.assert_allclose(grid.x_centres, normal_quantiles(20))
    assert grid.spacing == "normal"
    assert np.all(np.diff(grid.x_edges) > 0)


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((3, "uniform"), {"box": (0, 0, 1, 1)}, "resolution"),
        ((41, "normal"), {}, "resolution"),
        ((10, "uniform"), {}, "bounding box"),
        ((10, "uniform"), {"box": (0, 0, 0, 1)}, "empty"),
        ((10, "uniform"), {"box": (0, 0, float("nan"), 1)}, "not finite"),
        ((10, "diagonal"), {}, "spacing"),
    ],
)
def test_bad_grids_are_refused_with_a_reason(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        manifold_grid(*args, **kwargs)


def _latent_to_pixel(grid, picture, x, y):
    x0, y0, w, h = grid.extent
    rows, cols = picture.shape
    return int((y - y0) / h * rows), int((x - x0) / w * cols)


@settings(max_examples=25, deadline=None)
@given(resolution=st.integers(4, 12), spacing=st.sampled_from(["uniform", "normal"]))
def test_each_grid_point_shows_its_own_tile(resolution, spacing):
    grid = manifold_grid(resolution, spacing, box=(-3.0, -1.0, 2.0, 4.0))
    n = resolution * resolution
    # tile k is a flat grey of its own level, so the picture tells which tile a pixel came from
    levels = np.linspace(0.0, 1.0, n)
    images = np.broadcast_to(levels[:, None, None], (n, TILE, TILE)).astype(np.float32)
    picture = render_manifold(grid, images)
    assert picture.dtype == np.uint8
    expected = np.rint(images[:, 0, 0] * 255).astype(np.uint8)
    for k, (x, y) in enumerate(grid.points):
        row, col = _latent_to_pixel(grid, picture, x, y)
        assert picture[row, col] == expected[k]


def test_tiles_are_upright_the_top_of_an_image_is_towards_higher_z1():
    grid = manifold_grid(4, "uniform", box=(0.0, 0.0, 3.0, 3.0))
    images = np.zeros((16, TILE, TILE), dtype=np.float32)
    images[:, :4, :] = 1.0  # a bright band along each image's top rows
    picture = render_manifold(grid, images)
    assert picture.shape == (4 * TILE, 4 * TILE)
    tile = picture[:TILE, :TILE]  # the bottom-left cell; picture row 0 is the lowest z1
    assert tile[-1].min() == 255 and tile[0].max() == 0


def test_render_checks_the_number_of_images():
    grid = manifold_grid(5, "normal")
    with pytest.raises(ValueError, match="25 images"):
        render_manifold(grid, np.zeros((24, TILE, TILE), dtype=np.float32))


def test_normal_spacing_gives_the_small_central_cells_at_least_a_tile_of_pixels():
    grid = manifold_grid(20, "normal")
    picture = render_manifold(grid, np.zeros((400, TILE, TILE), dtype=np.float32))
    x0, _, w, _ = grid.extent
    smallest_cell = np.diff(grid.x_edges).min()
    assert picture.shape[1] * smallest_cell / w >= TILE - 1
    assert max(picture.shape) <= 2048


def test_normal_spacing_draws_every_tile_square_and_undistorted():
    grid = manifold_grid(12, "normal")
    n = 12 * 12
    images = np.ones((n, TILE, TILE), dtype=np.float32)  # every tile all white: its drawn area shows
    picture = render_manifold(grid, images)
    x0, y0, w, h = grid.extent
    rows, cols = picture.shape
    px_w, px_h = w / cols, h / rows  # latent units per raster pixel
    widths, heights = np.diff(grid.x_edges), np.diff(grid.y_edges)
    for i in (0, 5, 6, 11):  # tail and centre rows, against tail and centre columns
        for j in (0, 5, 6, 11):
            r0, r1 = int((grid.y_edges[i] - y0) / px_h), int((grid.y_edges[i + 1] - y0) / px_h)
            c0, c1 = int((grid.x_edges[j] - x0) / px_w), int((grid.x_edges[j + 1] - x0) / px_w)
            drawn = np.argwhere(picture[r0:r1, c0:c1] == 255)
            tall = (drawn[:, 0].max() - drawn[:, 0].min() + 1) * px_h
            wide = (drawn[:, 1].max() - drawn[:, 1].min() + 1) * px_w
            side = min(widths[j], heights[i])
            assert wide == pytest.approx(side, rel=0.1) and tall == pytest.approx(side, rel=0.1), (i, j)
    # a centre-column, tail-row cell is tall and narrow: the tile in it is square, not a sliver
    assert heights[0] > 2 * widths[6]
