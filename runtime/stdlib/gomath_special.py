"""Go's error and gamma functions, bit for bit as Go 1.19 computes them on amd64 (pure Go
there, over the amd64 ``Exp``): ``erf.go`` (FreeBSD s_erf.c) and ``gamma.go`` (Cephes).
Same constants, same order of operations; never raising.
"""
from __future__ import annotations

import math as _m

from .gomath_explog import f64bits, f64frombits, go_exp, go_modf, go_pow
from .gomath_trig import go_sin

_inf = _m.inf
_nan = _m.nan
_floor = _m.floor

_ERX = 8.45062911510467529297e-01
_EFX = 1.28379167095512586316e-01
_EFX8 = 1.02703333676410069053e+00
# erf.go's coefficients: _PP/_QQ on [0, 0.84375), _PA/_QA on [0.84375, 1.25),
# _RA/_SA on [1.25, 1/0.35), _RB/_SB beyond
_PP = (1.28379167095512558561e-01, -3.25042107247001499370e-01, -2.84817495755985104766e-02,
       -5.77027029648944159157e-03, -2.37630166566501626084e-05)
_QQ = (3.97917223959155352819e-01, 6.50222499887672944485e-02, 5.08130628187576562776e-03,
       1.32494738004321644526e-04, -3.96022827877536812320e-06)
_PA = (-2.36211856075265944077e-03, 4.14856118683748331666e-01, -3.72207876035701323847e-01,
       3.18346619901161753674e-01, -1.10894694282396677476e-01, 3.54783043256182359371e-02,
       -2.16637559486879084300e-03)
_QA = (1.06420880400844228286e-01, 5.40397917702171048937e-01, 7.18286544141962662868e-02,
       1.26171219808761642112e-01, 1.36370839120290507362e-02, 1.19844998467991074170e-02)
_RA = (-9.86494403484714822705e-03, -6.93858572707181764372e-01, -1.05586262253232909814e+01,
       -6.23753324503260060396e+01, -1.62396669462573470355e+02, -1.84605092906711035994e+02,
       -8.12874355063065934246e+01, -9.81432934416914548592e+00)
_SA = (1.96512716674392571292e+01, 1.37657754143519042600e+02, 4.34565877475229228821e+02,
       6.45387271733267880336e+02, 4.29008140027567833386e+02, 1.08635005541779435134e+02,
       6.57024977031928170135e+00, -6.04244152148580987438e-02)
_RB = (-9.86494292470009928597e-03, -7.99283237680523006574e-01, -1.77579549177547519889e+01,
       -1.60636384855821916062e+02, -6.37566443368389627722e+02, -1.02509513161107724954e+03,
       -4.83519191608651397019e+02)
_SB = (3.03380607434824582924e+01, 3.25792512996573918826e+02, 1.53672958608443695994e+03,
       3.19985821950859553908e+03, 2.55305040643316442583e+03, 4.74528541206955367215e+02,
       -2.24409524465858183362e+01)
_ERF_VERY_TINY = 2.848094538889218e-306
_TWO_M28 = 1.0 / (1 << 28)
_TWO_M56 = 1.0 / (1 << 56)
_INV_035 = 1 / 0.35          # Go's constant 1/0.35 (rounded once; no double rounding here)


def _small_rs(x):
    """x*y with y the rational approximation of erf(x)/x - 1 - efx on |x| < 0.84375."""
    pp0, pp1, pp2, pp3, pp4 = _PP
    qq1, qq2, qq3, qq4, qq5 = _QQ
    z = x * x
    r = pp0 + z * (pp1 + z * (pp2 + z * (pp3 + z * pp4)))
    s = 1 + z * (qq1 + z * (qq2 + z * (qq3 + z * (qq4 + z * qq5))))
    return r / s


def _mid_pq(x):
    """P/Q of erf(x) - erx on 0.84375 <= |x| < 1.25."""
    pa0, pa1, pa2, pa3, pa4, pa5, pa6 = _PA
    qa1, qa2, qa3, qa4, qa5, qa6 = _QA
    s = x - 1
    P = pa0 + s * (pa1 + s * (pa2 + s * (pa3 + s * (pa4 + s * (pa5 + s * pa6)))))
    Q = 1 + s * (qa1 + s * (qa2 + s * (qa3 + s * (qa4 + s * (qa5 + s * qa6)))))
    return P / Q


def _tail(x):
    """erfc(x)*x for 1.25 <= x < 28: exp(-z*z - 0.5625) * exp((z-x)(z+x) + R/S), z = x with
    its low 32 bits cleared."""
    s = 1 / (x * x)
    if x < _INV_035:
        ra0, ra1, ra2, ra3, ra4, ra5, ra6, ra7 = _RA
        sa1, sa2, sa3, sa4, sa5, sa6, sa7, sa8 = _SA
        R = ra0 + s * (ra1 + s * (ra2 + s * (ra3 + s * (ra4 + s * (ra5 + s * (ra6 + s * ra7))))))
        S = 1 + s * (sa1 + s * (sa2 + s * (sa3 + s * (sa4 + s * (sa5 + s * (sa6 + s * (sa7
                                                                                + s * sa8)))))))
    else:
        rb0, rb1, rb2, rb3, rb4, rb5, rb6 = _RB
        sb1, sb2, sb3, sb4, sb5, sb6, sb7 = _SB
        R = rb0 + s * (rb1 + s * (rb2 + s * (rb3 + s * (rb4 + s * (rb5 + s * rb6)))))
        S = 1 + s * (sb1 + s * (sb2 + s * (sb3 + s * (sb4 + s * (sb5 + s * (sb6 + s * sb7))))))
    z = f64frombits(f64bits(x) & 0xFFFFFFFF00000000)
    return go_exp(-z * z - 0.5625) * go_exp((z - x) * (z + x) + R / S)


def go_erf(x):
    """Go's ``math.Erf`` (FreeBSD s_erf.c): rational approximations on four ranges."""
    if x != x:
        return _nan
    if x == _inf:
        return 1.0
    if x == -_inf:
        return -1.0
    sign = False
    if x < 0:
        x = -x
        sign = True
    if x < 0.84375:
        if x < _TWO_M28:
            if x < _ERF_VERY_TINY:
                temp = 0.125 * (8.0 * x + _EFX8 * x)
            else:
                temp = x + _EFX * x
        else:
            temp = x + x * _small_rs(x)
        return -temp if sign else temp
    if x < 1.25:
        if sign:
            return -_ERX - _mid_pq(x)
        return _ERX + _mid_pq(x)
    if x >= 6:
        return -1.0 if sign else 1.0
    r = _tail(x)
    if sign:
        return r / x - 1
    return 1 - r / x


def go_erfc(x):
    """Go's ``math.Erfc`` (FreeBSD s_erf.c)."""
    if x != x:
        return _nan
    if x == _inf:
        return 0.0
    if x == -_inf:
        return 2.0
    sign = False
    if x < 0:
        x = -x
        sign = True
    if x < 0.84375:
        if x < _TWO_M56:
            temp = x
        else:
            y = _small_rs(x)
            if x < 0.25:
                temp = x + x * y
            else:
                temp = 0.5 + (x * y + (x - 0.5))
        return 1 + temp if sign else 1 - temp
    if x < 1.25:
        if sign:
            return 1 + _ERX + _mid_pq(x)
        return 1 - _ERX - _mid_pq(x)
    if x < 28:
        if sign and x > 6 and x >= _INV_035:
            return 2.0
        r = _tail(x)
        if sign:
            return 2 - r / x
        return r / x
    return 2.0 if sign else 0.0


# ---------------------------------------------------------------------------------------------
# Gamma (gamma.go, Cephes)

_GAM_P = (1.60119522476751861407e-04, 1.19135147006586384913e-03, 1.04213797561761569935e-02,
          4.76367800457137231464e-02, 2.07448227648435975150e-01, 4.94214826801497100753e-01,
          9.99999999999999996796e-01)
_GAM_Q = (-2.31581873324120129819e-05, 5.39605580493303397842e-04, -4.45641913851797240494e-03,
          1.18139785222060435552e-02, 3.58236398605498653373e-02, -2.34591795718243348568e-01,
          7.14304917030273074085e-02, 1.00000000000000000320e+00)
_GAM_S = (7.87311395793093628397e-04, -2.29549961613378126380e-04, -2.68132617805781232825e-03,
          3.47222221605458667310e-03, 8.33333333333482257126e-02)
_SQRT_TWO_PI = 2.506628274631000502417
_MAX_STIRLING = 143.01608
_EULER = 0.57721566490153286060651209008240243104215933593992


def _stirling(x):
    """Gamma(x) = y1 * y2 for 33 < x <= 200 (Stirling's formula, split to avoid overflow)."""
    if x > 200:
        return _inf, 1.0
    s0, s1, s2, s3, s4 = _GAM_S
    w = 1 / x
    w = 1 + w * ((((s0 * w + s1) * w + s2) * w + s3) * w + s4)
    y1 = go_exp(x)
    y2 = 1.0
    if x > _MAX_STIRLING:
        v = go_pow(x, 0.5 * x - 0.25)
        y1, y2 = v, v / y1
    else:
        y1 = go_pow(x, x - 0.5) / y1
    return y1, _SQRT_TWO_PI * w * y2


def go_gamma(x):
    """Go's ``math.Gamma``: Stirling above 33 (reflection for negative x), else a rational
    function on [2, 3) after shifting by recurrence. NaN at negative integers and -Inf,
    ±Inf at ±0."""
    if x != x or x == -_inf:
        return _nan
    if x < 0 and go_modf(x)[1] == 0:
        return _nan
    if x == _inf:
        return _inf
    if x == 0:
        return _m.copysign(_inf, x)
    q = abs(x)
    p = float(_floor(q))
    if q > 33:
        if x >= 0:
            y1, y2 = _stirling(x)
            return y1 * y2
        signgam = -1 if int(p) & 1 == 0 else 1
        z = q - p
        if z > 0.5:
            p = p + 1
            z = q - p
        z = q * go_sin(_m.pi * z)
        if z == 0:
            return _m.copysign(_inf, signgam)
        sq1, sq2 = _stirling(q)
        absz = abs(z)
        d = absz * sq1 * sq2
        if d == _inf:
            z = _m.pi / absz / sq1 / sq2
        else:
            z = _m.pi / d
        return signgam * z
    z = 1.0
    while x >= 3:
        x = x - 1
        z = z * x
    small = False
    while x < 0:
        if x > -1e-09:
            small = True
            break
        z = z / x
        x = x + 1
    if not small:
        while x < 2:
            if x < 1e-09:
                small = True
                break
            z = z / x
            x = x + 1
    if small:
        if x == 0:
            return _inf
        return z / ((1 + _EULER * x) * x)
    if x == 2:
        return z
    x = x - 2
    g = _GAM_P
    p = (((((x * g[0] + g[1]) * x + g[2]) * x + g[3]) * x + g[4]) * x + g[5]) * x + g[6]
    g = _GAM_Q
    q = ((((((x * g[0] + g[1]) * x + g[2]) * x + g[3]) * x + g[4]) * x + g[5]) * x + g[6]) * x + g[7]
    return z * p / q
