"""The background work for one model on screen, written into its :class:`ModelState` (latest wins).

Threads: encoding the test set and the training images runs in ``superqt``
thread workers (generators from :mod:`gaerchen_gui.core.encoding`, so they
report progress and can be cancelled between slices); decoding runs in two
:class:`DecodeWorker` threads, one for the cursor, hovered images and samples,
one for the manifold grid (up to 1,600 points, never ahead of the cursor).
Results reach this object on the GUI thread through queued Qt signals and only
then go into the state, whose tickets drop what is stale. No widgets here.
"""

from __future__ import annotations

import time
from dataclasses import replace
from functools import partial

import numpy as np
from PySide6.QtCore import QObject, Signal

from gaerchen_gui.components import latent_view
from gaerchen_gui.components.explorer_state import ExplorerState
from gaerchen_gui.components.map_images import (
    dataset_of,
    encode_for_checkpoint,
    encode_training_for_checkpoint,
    is_stand_in,
)
from gaerchen_gui.components.model_state import Busy, CursorImage, ManifoldPicture, ModelState
from gaerchen_gui.components.subscriptions import Subscriptions
from gaerchen_gui.core.checkpoints import Checkpoint
from gaerchen_gui.core.data import ImageSet
from gaerchen_gui.core.encoding import (
    SHARED_CACHE,
    EmbeddingCache,
    EncodedSet,
    embeddings_cache_name,
    shared_test_set,
)
from gaerchen_gui.core.manifold import manifold_grid, render_manifold
from gaerchen_gui.core.sampling import sample_latent_points
from gaerchen_gui.gui.coverage_job import CoverageJob
from gaerchen_gui.gui.decode_worker import DecodeResult, DecodeWorker
from gaerchen_gui.gui.training_runner import LiveMapUpdate
from gaerchen_gui.gui.workers import LoudWorker, error_text

WORKER_STOP_TIMEOUT_S = 30.0  # loading the test set (~2 s) cannot be interrupted; encoding can
SPACING_NAMES = {"uniform": "even over the data", "normal": "normal quantiles"}


class ModelJobs(QObject):
    """Starts and stops the jobs of one :class:`ModelState`; ``hover_decoded`` is for the hover card."""

    hover_decoded = Signal(int, object)  # row of the encoded set, (32, 32) image
    decode_failed = Signal(str)
    failed = Signal(str, str)  # a dialog's title and message: a job the user asked for could not be done
    noted = Signal(str)  # one line about the map's images (files skipped, a folder gone), for the status bar

    def __init__(
        self,
        state: ModelState,
        explorer: ExplorerState,
        image_set: ImageSet | None = None,
        cache: EmbeddingCache | None = None,
        rng: np.random.Generator | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.explorer = explorer
        self._image_set = image_set  # tests hand in a smaller set; None: the real test split
        self._cache = cache if cache is not None else SHARED_CACHE
        self._rng = rng if rng is not None else np.random.default_rng()
        self._workers: list = []  # encoding workers; only the newest of each kind matters (tickets)
        self._shut_down = False

        self.decoder = DecodeWorker(self)
        self.manifold_decoder = DecodeWorker(self)
        self.decoder.decoded.connect(self._on_decoded)
        self.manifold_decoder.decoded.connect(self._on_manifold_decoded)
        self.decoder.failed.connect(self._on_decode_failed)  # methods of this QObject: queued to the GUI thread
        self.manifold_decoder.failed.connect(self._on_manifold_failed)

        state.decoder_changed.connect(self._on_decoder_changed)
        state.checkpoint_changed.connect(self._on_checkpoint_changed)
        state.encoded_changed.connect(self._on_encoded_changed)
        state.projection_changed.connect(self._on_projection_changed)
        self._explorer_events = Subscriptions()  # undone at shutdown: the explorer outlives a removed pane
        on = self._explorer_events.connect
        on(explorer.cursor_moved, self.decode_cursor)
        options = explorer.options.events
        on(options.show_manifold, self.request_manifold)
        on(options.manifold, self.request_manifold)
        on(options.show_train_points, self._on_train_points_wanted)
        on(options.sample_count, self.resample)
        self.decoder.start()
        self.manifold_decoder.start()
        self.coverage = CoverageJob(state, explorer)  # the holes layer, while it is shown

    # -- the model ------------------------------------------------------------------------------
    def _on_decoder_changed(self, model) -> None:  # a LatentModel or None
        # atomically; pending decodes for the old weights are dropped
        self.decoder.set_model(model)
        self.manifold_decoder.set_model(model)
        if model is not None:
            self.decode_cursor(*self.explorer.cursor)

    def _on_projection_changed(self, _projection) -> None:  # a LatentProjection or None
        # The view's hidden components (or axes) changed: the same map points stand for other codes.
        # (The cursor is decoded again on decoder_changed, which comes first.)
        if self.state.samples is not None and self.state.live is None:
            self.decoder.request("samples", self.state.samples)
        self.request_manifold()

    def _on_checkpoint_changed(self, checkpoint: Checkpoint | None) -> None:
        self._stop_workers()
        if checkpoint is not None:
            self.encode(checkpoint)

    def _on_encoded_changed(self, encoded: EncodedSet | None) -> None:
        if encoded is None:
            return
        if self.state.live is None:
            self.resample()
            self.request_train_points()
        self.request_manifold()  # latest wins: while one grid decodes, newer snapshots replace the next

    # -- encoding the test set --------------------------------------------------------------------
    def _load_images(self) -> ImageSet:  # runs in the worker thread
        return self._image_set if self._image_set is not None else shared_test_set()

    def _cache_name(self, checkpoint: Checkpoint, split: str) -> str | None:
        if split == "test" and self._image_set is not None and dataset_of(checkpoint) is None:
            return None  # an image set handed in (tests) is not the cached test split
        return embeddings_cache_name(checkpoint.digest, split)

    def encode(self, checkpoint: Checkpoint) -> None:
        ticket = self.state.ticket("encode")
        name = self._cache_name(checkpoint, "test")
        cached = self._cache.get(name)  # a MapView: the D-dimensional codes and their default view
        if cached is not None:
            self._show(cached, ticket)
            return
        kind = checkpoint.kind.upper()
        folder = dataset_of(checkpoint)  # None: Fashion-MNIST
        images = "Fashion-MNIST" if folder is None else f"{folder.name} folder's"
        self.state.set_message(f"Loading the {images} test images for the {kind}…")
        self.state.set_busy(Busy("encoding"), ticket)
        disk_name = name if folder is None else None  # a folder's images may change: kept in memory only
        worker = LoudWorker(encode_for_checkpoint, checkpoint, self._load_images, cache_name=disk_name)
        count = "10,000" if folder is None else f"{folder.test_count:,}"

        def progress(fraction: float) -> None:
            if self.state.set_busy(Busy("encoding", fraction), ticket):
                self.state.set_message(f"Encoding the {count} test images with the {kind}…  {round(100 * fraction)}%")

        def done(view: latent_view.MapView) -> None:
            if not is_stand_in(view.encoded):  # the stand-in for a missing folder: look again next time
                self._cache.put(name, view)
            if self.state.set_busy(None, ticket):
                self._show(view, ticket)

        worker.yielded.connect(progress)
        worker.returned.connect(done)
        worker.errored.connect(
            lambda err: self.state.fail(f"The test images could not be encoded:\n{error_text(err)}", ticket)
        )
        self._start(worker)

    def _show(self, view: latent_view.MapView, ticket) -> None:
        if latent_view.show_view(self.state, view, ticket) and view.encoded.note:
            self.noted.emit(view.encoded.note)

    def choose_axes(self, dims: tuple[int, int] | None) -> None:
        """Show two dimensions of a D > 2 model's codes (0-based), or (None) their principal components;
        planned in a worker (the projected points' nearest-image index takes ~0.1 s on a busy machine)."""
        state, codes = self.state, self.state.codes
        if state.projection is None or codes is None or state.projection.dims == dims:
            return
        ticket = state.ticket("view")
        worker = LoudWorker(latent_view.planning, codes, dims)
        worker.returned.connect(lambda view: latent_view.show_view(state, view, ticket))
        worker.errored.connect(lambda err: self.failed.emit("Cannot show these axes", error_text(err)))
        self._start(worker)

    # -- the 60,000 training images -----------------------------------------------------------------
    def _on_train_points_wanted(self, on: bool) -> None:
        if on:
            self.request_train_points()
        else:
            self.state.cancel("train_points")  # an encoding under way is not wanted any more
            self.state.set_busy(None)

    def request_train_points(self) -> None:
        """Encode the training images for the map (in a worker, the first time per checkpoint), if wanted."""
        state, checkpoint = self.state, self.state.checkpoint
        if not self.explorer.options.show_train_points or checkpoint is None or state.live is not None:
            return
        if state.train_points is not None:
            return
        name = self._cache_name(checkpoint, "train")
        ticket = state.ticket("train_points")
        cached = self._cache.get(name)
        if cached is not None:
            state.set_train_points(cached, ticket)
            return
        folder = dataset_of(checkpoint)  # a folder's training split is not kept on disk: the folder may change
        worker = LoudWorker(encode_training_for_checkpoint, checkpoint, cache_name=name if folder is None else None)

        def done(result: tuple[np.ndarray, np.ndarray]) -> None:
            self._cache.put(name, result)
            if state.set_busy(None, ticket):
                state.set_train_points(result, ticket)

        def failed(err: Exception) -> None:
            if state.set_busy(None, ticket):
                state.error = f"The training images could not be encoded:\n{error_text(err)}"
                self.explorer.options.show_train_points = False
                self.failed.emit("Training images unavailable", state.error)

        state.set_busy(Busy("training images"), ticket)
        worker.yielded.connect(lambda fraction: state.set_busy(Busy("training images", fraction), ticket))
        worker.returned.connect(done)
        worker.errored.connect(failed)
        self._start(worker)

    # -- decoding -----------------------------------------------------------------------------------
    def decode_cursor(self, x: float, y: float) -> None:
        if self.state.decoding_model is not None:
            self.decoder.request("cursor", np.array([[x, y]], dtype=np.float32))

    def decode_hover(self, row: int) -> None:
        # The image's own code, all D dimensions of it: its reconstruction, not its shadow on the view.
        codes = self.state.codes if self.state.projection is not None else self.state.encoded
        if codes is not None and 0 <= row < len(codes):
            self.decoder.request("hover", codes.z[row : row + 1], tag=row)

    def resample(self) -> None:
        """Draw new points (N(0, I) for a VAE, the bounding box for an AE) and decode them."""
        state = self.state
        if state.encoded is None or state.checkpoint is None or state.live is not None:
            return
        count = self.explorer.options.sample_count
        points = sample_latent_points(state.checkpoint.kind, count, state.encoded.z, self._rng)
        state.set_samples(points)
        self.decoder.request("samples", points)

    def _on_decoded(self, result: DecodeResult) -> None:
        if self._shut_down or result.generation != self.decoder.generation:
            return  # decoded by weights that have since been replaced
        if result.channel == "cursor":
            self.state.set_cursor_image(CursorImage(result.request_id, result.z[0], result.images[0]))
        elif result.channel == "hover":
            self.hover_decoded.emit(result.tag, result.images[0])
        elif result.channel == "samples":
            self.state.set_sample_images(result.z, result.images)

    # -- the decoded manifold ---------------------------------------------------------------------
    def request_manifold(self, *_: object) -> None:
        """Decode the grid for the current weights and options (in the manifold thread), if it is shown."""
        state, options = self.state, self.explorer.options
        if not options.show_manifold or state.encoded is None or state.decoding_model is None:
            if not options.show_manifold:
                state.set_manifold_status("")
            return
        resolution, spacing = options.manifold.resolution, options.manifold.spacing_for(state.kind)
        z = state.encoded.z[:, :2].astype(np.float64)
        bounds = (*z.min(axis=0).tolist(), *z.max(axis=0).tolist())
        key = (state.generation, id(state.decoding_model), resolution, spacing, bounds)
        if state.manifold is not None and state.manifold.key == key:
            return
        try:
            grid = manifold_grid(resolution, spacing, box=bounds)
        except ValueError as err:
            state.set_manifold_status(f"Cannot draw the manifold: {err}")
            return
        state.set_manifold_status(f"Decoding {resolution**2:,} grid points…")
        ticket = state.ticket("manifold")
        tag = (ticket, key, grid, time.perf_counter())
        self.manifold_decoder.request("manifold", grid.points, tag=tag, finish=partial(render_manifold, grid))

    def _on_manifold_decoded(self, result: DecodeResult) -> None:
        ticket, key, grid, requested_at = result.tag
        if self._shut_down or not self.explorer.options.show_manifold:
            return
        seconds = time.perf_counter() - requested_at
        picture = ManifoldPicture(result.images, grid.extent, grid.resolution, grid.spacing, seconds, key)
        if self.state.set_manifold(picture, ticket):
            spacing = SPACING_NAMES[grid.spacing]
            self.state.set_manifold_status(
                f"{grid.resolution} x {grid.resolution} decoded images, {spacing}  ·  {seconds:.2f} s"
            )

    def _on_decode_failed(self, _channel: str, message: str) -> None:
        if not self._shut_down:
            self.decode_failed.emit(message)

    def _on_manifold_failed(self, _channel: str, message: str) -> None:
        # Said where the user looks for the grid (its status stayed on "Decoding…" otherwise), and in the status bar.
        if not self._shut_down:
            self.state.set_manifold_status(f"Cannot draw the manifold: {message}")
            self.decode_failed.emit(message)

    # -- the model being trained ------------------------------------------------------------------
    def show_snapshot(self, update: LiveMapUpdate) -> bool:
        """Show a training snapshot (embeddings of the live subset, projected for a model with D > 2
        latent dimensions), with the images, labels and class names the run follows; False once shut down."""
        snapshot, live = update.snapshot, update.live_set
        if self._shut_down:
            return False
        encoded = EncodedSet(
            z=update.points,
            labels=live.labels,
            images=live.images[:, 0].numpy(),
            index=update.index,
            test_ids=live.test_ids,
            class_names=live.class_names,
        )
        codes = None if update.projection is None else replace(encoded, z=snapshot.embeddings.numpy())
        self.state.show_live(snapshot.global_step, snapshot.model, encoded, update.projection, codes)
        return True

    # -- threads ----------------------------------------------------------------------------------
    def _start(self, worker) -> None:  # a superqt worker
        self._workers = [w for w in self._workers if w.is_running]
        self._workers.append(worker)
        worker.start()

    def _stop_workers(self) -> None:
        for worker in self._workers:
            worker.quit()  # checked between slices of 500 images: a stale result is dropped by its ticket

    def shutdown(self) -> None:
        """Stop every thread of this model and wait for them (idempotent)."""
        if self._shut_down:
            return
        self._shut_down = True
        self._explorer_events.disconnect_all()
        self._stop_workers()
        self.decoder.stop()
        self.manifold_decoder.stop()
        self.coverage.shutdown()
        deadline = time.monotonic() + WORKER_STOP_TIMEOUT_S
        while any(w.is_running for w in self._workers) and time.monotonic() < deadline:
            time.sleep(0.01)
        self._workers = []
