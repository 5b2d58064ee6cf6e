"""A path as CSV: round trip, and a bad file refused with one line that says where."""

from __future__ import annotations

import numpy as np
import pytest

from gaerchen_gui.core.path_csv import PathFileError, read_path_csv, write_path_csv


def test_round_trip_keeps_every_coordinate_bit_for_bit(tmp_path):
    points = np.random.default_rng(0).normal(size=(57, 2)) * 3
    written = write_path_csv(tmp_path / "p.csv", points)
    assert written.read_text().splitlines()[0] == "x,y"
    assert np.array_equal(read_path_csv(written), points)


def test_a_header_is_optional(tmp_path):
    (tmp_path / "p.csv").write_text("1,2\n3.5,-4\n")
    assert read_path_csv(tmp_path / "p.csv").tolist() == [[1, 2], [3.5, -4]]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x,y\n1,2\n3,abc\n", r"p.csv, line 3: 'abc' is not a number"),
        ("x,y\n1,2,3\n4,5,6\n", r"line 2: expected two numbers \(x,y\), found 3"),
        ("x,y\n1,2\n", r"holds 1 point\(s\); a path needs at least 2"),
        ("", r"holds 0 point"),
        ("x,y\n1,2\nnan,3\n", r"line 3: nan is not a finite coordinate"),
    ],
)
def test_bad_files_are_refused_in_one_line(tmp_path, text, message):
    (tmp_path / "p.csv").write_text(text)
    with pytest.raises(PathFileError, match=message) as err:
        read_path_csv(tmp_path / "p.csv")
    assert "\n" not in str(err.value)


def test_a_binary_file_is_not_a_path(tmp_path):
    (tmp_path / "p.csv").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with pytest.raises(PathFileError, match="not a text file"):
        read_path_csv(tmp_path / "p.csv")
