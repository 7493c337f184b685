"""Go's exponential and logarithm family, bit for bit as Go 1.19 computes it on amd64.

``Exp`` and ``Log`` are assembly on amd64 (``exp_amd64.s``, ``log_amd64.s``); everything else
here is Go's portable code (``exp.go`` for ``Exp2``, ``expm1.go``, ``log1p.go``, ``log10.go``,
``pow.go``, ``ldexp.go``, ``modf.go``). The result bits are fixed by the constants and by the
order of the floating-point operations, which these ports keep. Python floats are IEEE doubles
and Python never fuses a multiply-add, like Go's compiler on amd64; the one place Go fuses is
the assembly ``Exp`` on CPUs with FMA (every x86-64 CPU with AVX), emulated by ``fma`` in
``py_exp``; ``go_exp`` is the C extension ``tengojit._gomath`` when it is built (fast, and it
takes the non-FMA variant on CPUs without FMA as Go does), else ``py_exp``.
Log, Log10, Log2, Log1p, Expm1, Exp2 and Pow are written here as ``py_<name>``; their public
``go_<name>`` are the extension's C versions of the same operations when it is built, else
these.

Functions take and return floats and never raise (special cases give NaN/±Inf/±0 as Go does).
"""
from __future__ import annotations

import math as _m
import struct as _struct

_inf = _m.inf
_nan = _m.nan
# x86's default NaN (sign bit set): Go's Sqrt (SQRTSD) of a negative number gives it
_DEFAULT_NAN = -_m.nan
_frexp = _m.frexp
_ldexp = _m.ldexp

_pack_d = _struct.Struct("<d").pack
_unpack_d = _struct.Struct("<d").unpack
_pack_q = _struct.Struct("<Q").pack
_unpack_q = _struct.Struct("<Q").unpack

_MASK64 = 0xFFFFFFFFFFFFFFFF


def f64bits(x):
    """Go's ``math.Float64bits``."""
    return _unpack_q(_pack_d(x))[0]


def f64frombits(b):
    """Go's ``math.Float64frombits`` (``b`` taken modulo 2**64)."""
    return _unpack_d(_pack_q(b & _MASK64))[0]


# ---------------------------------------------------------------------------------------------
# Fused multiply-add

_FMA_TINY = 2.0 ** -1020     # below this a product's rounding error is no longer relative
_FMA_NUDGE = 2.0 ** -52      # |p| * 2**-52 >= ulp(p) > 2 * |rounding error of p|


def fma_exact(a, b, c):
    """a*b + c rounded once (finite a, b, c): exact rational arithmetic, then CPython's
    correctly rounded integer division."""
    na, da = a.as_integer_ratio()
    nb, db = b.as_integer_ratio()
    nc, dc = c.as_integer_ratio()
    den = da * db
    num = na * nb
    if dc > den:
        num = num * (dc // den) + nc
        den = dc
    else:
        num += nc * (den // dc)
    if num == 0:
        # an exact zero: -0 only when both the product and c are -0 (IEEE round-to-nearest)
        return 0.0 if c != 0 else c + a * b
    return num / den


def fma(a, b, c):
    """IEEE fused multiply-add ``a*b + c`` with a single rounding (finite arguments).

    Fast path: ``p = a*b`` is within ulp(p)/2 of the exact product, so when ``c + p`` rounds to
    the same double with ``p`` moved by a full ulp either way, the fused result is that double
    too (rounding is monotonic). Otherwise the exact rational sum is rounded."""
    p = a * b
    if p >= _FMA_TINY:
        d = p * _FMA_NUDGE
    elif p <= -_FMA_TINY:
        d = p * -_FMA_NUDGE
    else:
        return fma_exact(a, b, c)
    r = c + p
    if c + (p + d) == r and c + (p - d) == r:
        return r
    return fma_exact(a, b, c)


# ---------------------------------------------------------------------------------------------
# Exp (exp_amd64.s, FMA path) and Log (log_amd64.s)

_EXP_LOG2E = 1.4426950408889634073599246810018920
_EXP_LN2U = 0.69314718055966295651160180568695068359375      # 40 bits: k * LN2U is exact
_EXP_NLN2L = -0.28235290563031577122588448175013436025525412068e-12
_EXP_OVERFLOW = 7.09782712893384e+02
_EXP_T2 = 2.4801587301587301587e-5
_EXP_T3 = 1.9841269841269841270e-4
_EXP_T4 = 1.3888888888888888889e-3
_EXP_T5 = 8.3333333333333333333e-3
_EXP_T6 = 4.1666666666666666667e-2
_EXP_T7 = 1.6666666666666666667e-1


_EXP_POLY = (_EXP_T3, _EXP_T4, _EXP_T5, _EXP_T6, _EXP_T7, 0.5, 1.0)
_EXP_R_TINY = 2.0 ** -900    # below this the products in the polynomial may lose the fast path
_SPLIT = 134217729.0         # 2**27 + 1: Veltkamp's split of a double into two 26-bit halves
_TIE_53 = 2.0 ** -53         # the half-ulps of [0.5, 2): where 1 + z can round a tie
_TIE_54 = 2.0 ** -54
_TIE_55 = 2.0 ** -55


def py_exp(x):
    """Go's ``math.Exp`` on amd64 with FMA: k = round(x*log2(e)), r = x - k*ln2 (two-part ln2),
    a degree-8 Taylor polynomial of r/16 squared back four times, then r * 2**k; results with
    k >= 1024 are +Inf, with k < -1075 zero.

    The fused multiply-adds are ``fma``'s, inlined: each step keeps ``c + p`` when moving
    ``p = a*b`` by a full ulp either way cannot change it, else rounds the exact value."""
    if x != x or x == _inf:
        return x
    if x > _EXP_OVERFLOW:
        return _inf
    if x < -1.0e4:            # also -Inf; k is far below -1075 (or Go's int32 overflow value)
        return 0.0
    k = round(_EXP_LOG2E * x)         # CVTSD2SL: round half to even
    if k >= 1024:
        return _inf
    if k < -1075:
        return 0.0
    fk = float(k)
    r = x - fk * _EXP_LN2U
    if k:
        r = fma(_EXP_NLN2L, fk, r)
    r *= 0.0625
    if -_EXP_R_TINY < r < _EXP_R_TINY:
        p = _EXP_T2
        for c in _EXP_POLY:
            p = fma(p, r, c)
    else:
        nudge = _FMA_NUDGE if r > 0 else -_FMA_NUDGE     # every product p*r has r's sign
        p = _EXP_T2
        for c in _EXP_POLY:
            q = p * r
            s = c + q
            d = q * nudge
            if c + (q + d) != s or c + (q - d) != s:
                s = fma_exact(p, r, c)
            p = s
    r *= p
    r *= r + 2.0
    r *= r + 2.0
    r *= r + 2.0
    # last step 1 + r*w, |r*w| < 1: Dekker's exact product error e, then 1 + p + e rounded
    # once unless p + e lands on a tie of [0.5, 2)
    w = r + 2.0
    q = r * w
    c = _SPLIT * r
    rh = c - (c - r)
    rl = r - rh
    c = _SPLIT * w
    wh = c - (c - w)
    wl = w - wh
    e = ((rh * wh - q) + rh * wl + rl * wh) + rl * wl
    s = 1.0 + q
    z = (q - (s - 1.0)) + e
    az = -z if z < 0 else z
    if az == _TIE_53 or az == _TIE_54 or az == _TIE_55:
        r = fma_exact(r, w, 1.0)
    else:
        r = s + z
    # the assembly scales by 2**k (in two steps when subnormal); both round once, like ldexp
    return _ldexp(r, k)


try:
    # the C extension computes the same steps with the CPU's own choice of variant
    from tengojit._gomath import go_exp, has_fma as HAS_FMA
except ImportError:          # not built: the FMA variant in Python (x86-64 CPUs with AVX)
    go_exp, HAS_FMA = py_exp, True


_LOG_HSQRT2 = 7.07106781186547524401e-01
_LN2_HI = 6.93147180369123816490e-01
_LN2_LO = 1.90821492927058770002e-10
_LOG_L1 = 6.666666666666735130e-01
_LOG_L2 = 3.999999999940941908e-01
_LOG_L3 = 2.857142874366239149e-01
_LOG_L4 = 2.222219843214978396e-01
_LOG_L5 = 1.818357216161805012e-01
_LOG_L6 = 1.531383769920937332e-01
_LOG_L7 = 1.479819860511658591e-01

_SMALLEST_NORMAL = 2.2250738585072014e-308


def py_log(x):
    """Go's ``math.Log`` on amd64 (FreeBSD e_log.c): x = f1 * 2**k, a rational approximation
    of log(f1). The assembly splits x by its bits without normalizing, so every subnormal x
    is read as 0.5 + fraction/2**53 times 2**-1022 (Log(5e-324) = -709.089...)."""
    if x != x:
        return _nan               # the assembly answers any NaN with the positive quiet NaN
    if x == _inf:
        return x
    if x < 0:
        return _nan
    if x == 0:
        return -_inf
    if x >= _SMALLEST_NORMAL:
        f1, ki = _frexp(x)
    else:
        f1 = f64frombits((f64bits(x) & 0x000FFFFFFFFFFFFF) | 0x3FE0000000000000)
        ki = -1022
    if f1 < _LOG_HSQRT2:
        f1 *= 2
        ki -= 1
    f = f1 - 1
    k = float(ki)
    s = f / (2 + f)
    s2 = s * s
    s4 = s2 * s2
    t1 = s2 * (_LOG_L1 + s4 * (_LOG_L3 + s4 * (_LOG_L5 + s4 * _LOG_L7)))
    t2 = s4 * (_LOG_L2 + s4 * (_LOG_L4 + s4 * _LOG_L6))
    R = t1 + t2
    hfsq = 0.5 * f * f
    return k * _LN2_HI - ((hfsq - (s * (hfsq + R) + k * _LN2_LO)) - f)


# ---------------------------------------------------------------------------------------------
# Log10, Log2 (log10.go)

_INV_LN10 = float.fromhex("0x1.bcb7b1526e50ep-2")    # Go's constant 1/Ln10, rounded once
_INV_LN2 = float.fromhex("0x1.71547652b82fep+0")     # Go's constant 1/Ln2, rounded once


def py_log10(x):
    """Go's ``math.Log10``: Log(x) * (1/Ln10)."""
    return py_log(x) * _INV_LN10


def py_log2(x):
    """Go's ``math.Log2``: exact for powers of two, else Log(frac)*(1/Ln2) + exp (Frexp)."""
    if x == 0 or x != x or x == _inf or x == -_inf:
        return py_log(x)          # -Inf, NaN, +Inf, NaN
    frac, e = _frexp(x)
    if frac == 0.5:
        return float(e - 1)
    return py_log(frac) * _INV_LN2 + float(e)


# ---------------------------------------------------------------------------------------------
# Ldexp, Modf, Exp2 (exp.go), Expm1, Log1p

def go_ldexp(frac, exp):
    """Go's ``math.Ldexp``: frac * 2**exp rounded once, ±Inf on overflow."""
    if frac == 0 or frac != frac or frac == _inf or frac == -_inf:
        return frac
    try:
        return _ldexp(frac, exp)
    except OverflowError:
        return _inf if frac > 0 else -_inf


def go_modf(f):
    """Go's ``math.Modf``: (integer part, fractional part), both with f's sign."""
    if f < 1:
        if f < 0:
            i, fr = go_modf(-f)
            return -i, -fr
        if f == 0:
            return f, f
        return 0.0, f
    if f == _inf:
        return f, _nan
    i = float(_m.floor(f))
    return i, f - i


_EM_P1 = 1.66666666666666657415e-01
_EM_P2 = -2.77777777770155933842e-03
_EM_P3 = 6.61375632143793436117e-05
_EM_P4 = -1.65339022054652515390e-06
_EM_P5 = 4.13813679705723846039e-08


def _expmulti(hi, lo, k):
    """exp(hi - lo) * 2**k, |hi - lo| <= 0.5*ln2 (exp.go's shared kernel)."""
    r = hi - lo
    t = r * r
    c = r - t * (_EM_P1 + t * (_EM_P2 + t * (_EM_P3 + t * (_EM_P4 + t * _EM_P5))))
    y = 1 - ((lo - (r * c) / (2 - c)) - hi)
    return go_ldexp(y, k)


def py_exp2(x):
    """Go's ``math.Exp2`` (pure Go on amd64): k = nearest integer, exp((x-k)*ln2) * 2**k."""
    if x != x or x == _inf:
        return x
    if x == -_inf:
        return 0.0
    if x > 1.0239999999999999e+03:
        return _inf
    if x < -1.0740e+03:
        return 0.0
    if x > 0:
        k = int(x + 0.5)
    elif x < 0:
        k = int(x - 0.5)
    else:
        k = 0
    t = x - float(k)
    return _expmulti(t * _LN2_HI, -t * _LN2_LO, k)


_XM1_OTHRESHOLD = 7.09782712893383973096e+02
_XM1_LN2X56 = 3.88162421113569373274e+01
_XM1_LN2HALFX3 = 1.03972077083991796413e+00
_XM1_LN2HALF = 3.46573590279972654709e-01
_XM1_INVLN2 = 1.44269504088896338700e+00
_XM1_TINY = 1.0 / (1 << 54)
_XM1_Q1 = -3.33333333333331316428e-02
_XM1_Q2 = 1.58730158725481460165e-03
_XM1_Q3 = -7.93650757867487942473e-05
_XM1_Q4 = 4.00821782732936239552e-06
_XM1_Q5 = -2.01099218183624371326e-07


def py_expm1(x):
    """Go's ``math.Expm1`` (FreeBSD s_expm1.c): reduction by k*ln2, a rational correction,
    k added straight into the result's exponent bits."""
    if x != x or x == _inf:
        return x
    if x == -_inf:
        return -1.0
    absx = x
    sign = False
    if x < 0:
        absx = -absx
        sign = True
    if absx >= _XM1_LN2X56:
        if sign:
            return -1.0
        if absx >= _XM1_OTHRESHOLD:
            return _inf
    c = 0.0
    if absx > _XM1_LN2HALF:
        if absx < _XM1_LN2HALFX3:
            if not sign:
                hi = x - _LN2_HI
                lo = _LN2_LO
                k = 1
            else:
                hi = x + _LN2_HI
                lo = -_LN2_LO
                k = -1
        else:
            if not sign:
                k = int(_XM1_INVLN2 * x + 0.5)
            else:
                k = int(_XM1_INVLN2 * x - 0.5)
            t = float(k)
            hi = x - t * _LN2_HI
            lo = t * _LN2_LO
        x = hi - lo
        c = (hi - x) - lo
    elif absx < _XM1_TINY:
        return x
    else:
        k = 0
    hfx = 0.5 * x
    hxs = x * hfx
    r1 = 1 + hxs * (_XM1_Q1 + hxs * (_XM1_Q2 + hxs * (_XM1_Q3 + hxs * (_XM1_Q4 + hxs * _XM1_Q5))))
    t = 3 - r1 * hfx
    e = hxs * ((r1 - t) / (6.0 - x * t))
    if k == 0:
        return x - (x * e - hxs)
    e = x * (e - c) - c
    e -= hxs
    if k == -1:
        return 0.5 * (x - e) - 0.5
    if k == 1:
        if x < -0.25:
            return -2 * (e - (x + 0.5))
        return 1 + 2 * (x - e)
    if k <= -2 or k > 56:
        y = 1 - (e - x)
        y = f64frombits(f64bits(y) + (k << 52))
        return y - 1
    if k < 20:
        t = f64frombits(0x3FF0000000000000 - (0x20000000000000 >> k))    # 1 - 2**-k
        y = t - (e - x)
        return f64frombits(f64bits(y) + (k << 52))
    t = f64frombits((0x3FF - k) << 52)                                      # 2**-k
    y = x - (e + t)
    y += 1
    return f64frombits(f64bits(y) + (k << 52))


_L1P_SQRT2M1 = 4.142135623730950488017e-01
_L1P_SQRT2HALFM1 = -2.928932188134524755992e-01
_L1P_SMALL = 1.0 / (1 << 29)
_L1P_TINY = 1.0 / (1 << 54)
_L1P_TWO53 = float(1 << 53)


def py_log1p(x):
    """Go's ``math.Log1p`` (FreeBSD s_log1p.c): 1+x = 2**k * (1+f) with a correction term c
    for the rounding of 1+x, then log(1+f) as in Log."""
    if x != x or x < -1:
        return _nan
    if x == -1:
        return -_inf
    if x == _inf:
        return _inf
    absx = -x if x < 0 else x
    f = 0.0
    iu = 0
    k = 1
    if absx < _L1P_SQRT2M1:
        if absx < _L1P_SMALL:
            if absx < _L1P_TINY:
                return x
            return x - x * x * 0.5
        if x > _L1P_SQRT2HALFM1:
            k = 0
            f = x
            iu = 1
    c = 0.0
    if k != 0:
        if absx < _L1P_TWO53:
            u = 1.0 + x
            iu = f64bits(u)
            k = (iu >> 52) - 1023
            if k > 0:
                c = 1.0 - (u - x)
            else:
                c = x - (u - 1.0)
            c /= u
        else:
            u = x
            iu = f64bits(u)
            k = (iu >> 52) - 1023
            c = 0.0
        iu &= 0x000FFFFFFFFFFFFF
        if iu < 0x0006A09E667F3BCD:
            u = f64frombits(iu | 0x3FF0000000000000)
        else:
            k += 1
            u = f64frombits(iu | 0x3FE0000000000000)
            iu = (0x0010000000000000 - iu) >> 2
        f = u - 1.0
    hfsq = 0.5 * f * f
    fk = float(k)
    if iu == 0:
        if f == 0:
            if k == 0:
                return 0.0
            c += fk * _LN2_LO
            return fk * _LN2_HI + c
        R = hfsq * (1.0 - 0.66666666666666666 * f)
        if k == 0:
            return f - R
        return fk * _LN2_HI - ((R - (fk * _LN2_LO + c)) - f)
    s = f / (2.0 + f)
    z = s * s
    R = z * (_LOG_L1 + z * (_LOG_L2 + z * (_LOG_L3 + z * (_LOG_L4 + z * (_LOG_L5
                                                                     + z * (_LOG_L6 + z * _LOG_L7))))))
    if k == 0:
        return f - (hfsq - s * (hfsq + R))
    return fk * _LN2_HI - ((hfsq - (s * (hfsq + R) + (fk * _LN2_LO + c))) - f)


# ---------------------------------------------------------------------------------------------
# Pow (pow.go)

def _is_odd_int(x):
    if abs(x) >= (1 << 53):
        return False
    xi, xf = go_modf(x)
    return xf == 0 and (int(xi) & 1) == 1


def py_pow(x, y):
    """Go's ``math.Pow``: special cases, then x**frac(y) through Exp(yf*Log(x)) times x**int(y)
    by repeated squaring on Frexp's mantissa, exponents kept apart until one Ldexp."""
    if y == 0 or x == 1:
        return 1.0
    if y == 1:
        return x
    if x != x or y != y:
        return _nan
    if x == 0:
        if y < 0:
            if y == -_inf:
                return _inf
            if _is_odd_int(y):
                return _m.copysign(_inf, x)
            return _inf
        if y > 0:
            if _is_odd_int(y):
                return x
            return 0.0
    if y == _inf or y == -_inf:
        if x == -1:
            return 1.0
        if (abs(x) < 1) == (y > 0):
            return 0.0
        return _inf
    if x == _inf or x == -_inf:
        if x < 0:
            return py_pow(1 / x, -y)  # Pow(-0, -y)
        if y < 0:
            return 0.0
        if y > 0:
            return _inf
    if y == 0.5:
        return _m.sqrt(x) if x >= 0 else _DEFAULT_NAN        # Go: Sqrt(x)
    if y == -0.5:
        return 1 / _m.sqrt(x) if x >= 0 else _DEFAULT_NAN    # Go: 1 / Sqrt(x)

    yi, yf = go_modf(abs(y))
    if yf != 0 and x < 0:
        return _nan
    if yi >= 9223372036854775808.0:
        # yi is a large even int: overflow (or underflow to 0) for all x except -1
        if x == -1:
            return 1.0
        if (abs(x) < 1) == (y > 0):
            return 0.0
        return _inf

    a1 = 1.0
    ae = 0
    if yf != 0:
        if yf > 0.5:
            yf -= 1
            yi += 1
        a1 = go_exp(yf * py_log(x))

    x1, xe = _frexp(x)
    i = int(yi)
    while i != 0:
        if xe < -(1 << 12) or (1 << 12) < xe:
            # catastrophic overflow: let Ldexp handle it
            ae += xe
            break
        if i & 1 == 1:
            a1 *= x1
            ae += xe
        x1 *= x1
        xe <<= 1
        if x1 < .5:
            x1 += x1
            xe -= 1
        i >>= 1

    if y < 0:
        a1 = 1 / a1
        ae = -ae
    return go_ldexp(a1, ae)


# ---------------------------------------------------------------------------------------------
# The C extension: the same operations in the same order (the Python versions above are the
# fallback when it is not built, and the oracle its tests compare it with)

try:
    from tengojit._gomath import (go_exp2, go_expm1, go_log, go_log1p, go_log2, go_log10,
                                  go_pow)
except ImportError:
    go_log, go_log10, go_log2 = py_log, py_log10, py_log2
    go_exp2, go_expm1, go_log1p, go_pow = py_exp2, py_expm1, py_log1p, py_pow
