import math

import numpy as np
import pytest

from gaerchen_gui.core.coverage import (
    DEFAULT_RESOLUTION,
    Grid,
    coverage_picture,
    distance_field,
    mass_levels,
    mixture_density,
    sigma_mass,
)


def test_distance_field_is_the_distance_to_the_nearest_point_in_threshold_units():
    rng = np.random.default_rng(0)
    points = rng.normal(size=(3000, 2))
    grid = Grid((-3.0, -2.0, 3.0, 4.0), 40)
    field = distance_field(points, grid, scale=0.5, reach=3.0)
    cells = grid.centres()
    brute = np.sqrt(((cells[:, None, :] - points[None, :, :]) ** 2).sum(-1)).min(1).reshape(40, 40) / 0.5
    np.testing.assert_allclose(field, np.minimum(brute, 3.0), atol=1e-5)
    assert (brute > 3.0).any() and (brute < 3.0).any()  # both sides of the cap were tested
    assert field.shape == (40, 40) and field.dtype == np.float32
    # row 0 is the lowest y, column 0 the lowest x
    assert np.allclose(cells[0], [-3 + 6 / 80, -2 + 6 / 80]) and cells[1, 1] == cells[0, 1]


def test_a_standard_normal_has_its_contours_on_the_sigma_circles():
    grid = Grid((-6.0, -6.0, 6.0, 6.0), 241)
    density = mixture_density(np.zeros((1, 2)), np.zeros((1, 2)), grid)
    assert density.sum() * grid.cell_area == pytest.approx(1.0, abs=1e-4)
    levels = mass_levels(density, grid.cell_area, tuple(sigma_mass(k) for k in (1, 2, 3)))
    for k, level in zip((1, 2, 3), levels, strict=True):
        assert level == pytest.approx(math.exp(-0.5 * k * k) / (2 * math.pi), rel=0.03)
    assert sigma_mass(1) == pytest.approx(0.3935, abs=1e-4)


def test_the_mixture_is_the_mean_of_its_gaussians():
    grid = Grid((-4.0, -4.0, 4.0, 4.0), 30)
    means = np.array([[-1.0, 0.5], [2.0, -1.0]])
    log_vars = np.log(np.array([[0.25, 1.0], [1.0, 0.09]]))
    cells = grid.centres()
    expected = np.zeros(cells.shape[0])
    for mu, var in zip(means, np.exp(log_vars), strict=True):
        expected += np.exp(-0.5 * ((cells - mu) ** 2 / var).sum(1)) / (2 * np.pi * np.sqrt(var.prod())) / 2
    np.testing.assert_allclose(mixture_density(means, log_vars, grid).ravel(), expected, rtol=1e-10)


def test_coverage_picture_for_an_ae_and_a_vae():
    rng = np.random.default_rng(1)
    points = np.concatenate([rng.normal(size=(2500, 2)) * 0.3 - 2, rng.normal(size=(2500, 2)) * 0.3 + 2])
    ae = coverage_picture(points, off_data_threshold=0.2, extent=(-4.0, -4.0, 4.0, 4.0))
    assert ae.density is None and ae.distance.shape == (DEFAULT_RESOLUTION, DEFAULT_RESOLUTION)
    centre = ae.distance[DEFAULT_RESOLUTION // 2, DEFAULT_RESOLUTION // 2]
    assert centre == pytest.approx(3.0)  # the gap between the clusters is a hole: capped at the reach
    assert ae.distance[DEFAULT_RESOLUTION // 4, DEFAULT_RESOLUTION // 4] < 1  # inside the lower-left cluster
    vae = coverage_picture(points, 0.2, (-4.0, -4.0, 4.0, 4.0), log_vars=np.full_like(points, np.log(0.01)))
    assert vae.density is not None and len(vae.density_levels) == 3
    assert vae.density_levels[0] > vae.density_levels[1] > vae.density_levels[2] > 0
