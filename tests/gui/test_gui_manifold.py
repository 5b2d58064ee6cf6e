"""The decoded-manifold background: toggle, options, spacing per model kind, and what it draws."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from gui_support import wait_for_map

from gaerchen_gui.core.manifold import manifold_grid, render_manifold
from gaerchen_gui.gui.actions import ActionKey

TIMEOUT_MS = 60_000


def wait_for_manifold(qtbot, window, resolution: int, spacing: str) -> None:
    qtbot.waitUntil(
        lambda: (
            window.model.manifold is not None
            and (window.model.manifold.resolution, window.model.manifold.spacing) == (resolution, spacing)
            and window.pane.manifold_layer.isVisible()
        ),
        timeout=TIMEOUT_MS,
    )


def expected_picture(window, resolution: int, spacing: str) -> tuple[np.ndarray, tuple]:
    """The picture the window should show: the same grid, decoded here on the test thread."""
    z = window.model.encoded.z[:, :2].astype(np.float64)
    grid = manifold_grid(resolution, spacing, box=(*z.min(axis=0), *z.max(axis=0)))
    with torch.inference_mode():
        images = window.model.checkpoint.model.decode(torch.from_numpy(grid.points)).numpy()[:, 0]
    return render_manifold(grid, images), grid.extent


def test_toggling_the_manifold_draws_the_decoded_grid_behind_the_points(qtbot, window):
    assert not window.pane.manifold_layer.isVisible()
    window.actions[ActionKey.SHOW_MANIFOLD].trigger()  # as Ctrl+M or the View menu does
    assert window.side.manifold_controls.show_box.isChecked()
    wait_for_manifold(qtbot, window, 20, "uniform")
    picture, extent = expected_picture(window, 20, "uniform")
    np.testing.assert_allclose(window.pane.manifold_layer.image.astype(int), picture.astype(int), atol=2)
    rect = window.pane.manifold_layer.mapRectToView(window.pane.manifold_layer.boundingRect())
    assert (rect.x(), rect.y(), rect.width(), rect.height()) == pytest.approx(extent, rel=1e-4)
    assert window.pane.manifold_layer.zValue() < window.latent_map.scatter.zValue()
    assert "20 x 20" in window.side.manifold_controls.status.text()

    window.side.manifold_controls.show_box.click()  # the check box and the action are one switch
    assert not window.actions[ActionKey.SHOW_MANIFOLD].isChecked()
    assert not window.pane.manifold_layer.isVisible()


def test_resolution_and_opacity_change_the_picture_and_are_remembered(qtbot, make_window):
    window = make_window("ae")
    window.actions[ActionKey.SHOW_MANIFOLD].trigger()
    wait_for_manifold(qtbot, window, 20, "uniform")
    window.side.manifold_controls.resolution_box.setValue(8)
    wait_for_manifold(qtbot, window, 8, "uniform")
    picture, _ = expected_picture(window, 8, "uniform")
    assert window.pane.manifold_layer.image.shape == picture.shape
    window.side.manifold_controls.opacity_slider.setValue(30)
    assert window.pane.manifold_layer.opacity() == pytest.approx(0.30)
    window.close()

    again = make_window("ae")  # same settings file
    assert again.actions[ActionKey.SHOW_MANIFOLD].isChecked()
    assert again.side.manifold_controls.options().resolution == 8
    assert again.pane.manifold_layer.opacity() == pytest.approx(0.30)
    wait_for_manifold(qtbot, again, 8, "uniform")


def test_normal_quantile_spacing_is_for_the_vae_and_the_ae_keeps_an_even_grid(qtbot, make_window):
    window = make_window("vae")
    controls = window.side.manifold_controls
    window.actions[ActionKey.SHOW_MANIFOLD].trigger()
    wait_for_manifold(qtbot, window, 20, "uniform")
    controls.spacing_box.setCurrentIndex(controls.spacing_box.findData("normal"))
    wait_for_manifold(qtbot, window, 20, "normal")
    picture, extent = expected_picture(window, 20, "normal")
    np.testing.assert_allclose(window.pane.manifold_layer.image.astype(int), picture.astype(int), atol=2)
    assert extent[0] == pytest.approx(-extent[0] - extent[2])  # symmetric about the prior's mean

    assert window.show_shipped("ae") is None
    wait_for_map(qtbot, window)
    wait_for_manifold(qtbot, window, 20, "uniform")  # an AE has no prior: even spacing
    assert controls.spacing_box.currentData() == "uniform"
    normal_item = controls.spacing_box.model().item(controls.spacing_box.findData("normal"))
    assert not normal_item.isEnabled()

    assert window.show_shipped("vae") is None  # the VAE gets the user's choice back
    wait_for_map(qtbot, window)
    wait_for_manifold(qtbot, window, 20, "normal")
    assert controls.spacing_box.currentData() == "normal"


def test_the_map_export_includes_the_manifold(qtbot, window, tmp_path):
    without = window.files.export("map", tmp_path / "without.png")
    window.actions[ActionKey.SHOW_MANIFOLD].trigger()
    wait_for_manifold(qtbot, window, 20, "uniform")
    with_manifold = window.files.export("map", tmp_path / "with.png")
    from PIL import Image

    a = np.asarray(Image.open(without).convert("L"), dtype=float)
    b = np.asarray(Image.open(with_manifold).convert("L"), dtype=float)
    assert a.shape == b.shape
    assert np.abs(a - b).mean() > 1.0  # the decoded tiles show up behind the points


def test_the_manifold_worker_stops_with_the_window(qtbot, window):
    window.actions[ActionKey.SHOW_MANIFOLD].trigger()
    window.close()
    assert not window.pane.jobs.manifold_decoder.isRunning()


def test_the_controls_say_why_normal_quantile_tiles_are_small(qtbot):
    from gaerchen_gui.gui.manifold_layer import ManifoldControls

    controls = ManifoldControls()
    qtbot.addWidget(controls)
    controls.show()
    controls.show_box.setChecked(True)
    controls.set_model_kind("vae")
    controls.spacing_box.setCurrentIndex(controls.spacing_box.findData("normal"))
    assert controls.spacing_note.isVisible() and "same prior probability" in controls.spacing_note.text()
    controls.spacing_box.setCurrentIndex(controls.spacing_box.findData("uniform"))
    assert not controls.spacing_note.isVisible()
    controls.spacing_box.setCurrentIndex(controls.spacing_box.findData("normal"))
    controls.set_model_kind("ae")  # an AE is always drawn evenly: nothing to explain
    assert not controls.spacing_note.isVisible()


def test_manifold_options_changed_elsewhere_show_in_the_controls(qtbot, make_window):
    from dataclasses import replace

    window = make_window("vae")
    options = window.explorer.options
    options.manifold = replace(options.manifold, resolution=24, spacing="normal", opacity=0.3)
    controls = window.side.manifold_controls
    assert controls.options() == options.manifold  # the controls show them, and did not change them back
    assert controls.resolution_box.value() == 24 and controls.spacing_box.currentData() == "normal"
