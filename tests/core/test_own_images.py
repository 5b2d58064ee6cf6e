"""Preparing one's own image the way Fashion-MNIST's were, against hand-made images."""

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from gaerchen_gui.core.own_images import (
    ImageReadError,
    has_light_background,
    prepare_files,
    prepare_image,
    read_image,
    skipped_message,
)


def _bright_box(pixels: np.ndarray, level: float = 0.5) -> tuple[int, int, int, int]:
    rows, cols = np.flatnonzero((pixels > level).any(axis=1)), np.flatnonzero((pixels > level).any(axis=0))
    return int(rows[0]), int(rows[-1]), int(cols[0]), int(cols[-1])


def _photo(size=(400, 200), box=(60, 30, 259, 129), background=(250, 248, 245), ink=(20, 30, 40)) -> Image.Image:
    """A colour "photo": a dark object (200 x 100 px here) off-centre on a light background."""
    image = Image.new("RGB", size, background)
    ImageDraw.Draw(image).rectangle(box, fill=ink)
    return image


def test_a_white_background_photo_is_inverted_trimmed_fitted_and_centred():
    pixels = prepare_image(_photo())
    assert pixels.shape == (32, 32) and pixels.dtype == np.float32
    assert 0.0 <= pixels.min() and pixels.max() <= 1.0
    # dark background (the light one negated), the dark object now bright
    assert pixels[0].max() < 0.05 and pixels[16, 16] > 0.8
    top, bottom, left, right = _bright_box(pixels)
    # the 2:1 object fills 28 columns and 14 rows, centred in the 32 x 32 frame wherever it was drawn
    assert (right - left + 1, bottom - top + 1) == (28, 14)
    assert (left, 31 - right) == (2, 2) and (top, 31 - bottom) == (9, 9)


def test_a_large_jpeg_decoded_at_a_reduced_scale_gives_the_full_decodes_result(tmp_path):
    photo = _photo(size=(3600, 2400), box=(900, 700, 2699, 1599))  # 2:1 object
    photo.save(tmp_path / "big.jpg", quality=95)
    assert max(read_image(tmp_path / "big.jpg").size) < 3600  # the reduced scale was used
    full = prepare_image(Image.open(tmp_path / "big.jpg").convert("RGB"))
    np.testing.assert_allclose(prepare_image(tmp_path / "big.jpg"), full, atol=0.1)
    assert _bright_box(full) == (9, 22, 2, 29)


def test_a_tall_object_keeps_its_aspect_ratio():
    pixels = prepare_image(_photo(size=(300, 300), box=(140, 20, 169, 259)))  # 30 x 240: 1 to 8
    top, bottom, left, right = _bright_box(pixels)
    assert bottom - top + 1 == 28 and 3 <= right - left + 1 <= 5 and abs((left + right) / 2 - 15.5) <= 1


def test_a_dark_background_is_kept_unless_the_toggle_says_invert():
    image = Image.new("L", (50, 50), 10)
    ImageDraw.Draw(image).ellipse((10, 10, 39, 39), fill=230)
    kept = prepare_image(image)
    assert kept[0].max() < 0.05 and kept[16, 16] > 0.8
    forced = prepare_image(image, invert=True)
    assert forced[16, 16] < 0.2  # the bright disc negated: dark
    # and the toggle's other way leaves a light photo light
    assert prepare_image(_photo(), invert=False)[16, 16] < 0.2


def test_light_background_is_the_border_median_so_an_object_touching_an_edge_does_not_flip_it():
    pixels = np.full((40, 40), 0.9, dtype=np.float32)
    pixels[10:, 15:25] = 0.0  # a dark trouser leg running off the bottom edge
    assert has_light_background(pixels)
    assert not has_light_background(1.0 - pixels)


def test_a_transparent_drawing_is_a_drawing_on_paper():
    image = Image.new("RGBA", (60, 60), (0, 0, 0, 0))  # transparent black: would read as a dark background
    ImageDraw.Draw(image).line((5, 55, 55, 5), fill=(0, 0, 0, 255), width=6)
    pixels = prepare_image(image)
    assert pixels[0, 0] < 0.05 and pixels.max() > 0.8  # a bright stroke on black, like every other input


def test_bytes_of_a_file_are_read_like_the_file(tmp_path):
    _photo().save(tmp_path / "p.png")
    data = io.BytesIO((tmp_path / "p.png").read_bytes())
    np.testing.assert_array_equal(prepare_image(data), prepare_image(tmp_path / "p.png"))


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: p.write_text("not a picture"), "not an image"),
        (lambda p: p.write_bytes(_png_bytes()[:120]), "truncated"),
        (lambda p: None, "no such file"),
    ],
)
def test_bad_files_give_a_short_reason(tmp_path, make, reason):
    path = tmp_path / "bad.png"
    make(path)
    with pytest.raises(ImageReadError, match=reason) as caught:
        prepare_image(path)
    assert caught.value.name == "bad.png" and "\n" not in str(caught.value)


def test_an_image_over_the_decompression_bomb_limit_is_refused(tmp_path, monkeypatch):
    Image.new("L", (200, 200), 255).save(tmp_path / "huge.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 30_000)  # 40,000 pixels: between the limit and twice it
    with pytest.raises(ImageReadError, match="too large .* 30,000 pixels"):
        read_image(tmp_path / "huge.png")


def test_a_drop_of_several_files_prepares_the_images_and_lists_the_rest(tmp_path):
    _photo().save(tmp_path / "shirt.jpg")
    Image.new("L", (40, 20), 0).save(tmp_path / "dark.png")
    (tmp_path / "notes.txt").write_text("hello")
    (tmp_path / "cut.png").write_bytes(_png_bytes()[:120])
    paths = [tmp_path / name for name in ("shirt.jpg", "notes.txt", "dark.png", "cut.png", "gone.png")]
    dropped = prepare_files(paths)
    assert dropped.pixels.shape == (2, 32, 32) and dropped.names == ("shirt.jpg", "dark.png")
    assert dropped.skipped == ("notes.txt: not an image", "cut.png: truncated", "gone.png: no such file (removed?)")
    assert skipped_message(dropped.skipped) == (
        "skipped 3 files or folders: notes.txt: not an image; cut.png: truncated; gone.png: no such file (removed?)"
    )
    assert prepare_files([tmp_path / "notes.txt"]).pixels.shape == (0, 32, 32)


def test_a_long_list_of_skipped_files_is_cut_short():
    message = skipped_message([f"a/{i}.txt: not an image" for i in range(20)])
    assert "a/7.txt" in message and "a/8.txt" not in message and message.endswith("and 12 more")


def _png_bytes() -> bytes:
    buffer = io.BytesIO()
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 255, (64, 64), dtype=np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()
