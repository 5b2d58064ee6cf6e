"""How one model's codes reach its map: as they are (2-D), or through a projection (D > 2). No Qt.

A model with D > 2 latent dimensions is shown on a plane (see
``core/projection.py``): its :class:`ModelState` keeps the D-dimensional codes
(``state.codes``) and the projection, and its ``encoded`` set holds the
projected codes, so the map, hover, samples, the manifold and the holes layer
all work on the view. Its decoding model is the model seen through the
projection (``ProjectedModel``).

A :class:`MapView` is planned off the GUI thread (:func:`plan_view`, in the
encoding worker or a worker of its own): the PCA of 10,000 x D codes takes
about a millisecond, but the projected points' nearest-image index (their
typical spacing) took 0.1 s on two busy cores. Showing a planned view
(:func:`show_view`) and moving the hidden components (:func:`set_hidden`) are
cheap and run on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, replace

import numpy as np

from gaerchen_gui.components.model_state import ModelState, Ticket
from gaerchen_gui.core.data import ImageSet
from gaerchen_gui.core.encoding import EncodedSet, encode_progressively
from gaerchen_gui.core.models import LatentModel
from gaerchen_gui.core.neighbours import NearestIndex
from gaerchen_gui.core.projection import LatentProjection, view_projection

HIDDEN_RANGE_SD = 3.0  # each hidden component's slider spans this many standard deviations of the codes


@dataclass(frozen=True)
class MapView:
    """A model's encoded test set as its map shows it (what the embedding cache holds per checkpoint)."""

    codes: EncodedSet  # (N, D) the codes themselves
    projection: LatentProjection | None  # None: D == 2, the codes are the view
    encoded: EncodedSet  # (N, 2) what the map shows: ``codes`` itself, or their projection


def plan_view(codes: EncodedSet, dims: tuple[int, int] | None = None) -> MapView:
    """Any thread: the view of ``codes`` on two picked ``dims`` (0-based) or their principal components.
    ValueError for dimensions the model does not have."""
    projection = view_projection(codes.z, dims)
    if projection is None:
        return MapView(codes, None, codes)
    z = projection.to_view(codes.z).astype(np.float32)
    log_var = None if codes.z_log_var is None else projection.log_var_to_view(codes.z_log_var).astype(np.float32)
    return MapView(codes, projection, replace(codes, z=z, index=NearestIndex(z), z_log_var=log_var))


def planning(codes: EncodedSet, dims: tuple[int, int] | None) -> Generator[float, None, MapView]:
    """:func:`plan_view` as a worker's generator (the GUI's workers run generators)."""
    yield 0.0
    return plan_view(codes, dims)


def encode_for_map(
    model: LatentModel, load_images: Callable[[], ImageSet], cache_name: str | None = None
) -> Generator[float, None, MapView]:
    """:func:`encode_progressively` (progress as there), then the default view of the codes."""
    codes = yield from encode_progressively(model, load_images, cache_name)
    return plan_view(codes)


def show_view(state: ModelState, view: MapView, ticket: Ticket | None = None) -> bool:
    """Show a planned view; False (nothing shown) when ``ticket`` is no longer current."""
    if ticket is not None and not state.is_current(ticket):
        return False
    state.set_projection(view.projection, view.codes)
    return state.set_encoded(view.encoded, ticket)


def set_hidden(state: ModelState, values_sd: np.ndarray | None) -> None:
    """Put the hidden components at the data's mean plus ``values_sd`` (D-2,) standard deviations of the
    codes along each (None: at the mean). The points stay: they are the codes' projection, whatever the
    hidden components; what changes is the code each map point decodes."""
    projection = state.projection
    if projection is None:
        return
    offsets = None if values_sd is None else np.asarray(values_sd, dtype=np.float64) * projection.spread[2:]
    state.set_projection(projection.with_offsets(offsets))


def hidden_values_sd(projection: LatentProjection) -> np.ndarray:
    """(D-2,) where the hidden components are, in standard deviations of the codes from their mean."""
    spread = projection.spread[2:]
    return np.divide(projection.hidden_offsets, spread, out=np.zeros_like(spread), where=spread > 0)
