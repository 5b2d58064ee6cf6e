"""One's own images on the map: the drawing on the pad, the pinned image files, and where each model
on screen puts them. Plain state with psygnal events, no Qt (see ``model_state.py``).

The drawing and the pins are the inputs; a :class:`~gaerchen_gui.core.placement.Placement` per
model and image is derived from them by a worker. Latest wins here too: every change of the
drawing gets a new version number, and a placement computed for an older one is refused, so a
slow encode never moves the pin back to where an earlier stroke left it. A pin's placement is
keyed by the pin itself: removing one pin leaves the others where they are, with no re-encoding.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from psygnal import Signal

from gaerchen_gui.core.own_images import ImageReadError, grey_pixels, has_light_background, prepare_image, read_image
from gaerchen_gui.core.placement import Placement

PREVIEW_PX = 96  # the "before" preview of a file: its longer side, in pixels
MAX_PINS = 32  # thumbnails on a map beyond this hide the map; the dock says so
_INVERT_NAMES = {None: "auto", True: "on", False: "off"}  # how a pin's invert choice is written in the settings
_pin_ids = itertools.count(1)


@dataclass(frozen=True, eq=False)  # compared by identity: two pins of one file are two pins
class ImagePin:
    path: str
    invert: bool | None  # the user's choice; None: automatic (negated when the background is light)
    inverted: bool  # what preparation did
    before: np.ndarray  # (h, w) float32 grey, the file as it looks (at most PREVIEW_PX on a side)
    pixels: np.ndarray  # (32, 32) float32, prepared as the models see it
    id: int = field(default_factory=lambda: next(_pin_ids))

    @property
    def name(self) -> str:
        return Path(self.path).name


def read_pin(path: str | os.PathLike, invert: bool | None = None) -> ImagePin:
    """Read and prepare one file (any thread); ImageReadError ("name: reason") if it cannot be used."""
    image = read_image(path)
    grey = grey_pixels(image)
    if grey.size == 0:
        raise ImageReadError(Path(path).name, "it has no pixels")
    inverted = has_light_background(grey) if invert is None else invert
    pixels = prepare_image(image, inverted)
    step = max(1, int(np.ceil(max(grey.shape) / PREVIEW_PX)))
    return ImagePin(str(Path(path).absolute()), invert, inverted, np.ascontiguousarray(grey[::step, ::step]), pixels)


def read_pins(entries: list[tuple[str, bool | None]]) -> tuple[list[ImagePin], list[str]]:
    """(pins, "name: reason" for each file left out) of ``(path, invert)`` entries (any thread)."""
    pins, skipped = [], []
    for path, invert in entries:
        try:
            pins.append(read_pin(path, invert))
        except ImageReadError as err:
            skipped.append(str(err))
        except Exception as err:  # an odd file Pillow decodes but cannot convert: it alone is left out
            skipped.append(f"{Path(path).name}: damaged ({type(err).__name__})")
    return pins, skipped


def settings_entries(pins: tuple[ImagePin, ...]) -> list[str]:
    """The pins as the settings keep them: "auto|/path/to/file.png" (the invert choice, then the path)."""
    return [f"{_INVERT_NAMES[pin.invert]}|{pin.path}" for pin in pins]


def parse_entries(entries: list[str]) -> list[tuple[str, bool | None]]:
    """:func:`settings_entries` read back; entries that do not parse are left out."""
    by_name = {name: value for value, name in _INVERT_NAMES.items()}
    parsed = []
    for entry in entries:
        choice, sep, path = str(entry).partition("|")
        if sep and path and choice in by_name:
            parsed.append((path, by_name[choice]))
    return parsed


class OwnImages:
    drawing_changed = Signal(object)  # (32, 32) float32 as the models see it, or None (the pad is blank)
    pins_changed = Signal(tuple)  # tuple[ImagePin, ...]
    placed = Signal(object)  # the ModelState whose placements changed

    def __init__(self) -> None:
        self.drawing: np.ndarray | None = None
        self.drawing_version = 0
        self.pins: tuple[ImagePin, ...] = ()
        self._drawing_at: dict[object, Placement] = {}  # ModelState -> the drawing's placement
        self._pins_at: dict[object, dict[int, Placement]] = {}  # ModelState -> pin id -> placement

    # -- the drawing --------------------------------------------------------------------------
    def set_drawing(self, pixels: np.ndarray | None) -> int:
        """The pad's drawing as the models see it (None or all zero: nothing drawn); returns its version."""
        if pixels is not None and not np.any(pixels):
            pixels = None
        self.drawing = None if pixels is None else np.array(pixels, dtype=np.float32)
        self.drawing_version += 1
        if pixels is None:
            for state in [s for s in self._drawing_at]:
                del self._drawing_at[state]
                self.placed.emit(state)
        self.drawing_changed.emit(self.drawing)
        return self.drawing_version

    def drawing_placement(self, state) -> Placement | None:  # a ModelState
        return self._drawing_at.get(state)

    def place_drawing(self, state, version: int, placement: Placement) -> bool:
        """Where ``state``'s model puts drawing ``version``; refused (False) for an older drawing."""
        if version != self.drawing_version or self.drawing is None:
            return False
        self._drawing_at[state] = placement
        self.placed.emit(state)
        return True

    # -- pinned files -------------------------------------------------------------------------
    def add_pins(self, pins: list[ImagePin]) -> int:
        """Pin ``pins`` after those already there, up to MAX_PINS; returns how many were left out."""
        room = max(0, MAX_PINS - len(self.pins))
        if pins[:room]:
            self._set_pins(self.pins + tuple(pins[:room]))
        return max(0, len(pins) - room)

    def remove_pin(self, pin: ImagePin) -> None:
        if pin in self.pins:
            self._set_pins(tuple(p for p in self.pins if p is not pin))

    def replace_pin(self, old: ImagePin, new: ImagePin) -> None:
        """``new`` in ``old``'s place (its invert choice changed); nothing if ``old`` was removed meanwhile."""
        if old in self.pins:
            self._set_pins(tuple(new if p is old else p for p in self.pins))

    def clear_pins(self) -> None:
        if self.pins:
            self._set_pins(())

    def _set_pins(self, pins: tuple[ImagePin, ...]) -> None:
        self.pins = pins
        ids = {pin.id for pin in pins}
        for placements in self._pins_at.values():
            for gone in [i for i in placements if i not in ids]:
                del placements[gone]
        self.pins_changed.emit(pins)

    def pin_placement(self, state, pin: ImagePin) -> Placement | None:  # a ModelState
        return self._pins_at.get(state, {}).get(pin.id)

    def place_pins(self, state, pins: tuple[ImagePin, ...], placements: tuple[Placement, ...]) -> None:
        """Where ``state``'s model puts ``pins`` (those removed meanwhile are dropped)."""
        shown = {pin.id for pin in self.pins}
        table = self._pins_at.setdefault(state, {})
        table.update({pin.id: p for pin, p in zip(pins, placements, strict=True) if pin.id in shown})
        self.placed.emit(state)

    # -- models ---------------------------------------------------------------------------------
    def forget(self, state) -> None:
        """``state``'s model changed or went: its placements no longer hold."""
        self._drawing_at.pop(state, None)
        self._pins_at.pop(state, None)
        self.placed.emit(state)
