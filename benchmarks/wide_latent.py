"""What opening a 64-D model's map costs against a 2-D model's: encoding plus the projection.

Opening a checkpoint encodes the 10,000 test images (a VAE's means and log-variances in one encoder
pass) and plans the map's view: for D > 2 the principal components of the codes, the projected
points and their nearest-image index (components/latent_view.py: encode_for_map). This times that
whole path for a 2-D and a 64-D model of each kind, without the disk cache (a first opening), in
alternating rounds so that a busy neighbour slows both alike; the figures are medians. The weights
are freshly initialised ones: the cost of a forward pass does not depend on their values. Goal
(issue 15): ``ratio`` <= 1.5.

    python benchmarks/wide_latent.py --json
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from report import print_result  # this folder: the script's own directory is on sys.path

from gaerchen_gui.components.latent_view import plan_view
from gaerchen_gui.core.data import load_test_set
from gaerchen_gui.core.encoding import encode_progressively
from gaerchen_gui.core.models import build_model

WIDE = 64
GOAL_RATIO = 1.5


def open_map(model, test_set) -> tuple[float, float]:
    """(seconds for the whole opening, of which planning the view), as the encoding worker runs it."""
    start = time.perf_counter()
    steps = encode_progressively(model, lambda: test_set)
    try:
        while True:
            next(steps)
    except StopIteration as done:
        codes = done.value
    planned = time.perf_counter()
    plan_view(codes)
    end = time.perf_counter()
    return end - start, end - planned


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--quick", action="store_true", help="one round, for the smoke test")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rounds = 1 if args.quick else args.rounds
    test_set = load_test_set()
    torch.manual_seed(0)
    result: dict[str, object] = {"images": len(test_set), "rounds": rounds, "torch_threads": torch.get_num_threads()}
    for kind in ("ae", "vae"):
        models = {dim: build_model(kind, dim).eval() for dim in (2, WIDE)}
        for model in models.values():  # warm-up: oneDNN's kernels, the first allocations
            open_map(model, test_set.subset(1000))
        times: dict[int, list[float]] = {2: [], WIDE: []}
        planning: list[float] = []
        for _ in range(rounds):
            for dim in (2, WIDE):
                total, plan = open_map(models[dim], test_set)
                times[dim].append(total)
                if dim == WIDE:
                    planning.append(plan)
        narrow, wide = statistics.median(times[2]), statistics.median(times[WIDE])
        result[kind] = {
            "open_2d_s": round(narrow, 3),
            f"open_{WIDE}d_s": round(wide, 3),
            f"plan_view_{WIDE}d_s": round(statistics.median(planning), 3),
            "ratio": round(wide / narrow, 3),
            "goal_met": wide / narrow <= GOAL_RATIO,
        }
    print_result(result, args.json)


if __name__ == "__main__":
    main()
