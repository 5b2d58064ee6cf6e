"""The pins and drawing state (no Qt): latest-wins placements, pins kept by identity, settings entries."""

import numpy as np
import pytest
from PIL import Image

from gaerchen_gui.components.model_state import ModelState
from gaerchen_gui.components.own_images import (
    MAX_PINS,
    OwnImages,
    parse_entries,
    read_pin,
    read_pins,
    settings_entries,
)
from gaerchen_gui.core.placement import Placement, pad_drawing


def placement(x: float) -> Placement:
    return Placement(np.array([x, -x], np.float32), None, np.zeros((32, 32), np.float32))


@pytest.fixture
def files(tmp_path):
    light = Image.new("L", (60, 40), 230)
    light.paste(20, (20, 10, 40, 30))  # a dark square on a light background: inverted automatically
    light.save(tmp_path / "light.png")
    dark = Image.new("L", (30, 30), 0)
    dark.paste(255, (10, 10, 20, 20))
    dark.save(tmp_path / "dark.png")
    (tmp_path / "notes.txt").write_text("not an image")
    return tmp_path


def test_a_placement_for_an_older_drawing_is_refused():
    own, state = OwnImages(), ModelState()
    drawing = pad_drawing(np.eye(28, dtype=np.float32))
    first = own.set_drawing(drawing)
    second = own.set_drawing(drawing * 0.5)
    assert not own.place_drawing(state, first, placement(1.0))  # a stroke overtook it
    assert own.drawing_placement(state) is None
    assert own.place_drawing(state, second, placement(2.0))
    assert own.drawing_placement(state).z[0] == 2.0


def test_a_blank_drawing_is_no_drawing_and_unpins_it():
    own, state = OwnImages(), ModelState()
    version = own.set_drawing(pad_drawing(np.eye(28, dtype=np.float32)))
    own.place_drawing(state, version, placement(1.0))
    placed = []
    own.placed.connect(placed.append)
    own.set_drawing(np.zeros((32, 32), np.float32))
    assert own.drawing is None and own.drawing_placement(state) is None and placed == [state]


def test_removing_a_pin_keeps_the_others_placements(files):
    own, state = OwnImages(), ModelState()
    a, b = read_pin(files / "light.png"), read_pin(files / "dark.png")
    own.add_pins([a, b])
    own.place_pins(state, (a, b), (placement(1.0), placement(2.0)))
    own.remove_pin(a)
    assert own.pins == (b,)
    assert own.pin_placement(state, a) is None and own.pin_placement(state, b).z[0] == 2.0
    own.clear_pins()
    assert own.pins == () and own.pin_placement(state, b) is None


def test_pins_beyond_the_limit_are_counted_not_added(files):
    own = OwnImages()
    pins = [read_pin(files / "dark.png") for _ in range(MAX_PINS + 3)]
    assert own.add_pins(pins) == 3
    assert len(own.pins) == MAX_PINS


def test_reading_pins_prepares_like_fashion_mnist_and_lists_what_is_skipped(files):
    pins, skipped = read_pins([(str(files / "light.png"), None), (str(files / "notes.txt"), None),
                               (str(files / "gone.png"), None), (str(files / "dark.png"), None)])  # fmt: skip
    assert [p.name for p in pins] == ["light.png", "dark.png"]
    assert skipped == ["notes.txt: not an image", "gone.png: no such file (removed?)"]
    light, dark = pins
    assert light.inverted and not dark.inverted  # by the background
    assert light.pixels.shape == (32, 32) and light.pixels.max() > 0.9 and light.pixels[0, 0] == 0.0
    assert light.before.shape == (40, 60) and light.before[0, 0] > 0.8  # the file as it looks
    forced = read_pin(files / "light.png", invert=False)
    assert not forced.inverted and forced.invert is False
    assert not np.allclose(forced.pixels, light.pixels)


def test_settings_entries_round_trip(files):
    pins = [
        read_pin(files / "light.png"),
        read_pin(files / "dark.png", invert=True),
        read_pin(files / "dark.png", False),
    ]
    entries = settings_entries(tuple(pins))
    assert parse_entries(entries) == [(p.path, p.invert) for p in pins]
    assert parse_entries(["garbage", "maybe|/x.png", "on|"]) == []
