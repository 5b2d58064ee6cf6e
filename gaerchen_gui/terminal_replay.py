"""``gaerchen timelapse`` and ``gaerchen walk``: a run's recorded frames, and walks between two
test images, written as GIF, MP4 or PNG (core/frames.py, core/latent_paths.py, core/animation_file.py)."""

from __future__ import annotations

import argparse
import sys
import time

import torch

from gaerchen_gui.core.animation_file import ExportError, check_export, export_kind, write_frames, write_still
from gaerchen_gui.core.checkpoints import load_checkpoint
from gaerchen_gui.core.data import load_test_set
from gaerchen_gui.core.evaluation import embed_all
from gaerchen_gui.core.frame_drawing import palette, timelapse_frames, walk_frames, walk_strip
from gaerchen_gui.core.latent_paths import decode_path, lerp, slerp
from gaerchen_gui.core.save_target import SaveTargetError, describe_os_error


def _check_out(args: argparse.Namespace, allowed: tuple[str, ...]) -> str:
    """The export's kind; a usage error (exit 2) if ``--out`` cannot take it, before any work."""
    try:
        kind = export_kind(args.out, allowed)
        check_export(args.out, kind, args.size)
    except (ExportError, SaveTargetError) as err:
        args.command_parser.error(f"--out: {err}")
    return kind


def _wrote(args: argparse.Namespace, write, what: str) -> int:
    started = time.perf_counter()
    try:
        path = write()
    except OSError as err:
        print(f"gaerchen: error: cannot write {args.out}: {describe_os_error(err)}", file=sys.stderr)
        return 1
    print(f"wrote {what} to {path} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


def run_timelapse(args: argparse.Namespace) -> int:
    _check_out(args, ("gif", "mp4"))
    checkpoint = load_checkpoint(args.checkpoint)
    frames = checkpoint.frames
    if frames is None:
        print(
            f"gaerchen: error: {args.checkpoint.name} has no recorded frames (it was saved before Gaerchen "
            "recorded its training runs): there is nothing to replay.",
            file=sys.stderr,
        )
        return 1
    labels = load_test_set().labels.numpy()[frames.live_indices.numpy()]
    images = timelapse_frames(frames, labels, args.size)
    what = f"{len(frames)} frames ({args.size} x {args.size}, steps 0 to {int(frames.steps[-1]):,})"
    return _wrote(args, lambda: write_frames(args.out, images, palette(), args.fps), what)


def run_walk(args: argparse.Namespace) -> int:
    kind = _check_out(args, ("gif", "mp4", "png"))
    checkpoint = load_checkpoint(args.checkpoint)
    test = load_test_set()
    for flag, index in (("--from", args.start), ("--to", args.end)):
        if not 0 <= index < len(test):
            args.command_parser.error(f"{flag}: test images are numbered 0 to {len(test) - 1}, not {index}")
    z = embed_all(checkpoint.model, test.images[torch.tensor([args.start, args.end])])
    path = (slerp if args.slerp else lerp)(z[0], z[1], args.steps)
    images = decode_path(checkpoint.model, path).numpy()
    how = "arc" if args.slerp else "line"
    what = f"a {args.steps}-image walk along the {how} from test image {args.start} to {args.end}"
    if kind == "png":
        return _wrote(args, lambda: write_still(args.out, walk_strip(images, args.size), palette()), what)
    frames = walk_frames(images, args.size)
    return _wrote(args, lambda: write_frames(args.out, frames, palette(), args.fps), what)
