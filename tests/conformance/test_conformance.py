"""The reference Tengo's own test expectations, replayed through tengojit.

One test per corpus case per tier, id ``<tier>:<case id>`` (``test_case[baseline:vm/TestArray/3]``).
The corpus is ``tests/conformance/data/*.jsonl`` (override: ``TENGOJIT_CONFORMANCE_DIR``);
its README defines the case format and the replay semantics implemented here:

1. parse ``src`` as file ``test``; predefine ``symbols``; for ``run`` cases also ``out``, preset
   to the zero value of the expected type (``error`` cases get no ``out``);
2. all builtins; importable modules = ``stdlib`` ∪ ``modules``;
3. apply ``config`` (MaxStringLen/MaxBytesLen) and ``env``; compile; run with ``max_allocs``;
4. ``run``: no error and ``out`` equals ``expected`` (``require.Equal``, see ``tengo_values``);
   ``error``: a tengojit error (``TengoError``; any other exception is a failure) whose text
   contains ``error``;
5. ``second_pass``: ``out = import("__code__")`` with module
   ``out := undefined; <src>; export out``; a top-level array/map is expected back immutable.

``runner: "script"`` cases run like ``tengo.NewScript(src)`` (file ``(main)``, the script declares
``out`` itself). Skipped, with the reason: host cases (``host_objects``: need Go types, named by
``host_types``) and ``requires`` cases (the ``os`` module touching the file system, environment
or processes). ``TENGOJIT_CONFORMANCE_OS=1`` opts in to the replayable ``requires`` cases, run
in a scratch directory.
"""
from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Mapping

import pytest

from tengojit import TengoError
import tengojit.limits as limits
from tengo_values import Unrepresentable, decode, equal, freeze_top, show, zero_value

RUN_OS = os.environ.get("TENGOJIT_CONFORMANCE_OS", "") not in ("", "0")
LIMIT_NAMES = {"MaxStringLen": "MAX_STRING_LEN", "MaxBytesLen": "MAX_BYTES_LEN"}

# Collection (one test per case per tier) and the pass-rate summary live in conftest.py.


# -- skipping ---------------------------------------------------------------------------------

# Host cases whose only "host objects" are plain data given as symbols (time values, strings
# longer than a configured limit) are representable in Python: run them.
DATA_HOST_TYPES = {"*tengo.Time", "*tengo.String"}


def skip_reason(case):
    if case.get("host_objects") and not set(case.get("host_types") or ["?"]) <= DATA_HOST_TYPES:
        types = ", ".join(case.get("host_types") or []) or "unspecified"
        return f"host case: needs Go host objects (host_types: {types})"
    req = case.get("requires") or []
    if req:
        if not RUN_OS:
            return (f"requires {'/'.join(req)}: touches the real system "
                    "(set TENGOJIT_CONFORMANCE_OS=1 to run it)")
        if "{{" in json.dumps(case):
            return f"requires {'/'.join(req)}: recorded with temp-file placeholders, not replayable"
    if case.get("error_match", "contains") != "contains":
        return f"error_match {case['error_match']!r}: a Go errors.Is/As check"
    return None


# -- environment: limits, env vars, working directory ------------------------------------------

class CaseEnvironment:
    """Applies a case's ``config`` limits, ``env`` and (os cases) a scratch cwd; undoes them."""

    def __init__(self, case):
        self.case = case

    def __enter__(self):
        self.saved_limits = {}
        for key, value in (self.case.get("config") or {}).items():
            attr = LIMIT_NAMES[key]
            self.saved_limits[attr] = getattr(limits, attr)
            setattr(limits, attr, value)
        self.saved_env = {}
        for key, value in (self.case.get("env") or {}).items():
            self.saved_env[key] = os.environ.get(key)
            os.environ[key] = value
        if "TZ" in self.saved_env:
            time.tzset()
        self.tmp = None
        if self.case.get("requires"):
            self.cwd = os.getcwd()
            self.tmp = tempfile.TemporaryDirectory(prefix="tengojit-conformance-")
            os.chdir(self.tmp.name)
        return self

    def __exit__(self, *exc):
        if self.tmp is not None:
            os.chdir(self.cwd)
            self.tmp.cleanup()
        for key, value in self.saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        if "TZ" in self.saved_env:
            time.tzset()
        for attr, value in self.saved_limits.items():
            setattr(limits, attr, value)
        return False


# -- building and running ---------------------------------------------------------------------

def stdlib_imports(names):
    """{name: module} for the case's stdlib modules; a missing module fails the case."""
    if not names:
        return {}
    import tengojit.stdlib as stdlib
    get_module_map = getattr(stdlib, "get_module_map", None)
    if get_module_map is None:
        pytest.fail(f"needs stdlib modules {names}, but tengojit.stdlib.get_module_map "
                    "does not exist", pytrace=False)
    problem = None
    try:
        mm = get_module_map(*names)
    except Exception as e:  # noqa: BLE001 - report which module is missing
        problem = f"tengojit.stdlib.get_module_map{tuple(names)} failed: {e!r}"
    if problem:
        pytest.fail(problem, pytrace=False)
    mm = dict(mm.items()) if isinstance(mm, Mapping) or hasattr(mm, "items") else mm
    missing = [n for n in names if n not in mm]
    if missing:
        # Temporary while the standard library is being written (issue 3): a case that needs a
        # module tengojit does not have yet is an expected failure, named, not a pass.
        pytest.xfail(f"stdlib module(s) not implemented yet: {missing}")
    return {n: mm[n] for n in names}


def build_script(make_script, case, src, *, name="test", out_zero=None, extra_modules=None):
    s = make_script(src, name=name)
    for key, tagged in case.get("symbols", {}).items():
        s.add(key, decode(tagged))
    if case["kind"] == "run" and case.get("runner") != "script":
        s.add("out", out_zero)
    imports = stdlib_imports(case.get("stdlib") or [])
    imports.update(case.get("modules") or {})
    imports.update(extra_modules or {})
    s.set_imports(imports)
    s.set_max_allocs(case.get("max_allocs", -1))
    return s


def compile_and_run(s):
    """Compile and run ``s`` → ``(compiled or None, the TengoError raised or None)``.

    Only TengoError is caught: any other exception is a bug and fails the test with its traceback.
    """
    compiled = None
    try:
        compiled = s.compile()
        compiled.run()
    except TengoError as e:
        return compiled, e
    return compiled, None


def run_expect(make_script, case, src, expected_tagged, *, name="test", extra_modules=None,
               label="run"):
    """Compile and run; ``out`` must equal the expectation."""
    expected = decode(expected_tagged)
    s = build_script(make_script, case, src, name=name, out_zero=zero_value(expected_tagged),
                     extra_modules=extra_modules)
    compiled, err = compile_and_run(s)
    if err is not None:
        pytest.fail(f"[{label}] unexpected error:\n{err}\n--- src ---\n{src}", pytrace=False)
    actual = compiled.get("out")
    if not equal(actual, expected):
        pytest.fail(f"[{label}] out = {show(actual)}\n      expected {show(expected)}"
                    f"\n--- src ---\n{src}", pytrace=False)


def run_error(make_script, case):
    """Compiling or running must fail with a TengoError whose text contains ``error``."""
    s = build_script(make_script, case, case["src"])
    compiled, err = compile_and_run(s)
    if err is not None:
        text = str(err)
        if case["error"] not in text:
            pytest.fail(f"error text mismatch\n  got:      {text!r}\n  expected: ...{case['error']!r}..."
                        f"\n--- src ---\n{case['src']}", pytrace=False)
        return
    pytest.fail(f"expected an error containing {case['error']!r}, but the script succeeded "
                f"(out = {show(compiled.get('out')) if compiled.is_defined('out') else '-'})"
                f"\n--- src ---\n{case['src']}", pytrace=False)


def run_script_runner(make_script, case):
    """``runner: "script"``: ``tengo.NewScript(src)`` + stdlib, the script declares ``out``."""
    s = make_script(case["src"])
    s.set_imports(stdlib_imports(case.get("stdlib") or []))
    compiled, err = compile_and_run(s)
    if err is not None:
        pytest.fail(f"unexpected error:\n{err}", pytrace=False)
    assert compiled.is_defined("out"), "the script did not define `out`"
    actual, expected = compiled.get("out"), decode(case["expected"])
    if not equal(actual, expected, loose_containers=True):
        pytest.fail(f"out = {show(actual)}\n      expected {show(expected)}", pytrace=False)


def check_case(case, make_script):
    with CaseEnvironment(case):
        try:
            if case.get("runner") == "script":
                run_script_runner(make_script, case)
            elif case["kind"] == "error":
                run_error(make_script, case)
            else:
                run_expect(make_script, case, case["src"], case["expected"])
                if case.get("second_pass"):
                    module = f"out := undefined; {case['src']}; export out"
                    run_expect(make_script, case, 'out = import("__code__")',
                               freeze_top(case["expected"]),
                               extra_modules={"__code__": module}, label="second pass")
        except Unrepresentable as e:
            pytest.skip(f"value with no Python form: {e}")


def test_case(case_tier, case, request):
    reason = skip_reason(case)
    if reason:
        pytest.skip(reason)
    make = request.config.tengojit_make_script  # tests/conftest.py: the tiers, in one place

    def make_script(src, **kw):
        return make(src, case_tier, **kw)

    check_case(case, make_script)
