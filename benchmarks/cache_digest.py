"""What checking the disk cache's digests costs when the Fashion-MNIST splits are read from it.

For the test images (10,000, 7.8 MB) and the training images (60,000, 47 MB):
``read_ms``, the median time of ``disk_cache.read_array`` (read, size check,
digest check), and ``digest_ms``, the median time of the digest alone on the
same array. The cache is a temporary folder, filled first by loading the split.

    python benchmarks/cache_digest.py --json [--rounds 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time


def median_ms(run, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return round(1000 * statistics.median(times), 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object (the only output)")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="gaerchen-cache-bench-") as tmp:
        from gaerchen_gui.core import disk_cache
        from gaerchen_gui.core.data import FILE_MD5, load_split

        os.environ[disk_cache.CACHE_DIR_ENV] = tmp
        result = {}
        for split, train in (("t10k", False), ("train", True)):
            load_split(train)  # fills the cache
            name = f"fashion-mnist-{split}-{FILE_MD5[f'{split}-images-idx3-ubyte'][:12]}-images"
            array = disk_cache.read_array(name)
            if array is None:
                raise SystemExit(f"the cache holds no {name}")
            result[split] = {
                "megabytes": round(array.nbytes / 1e6, 1),
                "read_ms": median_ms(lambda name=name: disk_cache.read_array(name), args.rounds),
                "digest_ms": median_ms(lambda array=array: disk_cache.array_digest(array), args.rounds),
            }
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
