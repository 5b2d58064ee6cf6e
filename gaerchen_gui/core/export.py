"""Writing embeddings to CSV (shared by ``gaerchen encode`` and the GUI's export)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import torch

from gaerchen_gui.core.data import CLASS_NAMES


def write_embeddings_csv(path: str | os.PathLike, z: torch.Tensor, labels: torch.Tensor) -> Path:
    """One row per image: index, label, class_name, z0, z1, ... (``z``: (N, D), ``labels``: (N,))."""
    path = Path(path)
    z_rows = z.detach().cpu().tolist()
    label_list = labels.detach().cpu().tolist()
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["index", "label", "class_name", *(f"z{d}" for d in range(z.shape[1]))])
        for index, (label, coords) in enumerate(zip(label_list, z_rows, strict=True)):
            writer.writerow([index, label, CLASS_NAMES[label], *(f"{c:.6g}" for c in coords)])
    return path
