"""Go's hyperbolic functions and their inverses, bit for bit as Go 1.19 computes them on amd64
(pure Go there, over the amd64 ``Exp``/``Log``): ``sinh.go``, ``tanh.go``, ``asinh.go``,
``acosh.go``, ``atanh.go``. Same constants, same order of operations; never raising.
Sinh, Cosh and Tanh are written here as ``py_<name>``; their public ``go_<name>`` are the C
extension ``tengojit._gomath``'s versions of the same operations when it is built, else these.
"""
from __future__ import annotations

import math as _m

from .gomath_explog import go_exp, go_log, go_log1p

_inf = _m.inf
_nan = _m.nan
_sqrt = _m.sqrt

_LN2 = 6.93147180559945286227e-01
_TWO28 = float(1 << 28)
_TWO_M28 = 1.0 / (1 << 28)

_SH_P0, _SH_P1, _SH_P2, _SH_P3 = (-0.6307673640497716991184787251e+6,
                                  -0.8991272022039509355398013511e+5,
                                  -0.2894211355989563807284660366e+4,
                                  -0.2630563213397497062819489e+2)
_SH_Q0, _SH_Q1, _SH_Q2 = (-0.6307673640497716991212077277e+6, 0.1521517378790019070696485176e+5,
                          -0.173678953558233699533450911e+3)


def py_sinh(x):
    """Go's ``math.Sinh``: a rational function for |x| <= 0.5, else from Exp."""
    sign = False
    if x < 0:
        x = -x
        sign = True
    if x > 21:
        temp = go_exp(x) * 0.5
    elif x > 0.5:
        ex = go_exp(x)
        temp = (ex - 1 / ex) * 0.5
    else:
        sq = x * x
        temp = (((_SH_P3 * sq + _SH_P2) * sq + _SH_P1) * sq + _SH_P0) * x
        temp = temp / (((sq + _SH_Q2) * sq + _SH_Q1) * sq + _SH_Q0)
    return -temp if sign else temp


def py_cosh(x):
    """Go's ``math.Cosh``: (e**|x| + e**-|x|)/2 from one Exp."""
    x = abs(x)
    if x > 21:
        return go_exp(x) * 0.5
    ex = go_exp(x)
    return (ex + 1 / ex) * 0.5


_TH_P0, _TH_P1, _TH_P2 = -9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3
_TH_Q0, _TH_Q1, _TH_Q2 = 1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3
_TH_HALF_MAXLOG = 0.5 * 8.8029691931113054295988e+01


def py_tanh(x):
    """Go's ``math.Tanh`` (Cephes): ±1 beyond 44, 1 - 2/(e**2|x|+1) above 0.625, else a
    rational function."""
    z = abs(x)
    if z > _TH_HALF_MAXLOG:
        return -1.0 if x < 0 else 1.0
    if z >= 0.625:
        s = go_exp(2 * z)
        z = 1 - 2 / (s + 1)
        return -z if x < 0 else z
    if x == 0:
        return x
    s = x * x
    return x + x * s * ((_TH_P0 * s + _TH_P1) * s + _TH_P2) / (((s + _TH_Q0) * s + _TH_Q1) * s + _TH_Q2)


def go_asinh(x):
    """Go's ``math.Asinh`` (FreeBSD s_asinh.c): Log/Log1p forms by magnitude."""
    if x != x or x == _inf or x == -_inf:
        return x
    sign = False
    if x < 0:
        x = -x
        sign = True
    if x > _TWO28:
        temp = go_log(x) + _LN2
    elif x > 2:
        temp = go_log(2 * x + 1 / (_sqrt(x * x + 1) + x))
    elif x < _TWO_M28:
        temp = x
    else:
        temp = go_log1p(x + x * x / (1 + _sqrt(1 + x * x)))
    return -temp if sign else temp


def go_acosh(x):
    """Go's ``math.Acosh`` (FreeBSD e_acosh.c)."""
    if x < 1 or x != x:
        return _nan
    if x == 1:
        return 0.0
    if x >= _TWO28:
        return go_log(x) + _LN2
    if x > 2:
        return go_log(2 * x - 1 / (x + _sqrt(x * x - 1)))
    t = x - 1
    return go_log1p(t + _sqrt(2 * t + t * t))


def go_atanh(x):
    """Go's ``math.Atanh`` (FreeBSD e_atanh.c): through Log1p."""
    if x < -1 or x > 1 or x != x:
        return _nan
    if x == 1:
        return _inf
    if x == -1:
        return -_inf
    sign = False
    if x < 0:
        x = -x
        sign = True
    if x < _TWO_M28:
        temp = x
    elif x < 0.5:
        temp = x + x
        temp = 0.5 * go_log1p(temp + temp * x / (1 - x))
    else:
        temp = 0.5 * go_log1p((x + x) / (1 - x))
    return -temp if sign else temp


# ---------------------------------------------------------------------------------------------
# The C extension: the same operations in the same order over the same Exp (the Python
# versions above are the fallback when it is not built, and the oracle its tests compare it
# with)

try:
    from tengojit._gomath import go_cosh, go_sinh, go_tanh
except ImportError:
    go_sinh, go_cosh, go_tanh = py_sinh, py_cosh, py_tanh
