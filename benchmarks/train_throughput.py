"""Training throughput: Gaerchen's trainer against a naive eager PyTorch loop, in one run.

The reference is the book AE written the way a first PyTorch port is: the
torchvision dataset with ``ToTensor`` + ``Pad`` transforms, a ``DataLoader``,
a Sigmoid output layer with ``binary_cross_entropy`` and Adam. Gaerchen's side
is :class:`gaerchen_gui.core.training.Trainer` with the same model, batch size
(100) and optimiser, as ``gaerchen train`` runs it by default (``gaerchen_img_s``:
``--precision auto``, bf16 autocast on a CPU with native bf16 units, fp32
elsewhere; ``--compile auto``, eager on a CPU), and forced to fp32
(``gaerchen_fp32_img_s``). They alternate in rounds so that a noisy neighbour
on the machine slows all alike; the figures are medians over the rounds. The
output names the CPU and the flags that made ``auto`` choose.

``--quality`` trains a fixed number of book AE steps from one seed in fp32 and
in the precision ``auto`` chose and reports the test BCE of both;
``--quality-book`` does the same for the book AE (3 epochs) and VAE (5 epochs),
with the VAE's KL (minutes).

    python benchmarks/train_throughput.py --json
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
import torch.nn.functional as F
from report import print_result  # this folder: the script's own directory is on sys.path
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


def bare_loop_steps(precision: str):
    """The issue's best plain recipe, as a ceiling: the reference's model without its Sigmoid (BCE on
    logits), ``channels_last``, the images already in memory, bf16 autocast where ``precision`` says,
    fused Adam, nothing else (no logging, no split batch: torch's own two intra-op threads)."""
    from gaerchen_gui.core.data import load_train_set

    images = load_train_set().images.contiguous(memory_format=torch.channels_last)
    model = naive_reference_model()[:-1].to(memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    generator = torch.Generator().manual_seed(0)
    while True:
        for batch in torch.randperm(len(images), generator=generator).split(BATCH):
            x = images[batch]
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16"):
                logits = model(x)
            loss = F.binary_cross_entropy_with_logits(logits.float(), x)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            yield


def gaerchen_steps(precision: str = "auto", compile_mode: str = "auto"):
    from gaerchen_gui.core.config import TrainConfig
    from gaerchen_gui.core.training import StepEvent, Trainer

    config = TrainConfig.book("ae", batch_size=BATCH, epochs=1000, compile=compile_mode, precision=precision)
    for event in Trainer(config).run():
        if isinstance(event, StepEvent):
            yield


def test_metrics_after_training(config) -> dict[str, float]:
    """Train ``config`` to its end; the test-set metrics (fp32 evaluation) and the seconds it took."""
    from gaerchen_gui.core.training import StopEvent, Trainer

    trainer = Trainer(config)
    start = time.perf_counter()
    stop = [event for event in trainer.run() if isinstance(event, StopEvent)][-1]
    assert stop.reason == "finished", stop.message
    return {**(trainer.last_val or {}), "seconds": time.perf_counter() - start}


def quality(model: str, precision: str, **overrides) -> dict:
    """fp32 against ``precision`` from the same seed and settings: test BCE (and KL) of both."""
    from gaerchen_gui.core.config import TrainConfig

    runs = {
        p: test_metrics_after_training(TrainConfig.book(model, precision=p, **overrides)) for p in ("fp32", precision)
    }
    result = {"model": model, **{k: v for k, v in overrides.items() if v is not None}}
    for p, metrics in runs.items():
        result[f"{p}_test_bce"] = round(metrics["bce"], 5)
        if model == "vae":
            result[f"{p}_test_kl"] = round(metrics["kl"], 4)
        result[f"{p}_seconds"] = round(metrics["seconds"], 1)
    result["bce_difference"] = round(runs[precision]["bce"] - runs["fp32"]["bce"], 5)
    if model == "vae":
        result["kl_difference"] = round(runs[precision]["kl"] - runs["fp32"]["kl"], 4)
    return result


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=60, help="steps per round and contender")
    parser.add_argument("--compiled", action="store_true", help="also the trainer with torch.compile")
    parser.add_argument(
        "--ceiling",
        action="store_true",
        help="also the bare loop (in-memory images, channels_last, the precision auto picks): what any trainer "
        "could reach on this CPU",
    )
    parser.add_argument(
        "--quality", action="store_true", help="test BCE after --quality-steps book AE steps, fp32 and auto"
    )
    parser.add_argument("--quality-steps", type=int, default=300)
    parser.add_argument(
        "--quality-book",
        action="store_true",
        help="the book AE (3 epochs) and VAE (5 epochs) trained in fp32 and auto: test BCE and KL (minutes)",
    )
    args = parser.parse_args()

    from gaerchen_gui.core.device import cpu_bf16_flags, cpu_name, resolve_precision

    auto_precision = resolve_precision("auto", torch.device("cpu"))
    contenders = {
        "reference": reference_steps(),
        "gaerchen": gaerchen_steps("auto"),  # what `gaerchen train` does by default
        "gaerchen_fp32": gaerchen_steps("fp32"),
    }
    if args.compiled:
        contenders["gaerchen_compiled"] = gaerchen_steps("auto", compile_mode="on")
    if args.ceiling:
        contenders["bare_loop"] = bare_loop_steps(auto_precision)
    warmup_s = {name: warm(steps, 5) for name, steps in contenders.items()}  # includes torch.compile
    rounds: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(args.rounds):
        for name, steps in contenders.items():
            rounds[name].append(images_per_second(steps, args.steps))
    for steps in contenders.values():
        steps.close()  # ends each trainer's run: its worker threads stop before the quality runs
    medians = {name: statistics.median(values) for name, values in rounds.items()}
    result = {
        "reference_img_s": round(medians["reference"], 1),
        "gaerchen_img_s": round(medians["gaerchen"], 1),
        "ratio": round(medians["gaerchen"] / medians["reference"], 3),
        "gaerchen_fp32_img_s": round(medians["gaerchen_fp32"], 1),
        "fp32_ratio": round(medians["gaerchen_fp32"] / medians["reference"], 3),
        "precision_auto": auto_precision,
        "cpu": cpu_name(),
        "cpu_bf16_flags": cpu_bf16_flags(),  # what made "auto" pick bf16; none: fp32
        "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
    }
    if args.compiled:
        result["gaerchen_compiled_img_s"] = round(medians["gaerchen_compiled"], 1)
        result["compiled_ratio"] = round(medians["gaerchen_compiled"] / medians["reference"], 3)
        result["compile_warmup_s"] = round(warmup_s["gaerchen_compiled"], 1)
    if args.ceiling:
        result["bare_loop_img_s"] = round(medians["bare_loop"], 1)
        result["bare_loop_ratio"] = round(medians["bare_loop"] / medians["reference"], 3)
    result.update(
        {
            "rounds": {name: [round(v, 1) for v in values] for name, values in rounds.items()},
            "batch_size": BATCH,
            "steps_per_round": args.steps,
            "torch": str(torch.__version__),
            "threads": torch.get_num_threads(),
        }
    )
    if args.quality:
        # A fixed number of steps (one epoch over the first steps x batch images), book AE settings.
        result["quality"] = quality("ae", auto_precision, epochs=1, limit=args.quality_steps * 64)
    if args.quality_book:
        result["quality_book"] = [quality("ae", auto_precision), quality("vae", auto_precision)]
    print_result(result, args.json)


if __name__ == "__main__":
    main()
