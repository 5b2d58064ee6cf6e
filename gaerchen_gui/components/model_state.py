"""One model on screen, as plain state with events: no widgets, no Qt (napari's ``components/`` idea).

A :class:`ModelState` holds what the explorer knows about one model: its
checkpoint, the encoded test set (or, while it trains, the live subset), the
training images' embeddings, the sampled points, the decoded manifold picture
and the image decoded at the cursor. Jobs (encoding, decoding, training) write
into it; panes listen to its events and draw. It can be created, changed and
tested without a display.

One rule replaces hand-made staleness counters: **latest wins**. A job asks
for a :class:`Ticket` when it starts; writing a result with a ticket that is no
longer current (a newer job of the same kind started, or the checkpoint
changed since) is refused and returns False. The manifold picture may come
from an older request of the *same* model (while a model trains, a grid
decoded from the previous snapshot is still worth showing), so its check
compares the model generation only.

Events are ``psygnal`` signals rather than Qt signals: the state must work
without a QApplication (tests, the CLI), and psygnal is what napari's models
use. Measured here (AMD EPYC, Python 3.11): one emit to one Python callback
costs 1.8-1.9 us with psygnal and 1.1-1.2 us with a Qt signal, against a cursor
budget of milliseconds, so the choice costs nothing that shows. psygnal calls
back in the emitting thread: only the GUI thread writes into a state (workers
hand results over through queued Qt signals first).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
from psygnal import Signal

from gaerchen_gui.components.timelapse import Timelapse
from gaerchen_gui.core.checkpoints import Checkpoint
from gaerchen_gui.core.coverage import CoveragePicture
from gaerchen_gui.core.diagnostics import ModelDiagnostics
from gaerchen_gui.core.encoding import EncodedSet
from gaerchen_gui.core.models import LatentModel
from gaerchen_gui.core.projected_model import seen_through
from gaerchen_gui.core.projection import LatentProjection

_names = itertools.count(1)


@dataclass(frozen=True)
class Ticket:
    """What a job holds while it runs: its kind, the model generation it started on, its number."""

    job: str
    generation: int
    number: int


@dataclass(frozen=True)
class Busy:
    """Work under way for this model, for a progress bar: ``fraction`` None means "no percentage yet"."""

    label: str
    fraction: float | None = None


@dataclass(frozen=True)
class ManifoldPicture:
    image: np.ndarray  # (H, W) float32 in [0, 1], the tiled decoded grid
    extent: tuple[float, float, float, float]  # x0, y0, x1, y1 in latent coordinates
    resolution: int
    spacing: str
    seconds: float  # from request to picture
    key: tuple  # what was decoded: (generation, resolution, spacing, bounds); a new request with it is redundant


@dataclass(frozen=True)
class CursorImage:
    """The image the model decodes at the cursor."""

    request_id: int
    z: np.ndarray  # (D,)
    image: np.ndarray  # (32, 32) float32 in [0, 1]


@dataclass(frozen=True)
class LiveView:
    """The model being trained, as the map shows it: a snapshot of the live subset."""

    step: int  # the training step the snapshot was taken at
    kind: str
    model: LatentModel  # a frozen copy, safe to decode with from another thread


class ModelState:
    """Everything shown about one model. Each ``*_changed`` event carries the new value."""

    checkpoint_changed = Signal(object)  # Checkpoint | None
    decoder_changed = Signal(object)  # LatentModel | None: the weights that decode from now on
    encoded_changed = Signal(object)  # EncodedSet | None
    train_points_changed = Signal(object)  # (z (N, D), labels (N,)) | None
    samples_changed = Signal(object)  # (N, D) points | None
    sample_images_changed = Signal(object)  # (N, 32, 32) images decoded at ``samples`` | None
    manifold_changed = Signal(object)  # ManifoldPicture | None
    manifold_status_changed = Signal(str)  # "Decoding 400 grid points…", "20 x 20 decoded images…", ""
    cursor_decoded = Signal(object)  # CursorImage
    live_changed = Signal(object)  # LiveView | None
    busy_changed = Signal(object)  # Busy | None
    message_changed = Signal(object)  # str | None: a note in place of the map (loading, an error)
    diagnostics_changed = Signal(object)  # ModelDiagnostics | None (VAEs only)
    coverage_changed = Signal(object)  # CoveragePicture | None: the holes layer
    # LatentProjection | None: the 2-D view of a D > 2 model's codes changed (its axes or hidden components)
    projection_changed = Signal(object)

    def __init__(self, name: str | None = None) -> None:
        self.name = name or f"model {next(_names)}"
        self.checkpoint: Checkpoint | None = None
        self.source: str | None = None  # "ae", "vae", a checkpoint path, or None (unsaved)
        self.encoded: EncodedSet | None = None
        self.train_points: tuple[np.ndarray, np.ndarray] | None = None
        self.samples: np.ndarray | None = None
        self.sample_images: np.ndarray | None = None
        self.manifold: ManifoldPicture | None = None
        self.manifold_status = ""
        self.cursor_image: CursorImage | None = None
        self.live: LiveView | None = None
        self.busy: Busy | None = None
        self.message: str | None = None
        self.diagnostics: ModelDiagnostics | None = None
        self.coverage: CoveragePicture | None = None
        # A model with D > 2 latent dimensions is shown through a projection (see latent_view.py): then
        # ``encoded`` holds the projected codes and ``codes`` the D-dimensional ones behind them.
        self.projection: LatentProjection | None = None
        self.codes: EncodedSet | None = None
        self._seen: tuple[object, object, LatentModel | None] | None = None  # (model, projection, wrapper)
        self.timelapse = Timelapse()  # the frames its run recorded, and the one the map shows
        self.error: str | None = None  # the last refusal or failure, for a dialog or a pane's note
        self.generation = 0  # increments with every checkpoint: results for an older one are stale
        self._latest: dict[str, int] = {}
        self._numbers = itertools.count(1)

    # -- latest wins ------------------------------------------------------------------------
    def ticket(self, job: str) -> Ticket:
        """Start a job of kind ``job``: earlier tickets of that kind stop being current."""
        number = next(self._numbers)
        self._latest[job] = number
        return Ticket(job, self.generation, number)

    def is_current(self, ticket: Ticket) -> bool:
        return ticket.generation == self.generation and self._latest.get(ticket.job) == ticket.number

    def cancel(self, job: str) -> None:
        """Make every ticket of kind ``job`` stale (its result is no longer wanted)."""
        self._latest.pop(job, None)

    # -- what the model is ------------------------------------------------------------------
    @property
    def kind(self) -> str | None:
        if self.live is not None:
            return self.live.kind
        return None if self.checkpoint is None else self.checkpoint.kind

    @property
    def latent_model(self) -> LatentModel | None:
        """The weights shown, in their own D dimensions."""
        if self.live is not None:
            return self.live.model
        return None if self.checkpoint is None else self.checkpoint.model

    @property
    def decoding_model(self) -> LatentModel | None:
        """What decodes map points: the weights shown, seen through the projection when there is one."""
        model, projection = self.latent_model, self.projection
        if self._seen is None or self._seen[0] is not model or self._seen[1] is not projection:
            self._seen = (model, projection, seen_through(model, projection))  # one object per view: jobs key on it
        return self._seen[2]

    def set_projection(self, projection: LatentProjection | None, codes: EncodedSet | None = None) -> None:
        """Show the D-dimensional ``codes`` through ``projection`` from now on (None, None: a 2-D model);
        the encoded set of the projected codes follows with :meth:`set_encoded`."""
        if codes is not None:
            self.codes = codes
        if projection is self.projection:
            return
        self.projection = projection
        self.decoder_changed.emit(self.decoding_model)
        self.projection_changed.emit(projection)

    @property
    def display_name(self) -> str:
        """How a person names this model: "AE (ae.pt)", "VAE (unsaved)"."""
        if self.checkpoint is None:
            return "no model"
        file = self.checkpoint.path.name if self.checkpoint.path is not None else "unsaved"
        return f"{self.checkpoint.kind.upper()} ({file})"

    def set_checkpoint(self, checkpoint: Checkpoint | None, source: str | None) -> None:
        """Show another model: everything derived from the old one goes, every job's ticket goes stale."""
        self.generation += 1
        self._latest.clear()
        self.checkpoint = checkpoint
        self.source = source
        self.error = None
        self.live = None
        self.projection, self.codes = None, None
        self.live_changed.emit(None)
        self._clear_derived()  # first: a listener may answer the new checkpoint at once (a cached encoding)
        self.timelapse.load(checkpoint)
        self.set_busy(None)
        # The decoder first: answering the new checkpoint may already ask for decodes (samples of a cached
        # encoding), which a decoder swapped afterwards would drop.
        self.decoder_changed.emit(self.decoding_model)
        self.checkpoint_changed.emit(checkpoint)

    def _clear_derived(self) -> None:
        for attr, event in (
            ("encoded", self.encoded_changed),
            ("train_points", self.train_points_changed),
            ("samples", self.samples_changed),
            ("sample_images", self.sample_images_changed),
            ("manifold", self.manifold_changed),
            ("diagnostics", self.diagnostics_changed),
            ("coverage", self.coverage_changed),
        ):
            if getattr(self, attr) is not None:
                setattr(self, attr, None)
                event.emit(None)
        self.cursor_image = None
        self.set_manifold_status("")

    # -- results of jobs --------------------------------------------------------------------
    def set_encoded(self, encoded: EncodedSet | None, ticket: Ticket | None = None) -> bool:
        if ticket is not None and not self.is_current(ticket):
            return False
        self.encoded = encoded
        if encoded is not None:
            self.set_message(None)
        self.encoded_changed.emit(encoded)
        return True

    def set_train_points(self, points: tuple[np.ndarray, np.ndarray] | None, ticket: Ticket | None = None) -> bool:
        if ticket is not None and not self.is_current(ticket):
            return False
        self.train_points = points
        self.train_points_changed.emit(points)
        return True

    def set_samples(self, points: np.ndarray | None) -> None:
        """New sample points; their images follow with :meth:`set_sample_images`."""
        self.samples = points
        self.sample_images = None
        self.samples_changed.emit(points)

    def set_sample_images(self, points: np.ndarray, images: np.ndarray) -> bool:
        """Images decoded at ``points``: refused unless those are still the samples shown."""
        if self.samples is None or points.shape != self.samples.shape or not np.array_equal(points, self.samples):
            return False
        self.sample_images = images
        self.sample_images_changed.emit(images)
        return True

    def set_manifold(self, picture: ManifoldPicture | None, ticket: Ticket | None = None) -> bool:
        """A picture decoded for an older request of this same model is still shown (see the module doc)."""
        if ticket is not None and ticket.generation != self.generation:
            return False
        self.manifold = picture
        self.manifold_changed.emit(picture)
        return True

    def set_diagnostics(self, diagnostics: ModelDiagnostics | None, ticket: Ticket | None = None) -> bool:
        """The KL diagnostics of the weights shown (refused for an older request, like an encoding)."""
        if ticket is not None and not self.is_current(ticket):
            return False
        self.diagnostics = diagnostics
        self.diagnostics_changed.emit(diagnostics)
        return True

    def set_coverage(self, picture: CoveragePicture | None, ticket: Ticket | None = None) -> bool:
        if ticket is not None and not self.is_current(ticket):
            return False
        self.coverage = picture
        self.coverage_changed.emit(picture)
        return True

    def set_manifold_status(self, text: str) -> None:
        if text != self.manifold_status:
            self.manifold_status = text
            self.manifold_status_changed.emit(text)

    def set_cursor_image(self, image: CursorImage, generation: int | None = None) -> bool:
        if generation is not None and generation != self.generation:
            return False
        self.cursor_image = image
        self.cursor_decoded.emit(image)
        return True

    def set_busy(self, busy: Busy | None, ticket: Ticket | None = None) -> bool:
        if ticket is not None and not self.is_current(ticket):
            return False
        if busy != self.busy:
            self.busy = busy
            self.busy_changed.emit(busy)
        return True

    def set_message(self, message: str | None) -> None:
        if message != self.message:
            self.message = message
            self.message_changed.emit(message)

    def fail(self, message: str, ticket: Ticket | None = None) -> bool:
        """A job failed: say so in place of the map (unless a newer job has taken over)."""
        if ticket is not None and not self.is_current(ticket):
            return False
        self.error = message
        self.set_busy(None)
        self.set_message(message)
        return True

    # -- the model being trained --------------------------------------------------------------
    def show_live(
        self,
        step: int,
        model: LatentModel,
        encoded: EncodedSet,
        projection: LatentProjection | None = None,
        codes: EncodedSet | None = None,
    ) -> None:
        """Show a training snapshot: its embeddings of the live subset, and decode with its weights
        (a D > 2 model's: ``encoded`` projected from ``codes`` through ``projection``).

        The first snapshot drops the samples and training points: they belong to the explorer's model."""
        first = self.live is None
        self.live = LiveView(step=step, kind=model.kind, model=model)
        self.projection, self.codes = projection, codes
        if first:
            self.cancel("train_points")
            self.set_train_points(None)
            self.set_samples(None)
        self.decoder_changed.emit(self.decoding_model)
        self.live_changed.emit(self.live)
        self.set_encoded(encoded)
