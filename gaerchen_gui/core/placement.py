"""Where a model puts one's own images: each image's code, a VAE's posterior, its reconstruction (no Qt).

The drawing on the pad and every pinned image file go through :func:`place_images`: one encoder
pass and one decoder pass over the batch, the same layers the map's test images went through
(``core/evaluation.py``), so a drawing lands where the same array would in ``gaerchen encode``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from gaerchen_gui.core.data import IMAGE_SIZE
from gaerchen_gui.core.models import LatentModel

DRAWING_SIZE = 28  # the pad is Fashion-MNIST's 28 x 28 frame; padded to IMAGE_SIZE like its images
_PAD = (IMAGE_SIZE - DRAWING_SIZE) // 2


@dataclass(frozen=True)
class Placement:
    z: np.ndarray  # (D,) the image's code: where it lands (a VAE's posterior mean)
    log_var: np.ndarray | None  # (D,) a VAE's posterior log-variance: the cloud around ``z``; None for an AE
    reconstruction: np.ndarray  # (32, 32) float32 in [0, 1]: the decoder's image at ``z``


def pad_drawing(drawing: np.ndarray) -> np.ndarray:
    """A (28, 28) drawing in [0, 1] as the models see it: (32, 32) float32, zero-padded by 2 on each side."""
    drawing = np.asarray(drawing, dtype=np.float32)
    if drawing.shape != (DRAWING_SIZE, DRAWING_SIZE):
        raise ValueError(f"a drawing is {DRAWING_SIZE} x {DRAWING_SIZE}, not {drawing.shape}")
    return np.pad(np.clip(drawing, 0.0, 1.0), _PAD)


@torch.inference_mode()
def place_images(model: LatentModel, pixels: np.ndarray) -> tuple[Placement, ...]:
    """``pixels`` (N, 32, 32) in [0, 1] -> one :class:`Placement` per image (any thread: only reads the model)."""
    x = torch.from_numpy(np.ascontiguousarray(pixels, dtype=np.float32)).reshape(-1, 1, IMAGE_SIZE, IMAGE_SIZE)
    if model.kind == "vae":
        z, log_var = model.encoder(x)
    else:
        z, log_var = model.embed(x), None
    images = model.decode(z)[:, 0].numpy()
    z = z.float().numpy()
    log_vars = [None] * len(z) if log_var is None else list(log_var.float().numpy())
    return tuple(Placement(z[i].copy(), lv if lv is None else lv.copy(), images[i]) for i, lv in enumerate(log_vars))
