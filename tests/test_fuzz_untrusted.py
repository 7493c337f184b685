"""Fuzzing what an untrusted script or a careless host can hand tengojit: only TengoErrors
escape (no RecursionError, no other Python exception), nothing hangs (every run has a
deadline, which is itself a TengoError), nothing crashes (a crash would end the test process).

Cases, drawn from one seeded generator so a failure names its case number:

- source: random bytes, invalid UTF-8, NULs, 10,000-deep nesting of each bracket kind,
  100,000-element array and map literals, long literals;
- mutated corpus programs: the conformance programs (tests/conformance/data) with tokens
  deleted, duplicated, swapped or replaced, compiled and run on the baseline tier, and every
  ``JIT_EVERY``-th one again with the JIT forced;
- host values through the host API: deep nesting, cycles, huge ints, NaN/inf, unicode,
  surrogates, bytes, objects Tengo cannot hold, given to ``Script.add``, ``ctx.call``,
  ``ctx.set`` and returned by host functions.

``TENGOJIT_UNTRUSTED_CASES`` sets the number of cases: 10,000 in the default run, 100,000 in
the slow suite.
"""
from __future__ import annotations

import json
import math
import os
import random
import re
from pathlib import Path

import pytest

from tengojit import Script, TengoError

DEFAULT_CASES = int(os.environ.get("TENGOJIT_UNTRUSTED_CASES", "10000"))
SLOW_CASES = 100_000
JIT_EVERY = 25               # every 25th run case also runs with the JIT forced
RUN_DEADLINE = 0.2           # seconds per run
DATA = Path(__file__).parent / "conformance" / "data"

pytestmark = pytest.mark.filterwarnings("ignore::tengojit.RecursionLimitWarning")


def corpus():
    out = []
    for f in sorted(DATA.glob("*.jsonl")):
        for line in f.read_text().splitlines():
            d = json.loads(line)
            if d.get("src") and not d.get("host_objects") and not d.get("modules") \
                    and not d.get("symbols") and d.get("max_allocs", -1) < 0:
                out.append(d["src"])
    return out


_TOKEN = re.compile(r'"(?:\\.|[^"\\])*"|`[^`]*`|\w+|\s+|.', re.S)
SNIPPETS = ["(", ")", "[", "]", "{", "}", "func", "for", "if", "else", "return", ":=", "=", "+",
            "-", "*", "/", "%", "<<", ">>", "...", "?", ":", ".", ",", ";", "\n", "0", "-1",
            "9223372036854775807", "1e308", "\"x\"", "'c'", "undefined", "error", "immutable",
            "import(\"text\")", "len", "append", "copy", "format", "x", "a", "b", "in", "break",
            "continue", "true", "false", "\x00", "\udcff", "é"]


def mutate(rng, src):
    toks = _TOKEN.findall(src)
    for _ in range(rng.randint(1, 4)):
        if not toks:
            toks = [rng.choice(SNIPPETS)]
        i = rng.randrange(len(toks))
        op = rng.randrange(4)
        if op == 0:
            del toks[i]
        elif op == 1:
            toks.insert(i, toks[i])
        elif op == 2:
            j = rng.randrange(len(toks))
            toks[i], toks[j] = toks[j], toks[i]
        else:
            toks[i] = rng.choice(SNIPPETS)
    return "".join(toks)


def source_case(rng):
    kind = rng.randrange(7)
    if kind == 0:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
    if kind == 1:
        return "x := \"" + "".join(rng.choice(["\x00", "\udc80", "a", "\\", "\u2028"]) for _ in range(50)) + "\""
    if kind == 2:
        o, c = rng.choice(BRACKETS)
        d = rng.choice([200, 255, 256, 257, 1000])
        return "x := " + o * d + "1" + c * d
    if kind == 3:
        n = rng.choice([10, 1000])
        if rng.random() < 0.5:
            return "x := [" + ",".join(str(i) for i in range(n)) + "]\ny := len(x)"
        return "x := {" + ",".join(f"k{i}: {i}" for i in range(n)) + "}\ny := len(x)"
    if kind == 4:
        return "x := " + rng.choice(["9", "0x", "1.", "0b1", "'"]) * rng.randint(10, 10_000)
    if kind == 5:
        return "\n".join("x" + str(i) + " := " + str(i) for i in range(rng.randint(1, 2000)))
    return "".join(rng.choice(SNIPPETS) for _ in range(rng.randint(1, 60)))


BRACKETS = [("(", ")"), ("[", "]"), ("{", "}"), ("func(){", "}()"), ("-(", ")"), ("!", ""),
            ("{a: ", "}"), ("f(", ")")]


class Unconvertible:
    pass


def host_value(rng, depth=0):
    kind = rng.randrange(12 if depth < 6 else 8)
    if kind == 0:
        return rng.choice([0, -1, 2 ** 63 - 1, -2 ** 63, 2 ** 63, -2 ** 64, 10 ** 400])
    if kind == 1:
        return rng.choice([math.nan, math.inf, -math.inf, -0.0, 5e-324, 1.5])
    if kind == 2:
        return rng.choice(["", "é", "\x00", "\udcff", "\U0001F600" * 100, "x" * 10_000])
    if kind == 3:
        return rng.choice([b"", b"\x00\xff", bytearray(b"ab"), memoryview(b"cd")])
    if kind == 4:
        return rng.choice([None, True, False, Unconvertible(), object(), 1j, {1, 2}, range(3)])
    if kind == 5:
        return rng.choice([len, print, lambda *a: a, lambda: 1 / 0, lambda x: [x] * 3])
    if kind == 6:
        nested = []
        cur = nested
        for _ in range(rng.choice([10, 500, 5000])):
            nxt = []
            cur.append(nxt)
            cur = nxt
        return nested
    if kind == 7:
        cyc = [1]
        cyc.append(cyc)
        m = {"k": cyc}
        m["self"] = m
        return rng.choice([cyc, m])
    if kind == 8:
        return [host_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    if kind == 9:
        return {rng.choice(["a", "b", 1, None, "é"]): host_value(rng, depth + 1) for _ in range(3)}
    if kind == 10:
        return tuple(host_value(rng, depth + 1) for _ in range(2))
    return {"nested": host_value(rng, depth + 1)}


HOST_SRC = """\
f := func(x) { return [x, type_name(x), string(x), is_error(x)] }
g := func(x) { return h(x) }
out := undefined
"""


def corpus_script(src, **kw):
    """A corpus program as the conformance harness runs it: ``out`` predefined."""
    return Script(src, **kw).add("out", None)


def run_guarded(thunk):
    """Run ``thunk``; only TengoErrors may escape."""
    try:
        thunk()
    except TengoError:
        pass


def one_case(rng, i, programs):
    kind = i % 4
    if kind == 0:                                   # hostile source
        src = source_case(rng)
        run_guarded(lambda: Script(src, jit=False).compile().run(timeout=RUN_DEADLINE))
    elif kind in (1, 2):                            # mutated corpus program, run
        src = mutate(rng, rng.choice(programs)) if rng.random() < 0.8 else rng.choice(programs)
        run_guarded(lambda: corpus_script(src, jit=False).compile().run(timeout=RUN_DEADLINE))
        if i % JIT_EVERY == 1:
            run_guarded(lambda: corpus_script(src, jit=True, jit_threshold=0, jit_background=False)
                        .compile().run(timeout=RUN_DEADLINE))
    else:                                           # host values
        v = host_value(rng)
        jit = i % JIT_EVERY == 3

        def host():
            s = Script(HOST_SRC, jit=jit, jit_threshold=0, jit_background=False)
            s.add("h", lambda x: v)
            try:
                s.add("given", v)
            except TengoError:
                pass
            c = s.compile()
            c.run(timeout=RUN_DEADLINE)
            ctx = c.context()
            for name, arg in (("f", v), ("g", 1)):
                try:
                    ctx.call(c.get(name), arg, timeout=RUN_DEADLINE)
                except TengoError:
                    pass
            ctx.set("out", v)
        run_guarded(host)


def fuzz(n, seed):
    programs = corpus()
    assert len(programs) > 1000
    rng = random.Random(seed)
    for i in range(n):
        state = rng.getstate()
        try:
            one_case(rng, i, programs)
        except Exception as e:               # noqa: BLE001 - the failure this test looks for
            rng.setstate(state)
            raise AssertionError(f"case {i} (seed {seed}) let {type(e).__name__} escape: "
                                 f"{str(e)[:300]}") from e


@pytest.mark.parametrize("brackets", BRACKETS)
def test_ten_thousand_deep_nesting(tier, brackets):
    o, c = brackets
    with pytest.raises(TengoError, match="maximum nesting depth"):
        Script("x := " + o * 10_000 + "1" + c * 10_000, **_TIER[tier]).compile()


@pytest.mark.parametrize("literal", ["array", "map"])
def test_hundred_thousand_element_literals(tier, literal):
    n = 100_000
    body = (",".join(str(i) for i in range(n)) if literal == "array"
            else ",".join(f"k{i}: {i}" for i in range(n)))
    o, c = ("[", "]") if literal == "array" else ("{", "}")
    compiled = Script(f"x := {o}{body}{c}\ny := len(x)", **_TIER[tier]).compile()
    compiled.run(timeout=60)
    assert compiled.get("y") == n


_TIER = {"baseline": dict(jit=False), "jit": dict(jit=True, jit_threshold=0, jit_background=False)}


def test_untrusted_inputs_only_raise_tengo_errors():
    fuzz(DEFAULT_CASES, seed=13)


@pytest.mark.slow
@pytest.mark.timeout(1800)      # 100,000 cases: ~450 s on two free cores
def test_untrusted_inputs_only_raise_tengo_errors_slow():
    fuzz(SLOW_CASES, seed=1313)
