"""Keep PySide6 from deallocating ``None`` on Python 3.11 (a process-wide workaround).

The PySide6 6.12 wheels installed here drop one reference to ``None`` on every
call of a method that returns nothing (``QPainter.setPen``, ``processEvents``,
``QWidget.update``, ...): they assume Python 3.12's immortal ``None`` (PEP 683).
On 3.11 ``None``'s reference count falls by thousands per second while the
explorer repaints, and when it reaches zero the interpreter aborts with
"Fatal Python error: none_dealloc" (exit code 134) - after a minute or two of
dragging, or part-way through the test suite.

:func:`protect_none` adds 2**40 references to ``None`` once, which is what 3.12 does in spirit:
no run leaks that many. ``None`` is never freed in any case, so the extra
count changes nothing else. It runs when ``gaerchen_gui.gui`` is imported.
"""

from __future__ import annotations

import ctypes
import sys

RESERVE = 1 << 40
_PROBE_CALLS = 64


def pyside_leaks_none() -> bool:
    """Whether calling a void PySide6 method lowers ``None``'s reference count."""
    if sys.version_info >= (3, 12):
        return False  # None is immortal; a missing incref cannot hurt
    from PySide6.QtCore import QPoint

    point = QPoint()
    before = sys.getrefcount(None)
    for _ in range(_PROBE_CALLS):
        point.setX(1)
    return before - sys.getrefcount(None) >= _PROBE_CALLS // 2


def protect_none() -> bool:
    """Add :data:`RESERVE` references to ``None`` before 3.12 (see above); returns whether it did."""
    if hasattr(sys, "gettotalrefcount") or sys.implementation.name != "cpython":
        return False  # a debug build or another VM: the object layout below is not guaranteed
    if sys.version_info >= (3, 12):
        return False  # None is immortal
    # Not made conditional on pyside_leaks_none(): the reserve is harmless where nothing leaks,
    # since None is never freed anyway.
    # In a release CPython build, ob_refcnt (Py_ssize_t) is the first field of every object.
    refcount = ctypes.c_ssize_t.from_address(id(None))
    before = sys.getrefcount(None)
    refcount.value += RESERVE
    # Other references to None come and go meanwhile (a garbage collection can drop hundreds),
    # so the check allows for that; a wrong layout would be off by far more than a million.
    if abs(sys.getrefcount(None) - before - RESERVE) > 1_000_000:  # not the layout we expected: undo
        refcount.value -= RESERVE
        return False
    return True
