"""A run's history as frames: what the latent map and the decoder looked like at chosen steps.

Every training run records them (:class:`FrameRecorder`, owned by the trainer, so the command
line, the sweep and the window's dock alike), and the checkpoint carries them in its metadata:
a saved or shipped model has its own timelapse (``gaerchen timelapse``).

A frame at global step ``s`` (0: the untrained model) holds

- the codes of the live subset, :data:`LIVE_SUBSET` of the test images (the same 2,000 the
  window's live map follows), as float16 ``(N, D)``: 8 KB a frame for D = 2, and float16's
  3 significant digits are far finer than a map's pixel;
- the decoded images of :data:`PROBE_COUNT` fixed probe points, as uint8 ``(P, 32, 32)``.
  uint8, not float16: 8 bits is what a GIF, a video or a screen shows of a grey level, and it
  halves the largest part of the file (200 frames x 16 probes: 3.3 MB instead of 6.6 MB).

The probe points are draws from N(0, I) with a fixed seed, the same for every run and every
latent size: they are exactly the points a VAE's decoder is trained to decode (its prior), so its
probes show samples forming. A grid over the first frame's range would be useless (an untrained
encoder maps everything into a speck), and one over the last frame's range is unknown while
recording. For an AE they show what its decoder makes of the region around the origin.

Recording costs one encoder pass over the live subset per frame, on the training thread between
two steps. Measured (benchmarks/frame_recording.py, 2 cores): encoding an image costs about a
twelfth of training on it (bf16 training, fp32 encoding, a quiet machine; a twentieth on a busy
one), so a frame costs as much as training ~170 images; the number of frames is set so that they
cost at most FRAME_SHARE of the training (see :func:`frame_count`). That is fewer than 200 for
the book's runs (43 for the AE, 72 for the VAE): the cost limit wins over the frame count.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from gaerchen_gui.core.evaluation import embed_all
from gaerchen_gui.core.latent_paths import decode_path
from gaerchen_gui.core.models import LatentModel

# The fixed test images re-encoded while a model trains: 2,000 of the 10,000, the same every run, so
# that the live map of one run can be compared with another's (indices into the test split, sorted).
LIVE_SUBSET = np.sort(np.random.default_rng(0).choice(10_000, 2_000, replace=False))

MAX_FRAMES = 200  # a timelapse of ~7-10 s at 20-30 fps
MIN_FRAMES = 2  # the untrained model and the trained one, whatever the budget
PROBE_COUNT = 16  # two rows of eight under the map in a timelapse
PROBE_SEED = 0
FRAME_SHARE = 0.04  # of the training's cost spent on frames: under the 5% promised, with a margin
# What encoding one image costs, in images trained: the book AE in bf16 on an idle AVX-512/bf16 EPYC
# (recorder's clock: 8 frames were 5.2% of a 400-step run at 1/16). Busy machines measured 1/19-1/24.
ENCODE_COST_IN_TRAINED_IMAGES = 1 / 12
MAX_CODES_BYTES = 16 * 2**20  # all frames' codes together: a 512-D model gets few frames, not 400 MB
# Where the geometric spacing of frames bends (in steps): denser before, the map changes fastest there.
EARLY_STEPS = 25
IMAGE_SIDE = 32


def frame_count(total_steps: int, batch_size: int, n_live: int, latent_dim: int) -> int:
    """How many frames a run of ``total_steps`` records: what FRAME_SHARE of its cost pays for,
    at most MAX_FRAMES (and MAX_CODES_BYTES), at least MIN_FRAMES, never more than there are steps."""
    if n_live == 0:
        return 0
    frame_cost = n_live * ENCODE_COST_IN_TRAINED_IMAGES  # in trained images
    affordable = math.floor(FRAME_SHARE * total_steps * batch_size / frame_cost)
    by_size = MAX_CODES_BYTES // (n_live * latent_dim * 2)
    return max(MIN_FRAMES, min(affordable, MAX_FRAMES, by_size, total_steps + 1))


def frame_steps(total_steps: int, count: int) -> list[int]:
    """``count`` global steps from 0 to ``total_steps`` (both included), evenly spaced in
    log(1 + step / EARLY_STEPS): geometric late, about one a step early (fewer when steps repeat)."""
    if count <= 1 or total_steps == 0:
        return [0]
    top = math.log1p(total_steps / EARLY_STEPS)
    steps = {round(EARLY_STEPS * math.expm1(top * k / (count - 1))) for k in range(count)}
    return sorted(min(s, total_steps) for s in steps | {0, total_steps})


def probe_points(latent_dim: int, count: int = PROBE_COUNT) -> torch.Tensor:
    """(count, latent_dim) fixed draws from N(0, I); see the module docstring for why."""
    return torch.randn(count, latent_dim, generator=torch.Generator().manual_seed(PROBE_SEED))


def decode_probes(model: LatentModel, probe_z: torch.Tensor) -> torch.Tensor:
    """(P, 32, 32) uint8 images of the probe points."""
    return (decode_path(model, probe_z) * 255).round().clamp(0, 255).to(torch.uint8)


@dataclass(frozen=True)
class Frames:
    """A run's recorded frames (F of them, N live images, P probes, D latent dimensions)."""

    steps: torch.Tensor  # (F,) int64 global steps, increasing
    codes: torch.Tensor  # (F, N, D) float16
    probes: torch.Tensor  # (F, P, 32, 32) uint8
    probe_z: torch.Tensor  # (P, D) float32
    live_indices: torch.Tensor  # (N,) int64: the test image of each code row

    def __len__(self) -> int:
        return self.steps.shape[0]

    def to_dict(self) -> dict[str, torch.Tensor]:
        """Tensors only: checkpoints are read with torch's weights-only loader."""
        return {
            "steps": self.steps,
            "codes": self.codes,
            "probes": self.probes,
            "probe_z": self.probe_z,
            "live_indices": self.live_indices,
        }

    @classmethod
    def from_dict(cls, data: Any, latent_dim: int) -> Frames:
        """Check what a file says before trusting it; ValueError (one line) if it is not frames
        of a ``latent_dim``-D model within this module's limits."""
        if not isinstance(data, dict):
            raise ValueError("the frames are not a table")
        want = {
            "steps": torch.int64,
            "codes": torch.float16,
            "probes": torch.uint8,
            "probe_z": torch.float32,
            "live_indices": torch.int64,
        }
        for key, dtype in want.items():
            value = data.get(key)
            if not isinstance(value, torch.Tensor) or value.dtype != dtype:
                raise ValueError(f"the frames' {key} are missing or not {dtype}")
            # A few bytes of file can describe a huge tensor whose elements share one stored number
            # (stride 0); only tensors whose bytes are really there are read.
            if value.untyped_storage().nbytes() < value.numel() * value.element_size():
                raise ValueError(f"the frames' {key} claim more numbers than the file holds")
        steps, codes, probes, probe_z, live = (data[key] for key in want)
        n_frames, n_live, n_probes = steps.shape[0] if steps.dim() == 1 else -1, live.shape[0], probe_z.shape[0]
        if not 1 <= n_frames <= MAX_FRAMES or live.dim() != 1 or not 1 <= n_live <= 10_000:
            raise ValueError("the frames' sizes are out of range")
        if codes.shape != (n_frames, n_live, latent_dim) or n_frames * n_live * latent_dim * 2 > MAX_CODES_BYTES:
            raise ValueError(f"the frames' codes have shape {tuple(codes.shape)}")
        if probe_z.shape != (n_probes, latent_dim) or not 1 <= n_probes <= 4 * PROBE_COUNT:
            raise ValueError(f"the probe points have shape {tuple(probe_z.shape)}")
        if probes.shape != (n_frames, n_probes, IMAGE_SIDE, IMAGE_SIDE):
            raise ValueError(f"the probe images have shape {tuple(probes.shape)}")
        if bool((steps[1:] <= steps[:-1]).any()) or int(steps[0]) < 0:
            raise ValueError("the frames' steps do not increase")
        if int(live.min()) < 0 or int(live.max()) >= 10_000:
            raise ValueError("the frames name test images that do not exist")
        if not bool(torch.isfinite(codes).all()) or not bool(torch.isfinite(probe_z).all()):
            raise ValueError("the frames' codes are not all finite")
        return cls(*(t.clone() for t in (steps, codes, probes, probe_z, live)))


class FrameRecorder:
    """Takes the frames of one run; the trainer calls :meth:`plan` once, then :meth:`step` after
    every optimiser step (between steps: the weights are never read mid-update) and :meth:`finish`
    when it stops. ``count``: how many frames to plan, None for :func:`frame_count`'s budget, 0 for
    none (the benchmark's run without recording)."""

    def __init__(self, test_images: torch.Tensor, latent_dim: int, count: int | None = None) -> None:
        # The live subset as far as the test images reach (tests may pass a short test set).
        live = LIVE_SUBSET[LIVE_SUBSET < test_images.shape[0]]
        self.live_indices = torch.from_numpy(live.astype(np.int64))
        self.live_images = test_images[self.live_indices.to(test_images.device)]
        self.probe_z = probe_points(latent_dim)
        self.latent_dim = latent_dim
        self.count = count
        self.seconds = 0.0  # time spent recording, for the benchmark
        self._planned: set[int] = set()
        self._steps: list[int] = []
        self._codes: list[torch.Tensor] = []
        self._probes: list[torch.Tensor] = []

    def plan(self, total_steps: int, batch_size: int) -> list[int]:
        """Decide the steps to record for a run of ``total_steps``; the steps planned."""
        n_live = len(self.live_indices)
        count = frame_count(total_steps, batch_size, n_live, self.latent_dim) if self.count is None else self.count
        planned = frame_steps(total_steps, count) if count > 0 and n_live > 0 else []
        self._planned = set(planned)
        return planned

    def step(self, model: LatentModel, global_step: int) -> None:
        """Record a frame if ``global_step`` is planned (0: before the first step)."""
        if global_step in self._planned:
            self._record(model, global_step)

    def finish(self, model: LatentModel, global_step: int) -> None:
        """A run that stops early ends with a frame of the weights it keeps."""
        if self._planned and (not self._steps or self._steps[-1] != global_step):
            self._record(model, global_step)

    def _record(self, model: LatentModel, global_step: int) -> None:
        start = time.perf_counter()
        self._codes.append(embed_all(model, self.live_images).to(torch.float16))
        self._probes.append(decode_probes(model, self.probe_z))
        self._steps.append(global_step)
        self.seconds += time.perf_counter() - start

    def __len__(self) -> int:
        """Frames recorded so far."""
        return len(self._steps)

    @property
    def planned_last_step(self) -> int:
        """The step the run's last frame is planned at (its last step), 0 before :meth:`plan`."""
        return max(self._planned, default=0)

    def frame(self, index: int) -> tuple[int, torch.Tensor, torch.Tensor]:
        """The ``index``-th frame recorded: its step, codes (N, D) float16 and probe images (P, 32, 32) uint8."""
        return self._steps[index], self._codes[index], self._probes[index]

    def frames(self) -> Frames | None:
        """What was recorded so far, or None if nothing was."""
        if not self._steps:
            return None
        return Frames(
            steps=torch.tensor(self._steps, dtype=torch.int64),
            codes=torch.stack(self._codes),
            probes=torch.stack(self._probes),
            probe_z=self.probe_z.clone(),
            live_indices=self.live_indices.clone(),
        )
