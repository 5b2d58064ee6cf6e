"""Writing embeddings to CSV (shared by ``gaerchen encode`` and the GUI's export)."""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from pathlib import Path

import torch

from gaerchen_gui.core.data import CLASS_NAMES


def write_embeddings_csv(
    path: str | os.PathLike,
    z: torch.Tensor,
    labels: torch.Tensor,
    class_names: Sequence[str] = CLASS_NAMES,
    files: Sequence[str] | None = None,
) -> Path:
    """One row per image: index, label, class_name, [file,] z0, z1, ... (``z``: (N, D), ``labels``:
    (N,)); the file column (each image's path inside its folder) when ``files`` is given."""
    path = Path(path)
    z_rows = z.detach().cpu().tolist()
    label_list = labels.detach().cpu().tolist()
    file_column = [[name] for name in files] if files is not None else [[]] * len(label_list)
    # surrogateescape: a file name that is not valid UTF-8 is written as the bytes it has on disk
    with path.open("w", newline="", encoding="utf-8", errors="surrogateescape") as f:
        writer = csv.writer(f)
        header = ["index", "label", "class_name", *(["file"] if files is not None else [])]
        writer.writerow([*header, *(f"z{d}" for d in range(z.shape[1]))])
        rows = zip(label_list, file_column, z_rows, strict=True)
        for index, (label, file, coords) in enumerate(rows):
            writer.writerow([index, label, class_names[label], *file, *(f"{c:.6g}" for c in coords)])
    return path
