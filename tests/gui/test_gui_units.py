"""The explorer's parts that need no window: nearest neighbours, sampling, the decode worker, settings."""

from __future__ import annotations

import sys
import threading
import time

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from gaerchen_gui.core.neighbours import OFF_DATA_FACTOR, NearestIndex
from gaerchen_gui.core.sampling import sample_latent_points

finite = st.floats(-100, 100, allow_nan=False, allow_subnormal=False, width=32)  # in case training flushed them


@settings(max_examples=40, deadline=None)
@given(points=arrays(np.float32, st.tuples(st.integers(2, 60), st.just(2)), elements=finite), x=finite, y=finite)
def test_nearest_matches_brute_force(points, x, y):
    index = NearestIndex(points)
    found = index.query((x, y))
    distances = np.linalg.norm(points.astype(np.float64) - [x, y], axis=1)
    assert found.distance == pytest.approx(distances.min())
    assert distances[found.index] == pytest.approx(distances.min())
    assert found.off_data == (found.distance > index.off_data_threshold)


def test_off_data_threshold_follows_the_spacing():
    grid = np.stack(np.meshgrid(np.arange(30.0), np.arange(30.0)), axis=-1).reshape(-1, 2)  # spacing 1
    index = NearestIndex(grid)
    assert index.typical_spacing == pytest.approx(1.0)
    assert index.off_data_threshold == pytest.approx(OFF_DATA_FACTOR)
    assert not index.query((10.5, 10.5)).off_data  # between grid points
    assert index.query((50.0, 50.0)).off_data  # far outside


@settings(max_examples=25, deadline=None)
@given(n=st.integers(0, 50), seed=st.integers(0, 2**32 - 1))
def test_ae_samples_stay_in_the_bounding_box(n, seed):
    embeddings = np.array([[-3.0, 1.0], [5.0, 2.0], [0.0, 7.0]], np.float32)
    points = sample_latent_points("ae", n, embeddings, np.random.default_rng(seed))
    assert points.shape == (n, 2) and points.dtype == np.float32
    assert np.all(points >= embeddings.min(axis=0)) and np.all(points <= embeddings.max(axis=0))


def test_vae_samples_are_standard_normal():
    points = sample_latent_points("vae", 20_000, np.zeros((1, 2), np.float32), np.random.default_rng(0))
    assert np.abs(points.mean(axis=0)).max() < 0.03 and np.abs(points.std(axis=0) - 1).max() < 0.03


class SlowDecoder(torch.nn.Module):
    """Stands in for a model: decodes z to a constant image of z[0], after a pause."""

    kind = "ae"
    latent_dim = 2

    def __init__(self, delay_s: float = 0.02, offset: float = 0.0) -> None:
        super().__init__()
        self.delay_s, self.offset = delay_s, offset
        self.started = threading.Event()

    def decode(self, z):
        self.started.set()
        time.sleep(self.delay_s)
        return (z[:, :1, None, None] + self.offset).expand(-1, 1, 32, 32).clone()


def test_latest_request_wins_and_stale_ones_are_dropped(qtbot, worker):
    worker, results = worker
    worker.set_model(SlowDecoder(delay_s=0.05))
    ids = [worker.request("cursor", np.array([[i, 0.0]])) for i in range(30)]  # far faster than it decodes
    qtbot.waitUntil(lambda: bool(results) and results[-1].request_id == ids[-1], timeout=5000)
    qtbot.wait(100)
    assert len(results) < 10 and worker.stats.dropped >= 20
    assert [r.request_id for r in results] == sorted(r.request_id for r in results)
    assert results[-1].images.shape == (1, 32, 32) and results[-1].images[0, 0, 0] == pytest.approx(29.0)


def test_channels_do_not_replace_each_other(qtbot, worker):
    worker, results = worker
    worker.set_model(SlowDecoder(delay_s=0.01))
    worker.request("samples", np.zeros((18, 2)))
    worker.request("hover", np.ones((1, 2)), tag=7)
    worker.request("cursor", np.full((1, 2), 2.0))
    qtbot.waitUntil(lambda: len(results) == 3, timeout=5000)
    by_channel = {r.channel: r for r in results}
    assert by_channel["samples"].images.shape == (18, 32, 32) and by_channel["hover"].tag == 7


def test_new_model_drops_pending_requests_and_tags_results(qtbot, worker):
    worker, results = worker
    old = SlowDecoder(delay_s=0.2)
    first = worker.set_model(old)
    worker.request("cursor", np.zeros((1, 2)))
    assert old.started.wait(2)  # the worker is busy with the old model
    worker.request("cursor", np.ones((1, 2)))  # pending; dropped by the switch
    second = worker.set_model(SlowDecoder(delay_s=0.0, offset=100.0))
    new_id = worker.request("cursor", np.ones((1, 2)))
    qtbot.waitUntil(lambda: any(r.request_id == new_id for r in results), timeout=5000)
    assert [r.generation for r in results] == [first, second]
    assert results[-1].images[0, 0, 0] == pytest.approx(101.0)


def test_settings_round_trip(tmp_path):
    from gaerchen_gui.gui.settings import MAX_RECENT, Settings

    settings = Settings.in_file(tmp_path / "s.ini")
    assert settings.recent_files == [] and settings.last_model is None and settings.geometry is None
    for i in range(MAX_RECENT + 2):
        settings.add_recent_file(tmp_path / f"{i}.pt")
    settings.add_recent_file(tmp_path / "3.pt")
    settings.set_flag("show_legend", False)
    settings.last_model = "vae"
    settings.sync()
    again = Settings.in_file(tmp_path / "s.ini")
    assert len(again.recent_files) == MAX_RECENT and again.recent_files[0].endswith("3.pt")
    assert again.flag("show_legend", True) is False and again.last_model == "vae"


def test_checkpoints_of_any_latent_size_are_shown(tmp_path):
    from gaerchen_gui.core.checkpoints import make_metadata, save_checkpoint
    from gaerchen_gui.core.model_loading import describe, load_for_explorer
    from gaerchen_gui.core.models import build_model

    model = build_model("vae")
    meta = make_metadata(model, epochs_trained=5, test_metrics={"bce": 0.27, "kl": 5.0})
    path = save_checkpoint(tmp_path / "v.pt", model, meta)
    expected = "VAE  ·  2-D latent  ·  5 epochs  ·  test BCE 0.2700  ·  KL 5.00  ·  device cpu"
    assert describe(load_for_explorer(path)) == expected
    model3 = build_model("ae", latent_dim=3)
    path3 = save_checkpoint(tmp_path / "a3.pt", model3, make_metadata(model3))
    # a D > 2 model is shown through a projection (components/latent_view.py)
    assert describe(load_for_explorer(path3)).startswith("AE  ·  3-D latent  ·  ")


def test_none_survives_pyside_void_calls():
    import sys

    from gaerchen_gui.gui import process_tuning
    from gaerchen_gui.gui.pyside_fix import RESERVE

    assert process_tuning.current().protect_singletons  # applied at start-up (conftest, as run_app does)

    if sys.version_info < (3, 12):
        assert sys.getrefcount(None) > RESERVE // 2
    from PySide6.QtCore import QPoint

    point = QPoint()
    for _ in range(200_000):  # more than None's whole reference count without the workaround
        point.setX(1)


def test_true_and_false_survive_signals_to_python_slots(qtbot):
    import sys

    from gaerchen_gui.gui import process_tuning
    from gaerchen_gui.gui.pyside_fix import RESERVE

    assert process_tuning.current().protect_singletons  # applied at start-up (conftest, as run_app does)

    if sys.version_info < (3, 12):
        assert sys.getrefcount(True) > RESERVE // 2 and sys.getrefcount(False) > RESERVE // 2
    from PySide6.QtCore import QObject, Signal

    class Emitter(QObject):
        number = Signal(int)

    emitter, seen = Emitter(), []
    emitter.number.connect(seen.append)
    for i in range(100_000):  # each emit dropped a reference to a bool: fatal within a few thousand
        emitter.number.emit(i)
    assert len(seen) == 100_000


def test_pending_readouts_run_the_newest_update_per_name_on_flush_or_after_the_delay(qtbot):
    from gaerchen_gui.gui.readouts import PendingReadouts

    shown: list[tuple[str, int]] = []
    readouts = PendingReadouts(max_delay_ms=50)
    for i in range(3):
        readouts.defer("cursor", lambda i=i: shown.append(("cursor", i)))
    readouts.defer("mouse", lambda: shown.append(("mouse", 0)))
    assert shown == [] and readouts.waiting
    readouts.flush()
    assert sorted(shown) == [("cursor", 2), ("mouse", 0)]  # only the newest cursor readout
    assert not readouts.waiting
    readouts.flush()
    assert len(shown) == 2  # nothing twice
    readouts.defer("mouse", lambda: shown.append(("mouse", 1)))
    readouts.show_now("mouse", lambda: shown.append(("mouse", 2)))  # runs at once; the deferred one is dropped
    readouts.flush()
    assert shown[2:] == [("mouse", 2)]
    readouts.defer("cursor", lambda: shown.append(("cursor", 3)))  # no flush: the timer runs it
    qtbot.waitUntil(lambda: ("cursor", 3) in shown, timeout=2000)


def test_live_label_shows_bold_parts_and_never_asks_for_a_new_layout(qtbot):
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    from gaerchen_gui.gui.live_label import LiveLabel

    class LayoutRequests(QObject):
        count = 0

        def eventFilter(self, obj, event) -> bool:  # Qt override
            if event.type() == QEvent.Type.LayoutRequest:
                self.count += 1
            return False

    parent = QWidget()
    qtbot.addWidget(parent)
    label = LiveLabel("start", width_hint="nearest: #10000 Sneaker, 0.000 away")
    QVBoxLayout(parent).addWidget(label)
    parent.show()
    qtbot.waitExposed(parent)
    qtbot.wait(50)  # the layout requests of showing it are done
    watch = LayoutRequests()
    parent.installEventFilter(watch)
    for i in range(20):
        label.setText([("nearest: ", False), (f"#{i * 997}", True), (" Bag" * (i % 3), False)])
        qtbot.wait(1)
    assert label.text() == "nearest: #18943 Bag"
    assert watch.count == 0
    image = label.grab().toImage()  # it paints: the text is darker than the background somewhere
    background = label.palette().color(label.backgroundRole()).lightness()
    assert (
        min(image.pixelColor(x, y).lightness() for x in range(image.width()) for y in range(image.height()))
        < background - 60
    )


def test_sample_captions_share_one_precision(qtbot):
    from gaerchen_gui.gui.sample_grid import SampleGrid

    grid = SampleGrid()
    qtbot.addWidget(grid)
    # one far point among near ones: on its own it would need fewer decimals than its neighbours
    grid.set_points(np.array([[12.04, -3.02], [2.31, 3.94], [-0.2, 0.05], [1.0, -1.0], [0.5, 0.5], [-2.2, 1.1]]))
    decimals = set()
    for width in (200, 300, 420, 700, 1200):
        grid.resize(width, grid.minimumHeight())
        captions = grid.captions()
        assert len(captions) == 6
        numbers = [number.strip() for c in captions for number in c[1:-1].split(",")]
        counts = {len(number.split(".")[1]) if "." in number else 0 for number in numbers}
        assert len(counts) == 1, captions  # every number with the same number of decimals
        decimals |= counts
    assert len(decimals) >= 2  # the precision does follow the width: wide grids show more decimals
    grid.resize(1200, grid.minimumHeight())
    assert grid.captions()[0] == "(12.04, -3.02)" and grid.captions()[2] == "(-0.20, 0.05)"


def test_tooltips_follow_the_application_palette_not_qt_yellow(qtbot):
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QColor, QPalette
    from PySide6.QtWidgets import QApplication, QPushButton, QToolTip

    from gaerchen_gui.gui.app import create_application

    app = create_application()
    base, text = app.palette().color(QPalette.ColorRole.Base), app.palette().color(QPalette.ColorRole.Text)
    tips = QToolTip.palette()
    assert tips.color(QPalette.ColorRole.ToolTipBase) == base and tips.color(QPalette.ColorRole.ToolTipText) == text
    button = QPushButton("x")
    qtbot.addWidget(button)
    button.show()
    QToolTip.showText(button.mapToGlobal(QPoint(5, 5)), "a tip long enough to have a plain background", button)
    label = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "qtooltip_label" and w.isVisible())
    image = label.grab().toImage()
    corner = QColor(image.pixel(image.width() - 4, image.height() // 2))  # inside the border, right of the text
    assert abs(corner.lightness() - base.lightness()) < 8 and corner != QColor("#ffffdc")
    QToolTip.hideText()


def test_process_tuning_happens_only_when_applied_and_switches_can_be_turned_off():
    """Nothing process-wide on import: a fresh interpreter that imports the whole GUI keeps the default
    GIL switch interval and no reserve; apply() sets them; without() names what is off."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "before = sys.getrefcount(None)\n"
        "import gaerchen_gui.gui.main_window\n"
        "from gaerchen_gui.gui import process_tuning\n"
        "print(sys.getswitchinterval(), sys.getrefcount(None) - before < 1_000_000)\n"
        "tuning = process_tuning.apply(process_tuning.Tuning().without('short_switch_interval'))\n"
        "print(sys.getswitchinterval(), process_tuning.current().protect_singletons,\n"
        "      process_tuning.current().decode_handoff, process_tuning.decode_handoff_s() > 0)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    imported, applied = done.stdout.split("\n")[:2]
    assert imported == "0.005 True"  # untouched by importing
    assert applied.startswith("0.005 True True")  # the switch interval was turned off, the rest applied
    with pytest.raises(ValueError, match="unknown tuning switch"):
        __import__("gaerchen_gui.gui.process_tuning", fromlist=["Tuning"]).Tuning().without("warp_drive")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc_trim is glibc's (Linux)")
def test_giving_back_freed_memory_returns_the_holes_a_run_leaves_in_the_heap():
    """64 KB blocks (under glibc's mmap threshold, so on the heap), every other one freed: free() keeps
    those holes; the switch hands them back. In a child process: the test's own heap is not measured."""
    import subprocess

    code = (
        "import resource, numpy as np\n"
        "from gaerchen_gui.gui import process_tuning\n"
        "def rss_mb(): return int(open('/proc/self/statm').read().split()[1]) * resource.getpagesize() / 2**20\n"
        "for off in ([], ['trim_heap_after_runs']):\n"
        "    process_tuning.apply(process_tuning.Tuning().without(*off))\n"
        "    blocks = [np.ones(8_000) for _ in range(3_000)]\n"
        "    del blocks[::2]\n"
        "    before = rss_mb()\n"
        "    gave = process_tuning.give_back_freed_memory()\n"
        "    print(gave, round(before - rss_mb()))\n"
        "    del blocks\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    on, off = (line.split() for line in done.stdout.splitlines())
    assert on[0] == "True" and int(on[1]) > 50  # ~90 MB of holes, nearly all returned
    assert off == ["False", "0"]
