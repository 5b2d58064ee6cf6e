"""Keep PySide6 from deallocating ``None``, ``True`` and ``False`` on Python 3.11 (process-wide).

The PySide6 6.12 wheels installed here drop references to Python's singletons
that they never took: one to ``None`` on every call of a method that returns
nothing (``QPainter.setPen``, ``processEvents``, ``QWidget.update``, ...), and
one to ``True`` or ``False`` on every signal emitted to a Python slot. They
assume Python 3.12's immortal singletons (PEP 683). On 3.11 those reference
counts fall by thousands per second while the explorer runs, and when one
reaches zero the interpreter aborts with "Fatal Python error: none_dealloc"
or "bool_dealloc" (exit code 134): after a minute or two of dragging, or, as
CI saw, at the end of the test suite.

:func:`protect_singletons` adds 2**40 references to each of them once, which
is what 3.12 does in spirit: no run leaks that many. They are never freed in
any case, so the extra count changes nothing else. It runs when
``gaerchen_gui.gui`` is imported.
"""

from __future__ import annotations

import ctypes
import sys

RESERVE = 1 << 40
SINGLETONS = (None, True, False)
_PROBE_CALLS = 64


def pyside_leaks_none() -> bool:
    """Whether calling a void PySide6 method lowers ``None``'s reference count (a diagnostic)."""
    if sys.version_info >= (3, 12):
        return False  # None is immortal; a missing incref cannot hurt
    from PySide6.QtCore import QPoint

    point = QPoint()
    before = sys.getrefcount(None)
    for _ in range(_PROBE_CALLS):
        point.setX(1)
    return before - sys.getrefcount(None) >= _PROBE_CALLS // 2


def protect_singletons() -> bool:
    """Add :data:`RESERVE` references to ``None``, ``True`` and ``False`` before 3.12; whether it did.

    Not made conditional on a probe of the leak: the reserve is harmless where nothing leaks.
    """
    if hasattr(sys, "gettotalrefcount") or sys.implementation.name != "cpython":
        return False  # a debug build or another VM: the object layout below is not guaranteed
    if sys.version_info >= (3, 12):
        return False  # immortal
    done = True
    for singleton in SINGLETONS:
        done = _add_reserve(singleton) and done
    return done


def _add_reserve(singleton: object) -> bool:
    # In a release CPython build, ob_refcnt (Py_ssize_t) is the first field of every object.
    refcount = ctypes.c_ssize_t.from_address(id(singleton))
    before = sys.getrefcount(singleton)
    refcount.value += RESERVE
    # Other references come and go meanwhile (a garbage collection can drop hundreds), so the
    # check allows for that; a wrong layout would be off by far more than a million.
    if abs(sys.getrefcount(singleton) - before - RESERVE) > 1_000_000:  # not the layout we expected: undo
        refcount.value -= RESERVE
        return False
    return True
