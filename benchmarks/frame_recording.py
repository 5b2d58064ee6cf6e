"""What recording frames costs a training run: the same run with and without, in one process.

The book AE (batch 64) trains ``--limit`` images for one epoch, once recording the frames its
budget allows (core/frames.py: frame_count) and once recording none (``frame_count=0``); the two
alternate in rounds so that a busy neighbour slows both alike, and the figures are medians. Also
reported: the recorder's own clock (its share of the run's time, the less noisy figure) and how
many frames the book's full AE and VAE runs record.

    python benchmarks/frame_recording.py --json
"""

from __future__ import annotations

import argparse
import statistics
import time

from report import print_result  # this folder: the script's own directory is on sys.path

from gaerchen_gui.core.config import TrainConfig
from gaerchen_gui.core.data import load_test_set, load_train_set
from gaerchen_gui.core.frames import LIVE_SUBSET, frame_count
from gaerchen_gui.core.training import Trainer


def one_run(train, test, frames: int | None, limit: int) -> tuple[float, float, int]:
    """(images per second over the whole run, share of it spent recording, frames recorded)."""
    config = TrainConfig.book("ae", epochs=1, limit=limit, compile="off")
    trainer = Trainer(config, train, test, val_limit=1000, frame_count=frames)
    start = time.perf_counter()
    for _ in trainer.run():
        pass
    elapsed = time.perf_counter() - start
    recorded = trainer.recorder.frames()
    return limit / elapsed, trainer.recorder.seconds / elapsed, 0 if recorded is None else len(recorded)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="a short run, for the smoke test")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--limit", type=int, default=25_600, help="training images (default: 400 steps)")
    args = parser.parse_args()
    limit, rounds = (1280, 1) if args.quick else (args.limit, args.rounds)
    train, test = load_train_set(), load_test_set()
    one_run(train, test, 2, 640)  # warm-up: oneDNN's kernels, the first allocations
    with_frames, without, shares, counts = [], [], [], []
    for _ in range(rounds):
        speed, share, count = one_run(train, test, None, limit)
        with_frames.append(speed)
        shares.append(share)
        counts.append(count)
        without.append(one_run(train, test, 0, limit)[0])
    on, off = statistics.median(with_frames), statistics.median(without)
    result = {
        "training_images": limit,
        "rounds": rounds,
        "frames": counts[0],
        "img_s_recording": round(on, 1),
        "img_s_not_recording": round(off, 1),
        "cost_share_wall": round(1 - on / off, 4),  # noisy on a shared machine: can even be negative
        "cost_share_recorder_clock": round(statistics.median(shares), 4),
        "book_ae_frames": frame_count(3 * 938, 64, len(LIVE_SUBSET), 2),
        "book_vae_frames": frame_count(5 * 600, 100, len(LIVE_SUBSET), 2),
    }
    print_result(result, args.json)


if __name__ == "__main__":
    main()
