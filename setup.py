"""Build hook for the optional C extensions; metadata is in pyproject.toml.

- ``tengojit._hostcall``: the host-call trampoline; without it tengojit falls back to the
  pure-Python call path (slower host calls, same behaviour).
- ``tengojit._gomath``: Go's amd64 ``math.Exp`` with the CPU's fused multiply-adds; without
  it ``runtime/stdlib/gomath_explog.py`` computes the same bits in Python (slower).
"""
from setuptools import Extension, setup

setup(ext_modules=[
    Extension("tengojit._hostcall", ["runtime/_hostcall.c"], optional=True),
    Extension("tengojit._gomath", ["runtime/_gomath.c"], optional=True,
              extra_compile_args=["-ffp-contract=off"], libraries=["m"]),
])
