"""Build hook for the optional C trampoline (tengojit._hostcall); metadata is in pyproject.toml.

The extension is optional: where it cannot be built, tengojit falls back to the pure-Python
call path (slower host calls, same behaviour).
"""
from setuptools import Extension, setup

setup(ext_modules=[Extension("tengojit._hostcall", ["runtime/_hostcall.c"], optional=True)])
