"""Compare mode's figures for ``gui_latency.py``: two panes (the shipped AE and VAE) under one cursor.

- ``compare_decode_p95_ms`` (and ``_p50_ms``): from one mouse-move event dragging
  the cursor in the first pane to *both* models' images for that position being
  painted in the compare strip (each model decodes in its own thread; the strip
  repaints an image as soon as it arrives, so the time is that of the later one).
  Baseline in the same run: ``decode_p95_ms``, one pane.
- ``compare_pan_fps``: frames per second while panning the first pane with the
  views linked (10,000 points in each pane): each frame a ``setRange`` on pane A,
  which pyqtgraph's view link passes to pane B, and a synchronous repaint of both.
  Baseline: ``scatter_fps_10k``, one pane.
"""

from __future__ import annotations

import math
import time

import numpy as np


def open_ae_vs_vae(window, spin, wait_until, timeout_s: float) -> None:
    from gaerchen_gui.gui.actions import ActionKey

    window.actions[ActionKey.COMPARE_AE_VAE].trigger()
    for pane in window.panes.panes:
        wait_until(lambda pane=pane: pane.state.encoded is not None, timeout_s, f"the {pane.state.name} map")
        spin.until(lambda pane=pane: pane.jobs.decoder.fast_path_ready, 30.0)  # as a window looked at for a while
    window.explorer.set_active(window.panes.panes[0].state)
    spin.sleep(0.3)


def measure_compare_decode(window, spin, moves: int, path) -> dict:
    """Drag the cursor in pane A through ``path``; per move, event to the later of the two images painted."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    from gaerchen_gui.gui.self_test import DRAG_START_PX, MOVE_INTERVAL_S, STEP_TIMEOUT_S

    panes = window.panes.panes
    latent_map = panes[0].latent_map
    viewport = latent_map.viewport()
    painted: list[dict[tuple[float, float], float]] = [{} for _ in panes]

    def recorder(i: int):
        def on_decoded(image) -> None:  # a CursorImage; runs after the strip's own handler
            painted[i][(round(float(image.z[0]), 5), round(float(image.z[1]), 5))] = time.perf_counter()

        return on_decoded

    handlers = [recorder(i) for i in range(len(panes))]
    for pane, handler in zip(panes, handlers, strict=True):
        pane.state.cursor_decoded.connect(handler)
    press_at = latent_map.view_to_widget(*latent_map.cursor_position())
    QTest.mouseMove(viewport, press_at)
    spin.sleep(MOVE_INTERVAL_S)
    QTest.mousePress(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, press_at)
    total, missed = [], 0
    pixel, previous, next_move = press_at, press_at, 0.0
    try:
        for step, target in enumerate(path[:moves]):
            pixel = latent_map.view_to_widget(*target)
            if step == 0 and (pixel - press_at).manhattanLength() < DRAG_START_PX:
                pixel = press_at + QPoint(DRAG_START_PX, 0)
            elif pixel == previous:
                pixel = QPoint(pixel.x() + 1, pixel.y())
            previous = pixel
            spin.until(lambda next_move=next_move: time.perf_counter() >= next_move, 1.0)
            t_event = time.perf_counter()
            QTest.mouseMove(viewport, pixel)
            next_move = t_event + MOVE_INTERVAL_S
            x, y = latent_map.cursor_position()
            key = (round(x, 5), round(y, 5))
            if not spin.until(lambda key=key: all(key in seen for seen in painted), STEP_TIMEOUT_S):
                missed += 1
                continue
            total.append(max(seen[key] for seen in painted) - t_event)
    finally:
        QTest.mouseRelease(viewport, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pixel)
        spin.sleep(0.05)
        for pane, handler in zip(panes, handlers, strict=True):
            pane.state.cursor_decoded.disconnect(handler)
    values = np.array(total) if total else None
    return {
        "compare_decode_p50_ms": None if values is None else round(float(np.percentile(values, 50)) * 1000, 2),
        "compare_decode_p95_ms": None if values is None else round(float(np.percentile(values, 95)) * 1000, 2),
        "compare_decode_missed": missed,
        "compare_panes": len(panes),
    }


def repaint_fps(view_box, viewports, frames: int, view_at, warm_up: int) -> float:
    """Frames per second: frame i sets ``view_box`` to ``view_at(i)`` (x range, y range) and repaints every
    one of ``viewports`` synchronously (a linked pane follows its link); the view is put back afterwards."""
    from PySide6.QtWidgets import QApplication

    (x0, x1), (y0, y1) = view_box.viewRange()

    def frame(i: int) -> None:
        x_range, y_range = view_at(i)
        view_box.setRange(xRange=x_range, yRange=y_range, padding=0)
        for viewport in viewports:
            viewport.repaint()

    for i in range(warm_up):  # symbol atlas, axis text, the first raster
        frame(i)
    QApplication.processEvents()
    start = time.perf_counter()
    for i in range(frames):
        frame(i)
    elapsed = time.perf_counter() - start
    view_box.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
    QApplication.processEvents()
    return frames / elapsed


def measure_compare_pan_fps(window, frames: int) -> float:  # an ExplorerWindow
    """Pan pane A with the views linked (pane B follows through the link); repaint both per frame."""
    from gaerchen_gui.gui.actions import ActionKey

    panes = window.panes.panes
    window.actions[ActionKey.LINK_VIEWS].setChecked(True)  # off by default; this figure is about linked panes
    view_box = panes[0].latent_map.view_box
    (x0, x1), (y0, y1) = view_box.viewRange()
    w, h = x1 - x0, y1 - y0

    def view_at(i: int) -> tuple:
        angle = 2 * math.pi * i / 40
        dx, dy = 0.15 * w * math.sin(angle), 0.15 * h * math.cos(angle)
        return (x0 + dx, x1 + dx), (y0 + dy, y1 + dy)

    try:
        return round(repaint_fps(view_box, [p.latent_map.viewport() for p in panes], frames, view_at, 3), 1)
    finally:
        window.actions[ActionKey.LINK_VIEWS].setChecked(False)
