"""Differential fuzzing of tengojit against the reference Go Tengo CLI.

Modules (each with one job):

- ``generator``  -- random, valid, terminating, deterministic Tengo programs from a seed;
- ``oracle``     -- runs one program on the reference and on tengojit (JIT off / forced) and
                    compares stdout, exit status and the first stderr line;
- ``minimise``   -- delta debugging on the lines of a failing program;
- ``regressions``-- reading/writing ``regressions/NAME.tengo`` + ``NAME.expected.json``;
- ``fuzz``       -- the command line (``python -m tests.differential.fuzz``).
"""
