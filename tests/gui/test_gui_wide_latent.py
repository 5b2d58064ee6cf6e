"""Models with 8 latent dimensions in the explorer: a 2-D view of their codes, decoded on that plane."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from gui_support import wait_for_cursor_decode, wait_for_map

from gaerchen_gui.core.checkpoints import load_checkpoint
from gaerchen_gui.core.config import TrainConfig
from gaerchen_gui.core.evaluation import embed_all
from gaerchen_gui.core.live_training import LIVE_SUBSET
from gaerchen_gui.core.manifold import manifold_grid, render_manifold
from gaerchen_gui.core.projection import axes_projection, pca_projection
from gaerchen_gui.gui.actions import ActionKey
from gaerchen_gui.gui.latent_view_controls import PICKED, PRINCIPAL

TIMEOUT_MS = 120_000
ATOL = 2e-4  # the window decodes with a traced copy of the decoder; here it is the eager one


@pytest.fixture(scope="module")
def core_codes(wide_models, test_set):
    """Each 8-D model and its codes of the 10,000 test images, computed by the core alone."""
    out = {}
    for kind in ("ae", "vae"):
        model = load_checkpoint(wide_models / f"{kind}8d.pt", device="cpu").model.eval()
        out[kind] = (model, embed_all(model, test_set).numpy())
    return out


def open_wide(qtbot, make_window, wide_models, kind):
    window = make_window(None)
    window.start(wide_models / f"{kind}8d.pt")  # what `gaerchen_gui --open ae8d.pt` does
    wait_for_map(qtbot, window)
    return window


def decoded(model, codes) -> np.ndarray:
    with torch.inference_mode():
        return model.decode(torch.as_tensor(np.asarray(codes), dtype=torch.float32)).numpy()[:, 0]


def axis_label(latent_map, side: str) -> str:
    return latent_map.getPlotItem().getAxis(side).labelText


def wait_for_image(qtbot, window, not_like: np.ndarray | None = None) -> np.ndarray:
    wait_for_cursor_decode(qtbot, window)
    if not_like is not None:
        qtbot.waitUntil(lambda: not np.allclose(window.preview.image, not_like), timeout=10_000)
    return window.preview.image.copy()


@pytest.mark.parametrize("kind", ["ae", "vae"])
def test_an_8d_model_is_shown_on_its_principal_components_and_decoded_on_that_plane(
    qtbot, make_window, wide_models, core_codes, test_set, kind
):
    window = open_wide(qtbot, make_window, wide_models, kind)
    model, z = core_codes[kind]
    state, latent_map, controls = window.model, window.latent_map, window.side.latent_view
    assert window.last_error is None and state.kind == kind
    np.testing.assert_allclose(state.codes.z, z, atol=1e-5)
    projection = pca_projection(z)
    points = latent_map.scatter.positions
    assert points.shape == (10_000, 2)
    np.testing.assert_allclose(points, projection.to_view(z), atol=1e-4)
    if kind == "vae":  # the posteriors' variances along the view's axes (the hover ellipses, the holes layer)
        with torch.inference_mode():
            log_var = model.encoder(test_set.images[:50])[1].numpy()
        np.testing.assert_allclose(state.encoded.z_log_var[:50], projection.log_var_to_view(log_var), atol=1e-3)
    else:
        assert state.encoded.z_log_var is None
    # the view says it is a projection: axis names, the title, the side panel's note
    assert axis_label(latent_map, "bottom") == projection.axis_label(0)
    assert axis_label(latent_map, "left").startswith("PC 2 (") and "% of variance)" in axis_label(latent_map, "left")
    assert "2-D view of 8-D" in latent_map.getPlotItem().titleLabel.text
    assert controls.isVisible() and "projection of the 8-D codes" in controls.note.text()
    assert len(controls.sliders) == 6

    # the cursor decodes the plane's point: the hidden components at the codes' mean
    x, y = np.median(points, axis=0) + 0.3
    window.explorer.set_cursor(float(x), float(y))
    first = wait_for_image(qtbot, window)
    np.testing.assert_allclose(first, decoded(model, projection.to_latent([[x, y]]))[0], atol=ATOL)
    assert window.preview.coordinates_text == f"PC 1, PC 2 = ({x:+.3f}, {y:+.3f})"  # the plane's, not z's

    # a hidden component moved: another image at the same point, the points stay
    controls.sliders[0].setValue(2.0)
    moved = wait_for_image(qtbot, window, not_like=first)
    offsets = np.zeros(6)
    offsets[0] = 2.0 * projection.spread[2]
    expected = decoded(model, projection.with_offsets(offsets).to_latent([[x, y]]))[0]
    np.testing.assert_allclose(moved, expected, atol=ATOL)
    np.testing.assert_allclose(latent_map.scatter.positions, points)
    # the samples are decoded on the moved plane too
    qtbot.waitUntil(
        lambda: (
            state.sample_images is not None
            and np.allclose(
                state.sample_images,
                decoded(model, projection.with_offsets(offsets).to_latent(state.samples)),
                atol=ATOL,
            )
        ),
        timeout=10_000,
    )
    controls.reset_button.click()
    assert controls.sliders[0].value() == 0.0
    np.testing.assert_allclose(wait_for_image(qtbot, window, not_like=moved), first, atol=ATOL)

    # hovering a point shows its image's own reconstruction, from all 8 dimensions of its code
    with qtbot.waitSignal(window.pane.jobs.hover_decoded, timeout=10_000) as hovered:
        window.pane.jobs.decode_hover(17)
    assert hovered.args[0] == 17
    np.testing.assert_allclose(hovered.args[1], decoded(model, z[17:18])[0], atol=ATOL)


def test_picking_two_dimensions_shows_those_codes(qtbot, make_window, wide_models, core_codes):
    window = open_wide(qtbot, make_window, wide_models, "vae")
    model, z = core_codes["vae"]
    controls, latent_map = window.side.latent_view, window.latent_map
    controls.axes_box.setCurrentIndex(PICKED)
    controls.x_box.setCurrentIndex(3)
    controls.y_box.setCurrentIndex(5)
    qtbot.waitUntil(lambda: window.model.projection.dims == (3, 5), timeout=5_000)
    np.testing.assert_allclose(latent_map.scatter.positions, z[:, [3, 5]], atol=1e-6)
    assert axis_label(latent_map, "bottom").startswith("z₃ (") and axis_label(latent_map, "left").startswith("z₅ (")
    assert [controls.x_box.currentIndex(), controls.y_box.currentIndex()] == [3, 5]
    projection = axes_projection(z, 3, 5)
    xy = window.explorer.cursor
    image = wait_for_image(qtbot, window)
    np.testing.assert_allclose(image, decoded(model, projection.to_latent([xy]))[0], atol=ATOL)
    # the decoded manifold is a grid of the plane's points
    window.explorer.options.show_manifold = True
    qtbot.waitUntil(lambda: window.model.manifold is not None, timeout=TIMEOUT_MS)
    picture = window.model.manifold
    view = z[:, [3, 5]].astype(np.float64)
    grid = manifold_grid(picture.resolution, picture.spacing, box=(*view.min(axis=0), *view.max(axis=0)))
    expected = render_manifold(grid, decoded(model, projection.to_latent(grid.points)))
    np.testing.assert_allclose(picture.image, expected, atol=1e-3)
    # back to the principal components
    controls.axes_box.setCurrentIndex(PRINCIPAL)
    qtbot.waitUntil(lambda: window.model.projection.dims is None, timeout=5_000)
    np.testing.assert_allclose(latent_map.scatter.positions, pca_projection(z).to_view(z), atol=1e-4)
    assert not controls.x_box.isEnabled()


def test_an_8d_vae_beside_a_2d_ae_under_one_cursor(qtbot, make_window, wide_models, core_codes):
    window = make_window("ae")
    window.actions[ActionKey.COMPARE_AE_VAE].trigger()  # two panes; the second's VAE is replaced below
    qtbot.waitUntil(lambda: len(window.panes.panes) == 2, timeout=10_000)
    a, b = window.panes.panes
    assert window.open_checkpoint(wide_models / "vae8d.pt", state=b.state) is None
    qtbot.waitUntil(lambda: b.state.encoded is not None and b.state.projection is not None, timeout=TIMEOUT_MS)
    model, z = core_codes["vae"]
    assert axis_label(a.latent_map, "bottom") == "z₀" and axis_label(b.latent_map, "bottom").startswith("PC 1 (")
    assert a.state.projection is None
    window.explorer.set_cursor(0.25, -0.5)  # view coordinates in each pane
    for state in (a.state, b.state):
        qtbot.waitUntil(
            lambda s=state: s.cursor_image is not None and np.allclose(s.cursor_image.z[:2], (0.25, -0.5)),
            timeout=10_000,
        )
    expected = decoded(model, pca_projection(z).to_latent([[0.25, -0.5]]))[0]
    np.testing.assert_allclose(b.state.cursor_image.image, expected, atol=ATOL)
    np.testing.assert_allclose(
        a.state.cursor_image.image, decoded(a.state.checkpoint.model, [[0.25, -0.5]])[0], atol=ATOL
    )
    # the side panel follows the active pane: the latent view only for the 8-D model
    window.explorer.set_active(b.state)
    assert window.side.latent_view.isVisible()
    window.explorer.set_active(a.state)
    assert not window.side.latent_view.isVisible()


def test_the_vae_diagnostics_of_an_8d_model_count_all_8_dimensions(qtbot, make_window, wide_models):
    window = open_wide(qtbot, make_window, wide_models, "vae")
    window.diagnostics.show(True)
    qtbot.waitUntil(lambda: window.model.diagnostics is not None, timeout=TIMEOUT_MS)
    assert window.model.diagnostics.latent.latent_dim == 8
    # the holes layer works on the view: a 2-D picture of the projected codes
    window.explorer.options.show_coverage = True
    qtbot.waitUntil(lambda: window.model.coverage is not None, timeout=TIMEOUT_MS)
    assert window.model.coverage.distance.ndim == 2 and window.model.coverage.density is not None


def test_training_an_8d_vae_shows_each_snapshot_through_its_principal_components(qtbot, window, monkeypatch):
    panel = window.training_panel
    panel.val_limit = 200
    config = TrainConfig.book("vae", epochs=1, batch_size=50, limit=500, latent_dim=8, compile="off")
    monkeypatch.setattr(panel, "config", lambda: config)  # the form's own latent-size field is not this test's
    updates = []
    panel.snapshotReady.connect(updates.append)
    assert panel.start()
    qtbot.waitUntil(lambda: not panel.runner.is_running, timeout=TIMEOUT_MS)
    state = window.model
    qtbot.waitUntil(lambda: state.live is not None and updates and state.live.step == updates[-1].snapshot.global_step)
    last = updates[-1]
    embeddings = last.snapshot.embeddings.numpy()
    assert embeddings.shape == (len(LIVE_SUBSET), 8) and state.projection is last.projection
    np.testing.assert_allclose(state.encoded.z, last.projection.to_view(embeddings), atol=1e-5)
    assert axis_label(window.latent_map, "bottom").startswith("PC 1 (")
    controls = window.side.latent_view
    assert controls.isVisible() and not controls.axes_box.isEnabled() and "while training" in controls.note.text()
    # the cursor decodes the plane's point with the weights being trained
    window.explorer.set_cursor(0.1, 0.2)
    image = wait_for_image(qtbot, window)
    np.testing.assert_allclose(
        image, decoded(last.snapshot.model, last.projection.to_latent([[0.1, 0.2]]))[0], atol=ATOL
    )
    with qtbot.waitSignal(window.mapReady, timeout=TIMEOUT_MS):
        panel.adopt_button.click()
    assert state.codes.z.shape == (10_000, 8) and state.encoded.z.shape == (10_000, 2)
    assert controls.axes_box.isEnabled() and "while training" not in controls.note.text()
