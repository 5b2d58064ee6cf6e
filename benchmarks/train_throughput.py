"""Training throughput: Gaerchen's trainer against a naive eager PyTorch loop, in one run.

The reference is the book AE written the way a first PyTorch port is: the
torchvision dataset with ``ToTensor`` + ``Pad`` transforms, a ``DataLoader``,
a Sigmoid output layer with ``binary_cross_entropy`` and Adam. Gaerchen's side
is :class:`gaerchen_gui.core.training.Trainer` with the same model, batch size
(100) and optimiser, as ``gaerchen train`` runs it by default (``gaerchen_img_s``:
``--compile auto``, which is eager on a CPU) and with ``torch.compile``
(``gaerchen_compiled_img_s``). They alternate in rounds so that a noisy neighbour
on the machine slows all alike; the figures are medians over the rounds.

    python benchmarks/train_throughput.py --json
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

import torch
import torch.nn.functional as F
from torch import nn

BATCH = 100


def naive_reference_model() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, 2, 1), nn.ReLU(), nn.Conv2d(32, 64, 3, 2, 1), nn.ReLU(),
        nn.Conv2d(64, 128, 3, 2, 1), nn.ReLU(), nn.Flatten(), nn.Linear(2048, 2),
        nn.Linear(2, 2048), nn.Unflatten(1, (128, 4, 4)),
        nn.ConvTranspose2d(128, 128, 3, 2, 1, 1), nn.ReLU(), nn.ConvTranspose2d(128, 64, 3, 2, 1, 1), nn.ReLU(),
        nn.ConvTranspose2d(64, 32, 3, 2, 1, 1), nn.ReLU(), nn.Conv2d(32, 1, 3, 1, 1), nn.Sigmoid(),
    )  # fmt: skip


def reference_steps():
    """Yields after each optimiser step of the naive loop, forever."""
    from torchvision import transforms
    from torchvision.datasets import FashionMNIST

    from gaerchen_gui.core.data import data_root

    dataset = FashionMNIST(
        str(data_root()),
        train=True,
        download=False,
        transform=transforms.Compose([transforms.ToTensor(), transforms.Pad(2)]),
    )
    loader = torch.utils.data.DataLoader(dataset, batch_size=BATCH, shuffle=True)
    model = naive_reference_model()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    while True:
        for x, _ in loader:
            loss = F.binary_cross_entropy(model(x), x)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            yield


def gaerchen_steps(compile_mode: str):
    from gaerchen_gui.core.config import TrainConfig
    from gaerchen_gui.core.training import StepEvent, Trainer

    trainer = Trainer(TrainConfig.book("ae", batch_size=BATCH, epochs=1000, compile=compile_mode))
    for event in trainer.run():
        if isinstance(event, StepEvent):
            yield


def images_per_second(steps, n_steps: int) -> float:
    start = time.perf_counter()
    for _ in range(n_steps):
        next(steps)
    return n_steps * BATCH / (time.perf_counter() - start)


def warm(steps, n_steps: int) -> float:
    start = time.perf_counter()
    for _ in range(n_steps):
        next(steps)
    return time.perf_counter() - start


def cpu_name() -> str:
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=60, help="steps per round and contender")
    args = parser.parse_args()

    contenders = {
        "reference": reference_steps(),
        "gaerchen": gaerchen_steps("auto"),  # what `gaerchen train` does by default (eager on a CPU)
        "gaerchen_compiled": gaerchen_steps("on"),
    }
    warmup_s = {name: warm(steps, 5) for name, steps in contenders.items()}  # includes torch.compile
    rounds: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(args.rounds):
        for name, steps in contenders.items():
            rounds[name].append(images_per_second(steps, args.steps))
    medians = {name: statistics.median(values) for name, values in rounds.items()}
    result = {
        "reference_img_s": round(medians["reference"], 1),
        "gaerchen_img_s": round(medians["gaerchen"], 1),
        "ratio": round(medians["gaerchen"] / medians["reference"], 3),
        "gaerchen_compiled_img_s": round(medians["gaerchen_compiled"], 1),
        "compiled_ratio": round(medians["gaerchen_compiled"] / medians["reference"], 3),
        "compile_warmup_s": round(warmup_s["gaerchen_compiled"], 1),
        "rounds": {name: [round(v, 1) for v in values] for name, values in rounds.items()},
        "batch_size": BATCH,
        "steps_per_round": args.steps,
        "torch": str(torch.__version__),
        "threads": torch.get_num_threads(),
        "cpu": cpu_name(),
    }
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>22}: {value}")


if __name__ == "__main__":
    main()
