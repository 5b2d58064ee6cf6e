"""Everything that changes the whole process, in one place, applied explicitly at start-up.

Nothing here happens on import: :func:`apply` runs once from ``run_app`` (and
from the tests' ``conftest.py`` and the benchmarks). Each switch says what it
buys, as measured on the machines this was built on (AMD EPYC, 2 cores); the
latency benchmark can turn any of them off (``--without NAME``) to show it
again. Code that depends on a switch reads :func:`current` when it runs.

The latest measurement of each, switch by switch, is the README's table "What
each process-wide switch buys" (2026-11-30, four alternating quick runs each
on a machine loaded by other work): skip_hover_while_dragging and
nice_training_thread bought clear gains; without protect_singletons 3 of 4 runs
aborted at exit; short_switch_interval and decode_handoff bought nothing that
stood out of the noise there (end to end, mouse move to painted image).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys
from dataclasses import dataclass, fields, replace

from gaerchen_gui.gui.pyside_fix import protect_singletons


@dataclass(frozen=True)
class Tuning:
    # PySide6 6.12 on Python 3.11 drops references to None/True/False it never took (pyside_fix.py): without
    # the reserve the process aborts (none_dealloc / bool_dealloc) after minutes of dragging or at exit.
    protect_singletons: bool = True
    # GIL switch interval 1 ms instead of 5: Qt objects made from Python take the GIL for every virtual
    # call, so while a worker runs Python the GUI thread waited up to a whole interval per paint.
    # Not confirmed end to end on 2026-11-30 (see above).
    short_switch_interval: bool = True
    # A cursor decode request waits <= 1 ms for the idle decode thread to take it (Linux only): request
    # to worker awake p95 1.7-3.6 ms without, 0.3 ms with (decode_worker.py). Not confirmed end to end
    # on 2026-11-30 (see above).
    decode_handoff: bool = True
    # pyqtgraph's scene hover dispatch is skipped while the cursor is dragged: ~3 ms per mouse move.
    skip_hover_while_dragging: bool = True
    # The training thread runs at nice 5 (Linux): GUI event-loop p95 while training 23.4 ms -> 2.0 ms.
    nice_training_thread: bool = True
    # When a training run ends, glibc's malloc_trim(0) hands the heap pages that run freed back to the
    # system: without it, each run's freed tensors stay in the process's heap arenas, fragmented, and
    # the soak's resident memory floor crept up over its first minutes. benchmarks/soak.py, 8 minutes side
    # by side: floors 1,348-1,531 MB with it, 1,614-1,668 MB without; 30 minutes: +3.3% (was +6.4%).
    trim_heap_after_runs: bool = True

    def without(self, *names: str) -> Tuning:
        """This tuning with the named switches off; ValueError for a name that is not a switch."""
        known = {f.name for f in fields(self)}
        unknown = set(names) - known
        if unknown:
            raise ValueError(
                f"unknown tuning switch(es): {', '.join(sorted(unknown))}; known: {', '.join(sorted(known))}"
            )
        return replace(self, **{name: False for name in names})


SWITCH_INTERVAL_S = 0.001
HANDOFF_S = 0.001  # how long a cursor request waits for an idle decode worker to take it
TRAINING_NICENESS = 5  # nice value of the training thread (0 is the GUI's)

_current = Tuning(**{f.name: False for f in fields(Tuning)})  # nothing applied until apply() runs


def apply(tuning: Tuning | None = None) -> Tuning:
    """Apply ``tuning`` (default: everything on) to this process; returns it. Idempotent."""
    global _current
    tuning = tuning if tuning is not None else Tuning()
    if tuning.protect_singletons:
        if not _current.protect_singletons:
            protect_singletons()  # once: it adds a fixed reserve of references
    elif _current.protect_singletons:
        tuning = replace(tuning, protect_singletons=True)  # cannot be taken back
    sys.setswitchinterval(SWITCH_INTERVAL_S if tuning.short_switch_interval else 0.005)
    _current = tuning
    return tuning


def current() -> Tuning:
    return _current


def decode_handoff_s() -> float:
    """Linux only, where it was measured: elsewhere a 1 ms lock timeout can round up to a 15 ms timer tick."""
    return HANDOFF_S if _current.decode_handoff and sys.platform.startswith("linux") else 0.0


@functools.cache
def _malloc_trim():
    """glibc's malloc_trim, or None where the C library has none (musl, macOS, Windows)."""
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


def give_back_freed_memory() -> bool:
    """After a run that allocated and freed a lot (training): return free heap pages to the system.
    Takes a few ms; call it off the GUI thread. True if the C library could."""
    trim = _malloc_trim() if _current.trim_heap_after_runs else None
    if trim is None:
        return False
    trim(0)
    return True
