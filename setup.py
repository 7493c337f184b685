"""Build hook for the optional C extensions; metadata is in pyproject.toml.

- ``tengojit._hostcall``: the host-call trampoline; without it tengojit falls back to the
  pure-Python call path (slower host calls, same behaviour).
- ``tengojit._picklescan``: checks a payload's pickle before unpickling (``payload.py``);
  without it a pure-Python scan does the same, slower.
- ``tengojit._gomath``: Go's amd64 math functions bit for bit (``Exp`` with the CPU's fused
  multiply-adds, ``Log``, the trigonometric and hyperbolic functions, ``Pow``, ...); without it
  ``runtime/stdlib/gomath_*.py`` compute the same bits in Python (~10x slower).
"""
from setuptools import Extension, setup

setup(ext_modules=[
    Extension("tengojit._hostcall", ["runtime/_hostcall.c"], optional=True),
    Extension("tengojit._picklescan", ["runtime/_picklescan.c"], optional=True),
    Extension("tengojit._gomath", ["runtime/_gomath.c"], optional=True,
              extra_compile_args=["-ffp-contract=off"], libraries=["m"]),
])
