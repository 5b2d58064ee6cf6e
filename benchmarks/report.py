"""How every benchmark here prints its result: one JSON line (``--json``), or a column of key: value."""

from __future__ import annotations

import json


def print_result(result: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result))
        return
    width = max(map(len, result), default=0)
    for key, value in result.items():
        print(f"{key:>{width}}: {json.dumps(value) if isinstance(value, (dict, list)) else value}")
