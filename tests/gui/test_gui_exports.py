"""Every File > Export item writes a file that opens."""

from __future__ import annotations

import csv

from PIL import Image


def test_exports_write_valid_files(qtbot, window, tmp_path):
    qtbot.waitUntil(lambda: window.side.sample_grid.images is not None)

    map_png = window.files.export("map", tmp_path / "map.png")
    with Image.open(map_png) as image:
        assert image.format == "PNG" and image.width == 2 * window.latent_map.viewport().width() and image.height > 400

    decoded = window.files.export("decoded", tmp_path / "decoded.png")
    with Image.open(decoded) as image:
        assert image.size == (256, 256)
        assert image.getextrema() != (0, 0)  # not blank

    grid = window.files.export("samples", tmp_path / "samples.png")
    with Image.open(grid) as image:
        assert image.format == "PNG" and image.width > 6 * 96 and image.height > 3 * 96

    csv_path = window.files.export("embeddings", tmp_path / "embeddings.csv")
    with csv_path.open(newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["index", "label", "class_name", "z0", "z1"]
    assert len(rows) == 1 + 10_000
    assert float(rows[1][3]) == float(f"{window.model.encoded.z[0, 0]:.6g}")


def test_export_menu_uses_the_chosen_path(qtbot, window, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    from gaerchen_gui.gui.actions import ActionKey

    target = tmp_path / "chosen"  # no suffix: the export adds it
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "CSV file (*.csv)"))
    window.actions[ActionKey.EXPORT_EMBEDDINGS_CSV].trigger()
    assert (tmp_path / "chosen.csv").is_file()
