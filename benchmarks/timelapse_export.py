"""How long a timelapse export takes: 200 frames of 512 x 512 to a GIF (and an MP4 if it can).

The frames are made from the shipped VAE, not recorded (a 200-frame recording takes a whole
training run): its codes of the live subset, scaled and turned a little more in each frame as a
map that grows and settles, and its decoded images of the probe points scaled likewise. Drawing
and writing do not depend on where the points come from, only on how many there are.

    python benchmarks/timelapse_export.py --json
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from report import print_result  # this folder: the script's own directory is on sys.path

from gaerchen_gui.core.animation_file import mp4_support_problem, write_frames
from gaerchen_gui.core.data import load_test_set
from gaerchen_gui.core.evaluation import embed_all
from gaerchen_gui.core.frame_drawing import palette, timelapse_frames
from gaerchen_gui.core.frames import LIVE_SUBSET, Frames, decode_probes, probe_points
from gaerchen_gui.core.model_loading import load_shipped


def synthetic_frames(count: int) -> tuple[Frames, np.ndarray]:
    model = load_shipped("vae").model
    test = load_test_set()
    live = torch.from_numpy(LIVE_SUBSET)
    z = embed_all(model, test.images[live])
    probe_z = probe_points(model.latent_dim)
    growth = torch.logspace(-2, 0, count)
    codes, probes = [], []
    for f, scale in enumerate(growth):
        angle = torch.tensor(0.5 * (1 - f / max(count - 1, 1)))
        turn = torch.stack([torch.stack([angle.cos(), -angle.sin()]), torch.stack([angle.sin(), angle.cos()])])
        codes.append((z @ turn.T * scale).to(torch.float16))
        probes.append(decode_probes(model, probe_z * scale))
    frames = Frames(
        steps=torch.arange(count, dtype=torch.int64) * 15,
        codes=torch.stack(codes),
        probes=torch.stack(probes),
        probe_z=probe_z,
        live_indices=live.to(torch.int64),
    )
    return frames, test.labels.numpy()[LIVE_SUBSET]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="20 frames of 128 x 128, for the smoke test")
    args = parser.parse_args()
    count, side = (20, 128) if args.quick else (200, 512)
    frames, labels = synthetic_frames(count)
    result: dict[str, object] = {"frames": count, "side": side}
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        images = timelapse_frames(frames, labels, side)
        drawn = time.perf_counter()
        gif = write_frames(Path(folder) / "t.gif", images, palette(), fps=20)
        done = time.perf_counter()
        with Image.open(gif) as check:
            assert check.n_frames == count and check.size == (side, side)
        result.update(
            draw_s=round(drawn - start, 2),
            gif_write_s=round(done - drawn, 2),
            gif_total_s=round(done - start, 2),
            gif_mb=round(gif.stat().st_size / 2**20, 2),
        )
        if mp4_support_problem() is None:
            start = time.perf_counter()
            mp4 = write_frames(Path(folder) / "t.mp4", images, palette(), fps=20)
            result.update(
                mp4_write_s=round(time.perf_counter() - start, 2), mp4_mb=round(mp4.stat().st_size / 2**20, 2)
            )
    print_result(result, args.json)


if __name__ == "__main__":
    main()
