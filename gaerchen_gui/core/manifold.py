"""The decoded manifold: a grid of latent points, decoded and tiled into one picture (numpy only, no Qt).

The book shows what a decoder does across the whole latent plane by decoding
a regular grid and laying the images out where their points are. Two spacings:

- ``"uniform"``: evenly spaced over a box (the embeddings' bounding box), for any model;
- ``"normal"``: evenly spaced in probability under N(0, 1) on each axis, i.e. at the
  normal quantiles ``Phi^-1((i + 0.5) / R)``. This is the book's ``norm.cdf`` view turned
  around: instead of squeezing the embeddings into the unit square, the grid is
  stretched out over the latent plane, dense near the origin where a VAE puts most of
  its mass and sparse in the tails. Each cell then holds the same prior probability.

Cells are not all the same size with normal spacing, so :func:`render_manifold`
resamples the tiles onto a uniform raster that can be drawn as one image over the
grid's extent. Stretching each tile over its cell made slivers: a cell near 0 on
one axis and in the tail on the other is narrow and tall. So with normal spacing
each tile is drawn square and undistorted, as large as its cell's shorter side
allows, centred on its grid point. The tiles near the origin stay small on the
map: cells of equal probability are small where the density is high, which is
the point of this spacing; zooming in shows them at any size.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import NormalDist
from typing import Literal

import numpy as np

Spacing = Literal["uniform", "normal"]
SPACINGS: tuple[Spacing, ...] = ("uniform", "normal")
MIN_RESOLUTION, MAX_RESOLUTION = 4, 40
DEFAULT_RESOLUTION = 20
DEFAULT_OPACITY = 0.55


@dataclass(frozen=True)
class ManifoldOptions:
    """How the decoded manifold is drawn: the user's choices, persisted between launches."""

    opacity: float = DEFAULT_OPACITY  # 0..1
    resolution: int = DEFAULT_RESOLUTION  # grid points along each axis
    spacing: Spacing = "uniform"  # what the user chose; an AE is always drawn with "uniform"

    def spacing_for(self, kind: str | None) -> Spacing:
        """Normal quantiles only mean something for a VAE, whose prior is N(0, I)."""
        return self.spacing if kind == "vae" else "uniform"


TILE = 32  # decoded images are 32 x 32
MAX_RASTER_PX = 2048  # the longest side of the rendered picture (16 MB of float32 at most)


@dataclass(frozen=True)
class ManifoldGrid:
    """Grid centres and cell edges along each latent axis, ascending."""

    x_centres: np.ndarray  # (R,)
    y_centres: np.ndarray  # (R,)
    x_edges: np.ndarray  # (R + 1,): cell j spans x_edges[j] .. x_edges[j + 1]
    y_edges: np.ndarray  # (R + 1,)
    spacing: Spacing

    @property
    def resolution(self) -> int:
        return len(self.x_centres)

    @property
    def points(self) -> np.ndarray:
        """(R * R, 2) float32 latent points, row by row from the bottom (y ascending), x ascending in a row."""
        xs, ys = np.meshgrid(self.x_centres, self.y_centres)
        return np.column_stack([xs.ravel(), ys.ravel()]).astype(np.float32)

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """(x0, y0, width, height) of the area the tiles cover, in latent units."""
        x0, x1 = float(self.x_edges[0]), float(self.x_edges[-1])
        y0, y1 = float(self.y_edges[0]), float(self.y_edges[-1])
        return x0, y0, x1 - x0, y1 - y0


def manifold_grid(
    resolution: int, spacing: Spacing, box: tuple[float, float, float, float] | None = None
) -> ManifoldGrid:
    """A ``resolution`` x ``resolution`` grid.

    ``box`` = (x_min, y_min, x_max, y_max) is where a uniform grid's centres lie (the embeddings'
    bounding box); a normal-spaced grid ignores it.
    """
    if not MIN_RESOLUTION <= resolution <= MAX_RESOLUTION:
        raise ValueError(f"grid resolution must be {MIN_RESOLUTION} to {MAX_RESOLUTION}, not {resolution}")
    if spacing == "uniform":
        if box is None:
            raise ValueError("a uniform grid needs a bounding box")
        x_min, y_min, x_max, y_max = (float(v) for v in box)
        if not (np.isfinite([x_min, y_min, x_max, y_max]).all() and x_max > x_min and y_max > y_min):
            raise ValueError(f"the bounding box {box} is empty or not finite")
        xc, yc = np.linspace(x_min, x_max, resolution), np.linspace(y_min, y_max, resolution)
    elif spacing == "normal":
        xc = yc = normal_quantiles(resolution)
    else:
        raise ValueError(f"unknown grid spacing {spacing!r}; expected one of {SPACINGS}")
    return ManifoldGrid(xc, yc, _cell_edges(xc), _cell_edges(yc), spacing)


def normal_quantiles(n: int) -> np.ndarray:
    """``Phi^-1((i + 0.5) / n)`` for i = 0..n-1: n points that split N(0, 1) into equally likely parts."""
    ppf = NormalDist().inv_cdf
    return np.array([ppf((i + 0.5) / n) for i in range(n)])


def _cell_edges(centres: np.ndarray) -> np.ndarray:
    """Boundaries half-way between neighbouring centres; the outer cells mirror their inner half."""
    middle = (centres[:-1] + centres[1:]) / 2
    first = centres[0] - (middle[0] - centres[0])
    last = centres[-1] + (centres[-1] - middle[-1])
    return np.concatenate([[first], middle, [last]])


def render_manifold(grid: ManifoldGrid, images: np.ndarray) -> np.ndarray:
    """Tile ``images`` (R * R, 32, 32) in [0, 1], decoded at ``grid.points``, into one uint8 picture.

    Returns (H, W) uint8, row 0 at the *bottom* of the grid (lowest z1), ready to be drawn
    row-major over :attr:`ManifoldGrid.extent`. Every cell is at least one tile's worth of pixels
    wide where the raster cap allows, so the smallest (central) cells keep their detail.
    """
    r = grid.resolution
    if images.shape != (r * r, TILE, TILE):
        raise ValueError(f"expected {r * r} images of {TILE} x {TILE}, got {images.shape}")
    # (R*R, 32, 32) -> mosaic (R*32, R*32): cell (row i, col j) is image i*R + j, flipped upside down
    # because the picture's row 0 is drawn at the bottom while an image's row 0 is its top.
    tiles = images[:, ::-1, :].reshape(r, r, TILE, TILE)
    mosaic = tiles.transpose(0, 2, 1, 3).reshape(r * TILE, r * TILE)
    if grid.spacing == "normal":
        picture = _square_tiles(grid, tiles)
    else:  # equal cells: each tile fills its cell, as in the book's grid
        rows = _raster_to_mosaic(grid.y_edges)
        cols = _raster_to_mosaic(grid.x_edges)
        picture = mosaic[np.ix_(rows, cols)]
    return np.clip(np.rint(picture * 255), 0, 255).astype(np.uint8)


def _square_tiles(grid: ManifoldGrid, tiles: np.ndarray) -> np.ndarray:
    """Each tile (R, R, 32, 32; rows bottom-up) as a square of its cell's shorter side, centred in the cell;
    the rest of the cell is 0 (the plot's background). Returns the (H, W) float picture."""
    row_cell, row_frac = _raster_cells(grid.y_edges)
    col_cell, col_frac = _raster_cells(grid.x_edges)
    heights, widths = np.diff(grid.y_edges), np.diff(grid.x_edges)
    side = np.minimum(heights[:, None], widths[None, :])  # (R, R): the square's side in latent units
    i, j = row_cell[:, None], col_cell[None, :]
    # position within the square, 0..1 across it, from the position within the cell
    v = (row_frac[:, None] - 0.5) * heights[i] / side[i, j] + 0.5
    u = (col_frac[None, :] - 0.5) * widths[j] / side[i, j] + 0.5
    inside = (u >= 0) & (u < 1) & (v >= 0) & (v < 1)
    py = np.clip((v * TILE).astype(int), 0, TILE - 1)
    px = np.clip((u * TILE).astype(int), 0, TILE - 1)
    return np.where(inside, tiles[i, j, py, px], 0.0)


def _raster_cells(edges: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each pixel of a uniform raster along one axis: its cell, and where in the cell it is (0..1).

    The raster has enough pixels for the smallest cell to get a tile's worth, up to ``MAX_RASTER_PX``.
    """
    widths = np.diff(edges)
    span = edges[-1] - edges[0]
    size = int(min(MAX_RASTER_PX, max(TILE * len(widths), np.ceil(TILE * span / widths.min()))))
    centres = edges[0] + (np.arange(size) + 0.5) * span / size
    cell = np.clip(np.searchsorted(edges, centres, side="right") - 1, 0, len(widths) - 1)
    return cell, (centres - edges[cell]) / widths[cell]


def _raster_to_mosaic(edges: np.ndarray) -> np.ndarray:
    """For each pixel of a uniform raster along one axis, the mosaic pixel it shows (nearest neighbour)."""
    cell, fraction = _raster_cells(edges)
    return cell * TILE + np.clip((fraction * TILE).astype(int), 0, TILE - 1)
