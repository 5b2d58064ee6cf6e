"""How fast the time-lapse scrubber repaints the map: frames a second with 2,000 points.

A real :class:`ExplorerWindow`, offscreen, at 1400 x 900, shows the shipped VAE with 200 frames of
the live subset's 2,000 codes (made from its own codes, grown and turned frame by frame: the same
shape of data as a recorded run; see timelapse_export.py's ``synthetic_frames``) and measures:

- ``scrub_fps``: the slider moved a frame at a time (``QSlider.setValue``, as a drag does), each
  followed by a synchronous repaint of the pane (map and scrubber with its probe strip);
- ``playback_fps``: Play at the fastest speed (30 fps) through the real event loop: the map's paints
  a second from the first frame to the return to the live map (30 at most: the timer's rate);
- baselines in the same run: ``static_fps``, the same pane repainted with nothing changed (the map
  copies its cached raster), and ``live_update_fps``, the map given the next frame's points as a
  new live snapshot would (``LatentMap.set_data``, the path a training snapshot takes).

Speeds are reported, never asserted; on a shared machine compare them with the baselines.

    QT_QPA_PLATFORM=offscreen python benchmarks/scrub_fps.py --json [--quick]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from gui_latency import cpu_name  # this folder: the script's own directory is on sys.path
from report import print_result  # this folder: the script's own directory is on sys.path
from timelapse_export import synthetic_frames

WINDOW_SIZE = (1400, 900)


def rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else float("inf")


def timed_repaints(pane, change, count: int) -> float:
    """Frames a second of ``change(i)`` followed by a synchronous repaint of ``pane``, for i < count."""
    from PySide6.QtWidgets import QApplication

    start = time.perf_counter()
    for i in range(count):
        change(i)
        # The scene's changed items are processed from the event loop (a queued call): without it the
        # repaint below would copy the items' cached pixels of the frame before.
        QApplication.processEvents()
        pane.repaint()
    return rate(count, time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="20 frames, for the smoke test")
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    count = 20 if args.quick else 200

    from PySide6.QtCore import QEvent, QObject, qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    from gaerchen_gui.gui.app import close_window, create_application

    create_application([sys.argv[0], "--benchmark"])
    from gaerchen_gui.components.timelapse import SPEEDS
    from gaerchen_gui.core.encoding import EncodedSet
    from gaerchen_gui.core.model_loading import load_shipped
    from gaerchen_gui.core.neighbours import NearestIndex
    from gaerchen_gui.gui.main_window import ExplorerWindow
    from gaerchen_gui.gui.self_test import MAP_TIMEOUT_S, quiet_offscreen, wait_until
    from gaerchen_gui.gui.settings import Settings

    qInstallMessageHandler(quiet_offscreen(qInstallMessageHandler(None)))
    frames, _ = synthetic_frames(count)
    checkpoint = replace(load_shipped("vae"), frames=frames)
    with tempfile.TemporaryDirectory(prefix="gaerchen-bench-") as tmp:
        window = ExplorerWindow(settings=Settings.in_file(Path(tmp) / "settings.ini"), seed=0)
        window.ask_before_closing = False
        window.resize(*WINDOW_SIZE)
        window.show()
        window.show_checkpoint(checkpoint)
        wait_until(lambda: window.map_ready, MAP_TIMEOUT_S, "the VAE's latent map")
        pane, timelapse = window.pane, window.model.timelapse
        scrubber, latent_map = pane.timelapse.scrubber, pane.latent_map
        wait_until(lambda: len(timelapse) == count, MAP_TIMEOUT_S, "the frames")

        result: dict[str, object] = {"frames": count, "points": int(frames.codes.shape[1])}
        rounds = 3
        static, scrub, live = [], [], []
        encoded = window.model.encoded
        labels, images = encoded.labels[timelapse.live_indices], encoded.images[timelapse.live_indices]
        snapshots = [  # built before the clock: a snapshot's nearest-image index is made on a worker
            EncodedSet(z, labels, images, NearestIndex(z)) for z in (timelapse.codes(i) for i in range(count))
        ]
        rasters = pane.timelapse.layer.points.render_count
        for _ in range(rounds):  # alternating, so that a burst of load from other work hits each alike
            static.append(timed_repaints(pane, lambda i: None, count))
            scrub.append(timed_repaints(pane, scrubber.slider.setValue, count))
            timelapse.seek(None)
            live.append(timed_repaints(pane, lambda i: latent_map.set_data(snapshots[i], keep_view=True), count))
            latent_map.set_data(encoded, keep_view=True)
        # each scrubbed frame was drawn afresh (the check that the repaints above really painted it)
        result["frames_rasterised"] = pane.timelapse.layer.points.render_count - rasters
        result.update(
            scrub_fps=statistics.median(scrub),
            static_fps=statistics.median(static),
            live_update_fps=statistics.median(live),
        )

        class PaintCounter(QObject):
            paints = 0

            def eventFilter(self, watched, event) -> bool:  # Qt's name
                if event.type() == QEvent.Type.Paint:
                    self.paints += 1
                return False

        counter = PaintCounter()
        latent_map.viewport().installEventFilter(counter)
        timelapse.set_speed(SPEEDS[-1])
        timelapse.seek(0)
        QApplication.processEvents()  # the first frame's paint, before the clock starts
        start_paints, start = counter.paints, time.perf_counter()
        timelapse.play()
        wait_until(lambda: not timelapse.playing, MAP_TIMEOUT_S, "the end of playback")
        elapsed = time.perf_counter() - start
        result.update(
            playback_fps=rate(counter.paints - start_paints, elapsed),
            playback_speed_fps=SPEEDS[-1],
            window=f"{WINDOW_SIZE[0]}x{WINDOW_SIZE[1]} offscreen",
            cpu=cpu_name(),
            cores=os.cpu_count(),
            load_average=[round(x, 2) for x in os.getloadavg()],
        )
        close_window(window)
    print_result(result, args.json)


if __name__ == "__main__":
    main()
