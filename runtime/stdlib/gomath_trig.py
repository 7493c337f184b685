"""Go's circular functions, bit for bit as Go 1.19 computes them on amd64 (pure Go there):
``sin.go``, ``sincos.go``, ``tan.go``, ``trig_reduce.go``, ``asin.go``, ``atan.go``,
``atan2.go``. Same constants, same order of floating-point operations; never raising.
Written here as ``py_<name>``; the public ``go_<name>`` are the C extension
``tengojit._gomath``'s versions of the same operations when it is built, else these.
"""
from __future__ import annotations

import math as _m

from .gomath_explog import f64bits, f64frombits

_inf = _m.inf
_nan = _m.nan
_copysign = _m.copysign
_sqrt = _m.sqrt

_PI = _m.pi
_PI_2 = _m.pi / 2                                    # exact halvings of Go's rounded Pi
_PI_4 = _m.pi / 4
_3PI_4 = float.fromhex("0x1.2d97c7f3321d2p+1")       # Go's constant 3*Pi/4, rounded once
_4_PI = float.fromhex("0x1.45f306dc9c883p+0")        # Go's constant 4/Pi, rounded once

# Cody-Waite: Pi/4 in three parts
_PI4A = 7.85398125648498535156e-1
_PI4B = 3.77489470793079817668e-8
_PI4C = 2.69515142907905952645e-15

_REDUCE_THRESHOLD = float(1 << 29)

_S0, _S1, _S2, _S3, _S4, _S5 = (
    1.58962301576546568060e-10, -2.50507477628578072866e-8, 2.75573136213857245213e-6,
    -1.98412698295895385996e-4, 8.33333333332211858878e-3, -1.66666666666666307295e-1)
_C0, _C1, _C2, _C3, _C4, _C5 = (
    -1.13585365213876817300e-11, 2.08757008419747316778e-9, -2.75573141792967388112e-7,
    2.48015872888517045348e-5, -1.38888888888730564116e-3, 4.16666666666665929218e-2)

# bits of 4/Pi, from the binary point on, in 64-bit words (trig_reduce.go's mPi4)
_M_PI4 = (
    0x0000000000000001, 0x45f306dc9c882a53, 0xf84eafa3ea69bb81, 0xb6c52b3278872083,
    0xfca2c757bd778ac3, 0x6e48dc74849ba5c0, 0x0c925dd413a32439, 0xfc3bd63962534e7d,
    0xd1046bea5d768909, 0xd338e04d68befc82, 0x7323ac7306a673e9, 0x3908bf177bf25076,
    0x3ff12fffbc0b301f, 0xde5e2316b414da3e, 0xda6cfd9e4f96136e, 0x9e8c7ecd3cbfd45a,
    0xea4f758fd7cbe2f6, 0x7a0e73ef14a525d4, 0xd7f6bf623f1aba10, 0xac06608df8f6d757,
)
_M64 = 0xFFFFFFFFFFFFFFFF


def _shl(v, n):
    """Go's uint64 ``v << n`` (0 once n >= 64)."""
    return (v << n) & _M64 if n < 64 else 0


def _shr(v, n):
    """Go's uint64 ``v >> n`` for an unsigned n (wrapped negative counts are huge: 0)."""
    return v >> n if 0 <= n < 64 else 0


def trig_reduce(x):
    """Payne-Hanek reduction of x >= 2**29: (octant j, z in [-Pi/4, Pi/4]) with x = j*Pi/4 + z
    (mod 2*Pi), from 192 bits of 4/Pi multiplied by x's 53-bit mantissa in 64-bit words."""
    if x < _PI_4:
        return 0, x
    ix = f64bits(x)
    exp = ((ix >> 52) & 0x7FF) - 1023 - 52
    ix = (ix & 0x000FFFFFFFFFFFFF) | (1 << 52)
    digit, bitshift = divmod(exp + 61, 64)
    m = _M_PI4
    z0 = _shl(m[digit], bitshift) | _shr(m[digit + 1], 64 - bitshift)
    z1 = _shl(m[digit + 1], bitshift) | _shr(m[digit + 2], 64 - bitshift)
    z2 = _shl(m[digit + 2], bitshift) | _shr(m[digit + 3], 64 - bitshift)
    z2hi = (z2 * ix) >> 64
    z1p = z1 * ix
    z1hi, z1lo = z1p >> 64, z1p & _M64
    z0lo = (z0 * ix) & _M64
    lo = z1lo + z2hi
    hi = (z0lo + z1hi + (lo >> 64)) & _M64
    lo &= _M64
    j = hi >> 61
    hi = ((hi << 3) & _M64) | (lo >> 61)
    lz = 64 - hi.bit_length()
    e = (1023 - (lz + 1)) & _M64
    hi = _shl(hi, lz + 1) | _shr(lo, 64 - (lz + 1))
    hi >>= 12
    hi |= e << 52
    z = f64frombits(hi)
    if j & 1 == 1:
        j += 1
        j &= 7
        z -= 1
    return j, z * _PI_4


def _reduce(x):
    """(j, z) for x >= 0: the octant (j even, as Go maps odd octants up) and the remainder."""
    if x >= _REDUCE_THRESHOLD:
        return trig_reduce(x)
    j = int(x * _4_PI)
    y = float(j)
    if j & 1 == 1:
        j += 1
        y += 1
    return j & 7, ((x - y * _PI4A) - y * _PI4B) - y * _PI4C


def _sin_poly(z, zz):
    return z + z * zz * ((((((_S0 * zz) + _S1) * zz + _S2) * zz + _S3) * zz + _S4) * zz + _S5)


def _cos_poly(zz):
    return 1.0 - 0.5 * zz + zz * zz * ((((((_C0 * zz) + _C1) * zz + _C2) * zz + _C3) * zz + _C4)
                                       * zz + _C5)


def py_sin(x):
    """Go's ``math.Sin``: Cephes polynomials after Cody-Waite (or Payne-Hanek for x >= 2**29)
    reduction to an octant."""
    if x == 0 or x != x:
        return x
    if x == _inf or x == -_inf:
        return _nan
    sign = False
    if x < 0:
        x = -x
        sign = True
    j, z = _reduce(x)
    if j > 3:
        sign = not sign
        j -= 4
    zz = z * z
    if j == 1 or j == 2:
        y = _cos_poly(zz)
    else:
        y = _sin_poly(z, zz)
    return -y if sign else y


def py_cos(x):
    """Go's ``math.Cos``: as ``go_sin``, on |x|."""
    if x != x or x == _inf or x == -_inf:
        return _nan
    x = -x if x < 0 else x + 0.0
    sign = False
    j, z = _reduce(x)
    if j > 3:
        j -= 4
        sign = not sign
    if j > 1:
        sign = not sign
    zz = z * z
    if j == 1 or j == 2:
        y = _sin_poly(z, zz)
    else:
        y = _cos_poly(zz)
    return -y if sign else y


def py_sincos(x):
    """Go's ``math.Sincos``: (Sin(x), Cos(x)) from one reduction (the same bits as each)."""
    if x == 0:
        return x, 1.0
    if x != x or x == _inf or x == -_inf:
        return _nan, _nan
    sin_sign = cos_sign = False
    if x < 0:
        x = -x
        sin_sign = True
    j, z = _reduce(x)
    if j > 3:
        j -= 4
        sin_sign = not sin_sign
        cos_sign = not cos_sign
    if j > 1:
        cos_sign = not cos_sign
    zz = z * z
    c = _cos_poly(zz)
    s = _sin_poly(z, zz)
    if j == 1 or j == 2:
        s, c = c, s
    return (-s if sin_sign else s), (-c if cos_sign else c)


_TP0, _TP1, _TP2 = -1.30936939181383777646e4, 1.15351664838587416140e6, -1.79565251976484877988e7
_TQ1, _TQ2, _TQ3, _TQ4 = (1.36812963470692954678e4, -1.32089234440210967447e6,
                          2.50083801823357915839e7, -5.38695755929454629881e7)


def py_tan(x):
    """Go's ``math.Tan``: Cephes rational function after the same reduction as Sin."""
    if x == 0 or x != x:
        return x
    if x == _inf or x == -_inf:
        return _nan
    sign = False
    if x < 0:
        x = -x
        sign = True
    j, z = _reduce(x)
    zz = z * z
    if zz > 1e-14:
        y = z + z * (zz * (((_TP0 * zz) + _TP1) * zz + _TP2)
                     / ((((zz + _TQ1) * zz + _TQ2) * zz + _TQ3) * zz + _TQ4))
    else:
        y = z
    if j & 2 == 2:
        y = -1 / y if y != 0 else _copysign(_inf, -y)
    return -y if sign else y


# ---------------------------------------------------------------------------------------------
# inverse functions

_AP0, _AP1, _AP2, _AP3, _AP4 = (-8.750608600031904122785e-01, -1.615753718733365076637e+01,
                                -7.500855792314704667340e+01, -1.228866684490136173410e+02,
                                -6.485021904942025371773e+01)
_AQ0, _AQ1, _AQ2, _AQ3, _AQ4 = (2.485846490142306297962e+01, 1.650270098316988542046e+02,
                                4.328810604912902668951e+02, 4.853903996359136964868e+02,
                                1.945506571482613964425e+02)
_MOREBITS = 6.123233995736765886130e-17      # Pi/2 = _PI_2 + _MOREBITS
_HALF_MOREBITS = 0.5 * _MOREBITS
_TAN3PIO8 = 2.41421356237309504880


def _xatan(x):
    """atan(x) for 0 <= x <= 0.66 (Cephes rational function)."""
    z = x * x
    z = z * ((((_AP0 * z + _AP1) * z + _AP2) * z + _AP3) * z + _AP4) / (
        ((((z + _AQ0) * z + _AQ1) * z + _AQ2) * z + _AQ3) * z + _AQ4)
    return x * z + x


def _satan(x):
    """atan(x) for x >= 0, by range reduction to [0, 0.66]."""
    if x <= 0.66:
        return _xatan(x)
    if x > _TAN3PIO8:
        return _PI_2 - _xatan(1 / x) + _MOREBITS
    return _PI_4 + _xatan((x - 1) / (x + 1)) + _HALF_MOREBITS


def py_atan(x):
    """Go's ``math.Atan`` (Cephes)."""
    if x == 0 or x != x:
        return x
    if x > 0:
        return _satan(x)
    return -_satan(-x)


def py_asin(x):
    """Go's ``math.Asin``: through Atan of x/sqrt(1-x*x) (or its complement above 0.7)."""
    if x == 0:
        return x
    sign = False
    if x < 0:
        x = -x
        sign = True
    if x != x:
        return x                  # Go's arithmetic carries the NaN operand, sign and all
    if x > 1:
        return _nan
    temp = _sqrt(1 - x * x)
    if x > 0.7:
        temp = _PI_2 - _satan(temp / x)
    else:
        temp = _satan(x / temp)
    return -temp if sign else temp


def py_acos(x):
    """Go's ``math.Acos``: Pi/2 - Asin(x)."""
    return _PI_2 - py_asin(x)


def py_atan2(y, x):
    """Go's ``math.Atan2``: quadrant special cases, else Atan(y/x) moved by ±Pi."""
    if y != y or x != x:
        return _nan
    if y == 0:
        if x >= 0 and _copysign(1.0, x) > 0:
            return _copysign(0.0, y)
        return _copysign(_PI, y)
    if x == 0:
        return _copysign(_PI_2, y)
    if x == _inf or x == -_inf:
        y_inf = y == _inf or y == -_inf
        if x == _inf:
            return _copysign(_PI_4, y) if y_inf else _copysign(0.0, y)
        return _copysign(_3PI_4, y) if y_inf else _copysign(_PI, y)
    if y == _inf or y == -_inf:
        return _copysign(_PI_2, y)
    q = py_atan(y / x)
    if x < 0:
        if q <= 0:
            return q + _PI
        return q - _PI
    return q


# ---------------------------------------------------------------------------------------------
# The C extension: the same operations in the same order (the Python versions above are the
# fallback when it is not built, and the oracle its tests compare it with)

try:
    from tengojit._gomath import (go_acos, go_asin, go_atan, go_atan2, go_cos, go_sin,
                                  go_sincos, go_tan)
except ImportError:
    go_sin, go_cos, go_sincos, go_tan = py_sin, py_cos, py_sincos, py_tan
    go_atan, go_asin, go_acos, go_atan2 = py_atan, py_asin, py_acos, py_atan2
