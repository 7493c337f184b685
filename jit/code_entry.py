"""The native *call entry* of a compiled Tengo function, attached to its code object.

Native code calling a value known only at run time (a closure from a map, say) finds the
callee's call entry (``wrapper.call_entry``: ``(function, G, args...)``) in the code object's
extra slot (PEP 523's ``co_extra``, one index for the process) and calls it without a Python
frame in between. The slot owns a reference to the entry (released by CPython when the code
object dies, or when replaced here); the entry checks everything itself, so a stale entry is
only slower, never wrong.
"""
from __future__ import annotations

import ctypes

_api = ctypes.pythonapi
_index = None


def index():
    """The process's co_extra index for call entries (requested once)."""
    global _index
    if _index is None:
        _api._PyEval_RequestCodeExtraIndex.restype = ctypes.c_ssize_t
        _api._PyEval_RequestCodeExtraIndex.argtypes = [ctypes.c_void_p]
        free = ctypes.cast(_api.Py_DecRef, ctypes.c_void_p).value
        i = _api._PyEval_RequestCodeExtraIndex(free)
        if i < 0:
            raise RuntimeError("no co_extra index left")
        _index = i
    return _index


def get(code):
    """The address of ``code``'s call entry, or 0."""
    out = ctypes.c_void_p(0)
    _api._PyCode_GetExtra.argtypes = [ctypes.py_object, ctypes.c_ssize_t, ctypes.c_void_p]
    _api._PyCode_GetExtra.restype = ctypes.c_int
    if _api._PyCode_GetExtra(code, index(), ctypes.byref(out)) != 0:
        return 0
    return out.value or 0


def set(code, entry):
    """Attach ``entry`` (a builtin, or None to detach) to ``code`` (CPython releases the
    previous one through the index's free function)."""
    _api._PyCode_SetExtra.argtypes = [ctypes.py_object, ctypes.c_ssize_t, ctypes.c_void_p]
    _api._PyCode_SetExtra.restype = ctypes.c_int
    if entry is not None:
        _api.Py_IncRef(ctypes.py_object(entry))
    if _api._PyCode_SetExtra(code, index(), id(entry) if entry is not None else None) != 0:
        if entry is not None:
            _api.Py_DecRef(ctypes.py_object(entry))
