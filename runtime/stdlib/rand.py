"""Tengo's ``rand`` module (``stdlib/rand.go``): Go's ``math/rand`` through ``gorand.GoRand``.

Module functions use a generator of the importing program (the reference uses Go's global
source, shared by every script of the process; here scripts are isolated, ``RandModule``);
``rand.rand(seed)`` returns an immutable map with the same methods over its own generator.

| function | adapter | notes |
|---|---|---|
| ``int()`` | FuncARI64(Int63) | |
| ``float()`` | FuncARF(Float64) | |
| ``intn(n)`` | FuncAI64RI64(Int63n) | ``n <= 0``: Go panics; the VM reports ``panic: invalid argument to Int63n`` |
| ``exp_float()``, ``norm_float()`` | FuncARF | ziggurat, as Go |
| ``perm(n)`` | FuncAIRIs(Perm) | ``n < 0``: ``runtime error: makeslice: len out of range`` |
| ``seed(s)`` | FuncAI64R(Seed) | returns undefined |
| ``read(b)`` | custom | ``b`` must be bytes (exact type); returns ``len(b)`` |
| ``rand(s)`` | custom | ``int(compatible)`` seed |

Unseeded state: the reference was recorded with Go 1.19, whose global source starts as
``NewSource(1)`` until ``rand.seed`` is called; we do the same, so an unseeded script sees
Go 1.19's sequence for seed 1 (Go ≥ 1.20 would seed randomly).

``read(b)``: Go fills ``b`` in place. tengojit's bytes are immutable Python ``bytes``, so the
buffer the script holds is left unchanged; the generator still advances exactly as in Go (the
Go-level check of the buffer is not part of the conformance corpus).
"""
from __future__ import annotations

from ..errors import OpError, wrong_num_args, invalid_arg_type
from ..gorand import GoRand
from ..ops import to_int
from ..values import UserFunction, ImmutableMap, type_name

_MAX_PERM = 1 << 45     # Go: makeslice panics when 8*n exceeds maxAlloc (2**48 on amd64)


def _methods(r: GoRand) -> dict:
    def tn(name):
        return "user-function:" + name

    def f_int(*args):
        if args:
            raise wrong_num_args(tn("int"))
        return r.int63()

    def f_float(*args):
        if args:
            raise wrong_num_args(tn("float"))
        return r.float64()

    def f_exp_float(*args):
        if args:
            raise wrong_num_args(tn("exp_float"))
        return r.exp_float64()

    def f_norm_float(*args):
        if args:
            raise wrong_num_args(tn("norm_float"))
        return r.norm_float64()

    def f_intn(*args):
        if len(args) != 1:
            raise wrong_num_args(tn("intn"))
        n = to_int(args[0])
        if n is None:
            raise invalid_arg_type(tn("intn"), "first", "int(compatible)", type_name(args[0]))
        if n <= 0:
            raise OpError("panic: invalid argument to Int63n")
        return r.int63n(n)

    def f_perm(*args):
        if len(args) != 1:
            raise wrong_num_args(tn("perm"))
        n = to_int(args[0])
        if n is None:
            raise invalid_arg_type(tn("perm"), "first", "int(compatible)", type_name(args[0]))
        if n < 0 or n > _MAX_PERM:
            raise OpError("runtime error: makeslice: len out of range")
        return r.perm(n)

    def f_seed(*args):
        if len(args) != 1:
            raise wrong_num_args(tn("seed"))
        s = to_int(args[0])
        if s is None:
            raise invalid_arg_type(tn("seed"), "first", "int(compatible)", type_name(args[0]))
        r.seed(s)
        return None

    def f_read(*args):
        if len(args) != 1:
            raise wrong_num_args(tn("read"))
        b = args[0]
        if type(b) is not bytes:
            raise invalid_arg_type(tn("read"), "first", "bytes", type_name(b))
        r.read(len(b))
        return len(b)

    return {
        "int": UserFunction("int", f_int),
        "float": UserFunction("float", f_float),
        "intn": UserFunction("intn", f_intn),
        "exp_float": UserFunction("exp_float", f_exp_float),
        "norm_float": UserFunction("norm_float", f_norm_float),
        "perm": UserFunction("perm", f_perm),
        "seed": UserFunction("seed", f_seed),
        "read": UserFunction("read", f_read),
    }


def _rand(*args):
    if len(args) != 1:
        raise wrong_num_args("user-function:rand")
    s = to_int(args[0])
    if s is None:
        raise invalid_arg_type("user-function:rand", "first", "int(compatible)",
                               type_name(args[0]))
    return ImmutableMap(_methods(GoRand(s)))


class RandModule(dict):
    """The module's entry in a module map. Every program that imports it gets its own
    generator (``tengo_fresh``), starting as Go 1.19's global source does (``NewSource(1)``
    until seeded): one script's ``rand.seed`` never changes another script's numbers, and
    scripts on different threads do not share a generator."""

    def tengo_fresh(self) -> dict:
        return {**_methods(GoRand(1)), "rand": UserFunction("rand", _rand)}


MODULE = RandModule({**_methods(GoRand(1)), "rand": UserFunction("rand", _rand)})
