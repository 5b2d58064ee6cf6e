"""How one model's codes reach its map: as they are (2-D), or through a projection (D > 2). No Qt.

A model with D > 2 latent dimensions is shown on a plane (see
``core/projection.py``): its :class:`ModelState` keeps the D-dimensional codes
(``state.codes``, also what the embeddings cache holds, keyed on the checkpoint)
and the projection, and its ``encoded`` set holds the projected codes, so the
map, hover, samples, the manifold and the holes layer all work on the view. Its
decoding model is the model seen through the projection (``ProjectedModel``).

The requests here run on the GUI thread: a PCA of 10,000 x D codes and the
nearest-image index of the projected points take milliseconds in numpy; the
encoding itself ran on a worker before.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from gaerchen_gui.components.model_state import ModelState, Ticket
from gaerchen_gui.core.encoding import EncodedSet
from gaerchen_gui.core.neighbours import NearestIndex
from gaerchen_gui.core.projection import LatentProjection, view_projection

HIDDEN_RANGE_SD = 3.0  # each hidden component's slider spans this many standard deviations of the codes


def project_encoded(codes: EncodedSet, projection: LatentProjection) -> EncodedSet:
    """The encoded set as the map shows it: the codes' view coordinates, their own nearest-image index."""
    z = projection.to_view(codes.z).astype(np.float32)
    return replace(codes, z=z, index=NearestIndex(z))


def show_codes(state: ModelState, codes: EncodedSet, ticket: Ticket | None = None) -> bool:
    """Show freshly encoded ``codes`` (N, D): as they are for D == 2, else through their principal
    components. False (nothing shown) when ``ticket`` is no longer current."""
    if ticket is not None and not state.is_current(ticket):
        return False
    projection = view_projection(codes.z)
    if projection is None:
        return state.set_encoded(codes, ticket)
    state.set_projection(projection, codes)
    return state.set_encoded(project_encoded(codes, projection), ticket)


def choose_axes(state: ModelState, dims: tuple[int, int] | None) -> None:
    """Show two dimensions (0-based) of the codes, or (None) their principal components; the hidden
    components go back to the data's mean. ValueError for dimensions the model does not have."""
    codes = state.codes
    if state.projection is None or codes is None or state.projection.dims == dims:
        return
    projection = view_projection(codes.z, dims)
    state.set_projection(projection)
    state.set_encoded(project_encoded(codes, projection))


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
