"""A 2-D view of a D-dimensional latent space (numpy only, no Qt, no torch).

The map is a plane: for a model with D > 2 latent dimensions it shows the
codes projected onto two orthonormal axes, by default the plane of the two
principal components of the test set's codes, or two dimensions the user
picks. A point (x, y) of the map stands for the code

    z = x * a1 + y * a2 + sum_k h_k * b_k

where a1, a2 are the view's axes and b_k the other ("hidden") columns of an
orthonormal basis; the hidden components h_k sit at the codes' mean unless the
user moves them (:meth:`LatentProjection.with_offsets`).

The view coordinates are the codes' plain coordinates along the axes, *not*
centred on the data: for two picked dimensions they are those dimensions'
values, and a VAE's prior N(0, I) projects to N(0, I) on the plane (the basis
is orthonormal), so sampling from the prior and the manifold's normal
quantiles stay literally true in the view. A 2-D model gets no projection at
all (the map shows its codes as they are), so nothing changes for it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

import numpy as np

SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def dimension_name(i: int) -> str:
    """ "z₃": the name of latent dimension ``i`` (0-based, as the 2-D map's axes "z₀", "z₁")."""
    return "z" + str(i).translate(SUBSCRIPTS)


@dataclass(frozen=True)
class LatentProjection:
    centre: np.ndarray  # (D,) the codes' mean: where the hidden components sit by default
    basis: np.ndarray  # (D, D) orthonormal columns; columns 0 and 1 are the view's axes
    spread: np.ndarray  # (D,) the codes' standard deviation along each column (the sliders' unit)
    variance_share: np.ndarray  # (D,) the share of the codes' total variance along each column
    names: tuple[str, ...]  # (D,) what each column is called: "PC 1", "z₃"
    dims: tuple[int, int] | None = None  # the two dimensions shown, or None: principal components
    offsets: np.ndarray | None = None  # (D-2,) the hidden components' offsets from the centre; None: zeros

    @property
    def dim(self) -> int:
        return self.basis.shape[0]

    @property
    def axes(self) -> np.ndarray:
        """(D, 2) the view's axes."""
        return self.basis[:, :2]

    @property
    def hidden(self) -> np.ndarray:
        """(D, D-2) the directions the view does not show."""
        return self.basis[:, 2:]

    @property
    def hidden_offsets(self) -> np.ndarray:
        return np.zeros(self.dim - 2) if self.offsets is None else self.offsets

    @property
    def hidden_names(self) -> tuple[str, ...]:
        return self.names[2:]

    def axis_label(self, axis: int) -> str:
        """ "PC 1 (38% of variance)", "z₃ (12% of variance)"."""
        return f"{self.names[axis]} ({100 * self.variance_share[axis]:.0f}% of variance)"

    @property
    def base(self) -> np.ndarray:
        """(D,) the code at view point (0, 0): the hidden components at the centre plus their offsets."""
        hidden = self.hidden
        return hidden @ (hidden.T @ self.centre + self.hidden_offsets)

    def to_view(self, z: np.ndarray) -> np.ndarray:
        """(N, D) codes -> (N, 2) view coordinates."""
        return np.asarray(z, dtype=np.float64) @ self.axes

    def log_var_to_view(self, z_log_var: np.ndarray) -> np.ndarray:
        """(N, D) a VAE's posterior log-variances -> (N, 2) along the view's axes: the diagonal of
        P^T diag(sigma^2) P (P the (D, 2) axes). Its off-diagonal term is dropped: the map draws a
        posterior as an axis-aligned ellipse."""
        return np.log(np.exp(np.asarray(z_log_var, dtype=np.float64)) @ np.square(self.axes))

    def to_latent(self, xy: np.ndarray) -> np.ndarray:
        """(N, 2) view points -> (N, D) codes (``to_view(to_latent(xy)) == xy``)."""
        return np.asarray(xy, dtype=np.float64).reshape(-1, 2) @ self.axes.T + self.base

    def with_offsets(self, offsets: np.ndarray | None) -> LatentProjection:
        """The same axes, the hidden components moved by ``offsets`` (D-2,) in latent units (None: reset)."""
        if offsets is not None:
            offsets = np.asarray(offsets, dtype=np.float64)
            if offsets.shape != (self.dim - 2,):
                raise ValueError(f"expected {self.dim - 2} hidden offsets, got shape {offsets.shape}")
        return replace(self, offsets=offsets)


def _check_codes(codes: np.ndarray) -> np.ndarray:
    codes = np.asarray(codes, dtype=np.float64)
    if codes.ndim != 2 or codes.shape[1] < 3:
        raise ValueError(f"a projection is for codes of 3 or more dimensions, got shape {codes.shape}")
    if codes.shape[0] == 0:
        raise ValueError("cannot project an empty set of codes")
    return codes


def _shares(variances: np.ndarray) -> np.ndarray:
    total = float(variances.sum())
    return variances / total if total > 0 else np.zeros_like(variances)


def pca_projection(codes: np.ndarray, previous: LatentProjection | None = None) -> LatentProjection:
    """The codes' principal components, largest variance first.

    An eigenvector's sign is arbitrary: each column points the way of ``previous``'s same column when
    given (so that the live map of a model in training does not flip from one snapshot to the next),
    otherwise the way that makes its largest entry positive (the same codes always give the same view).
    """
    codes = _check_codes(codes)
    centre = codes.mean(axis=0)
    deviations = codes - centre
    covariance = deviations.T @ deviations / max(len(codes) - 1, 1)
    eigenvalues, vectors = np.linalg.eigh(covariance)  # ascending
    order = np.argsort(eigenvalues)[::-1]
    variances, basis = np.clip(eigenvalues[order], 0.0, None), vectors[:, order]
    if previous is not None and previous.dim == basis.shape[0] and previous.dims is None:
        signs = np.sign(np.sum(basis * previous.basis, axis=0))
    else:
        signs = np.sign(basis[np.argmax(np.abs(basis), axis=0), np.arange(basis.shape[1])])
    basis = basis * np.where(signs == 0, 1.0, signs)
    names = tuple(f"PC {k + 1}" for k in range(basis.shape[1]))
    return LatentProjection(centre, basis, np.sqrt(variances), _shares(variances), names)


def axes_projection(codes: np.ndarray, i: int, j: int) -> LatentProjection:
    """Dimensions ``i`` and ``j`` of the codes (0-based) as the view's axes; the others hidden, in order."""
    codes = _check_codes(codes)
    dim = codes.shape[1]
    if not (0 <= i < dim and 0 <= j < dim) or i == j:
        raise ValueError(f"pick two different dimensions between 0 and {dim - 1}, not {i} and {j}")
    order = [i, j] + [k for k in range(dim) if k not in (i, j)]
    basis = np.eye(dim)[:, order]
    variances = codes.var(axis=0, ddof=1)[order] if len(codes) > 1 else np.zeros(dim)
    names = tuple(dimension_name(k) for k in order)
    return LatentProjection(codes.mean(axis=0), basis, np.sqrt(variances), _shares(variances), names, dims=(i, j))


def view_projection(
    codes: np.ndarray, dims: tuple[int, int] | None = None, previous: LatentProjection | None = None
) -> LatentProjection | None:
    """The projection the map shows ``codes`` (N, D) through: None for D == 2 (the codes are the view),
    the two picked ``dims``, or the principal components (signs aligned with ``previous``)."""
    if np.asarray(codes).shape[1] == 2:
        return None
    if dims is not None:
        return axes_projection(codes, *dims)
    return pca_projection(codes, previous)


class LiveProjector:
    """The view of a model in training, snapshot after snapshot (thread-safe; one per run).

    Each snapshot is shown through the principal components of *its own* codes, each axis's sign
    aligned with the previous snapshot's. A projection fixed from the first snapshot would keep the
    points from turning, but the first snapshots are of an untrained encoder: the directions its codes
    spread along later are not the ones it started with, and the map would show a poor plane for the
    whole run. Aligned signs keep the axes from flipping; the plane may still turn slowly as training
    changes which directions carry most variance, which is what training does.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._previous: LatentProjection | None = None

    def project(self, codes: np.ndarray) -> tuple[LatentProjection | None, np.ndarray]:
        """The snapshot's projection (None for a 2-D model) and its (N, 2) float32 view points."""
        with self._lock:
            projection = view_projection(codes, previous=self._previous)
            self._previous = projection
        if projection is None:
            return None, np.asarray(codes, dtype=np.float32)
        return projection, projection.to_view(codes).astype(np.float32)
