"""The background work behind one's own images: reading files, and placing them for each model on screen.

Reading and preparing files (Pillow: a large JPEG takes tens of milliseconds) runs in a thread
worker; encoding runs in the :class:`PlacementWorker`. Whenever the drawing, the pins or a model
on screen changes (a checkpoint opened, a training snapshot, a pane added), the images are placed
again for that model; results go into the :class:`OwnImages` state on the GUI thread. The pins
are kept in the settings as file paths with their invert choice and read again at the next launch.
"""

from __future__ import annotations

import os
from collections.abc import Generator

from PySide6.QtCore import QObject, Signal

from gaerchen_gui.components.explorer_state import ExplorerState
from gaerchen_gui.components.model_state import ModelState
from gaerchen_gui.components.own_images import (
    MAX_PINS,
    ImagePin,
    OwnImages,
    parse_entries,
    read_pins,
    settings_entries,
)
from gaerchen_gui.components.subscriptions import Subscriptions
from gaerchen_gui.core.own_images import skipped_message
from gaerchen_gui.gui.placement_worker import PlacementResult, PlacementWorker
from gaerchen_gui.gui.workers import LoudWorker, error_text


def _reading(entries: list[tuple[str, bool | None]]) -> Generator[None, None, tuple[list[ImagePin], list[str]]]:
    """:func:`read_pins` as a worker's generator."""
    return read_pins(entries)
    yield  # never reached: makes this a generator


class OwnImagesJobs(QObject):
    message = Signal(str)  # one line for the status bar: files skipped, pins left out, an encoding failure
    files_read = Signal(int)  # a batch of files was read; how many became pins

    def __init__(self, own: OwnImages, explorer: ExplorerState, settings=None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.own = own
        self.explorer = explorer
        self.settings = settings  # a Settings, or None: the pins are not remembered
        self.reading = 0  # batches of files being read
        self._workers: list = []
        self._models: dict[ModelState, Subscriptions] = {}
        self.worker = PlacementWorker(self)
        self.worker.placed.connect(self._on_placed)  # a method of this QObject: queued to the GUI thread
        self.worker.failed.connect(self.message)
        self.worker.start()
        own.drawing_changed.connect(lambda _: self._for_every_model(self.place_drawing))
        own.pins_changed.connect(self._on_pins_changed)
        explorer.models_changed.connect(self._follow_models)
        self._follow_models()

    # -- models on screen -----------------------------------------------------------------------
    def _follow_models(self) -> None:
        for state in [s for s in self._models if s not in self.explorer.models]:
            self._models.pop(state).disconnect_all()
            self.worker.drop(id(state))
            self.own.forget(state)
        for state in self.explorer.models:
            if state not in self._models:
                subscriptions = Subscriptions()
                subscriptions.connect(state.checkpoint_changed, lambda _, s=state: self.own.forget(s))
                subscriptions.connect(state.decoder_changed, lambda _, s=state: self._place(s))
                self._models[state] = subscriptions
                self._place(state)

    def _for_every_model(self, place) -> None:
        for state in self.explorer.models:
            place(state)

    def _place(self, state: ModelState) -> None:
        self.place_drawing(state)
        self.place_pins(state)

    def place_drawing(self, state: ModelState) -> None:
        model, drawing = state.latent_model, self.own.drawing
        if model is not None and drawing is not None:
            self.worker.request(("drawing", id(state)), model, drawing, tag=(state, self.own.drawing_version))

    def place_pins(self, state: ModelState) -> None:
        model, pins = state.latent_model, self.own.pins
        if model is not None and pins:
            self.worker.request(("pins", id(state)), model, [pin.pixels for pin in pins], tag=(state, pins))

    def _on_placed(self, result: PlacementResult) -> None:
        state, what = result.job.tag
        if state not in self._models or result.job.model is not state.latent_model:
            return  # the pane went, or its model changed: a newer request is on its way
        if result.job.slot[0] == "drawing":
            self.own.place_drawing(state, what, result.placements[0])
        else:
            self.own.place_pins(state, what, result.placements)

    def _on_pins_changed(self, pins: tuple[ImagePin, ...]) -> None:
        if self.settings is not None:
            self.settings.own_images = settings_entries(pins)
        placed = [state for state in self.explorer.models if all(self.own.pin_placement(state, p) for p in pins)]
        for state in self.explorer.models:
            if state not in placed:  # pins were added (removing one needs no encoding)
                self.place_pins(state)

    # -- files ----------------------------------------------------------------------------------
    def open_files(self, paths: list[str | os.PathLike], invert: bool | None = None) -> None:
        """Read, prepare and pin ``paths`` (in a worker); those that cannot be used are named in one message."""
        self._read([(str(path), invert) for path in paths], replacing=None)

    def set_invert(self, pin: ImagePin, invert: bool | None) -> None:
        """Prepare ``pin``'s file again, negated or not (None: automatic); it keeps its place in the list."""
        self._read([(pin.path, invert)], replacing=pin)

    def restore(self) -> None:
        """Pin the files of the last session again; files gone since are named in one message."""
        if self.settings is not None:
            entries = parse_entries(self.settings.own_images)
            if entries:
                self._read(entries, replacing=None)

    def _read(self, entries: list[tuple[str, bool | None]], replacing: ImagePin | None) -> None:
        worker = LoudWorker(_reading, entries)
        self.reading += 1

        def done(result: tuple[list[ImagePin], list[str]]) -> None:
            pins, skipped = result
            left_out = 0
            if replacing is not None and pins:
                self.own.replace_pin(replacing, pins[0])
            elif pins:
                left_out = self.own.add_pins(pins)
            self._finish(len(pins) - left_out, skipped, left_out)

        def failed(err: Exception) -> None:
            self._finish(0, [f"the images could not be read: {error_text(err)}"], 0)

        worker.returned.connect(done)
        worker.errored.connect(failed)
        self._workers = [w for w in self._workers if w.is_running] + [worker]
        worker.start()

    def _finish(self, pinned: int, skipped: list[str], left_out: int) -> None:
        self.reading -= 1
        parts = [skipped_message(skipped).capitalize()] if skipped else []
        if left_out:
            parts.append(f"{left_out} not pinned: at most {MAX_PINS} images on the map (remove some first)")
        if parts:
            self.message.emit(". ".join(parts))
        self.files_read.emit(pinned)

    def shutdown(self) -> None:
        for subscriptions in self._models.values():
            subscriptions.disconnect_all()
        self._models.clear()
        self.worker.stop()
        for worker in self._workers:
            worker.quit()
