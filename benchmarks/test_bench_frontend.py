"""Front-end speed (pytest-benchmark): parsing and compiling a 1000-line script."""
from __future__ import annotations

CHUNK = (
    "// a comment\n"
    "fib := func(n) {\n"
    "    if n < 2 { return n }   /* base */\n"
    "    return fib(n-1) + fib(n-2)\n"
    "}\n"
    'm := {name: "hello\\tworld", "k 2": [1, 2.5, \'c\', `raw`], f: func(a, ...b) { return a[1:] }}\n'
    "for k, v in m {\n"
    "    x := v ? k : -1\n"
    '    s := string(k) + "é"\n'
    "}\n"
)
SRC = CHUNK * 100          # 1000 lines


def test_parse_1000_lines(benchmark):
    from tengojit.interp.parser import parse
    f = benchmark(parse, SRC, "bench")
    assert len(f.stmts) == 300


def test_compile_1000_lines(benchmark):
    from tengojit import Script
    src = "\n".join(f"f{i} := func(n) {{ return n * {i} + 1 }}\nx{i} := f{i}({i})" for i in range(250))
    c = benchmark(lambda: Script(src, jit=False).compile())
    c.run()
    assert c.get("x249") == 249 * 249 + 1
