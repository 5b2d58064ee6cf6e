"""``gaerchen``: train, evaluate and encode from a terminal, on the same core as the GUI."""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path

import gaerchen_gui
from gaerchen_gui.core.config import DEFAULT_BETA
from gaerchen_gui.core.export_limits import (
    MAX_FPS,
    MAX_SIDE,
    MIN_FPS,
    MIN_SIDE,
    MP4_BLOCK,
    TIMELAPSE_FPS,
    TIMELAPSE_SIDE,
    WALK_FPS,
    WALK_SIDE,
)
from gaerchen_gui.core.precision import DEFAULT_PRECISION, PRECISION_HELP, PRECISIONS
from gaerchen_gui.core.run_result import KEEP_RULE  # torch-free


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _at_least_two(text: str) -> int:
    value = _positive_int(text)
    if not 2 <= value <= 1000:
        raise argparse.ArgumentTypeError(f"must be from 2 (the two ends) to 1000, got {value}")
    return value


def _finite_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def _side(text: str) -> int:
    value = _positive_int(text)
    if not MIN_SIDE <= value <= MAX_SIDE or value % MP4_BLOCK:
        raise argparse.ArgumentTypeError(
            f"must be a multiple of {MP4_BLOCK} from {MIN_SIDE} to {MAX_SIDE}, got {value}"
        )
    return value


def _fps(text: str) -> float:
    value = _finite_float(text)
    if not MIN_FPS <= value <= MAX_FPS:
        raise argparse.ArgumentTypeError(f"must be from {MIN_FPS} to {MAX_FPS}, got {value:g}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gaerchen",
        description="See the latent space of an autoencoder and a variational autoencoder on Fashion-MNIST.",
    )
    parser.add_argument("--version", action="version", version=f"gaerchen {gaerchen_gui.__version__}")
    parser.add_argument("--open", metavar="CHECKPOINT", type=Path, help="open the window on this checkpoint")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="open the window (offscreen without a display), drive it like a person, print one line, exit",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    train = sub.add_parser(
        "train",
        help="train an AE or a VAE on Fashion-MNIST (book settings by default)",
        description=f"Train an AE or a VAE on Fashion-MNIST. Ctrl-C stops after the current step and saves: "
        f"{KEEP_RULE}. A second Ctrl-C aborts without saving.",
    )
    train.set_defaults(command_parser=train)
    train.add_argument("--model", choices=["ae", "vae"], required=True)
    train.add_argument(
        "--out",
        type=Path,
        required=True,
        help="checkpoint file to write (.pt): checked before training; if writing it fails at the end, "
        "the model goes to the user data folder (or the temp folder) and the line says where",
    )
    train.add_argument("--beta", type=_finite_float, help=f"VAE reconstruction weight; default {DEFAULT_BETA:g}")
    _add_data_option(train, "train on the images in FOLDER/CLASS/* (one subfolder per class) instead of Fashion-MNIST")
    _add_training_options(train)

    sweep = sub.add_parser(
        "sweep",
        help="train one VAE per BETA, one after another (a BETA sweep)",
        description="Train one VAE per BETA with otherwise the same settings and seed, one after another; "
        "each is saved as DIR/vae-beta-BETA.pt when it ends. Ctrl-C stops the run under way (it keeps "
        f"what any stopped run keeps: {KEEP_RULE}) and ends the sweep; the runs already done stay.",
    )
    sweep.set_defaults(command_parser=sweep)
    sweep.add_argument("--betas", required=True, help="comma-separated BETAs, such as 1,10,100,500,2000")
    sweep.add_argument("--out", type=Path, required=True, help="folder for the checkpoints (created if missing)")
    _add_data_option(sweep, "train every VAE on the images in FOLDER/CLASS/* instead of Fashion-MNIST")
    _add_training_options(sweep)

    evaluate = sub.add_parser("evaluate", help="test-set metrics of a checkpoint")
    evaluate.set_defaults(command_parser=evaluate)
    evaluate.add_argument("checkpoint", type=Path)
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    evaluate.add_argument("--device", default="auto")
    _add_data_option(evaluate, "test on FOLDER's held-out images (default: the images the model was trained on)")

    timelapse = sub.add_parser(
        "timelapse",
        help="replay how a checkpoint's latent map formed while it trained, as a GIF or MP4",
        description="Replay the frames a training run recorded (the map of 2,000 fixed test images and the "
        "images of 16 fixed latent points, from the untrained model to the end) as a GIF or an MP4. "
        "MP4 needs the imageio-ffmpeg package (pip install 'gaerchen[video]').",
    )
    timelapse.set_defaults(command_parser=timelapse)
    timelapse.add_argument("checkpoint", type=Path)
    timelapse.add_argument("--out", type=Path, required=True, metavar="FILE", help="FILE.gif or FILE.mp4")
    timelapse.add_argument(
        "--size", type=_side, default=TIMELAPSE_SIDE, metavar="PX", help="frame side in pixels (%(default)s)"
    )
    timelapse.add_argument(
        "--fps", type=_fps, default=TIMELAPSE_FPS, metavar="N", help="frames per second (%(default)s)"
    )

    walk = sub.add_parser(
        "walk",
        help="decode the path between two test images' codes, as a GIF, MP4 or PNG strip",
        description="Encode test images I and J, and decode evenly spaced points on the path between their "
        "codes: a straight line, or with --slerp the arc about the origin (for a VAE, whose prior is centred "
        "there). A .png is one strip of the images, left to right.",
    )
    walk.set_defaults(command_parser=walk)
    walk.add_argument("checkpoint", type=Path)
    walk.add_argument("--from", dest="start", type=int, required=True, metavar="I", help="test image index")
    walk.add_argument("--to", dest="end", type=int, required=True, metavar="J", help="test image index")
    walk.add_argument("--out", type=Path, required=True, metavar="FILE", help="FILE.gif, FILE.mp4 or FILE.png")
    walk.add_argument("--steps", type=_at_least_two, default=10, metavar="N", help="images, ends included (10)")
    walk.add_argument("--slerp", action="store_true", help="spherical interpolation about the origin")
    walk.add_argument(
        "--size", type=_side, default=WALK_SIDE, metavar="PX", help="side of each image in pixels (%(default)s)"
    )
    walk.add_argument(
        "--fps", type=_fps, default=WALK_FPS, metavar="N", help="frames per second of a GIF or MP4 (%(default)s)"
    )

    encode = sub.add_parser("encode", help="write the test set's embeddings to CSV")
    encode.set_defaults(command_parser=encode)
    encode.add_argument("checkpoint", type=Path)
    encode.add_argument("--out", type=Path, required=True, help="CSV file to write")
    encode.add_argument("--device", default="auto")
    _add_data_option(encode, "encode FOLDER's held-out images (default: the images the model was trained on)")
    return parser


def _add_data_option(parser: argparse.ArgumentParser, text: str) -> None:
    parser.add_argument(
        "--data",
        type=Path,
        metavar="FOLDER",
        help=f"{text}; each image is prepared like Fashion-MNIST's (grey, fitted into 28 x 28, dark background)",
    )


def _add_training_options(parser: argparse.ArgumentParser) -> None:
    """The settings ``train`` and ``sweep`` share (defaults: the book's, per model)."""
    parser.add_argument("--epochs", type=_positive_int, help="default: 3 (AE) / 5 (VAE), as in the book")
    parser.add_argument("--batch-size", type=_positive_int, help="default: 64 (AE) / 100 (VAE)")
    parser.add_argument("--lr", type=_finite_float, help="Adam learning rate; default 1e-3 (AE) / 3e-4 (VAE)")
    parser.add_argument(
        "--kl-warmup",
        type=int,
        metavar="STEPS",
        help="VAE: raise the KL term's weight from 0 to 1 over the first STEPS steps (default 0: no warm-up)",
    )
    parser.add_argument("--latent-dim", type=_positive_int, help="default 2")
    parser.add_argument("--seed", type=int, help="default 0")
    parser.add_argument("--limit", type=_positive_int, help="train on the first N training images only")
    parser.add_argument("--device", help="auto (default), cpu, cuda, cuda:1, mps")
    parser.add_argument("--compile", choices=["auto", "on", "off"], help="torch.compile (auto: for long runs)")
    parser.add_argument(
        "--precision",
        choices=PRECISIONS,
        help=f"maths of the forward pass (default {DEFAULT_PRECISION}): "
        + "; ".join(f"{name}: {text}" for name, text in PRECISION_HELP.items()),
    )


def _config_from(args: argparse.Namespace, model: str, beta: float | None):  # -> TrainConfig
    from gaerchen_gui.core.config import TrainConfig

    return TrainConfig.book(
        model,
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        beta=beta,
        kl_warmup_steps=args.kl_warmup,
        latent_dim=args.latent_dim,
        seed=args.seed,
        limit=args.limit,
        device=args.device,
        compile=args.compile,
        precision=args.precision,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.self_test:
        from gaerchen_gui.gui.self_test import run_self_test

        return run_self_test()
    if args.command is None:
        from gaerchen_gui.gui.app import run_app

        return run_app(checkpoint=str(args.open) if args.open else None)
    # Imported after parsing so that --help and bad arguments answer without loading torch.
    from gaerchen_gui.core.checkpoints import CheckpointError
    from gaerchen_gui.core.config import ConfigError
    from gaerchen_gui.core.data import DatasetError
    from gaerchen_gui.core.device import DeviceError

    try:
        if args.command == "train":
            return _train(args)
        if args.command == "sweep":
            return _sweep(args)
        if args.command == "evaluate":
            return _evaluate(args)
        if args.command in ("timelapse", "walk"):
            from gaerchen_gui.terminal_replay import run_timelapse, run_walk

            return (run_timelapse if args.command == "timelapse" else run_walk)(args)
        return _encode(args)
    except (ConfigError, DeviceError) as err:
        args.command_parser.error(str(err))  # exits 2 with the command's usage, like any other bad argument
    except (CheckpointError, DatasetError) as err:
        print(f"gaerchen: error: {err}", file=sys.stderr)
        return 1
    return 1


def _train(args: argparse.Namespace) -> int:
    from gaerchen_gui.core.save_target import target_problem
    from gaerchen_gui.terminal_training import run_training_in_terminal

    problem = target_problem(args.out)  # before training: a run must not end in a save that cannot happen
    if problem:
        args.command_parser.error(f"--out: {problem}")
    config = _config_from(args, args.model, args.beta)
    return run_training_in_terminal(config, args.out, _folder_data(args, config))


def _folder_data(args: argparse.Namespace, config):  # -> FolderData | None (core/image_folder.py)
    """--data's images, read and checked against the training settings; None: Fashion-MNIST."""
    if args.data is None:
        return None
    from gaerchen_gui.core.folder_training import read_training_folder
    from gaerchen_gui.core.own_images import skipped_message

    data = read_training_folder(args.data, config)
    if data.skipped:
        _note(skipped_message(data.skipped))
    return data


def _note(text: str) -> None:
    print(f"gaerchen: note: {text}", file=sys.stderr)


def _test_images(args: argparse.Namespace, metadata: dict):  # -> HeldOutImages (core/recorded_data.py)
    """The test images for evaluate and encode: --data's, else the ones the model was trained on."""
    from gaerchen_gui.core.recorded_data import FolderMissingError, held_out_images

    try:
        test = held_out_images(metadata, args.data)
    except FolderMissingError as err:
        raise FolderMissingError(f"{err} (moved? give its new place with --data FOLDER)") from None
    for note in test.notes:
        _note(note)
    return test


def _sweep(args: argparse.Namespace) -> int:
    from gaerchen_gui.core.sweep import BetaSweep, parse_betas
    from gaerchen_gui.terminal_sweep import run_sweep_in_terminal

    config = _config_from(args, "vae", None)
    betas = parse_betas(args.betas)
    data = _folder_data(args, config)
    folder = {} if data is None else {"train_set": data.train, "test_set": data.test, "dataset": data.info}
    sweep = BetaSweep(config, betas, args.out, **folder)
    problem = sweep.target_problem()  # before training, as for train
    if problem:
        args.command_parser.error(f"--out: {problem}")
    return run_sweep_in_terminal(sweep)


def _evaluate(args: argparse.Namespace) -> int:
    from gaerchen_gui.core.checkpoints import load_checkpoint, trained_precision
    from gaerchen_gui.core.device import choose_device
    from gaerchen_gui.core.evaluation import evaluate

    device = choose_device(args.device)
    checkpoint = load_checkpoint(args.checkpoint, device)
    test = _test_images(args, checkpoint.metadata)
    beta = checkpoint.metadata.get("beta") or DEFAULT_BETA
    metrics = evaluate(checkpoint.model, test.image_set.images, beta=beta)
    result = {
        "model": checkpoint.kind,
        "latent_dim": checkpoint.model.latent_dim,
        "dataset": test.info.name,
        "n_test": len(test.image_set),
        "test_bce": metrics["bce"],
    }
    if checkpoint.kind == "vae":
        result["test_kl"] = metrics["kl"]
        result["beta"] = beta
    result["epochs_trained"] = checkpoint.metadata.get("epochs_trained")
    result["trained_in"] = trained_precision(checkpoint.metadata)  # evaluation itself is always fp32
    if args.json:
        # JSON has no NaN or infinity (Python would print the invalid token NaN): a metric that is
        # not a finite number is null.
        finite = {k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in result.items()}
        print(json.dumps(finite, allow_nan=False))
    else:
        for key, value in result.items():
            print(f"{key:>15}: {value}")
    return 0


def _encode(args: argparse.Namespace) -> int:
    from gaerchen_gui.core.checkpoints import load_checkpoint
    from gaerchen_gui.core.device import choose_device
    from gaerchen_gui.core.evaluation import embed_all
    from gaerchen_gui.core.export import write_embeddings_csv

    checkpoint = load_checkpoint(args.checkpoint, choose_device(args.device))
    test = _test_images(args, checkpoint.metadata)
    z = embed_all(checkpoint.model, test.image_set)
    try:
        write_embeddings_csv(args.out, z, test.image_set.labels, test.info.class_names, test.files)
    except OSError as err:
        print(f"gaerchen: error: cannot write {args.out}: {err.strerror}", file=sys.stderr)
        return 1
    print(f"wrote {len(test.image_set)} embeddings to {args.out}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
