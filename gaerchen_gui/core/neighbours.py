"""Nearest encoded image to a point of the latent map (numpy only, no Qt).

Brute force is the right tool here: 10,000 points x 2 dims is a 20k-element
subtraction, ~50 us per query, fast enough to run on every mouse move, and it
needs no index to build when the model changes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# A point further than this many "typical spacings" from every encoded image is
# in a hole of the map. The typical spacing is the 95th percentile of the
# distance from an image to its nearest neighbour, so the threshold is loose
# inside clusters and at their ragged edges, and trips in the gaps between them.
OFF_DATA_FACTOR = 2.5
_SPACING_SAMPLE = 400  # images whose nearest-neighbour distance estimates the spacing (its 95th percentile)


@dataclass(frozen=True)
class Nearest:
    index: int  # row of the nearest encoded image
    distance: float  # Euclidean, in latent units
    off_data: bool  # True when ``distance`` exceeds the index's threshold


class NearestIndex:
    """Answers "which encoded image is closest to (x, y), and is that close enough to count?"."""

    def __init__(self, points: np.ndarray, seed: int = 0) -> None:
        points = np.ascontiguousarray(points, dtype=np.float64)
        if points.ndim != 2 or points.shape[0] == 0:
            raise ValueError(f"expected a non-empty (N, D) array of points, got shape {points.shape}")
        self.points = points
        self._columns = np.ascontiguousarray(points.T)  # (D, N)
        self.typical_spacing = _typical_spacing(points, np.random.default_rng(seed))
        self.off_data_threshold = OFF_DATA_FACTOR * self.typical_spacing

    def __len__(self) -> int:
        return self.points.shape[0]

    def query(self, point: np.ndarray | tuple[float, ...]) -> Nearest:
        # One contiguous column per dimension: ~4x faster than reducing an (N, D) array over its
        # short last axis, and this runs on the GUI thread at every mouse move.
        d2 = np.zeros(len(self))
        for column, value in zip(self._columns, np.asarray(point, dtype=np.float64), strict=True):
            delta = column - value
            d2 += delta * delta
        index = int(np.argmin(d2))
        distance = float(np.sqrt(d2[index]))
        return Nearest(index, distance, distance > self.off_data_threshold)


def _typical_spacing(points: np.ndarray, rng: np.random.Generator) -> float:
    n = points.shape[0]
    if n < 2:
        return 0.0
    rows = rng.choice(n, size=min(n, _SPACING_SAMPLE), replace=False)
    nearest = np.empty(rows.shape[0])
    squared = np.sum(points**2, axis=1)
    # |p - q|^2 = |p|^2 + |q|^2 - 2 p.q: one matrix product per 100 rows, (100, N) and no (100, N, D) temporary
    for start in range(0, rows.shape[0], 100):
        block = rows[start : start + 100]
        d2 = squared[block, None] + squared[None, :] - 2.0 * (points[block] @ points.T)
        d2[np.arange(block.shape[0]), block] = np.inf  # not itself
        nearest[start : start + block.shape[0]] = d2.min(axis=1)
    return float(np.sqrt(max(np.percentile(nearest, 95), 0.0)))  # rounding can make a d2 of 0 slightly negative
