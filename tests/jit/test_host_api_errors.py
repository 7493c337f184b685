"""Errors of the host API raised under native code end the call as on the baseline tier."""
from __future__ import annotations

import pytest

import tengojit.jit as jit
from tengojit import Script
from tengojit.errors import TengoError

pytestmark = pytest.mark.skipif(not jit.available(), reason="the JIT tier is not available")

@pytest.mark.parametrize("via", ["script", "host"])
def test_a_host_api_error_inside_native_code_is_raised_as_on_the_baseline(via):
    """An error of the host API (here ``InvalidGlobalsError``, as when the host resizes a
    context's globals while a call runs) raised under native code ends the call as it is —
    the baseline tier's behaviour — whether the native code was entered from baseline code or
    from the host."""
    from tengojit import InvalidGlobalsError

    def host_fn(*_):
        raise InvalidGlobalsError("globals must have 3 slots for this program, got 1")
    seen = []
    for jit_on in (False, True):
        s = Script("f := func(x) { return h(x) + 1 }\ng := func() { return f(2) }",
                   jit=jit_on, jit_threshold=0, jit_background=False)
        s.add("h", host_fn)
        c = s.compile()
        c.run()
        with pytest.raises(TengoError) as e:
            if via == "script":
                c.context().call(c.get("g"))
            else:
                c.context().call(c.get("f"), 1)
        seen.append((type(e.value), str(e.value)))
        if jit_on:
            assert any(r["state"] == "compiled" for r in jit.stats(c.program))
    assert seen[0] == seen[1] == (InvalidGlobalsError,
                                  "globals must have 3 slots for this program, got 1")


def test_a_runtime_error_formats_its_trace_only_when_asked():
    """An error passed up through many native frames is rebuilt at each with one more
    position: building one must not format the whole trace (that made a deep error
    quadratic: seconds per call)."""
    import pickle

    from tengojit.errors import TengoRuntimeError
    trace = [("f.tengo", 1, 2)] * 100_000
    e = TengoRuntimeError("stack overflow", trace)
    assert e.args == ("stack overflow",)
    text = str(e)
    assert text.startswith("Runtime Error: stack overflow\n\tat f.tengo:1:2")
    assert text.count("\n") == 100_000
    back = pickle.loads(pickle.dumps(e))
    assert str(back) == text and back.trace == e.trace
