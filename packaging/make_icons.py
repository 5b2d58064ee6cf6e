"""Draw Gaerchen's icon: a 2-D latent map (class clusters fanning out from the origin, as an
autoencoder's do) with the explorer's cursor ring probing it.

Writes, into resources/icons/:
  gaerchen.svg             the master (used from 48 px up)
  gaerchen-small.svg       a simplified drawing for 16-32 px (fewer, larger dots; thicker ring)
  gaerchen-<N>.png         N = 16, 24, 32, 48, 64, 128, 256, 512, rasterised with Qt's QSvgRenderer
  gaerchen.ico             Windows (16-256 px), via Pillow
  gaerchen.icns            macOS (16-1024 px), via Pillow

Run from the repository root: .venv/bin/python packaging/make_icons.py
The output is deterministic (fixed seed), so re-running only changes files if this script changed.
"""

from __future__ import annotations

import math
import random
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
SMALL_UP_TO = 32  # px: below this the master's dots blur into mud

# The map's class colours (matplotlib "tab10", as in gaerchen_gui/gui/theme.py), a little brighter
# so that they read on the dark tile.
CLUSTERS = (
    # colour, direction (degrees, 0 = right, counter-clockwise), distance of the centre, spread
    ("#44c767", 94, 122, 1.00),  # green
    ("#ff9633", 155, 118, 0.95),  # orange
    ("#3d9be9", 215, 124, 1.00),  # blue
    ("#a983dc", 277, 116, 0.95),  # purple
    ("#f0504f", 338, 120, 0.90),  # red
)
CURSOR = "#ffd43b"  # the explorer's cursor colour on a dark background
CURSOR_AT = (372.0, 176.0)  # in a gap between clusters ("off the data"), upper right


def _tile(defs_id: str) -> str:
    return (
        "<defs>"
        f'<linearGradient id="{defs_id}" x1="0" y1="0" x2="0" y2="1">'
        '<stop offset="0" stop-color="#2b3754"/><stop offset="1" stop-color="#151b2b"/>'
        "</linearGradient></defs>"
        f'<rect x="16" y="16" width="480" height="480" rx="108" fill="url(#{defs_id})"/>'
        '<rect x="17" y="17" width="478" height="478" rx="107" fill="none" stroke="#ffffff" '
        'stroke-opacity="0.10" stroke-width="2"/>'
    )


def _svg(body: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512" viewBox="0 0 512 512">\n'
        "<title>Gaerchen</title>\n" + body + "\n</svg>\n"
    )


def _cursor(cx: float, cy: float, r: float, width: float, tick: float) -> str:
    """The cursor: a ring with four ticks, on a dark halo so it stands out from the dots below."""
    ticks = []
    for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
        x1, y1 = cx + dx * (r - tick * 0.45), cy + dy * (r - tick * 0.45)
        x2, y2 = cx + dx * (r + tick), cy + dy * (r + tick)
        ticks.append(f"M{x1:.1f} {y1:.1f}L{x2:.1f} {y2:.1f}")
    path = "".join(ticks)
    halo = width + 14
    return (
        f'<g fill="none" stroke-linecap="round">'
        f'<circle cx="{cx}" cy="{cy}" r="{r}" stroke="#151b2b" stroke-opacity="0.85" stroke-width="{halo}"/>'
        f'<path d="{path}" stroke="#151b2b" stroke-opacity="0.85" stroke-width="{halo}"/>'
        f'<circle cx="{cx}" cy="{cy}" r="{r}" stroke="{CURSOR}" stroke-width="{width}"/>'
        f'<path d="{path}" stroke="{CURSOR}" stroke-width="{width}"/>'
        f'<circle cx="{cx}" cy="{cy}" r="{width * 0.55:.1f}" fill="{CURSOR}" stroke="none"/>'
        "</g>"
    )


def master_svg() -> str:
    rng = random.Random(7)
    cx, cy = 250.0, 268.0  # the latent origin, a little below the centre: the cursor sits upper right
    axes = (
        f'<g stroke="#ffffff" stroke-opacity="0.13" stroke-width="4" stroke-linecap="round">'
        f'<path d="M72 {cy}H440M{cx} 440V72"/></g>'
    )
    dots = []
    for colour, angle_deg, dist, spread in CLUSTERS:
        a = math.radians(angle_deg)
        ux, uy = math.cos(a), -math.sin(a)  # SVG's y points down
        for _ in range(26):
            along = rng.gauss(0.0, 40.0 * spread)  # clusters stretch along their ray, as an AE's do
            across = rng.gauss(0.0, 13.0 * spread)
            x = cx + ux * (dist + along) - uy * across
            y = cy + uy * (dist + along) + ux * across
            if math.hypot(x - CURSOR_AT[0], y - CURSOR_AT[1]) < 70:
                continue  # keep the probed spot empty: the cursor is "off the data"
            r = rng.uniform(7.5, 10.5)
            dots.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{colour}" fill-opacity="0.92"/>')
    return _svg(
        _tile("bg")
        + axes
        + '<g stroke="#151b2b" stroke-opacity="0.55" stroke-width="2.5">'
        + "".join(dots)
        + "</g>"
        + _cursor(*CURSOR_AT, r=40, width=13, tick=22)
    )


def small_svg() -> str:
    """For 16-32 px: one big dot per cluster, placed by hand around the origin, and a bold ring."""
    placed = ((200, 156), (118, 276), (176, 396), (304, 404), (396, 318))  # green, orange, blue, purple, red
    dots = [
        f'<circle cx="{x}" cy="{y}" r="54" fill="{colour}"/>'
        for (colour, *_rest), (x, y) in zip(CLUSTERS, placed, strict=True)
    ]
    return _svg(_tile("bgs") + "".join(dots) + _cursor(366.0, 158.0, r=58, width=32, tick=32))


def rasterise(svg_path: Path, size: int, png_path: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg_path))
    if not renderer.isValid():
        raise SystemExit(f"invalid SVG: {svg_path}")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    if not image.save(str(png_path)):
        raise SystemExit(f"could not write {png_path}")


def main() -> int:
    from PIL import Image
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # QImage/QPainter want one
    OUT.mkdir(parents=True, exist_ok=True)
    master, small = OUT / "gaerchen.svg", OUT / "gaerchen-small.svg"
    master.write_text(master_svg(), encoding="utf-8")
    small.write_text(small_svg(), encoding="utf-8")
    pngs = {}
    for size in SIZES:
        pngs[size] = OUT / f"gaerchen-{size}.png"
        rasterise(small if size <= SMALL_UP_TO else master, size, pngs[size])
    images = {size: Image.open(path).convert("RGBA") for size, path in pngs.items()}
    # Pillow picks each .ico/.icns entry from the closest image handed to it.
    ico_sizes = [s for s in SIZES if s <= 256]
    images[256].save(
        OUT / "gaerchen.ico", sizes=[(s, s) for s in ico_sizes], append_images=[images[s] for s in ico_sizes]
    )
    # macOS wants up to 512 px at 2x: draw 1024 px for it rather than let Pillow enlarge the 512.
    with tempfile.TemporaryDirectory() as tmp:
        big = Path(tmp) / "gaerchen-1024.png"
        rasterise(master, 1024, big)
        with Image.open(big) as image:
            image.convert("RGBA").save(OUT / "gaerchen.icns", append_images=[images[s] for s in SIZES])
    for path in sorted(OUT.iterdir()):
        print(f"{path.stat().st_size:>8}  {path.relative_to(OUT.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
