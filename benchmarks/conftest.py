"""Benchmarks are pytest-benchmark tests: ``python -m pytest benchmarks -q --benchmark-only``.

The default ``pytest`` run never collects this directory (``testpaths = ["tests"]``).
"""
