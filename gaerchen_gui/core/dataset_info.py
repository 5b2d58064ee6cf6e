"""Which images a model was trained on: Fashion-MNIST or a folder of one's own.

A checkpoint records it as ``metadata["dataset"]`` in plain types (checkpoints are read with
``torch.load(weights_only=True)``); checkpoints from before the record existed were all trained on
Fashion-MNIST, so a missing record means that.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from gaerchen_gui.core.data import CLASS_NAMES, FILE_MD5, DatasetError

# The share of each class's images a folder holds out for testing (Fashion-MNIST: 10,000 of 70,000).
HELD_OUT_FRACTION = 0.2


@dataclass(frozen=True)
class DatasetInfo:
    name: str  # "Fashion-MNIST", or the folder's name
    class_names: tuple[str, ...]  # label i is class_names[i]
    image_count: int  # images used, training and test
    test_count: int
    # SHA-256 of the folder's files (names and bytes) and the preparation rule; for Fashion-MNIST
    # the md5 of its test images' file, which names that set as well.
    digest: str
    folder: str | None = None  # absolute path of the folder; None for Fashion-MNIST
    test_fraction: float = HELD_OUT_FRACTION

    @property
    def is_folder(self) -> bool:
        return self.folder is not None

    def to_dict(self) -> dict[str, Any]:
        record = asdict(self)
        record["class_names"] = list(self.class_names)
        return record

    @classmethod
    def from_metadata(cls, metadata: dict[str, Any]) -> DatasetInfo:
        """The dataset a checkpoint's metadata records; Fashion-MNIST when it records none.
        DatasetError for a record that is not one Gaerchen writes."""
        record = metadata.get("dataset")
        if record is None:
            return FASHION_MNIST
        try:
            info = cls(
                name=str(record["name"]),
                class_names=tuple(str(name) for name in record["class_names"]),
                image_count=int(record["image_count"]),
                test_count=int(record["test_count"]),
                digest=str(record["digest"]),
                folder=None if record.get("folder") is None else str(record["folder"]),
                test_fraction=float(record.get("test_fraction", HELD_OUT_FRACTION)),
            )
        except (KeyError, TypeError, ValueError) as err:
            raise DatasetError(f"the checkpoint's record of its training images is damaged ({err!r})") from None
        if not info.class_names:
            raise DatasetError("the checkpoint's record of its training images names no classes")
        return info


FASHION_MNIST = DatasetInfo(
    name="Fashion-MNIST",
    class_names=CLASS_NAMES,
    image_count=70_000,
    test_count=10_000,
    digest=FILE_MD5["t10k-images-idx3-ubyte"],
    test_fraction=1 / 7,
)
