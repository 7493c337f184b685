"""Programs that travel (``tengojit.payload``): a Compiled, a context or a closure pickles as
source, options and the values of its globals, and arrives as the same program over the
receiver's own copy of the state. Every test runs on both tiers (``make_script``)."""
from __future__ import annotations

import math
import pickle
import pickletools
import random
from datetime import datetime, timedelta, timezone

import pytest

import tengojit
from tengojit import (Char, Closure, Compiled, Error, ExecutionContext, ImmutableArray,
                      ImmutableMap, PayloadError, TengoError, TengoRuntimeError, UserFunction,
                      dumps, loads, payload)
from tengojit.compiler import compile_program
from tengojit.interp.parser import parse
from tengojit.stdlib import get_module_map

SRC = """
fmt := import("fmt")
enum := import("enum")
text := import("text")
n := 0
mk := func(k) { c := 0; return func(x) { c += 1; n += 1; return x * k + c } }
add5 := mk(5)
twice := func(x) { return x * 2 }
mkfns := func() {
    fs := []
    for i := 0; i < 3; i++ { j := i; fs = append(fs, func() { j += 1; return j * 100 }) }
    return fs
}
loop_fns := mkfns()
countdown := func(k) { if k == 0 { return "done" }; return countdown(k - 1) }
data := {ints: [0, -1, 9223372036854775807, -9223372036854775807 - 1],
         floats: [1.5, -0.0, 1e308], s: "héllo ✓", b: bytes("x\\x00y"), t: true, f: false,
         u: undefined, ch: 'é', err: error({code: 7}), im: immutable([1, {k: "v"}]),
         imm: immutable({a: 1}), sprintf: fmt.sprintf, len: len, upper: text.to_upper}
shared := [1, 2]
data.alias1 = shared
data.alias2 = shared
data.self = data
evens := enum.filter([1, 2, 3, 4], func(i, x) { return x % 2 == 0 })
"""


@pytest.fixture
def compiled(make_script):
    c = make_script(SRC, modules=get_module_map()).compile()
    c.run()
    return c


def test_compiled_round_trip_keeps_values(compiled):
    c2 = pickle.loads(pickle.dumps(compiled))
    assert type(c2) is Compiled and c2 is not compiled
    d = c2.get("data")
    assert d["ints"] == [0, -1, 2**63 - 1, -2**63]
    assert d["floats"][0] == 1.5 and math.copysign(1, d["floats"][1]) == -1 and d["floats"][2] == 1e308
    assert d["s"] == "héllo ✓" and d["b"] == b"x\x00y" and d["t"] is True and d["f"] is False
    assert "u" in d and d["u"] is None
    assert d["ch"] == Char(ord("é")) and type(d["err"]) is Error and d["err"].value == {"code": 7}
    assert type(d["im"]) is ImmutableArray and type(d["im"][1]) is dict
    assert type(d["imm"]) is ImmutableMap and d["imm"] == {"a": 1}
    assert d["self"] is d and d["alias1"] is d["alias2"] is c2.get("shared")
    assert c2.get("evens") == [2, 4]


def test_functions_arrive_as_the_same_functions(compiled):
    c2 = pickle.loads(pickle.dumps(compiled))
    ctx = c2.context()
    d = c2.get("data")
    assert ctx.call(d["sprintf"], "%d-%s", 3, "x") == "3-x"
    assert ctx.call(d["len"], [1, 2, 3]) == 3
    assert ctx.call(d["upper"], "abc") == "ABC"
    # closures made in a loop, each over its own variable (boxed: see interp/symbols.py)
    assert [ctx.call(f) for f in c2.get("loop_fns")] == [100, 200, 300]
    assert [ctx.call(f) for f in c2.get("loop_fns")] == [200, 300, 400]
    assert c2.get("countdown")(50) == "done"
    assert c2.get("twice")(21) == 42
    # the stdlib module map arrives as the receiver's own module value
    assert c2.get("fmt") is c2.program.imported_builtin_modules()["fmt"]


def test_captured_state_travels_and_then_stays_apart(compiled):
    add5 = compiled.get("add5")
    assert [add5(1), add5(1)] == [6, 7]                # c = 2, n = 2
    c2 = pickle.loads(pickle.dumps(compiled))
    assert c2.get("n") == 2
    assert c2.get("add5")(1) == 8                      # c was 2 in the payload
    assert add5(1) == 8                                # the original is not touched
    assert c2.get("add5")(1) == 9 and add5(1) == 9
    assert c2.get("n") == 4 and compiled.get("n") == 4


def test_closure_and_context_travel(compiled):
    add5 = compiled.get("add5")
    cl = pickle.loads(pickle.dumps(add5))
    assert type(cl) is Closure and cl.name == add5.name
    assert [cl(10), cl(10)] == [add5(10), add5(10)]    # the same state, moved on in step
    assert cl.ctx.get("n") == 2 and compiled.get("n") == 2
    ctx = pickle.loads(pickle.dumps(compiled.context()))
    assert type(ctx) is ExecutionContext and ctx.get("n") == 2
    assert ctx.call(ctx.get("twice"), 4) == 8


def test_closures_sharing_a_variable_still_share_it(make_script):
    c = make_script("""
    pair := func() { v := 0; return [func() { v += 1; return v }, func() { return v }] }
    p := pair()
    inc := p[0]
    get := p[1]
    """).compile()
    c.run()
    c2 = loads(dumps(c))
    ctx = c2.context()
    ctx.call(c2.get("inc"))
    ctx.call(c2.get("inc"))
    assert ctx.call(c2.get("get")) == 2
    assert c.context().call(c.get("get")) == 0


def test_a_script_that_never_ran_travels_with_its_predefined_values(make_script):
    s = make_script("out := a * k")
    s.add("a", 21).add("k", 2)
    c2 = loads(dumps(s.compile()))
    assert c2.get("out") is None
    c2.run()
    assert c2.get("out") == 42


def test_max_allocs_travels(make_script):
    s = make_script("a := [1]; for i := 0; i < 100; i++ { a = append(a, i) }")
    s.set_max_allocs(10)
    c2 = loads(dumps(s.compile()))
    assert c2.max_allocs == 10
    with pytest.raises(TengoRuntimeError, match="allocation limit exceeded"):
        c2.run()


def test_each_process_compiles_a_program_once(make_script):
    c = make_script(f"x := {random.randrange(1 << 60)}\nf := func(v) {{ return v + x }}").compile()
    c.run()
    blob = dumps(c.get("f"))
    before = payload.cache_info()
    fns = [loads(blob) for _ in range(5)]
    after = payload.cache_info()
    assert after["compiles"] - before["compiles"] == 1
    assert after["hits"] - before["hits"] == 4
    assert all(fn.program is fns[0].program for fn in fns)
    assert len({id(fn.ctx.G) for fn in fns}) == 5     # but every load has its own globals


def test_payload_is_plain_data_without_code(compiled):
    blob = dumps(compiled)
    opcodes = {op.name for op, _, _ in pickletools.genops(blob)}
    assert not opcodes & {"GLOBAL", "STACK_GLOBAL", "REDUCE", "BUILD", "INST", "OBJ",
                          "NEWOBJ", "NEWOBJ_EX", "EXT1", "EXT2", "EXT4"}
    data = pickle.loads(blob)
    stack = [data]
    while stack:
        v = stack.pop()
        assert type(v) in (dict, list, tuple, str, bytes, int, float, bool, type(None)), type(v)
        if type(v) is dict:
            stack.extend(v.keys())
            stack.extend(v.values())
        elif type(v) in (list, tuple):
            stack.extend(v)
    # the outer pickle names only the loader
    outer = pickle.dumps(compiled)
    names = [arg for op, arg, _ in pickletools.genops(outer) if op.name in ("SHORT_BINUNICODE", "BINUNICODE")]
    assert "tengojit.script" in names and "loads" in names
    assert not any("code" in str(n).lower() for n in names)


def _tamper(blob, **changes):
    data = pickle.loads(blob)
    data.update(changes)
    return pickle.dumps(data)


class _Evil:
    def __reduce__(self):
        return (exec, ("import tengojit; tengojit._pwned = True",))


def test_a_tampered_payload_cannot_run_python(compiled):
    blob = dumps(compiled)
    for evil in (_tamper(blob, globals=[_Evil()] * compiled.program.num_globals),
                 _tamper(blob, spec=pickle.dumps(_Evil())),
                 pickle.dumps(_Evil()),
                 _tamper(blob, nodes=[print])):
        # refused by the opcode scan (or, past it, by the unpickler's find_class)
        with pytest.raises(PayloadError, match="corrupt or tampered payload"):
            loads(evil)
    assert not hasattr(tengojit, "_pwned")


def test_tampered_fields_are_refused(compiled):
    blob = dumps(compiled.get("add5"))
    data = pickle.loads(blob)
    nodes = data["nodes"]
    fi = next(i for i, nd in enumerate(nodes) if nd[0] == "F")
    bad_fid = list(nodes)
    bad_fid[fi] = ("F", 10_000, nodes[fi][2], nodes[fi][3])
    bad_cells = list(nodes)
    bad_cells[fi] = ("F", nodes[fi][1], None, nodes[fi][3])
    ci = next(i for i, nd in enumerate(nodes) if nd[0] == "C")
    cases = [
        _tamper(blob, globals=[(ci,)] * len(data["globals"])),      # a cell used as a value
        _tamper(blob, nodes=bad_fid),
        _tamper(blob, nodes=bad_cells),
        _tamper(blob, globals=data["globals"][:-1]),
        _tamper(blob, globals=[2**70] * len(data["globals"])),
        _tamper(blob, globals=[(len(nodes) + 5,)] * len(data["globals"])),
        _tamper(blob, kind="shell"),
        _tamper(blob, fn=1),
        _tamper(blob, nodes=nodes + [("X", 1)]),
        b"not a pickle",
        "a string",
    ]
    for bad in cases:
        with pytest.raises(PayloadError):
            loads(bad)


def test_random_corruption_gives_payload_errors_only(compiled):
    blob = dumps(compiled.get("add5"))
    rng = random.Random(7)
    outcomes = set()
    for _ in range(300):
        b = bytearray(blob)
        for _ in range(rng.randint(1, 4)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        try:
            loads(bytes(b))
            outcomes.add("loaded")
        except TengoError:          # PayloadError, or the Tengo compiler's error on a changed source
            outcomes.add("refused")
    assert "refused" in outcomes


def _scanners():
    out = [("python", payload._scan_python)]
    try:
        from tengojit._picklescan import scan
        out.append(("c", scan))
    except ImportError:        # the extension is optional; the Python twin is checked anyway
        pass
    return out


def test_pickle_scan_accepts_every_payload_the_writer_makes(compiled):
    ctx = compiled.context()
    blobs = [dumps(compiled), dumps(ctx), dumps(compiled.get("add5"))]
    for _, scan in _scanners():
        for b in blobs:
            assert scan(b) is None
            assert scan(memoryview(b)) is None


_HEAD = b"\x80\x05"                       # PROTO 5
CRAFTED = {
    # a 4-byte memo index makes the unpickler allocate and clear its memo up to it
    "LONG_BINPUT": _HEAD + b"N" + b"r\xff\xff\xff\x7f" + b".",
    "BINPUT": _HEAD + b"N" + b"q\x00" + b".",
    "GLOBAL": _HEAD + b"cos\nsystem\n" + b".",
    "STACK_GLOBAL": _HEAD + b"\x8c\x02os\x94\x8c\x06system\x94\x93" + b".",
    "REDUCE": _HEAD + b"N)R.",
    "a GET of nothing": _HEAD + b"]h\x00.",
    "a GET past the memo": _HEAD + b"]\x94j\x01\x00\x00\x00.",
    "PROTO in the middle": _HEAD + b"N\x80\x05.",
    "data after STOP": _HEAD + b"N.N",
    "no STOP": _HEAD + b"N",
    "a length past the end": _HEAD + b"X\xff\xff\xff\x00abc.",
    "a frame past the end": _HEAD + b"\x95\xff\x00\x00\x00\x00\x00\x00\x00N.",
    "a truncated argument": _HEAD + b"J\x01\x00",
}


@pytest.mark.parametrize("case", sorted(CRAFTED))
def test_pickle_scan_refuses_what_the_writer_never_makes(case):
    blob = CRAFTED[case]
    for name, scan in _scanners():
        with pytest.raises(ValueError):
            scan(blob)
    with pytest.raises(PayloadError, match="corrupt or tampered payload"):
        loads(blob)


def test_other_versions_are_refused_clearly(compiled, monkeypatch):
    blob = dumps(compiled)
    monkeypatch.setattr(payload, "VERSION", "99.0.0")
    with pytest.raises(PayloadError, match=r"written by tengojit '0\.1\.0'; this is tengojit 99\.0\.0"):
        loads(blob)
    monkeypatch.undo()
    with pytest.raises(PayloadError, match="format 4"):
        loads(_tamper(blob, version=4))


def test_host_functions_do_not_travel(make_script):
    s = make_script("f := func(x) { return host(x) }")
    s.add("host", lambda x: x)
    c = s.compile()
    with pytest.raises(PayloadError, match="host function '<lambda>' cannot travel"):
        pickle.dumps(c)
    mods = {"greeter": {"greet": UserFunction("greet", lambda n: "hi " + n), "version": 2}}
    c = make_script('g := import("greeter")', modules=mods).compile()
    with pytest.raises(PayloadError, match="host function 'greet' in module 'greeter'"):
        dumps(c)


def test_host_modules_of_data_travel(make_script):
    mods = {"cfg": {"limit": 10, "names": ["a", "b"]}, "lib": "export func(x) { return x + 1 }"}
    c = make_script('cfg := import("cfg"); lib := import("lib"); v := lib(cfg.limit)', modules=mods).compile()
    c.run()
    c2 = loads(dumps(c))
    c2.run()
    assert c2.get("v") == 11 and c2.get("cfg")["names"] == ["a", "b"]


def test_repl_style_programs_cannot_travel():
    program = compile_program(parse("x := 1", "repl"), {})
    c = Compiled(program, [None] * (program.num_globals + 1))
    with pytest.raises(PayloadError, match="not compiled from one source"):
        dumps(c)
    with pytest.raises(PayloadError, match="Compiled, an ExecutionContext or a Closure"):
        dumps(42)


def test_os_is_trusted_only_when_the_receiver_says_so(make_script, monkeypatch):
    c = make_script('os := import("os")\nx := 1', modules=get_module_map("os")).compile()
    blob = dumps(c)
    monkeypatch.setattr(payload, "_trusted", set(payload._trusted) - {"os"})
    with pytest.raises(PayloadError, match="does not trust"):
        loads(blob)
    payload.trust_modules("os")
    assert loads(blob).program.imported_builtin_modules().keys() == {"os"}


def test_times_travel_with_their_offset(make_script):
    s = make_script("t := t0")
    t0 = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone(timedelta(hours=-3)))
    s.add("t0", t0)
    c = s.compile()
    c.run()
    t = loads(dumps(c)).get("t")
    assert t == t0 and t.utcoffset() == t0.utcoffset()


def test_deep_values_travel(make_script):
    s = make_script("v := deep")
    deep = []
    cur = deep
    for _ in range(900):
        nxt = []
        cur.append(nxt)
        cur = nxt
    s.add("deep", deep)
    c = s.compile()
    c.run()
    v = loads(dumps(c)).get("v")
    depth = 0
    while v:
        v = v[0]
        depth += 1
    assert depth == 900


@pytest.mark.parametrize("exc", [
    lambda: tengojit.Script("x := ").compile(),
    lambda: tengojit.Script("x := y").compile(),
    lambda: tengojit.Script("x := 1 / 0").compile().run(),
])
def test_errors_pickle_with_their_positions(exc):
    with pytest.raises(TengoError) as info:
        exc()
    e = info.value
    e2 = pickle.loads(pickle.dumps(e))
    assert type(e2) is type(e) and str(e2) == str(e)
