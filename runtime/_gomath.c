/*
 * tengojit._gomath: Go 1.19's math functions on amd64, in C, bit for bit.
 *
 * Exp: Go's Exp on amd64 is an assembly routine (a Taylor polynomial of r/16 squared back four
 * times, after k = round(x*log2(e)) and r = x - k*ln2 in two parts) with two variants chosen
 * once per process: fused multiply-adds when the CPU has AVX and FMA, separate multiplies and
 * adds otherwise. Their last bits differ, so this module picks the variant the same way
 * (``has_fma``) and computes every step in the same order: fma() where Go fuses, plain
 * operations elsewhere (the extension is built with -ffp-contract=off so the C compiler fuses
 * nothing itself).
 *
 * The rest (Log, Log10, Log2, Sin, Cos, Sincos, Tan, Atan, Asin, Acos, Atan2, Pow, Log1p,
 * Expm1, Exp2, Sinh, Cosh, Tanh) are the Python ports of runtime/stdlib/gomath_*.py done
 * again in C: same constants, same operations in the same order, no fused operations, the
 * same special cases (never an error: NaN, ±Inf, ±0 as Go gives them). Those Python versions
 * (``py_<name>``) are used when this extension is not built, and the tests compare the two.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define EXP_LOG2E 1.4426950408889634073599246810018920
#define EXP_LN2U 0.69314718055966295651160180568695068359375
#define EXP_LN2L 0.28235290563031577122588448175013436025525412068e-12
#define EXP_OVERFLOW 7.09782712893384e+02

/* Taylor coefficients, highest degree first (1/8! ... 1/2!, 1) */
static const double exp_poly[] = {
    2.4801587301587301587e-5, 1.9841269841269841270e-4, 1.3888888888888888889e-3,
    8.3333333333333333333e-3, 4.1666666666666666667e-2, 1.6666666666666666667e-1,
    0.5, 1.0,
};

static int use_fma;

/* CVTSD2SL: round to nearest even; NaN or out of int32 range gives INT32_MIN */
static int32_t
to_int32(double t)
{
    if (!(t > -2147483648.5 && t < 2147483647.5)) {
        return INT32_MIN;
    }
    return (int32_t)nearbyint(t);
}

static double
go_exp(double x)
{
    if (isnan(x) || x == INFINITY) {
        return x;
    }
    if (x == -INFINITY) {
        return 0.0;
    }
    if (x > EXP_OVERFLOW) {
        return INFINITY;
    }
    int32_t k = to_int32(EXP_LOG2E * x);
    double fk = (double)k, r, p;
    int i;
    if (use_fma) {
        r = fma(-EXP_LN2U, fk, x);
        r = fma(-EXP_LN2L, fk, r);
        r *= 0.0625;
        p = exp_poly[0];
        for (i = 1; i < 8; i++) {
            p = fma(p, r, exp_poly[i]);
        }
        r *= p;
        for (i = 0; i < 3; i++) {
            r *= r + 2.0;
        }
        r = fma(r, r + 2.0, 1.0);
    }
    else {
        r = x - fk * EXP_LN2U;
        r = r - fk * EXP_LN2L;
        r *= 0.0625;
        p = exp_poly[0];
        for (i = 1; i < 8; i++) {
            p = p * r + exp_poly[i];
        }
        r *= p;
        for (i = 0; i < 4; i++) {
            r *= r + 2.0;
        }
        r += 1.0;
    }
    /* r * 2**k: the biased exponent decides underflow and overflow as the assembly does */
    int64_t biased = (int64_t)k + 0x3FF;
    if (biased <= 0 && biased < -52) {
        return 0.0;
    }
    if (biased >= 0x7FF) {
        return INFINITY;
    }
    return ldexp(r, k);
}

/* ------------------------------------------------------------------------------------------
 * Shared helpers. Each function below is Go 1.19's math.X on amd64, bit for bit: the same
 * constants and the same floating-point operations in the same order as the Python ports in
 * runtime/stdlib/gomath_*.py (py_<name>), which stay the fallback and the test oracle.
 * Nothing here fuses a multiply-add (-ffp-contract=off); only go_exp above uses fma().
 */

#define FRAC_MASK 0x000FFFFFFFFFFFFFULL
#define SMALLEST_NORMAL 2.2250738585072014e-308

static inline uint64_t
f64bits(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

static inline double
f64frombits(uint64_t b)
{
    double x;
    memcpy(&x, &b, sizeof x);
    return x;
}

/* Go's uint64 shifts: a count of 64 or more (a wrapped negative count included) gives 0 */
static inline uint64_t
shl64(uint64_t v, unsigned n)
{
    return n < 64 ? v << n : 0;
}

static inline uint64_t
shr64(uint64_t v, unsigned n)
{
    return n < 64 ? v >> n : 0;
}

static inline int
clz64(uint64_t v)
{
    if (v == 0) {
        return 64;
    }
#if defined(__GNUC__) || defined(__clang__)
    return __builtin_clzll(v);
#else
    int n = 0;
    while (!(v & 0x8000000000000000ULL)) {
        v <<= 1;
        n++;
    }
    return n;
#endif
}

/* Go's bits.Mul64: the 128-bit product of a and b as (*hi, *lo) */
static inline void
mul64(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
#if defined(__SIZEOF_INT128__)
    unsigned __int128 p = (unsigned __int128)a * b;
    *hi = (uint64_t)(p >> 64);
    *lo = (uint64_t)p;
#else
    uint64_t a0 = a & 0xFFFFFFFFULL, a1 = a >> 32, b0 = b & 0xFFFFFFFFULL, b1 = b >> 32;
    uint64_t w0 = a0 * b0;
    uint64_t t = a1 * b0 + (w0 >> 32);
    uint64_t w1 = (t & 0xFFFFFFFFULL) + a0 * b1;
    *hi = a1 * b1 + (t >> 32) + (w1 >> 32);
    *lo = a * b;
#endif
}

/* Go's math.Ldexp as the Python port computes it: frac * 2**exp rounded once (libm's
 * ldexp), ±Inf on overflow, 0/NaN/±Inf unchanged */
static double
go_ldexp(double frac, int64_t e)
{
    if (frac == 0 || isnan(frac) || isinf(frac)) {
        return frac;
    }
    if (e > 100000) {
        e = 100000;
    }
    else if (e < -100000) {
        e = -100000;
    }
    return ldexp(frac, (int)e);
}

/* Go's math.Modf: the fractional part returned, the integer part in *ip (f not NaN) */
static double
go_modf(double f, double *ip)
{
    if (f < 1) {
        if (f < 0) {
            double i, fr = go_modf(-f, &i);
            *ip = -i;
            return -fr;
        }
        *ip = f == 0 ? f : 0.0;
        return f;
    }
    if (f == INFINITY) {
        *ip = f;
        return NAN;
    }
    *ip = floor(f);
    return f - *ip;
}

/* ------------------------------------------------------------------------------------------
 * Log (log_amd64.s), Log10, Log2 */

#define LOG_HSQRT2 7.07106781186547524401e-01
#define LN2_HI 6.93147180369123816490e-01
#define LN2_LO 1.90821492927058770002e-10
#define LOG_L1 6.666666666666735130e-01
#define LOG_L2 3.999999999940941908e-01
#define LOG_L3 2.857142874366239149e-01
#define LOG_L4 2.222219843214978396e-01
#define LOG_L5 1.818357216161805012e-01
#define LOG_L6 1.531383769920937332e-01
#define LOG_L7 1.479819860511658591e-01
#define INV_LN10 0x1.bcb7b1526e50ep-2
#define INV_LN2 0x1.71547652b82fep+0

/* Go's math.Log on amd64, bit for bit. x = f1 * 2**k with f1 in [sqrt(2)/2, sqrt(2)), then
 * FreeBSD's rational approximation; a subnormal x is split by its raw bits as the assembly
 * does (mantissa read as 0.5 + fraction/2**53, exponent -1022). */
static double
go_log(double x)
{
    if (isnan(x)) {
        return NAN;             /* the assembly answers any NaN with the positive quiet NaN */
    }
    if (x == INFINITY) {
        return x;
    }
    if (x < 0) {
        return NAN;
    }
    if (x == 0) {
        return -INFINITY;
    }
    double f1;
    int ki;
    if (x >= SMALLEST_NORMAL) {
        f1 = frexp(x, &ki);
    }
    else {
        f1 = f64frombits((f64bits(x) & FRAC_MASK) | 0x3FE0000000000000ULL);
        ki = -1022;
    }
    if (f1 < LOG_HSQRT2) {
        f1 *= 2;
        ki -= 1;
    }
    double f = f1 - 1;
    double k = (double)ki;
    double s = f / (2 + f);
    double s2 = s * s;
    double s4 = s2 * s2;
    double t1 = s2 * (LOG_L1 + s4 * (LOG_L3 + s4 * (LOG_L5 + s4 * LOG_L7)));
    double t2 = s4 * (LOG_L2 + s4 * (LOG_L4 + s4 * LOG_L6));
    double R = t1 + t2;
    double hfsq = 0.5 * f * f;
    return k * LN2_HI - ((hfsq - (s * (hfsq + R) + k * LN2_LO)) - f);
}

/* Go's math.Log10 on amd64, bit for bit: Log(x) times Go's 1/Ln10 */
static double
go_log10(double x)
{
    return go_log(x) * INV_LN10;
}

/* Go's math.Log2 on amd64, bit for bit: exact at powers of two, else Log of Frexp's
 * fraction times Go's 1/Ln2 plus the exponent */
static double
go_log2(double x)
{
    if (x == 0 || isnan(x) || isinf(x)) {
        return go_log(x);
    }
    int e;
    double frac = frexp(x, &e);
    if (frac == 0.5) {
        return (double)(e - 1);
    }
    return go_log(frac) * INV_LN2 + (double)e;
}

/* ------------------------------------------------------------------------------------------
 * Sin, Cos, Sincos, Tan: Cody-Waite reduction below 2**29, Payne-Hanek above */

#define PI_V 0x1.921fb54442d18p+1
#define PI_2 0x1.921fb54442d18p+0
#define PI_4 0x1.921fb54442d18p-1
#define PI3_4 0x1.2d97c7f3321d2p+1
#define FOUR_PI 0x1.45f306dc9c883p+0
#define PI4A 7.85398125648498535156e-1
#define PI4B 3.77489470793079817668e-8
#define PI4C 2.69515142907905952645e-15
#define REDUCE_THRESHOLD 536870912.0

#define SIN0 1.58962301576546568060e-10
#define SIN1 -2.50507477628578072866e-8
#define SIN2 2.75573136213857245213e-6
#define SIN3 -1.98412698295895385996e-4
#define SIN4 8.33333333332211858878e-3
#define SIN5 -1.66666666666666307295e-1
#define COS0 -1.13585365213876817300e-11
#define COS1 2.08757008419747316778e-9
#define COS2 -2.75573141792967388112e-7
#define COS3 2.48015872888517045348e-5
#define COS4 -1.38888888888730564116e-3
#define COS5 4.16666666666665929218e-2

/* 4/Pi in binary, from the binary point on, 64 bits a word (1280 bits) */
static const uint64_t m_pi4[20] = {
    0x0000000000000001ULL, 0x45f306dc9c882a53ULL, 0xf84eafa3ea69bb81ULL, 0xb6c52b3278872083ULL,
    0xfca2c757bd778ac3ULL, 0x6e48dc74849ba5c0ULL, 0x0c925dd413a32439ULL, 0xfc3bd63962534e7dULL,
    0xd1046bea5d768909ULL, 0xd338e04d68befc82ULL, 0x7323ac7306a673e9ULL, 0x3908bf177bf25076ULL,
    0x3ff12fffbc0b301fULL, 0xde5e2316b414da3eULL, 0xda6cfd9e4f96136eULL, 0x9e8c7ecd3cbfd45aULL,
    0xea4f758fd7cbe2f6ULL, 0x7a0e73ef14a525d4ULL, 0xd7f6bf623f1aba10ULL, 0xac06608df8f6d757ULL,
};

/* Payne-Hanek for finite x >= 2**29: the 53-bit mantissa times the 192 bits of 4/Pi that
 * matter at x's exponent; the top 3 bits of the product's integer part give the octant
 * (*jp, made even), the fraction below them z, returned as z*Pi/4. */
static double
trig_reduce(double x, unsigned *jp)
{
    if (x < PI_4) {
        *jp = 0;
        return x;
    }
    uint64_t ix = f64bits(x);
    int ex = (int)((ix >> 52) & 0x7FF) - 1023 - 52;
    ix = (ix & FRAC_MASK) | (1ULL << 52);
    unsigned digit = (unsigned)(ex + 61) / 64, bitshift = (unsigned)(ex + 61) % 64;
    uint64_t z0 = shl64(m_pi4[digit], bitshift) | shr64(m_pi4[digit + 1], 64 - bitshift);
    uint64_t z1 = shl64(m_pi4[digit + 1], bitshift) | shr64(m_pi4[digit + 2], 64 - bitshift);
    uint64_t z2 = shl64(m_pi4[digit + 2], bitshift) | shr64(m_pi4[digit + 3], 64 - bitshift);
    uint64_t z2hi, z2lo, z1hi, z1lo, z0hi, z0lo;
    mul64(z2, ix, &z2hi, &z2lo);
    mul64(z1, ix, &z1hi, &z1lo);
    mul64(z0, ix, &z0hi, &z0lo);
    (void)z2lo;
    (void)z0hi;
    uint64_t lo = z1lo + z2hi;
    uint64_t carry = lo < z1lo;
    uint64_t hi = z0lo + z1hi + carry;
    unsigned j = (unsigned)(hi >> 61);
    hi = (hi << 3) | (lo >> 61);
    int lz = clz64(hi);
    uint64_t e = (uint64_t)(1023 - (lz + 1));
    hi = shl64(hi, (unsigned)(lz + 1)) | shr64(lo, (unsigned)(64 - (lz + 1)));
    hi >>= 12;
    hi |= e << 52;
    double z = f64frombits(hi);
    if (j & 1) {
        j = (j + 1) & 7;
        z -= 1;
    }
    *jp = j;
    return z * PI_4;
}

/* x >= 0 (finite) to an even octant *jp in 0..6 and the remainder z, x = j*Pi/4 + z mod 2Pi */
static double
trig_octant(double x, unsigned *jp)
{
    if (x >= REDUCE_THRESHOLD) {
        return trig_reduce(x, jp);
    }
    uint64_t j = (uint64_t)(x * FOUR_PI);
    double y = (double)j;
    if (j & 1) {
        j++;
        y += 1;
    }
    *jp = (unsigned)(j & 7);
    return ((x - y * PI4A) - y * PI4B) - y * PI4C;
}

static inline double
sin_poly(double z, double zz)
{
    return z + z * zz * ((((((SIN0 * zz) + SIN1) * zz + SIN2) * zz + SIN3) * zz + SIN4) * zz
                         + SIN5);
}

static inline double
cos_poly(double zz)
{
    return 1.0 - 0.5 * zz + zz * zz * ((((((COS0 * zz) + COS1) * zz + COS2) * zz + COS3) * zz
                                        + COS4) * zz + COS5);
}

/* Go's math.Sin on amd64, bit for bit */
static double
go_sin(double x)
{
    if (x == 0 || isnan(x)) {
        return x;
    }
    if (isinf(x)) {
        return NAN;
    }
    int sign = 0;
    if (x < 0) {
        x = -x;
        sign = 1;
    }
    unsigned j;
    double z = trig_octant(x, &j);
    if (j > 3) {
        sign = !sign;
        j -= 4;
    }
    double zz = z * z;
    double y = (j == 1 || j == 2) ? cos_poly(zz) : sin_poly(z, zz);
    return sign ? -y : y;
}

/* Go's math.Cos on amd64, bit for bit */
static double
go_cos(double x)
{
    if (isnan(x) || isinf(x)) {
        return NAN;
    }
    x = x < 0 ? -x : x + 0.0;
    int sign = 0;
    unsigned j;
    double z = trig_octant(x, &j);
    if (j > 3) {
        j -= 4;
        sign = !sign;
    }
    if (j > 1) {
        sign = !sign;
    }
    double zz = z * z;
    double y = (j == 1 || j == 2) ? sin_poly(z, zz) : cos_poly(zz);
    return sign ? -y : y;
}

/* Go's math.Sincos on amd64, bit for bit (the same bits as Sin and Cos) */
static void
go_sincos(double x, double *sp, double *cp)
{
    if (x == 0) {
        *sp = x;
        *cp = 1.0;
        return;
    }
    if (isnan(x) || isinf(x)) {
        *sp = *cp = NAN;
        return;
    }
    int sin_sign = 0, cos_sign = 0;
    if (x < 0) {
        x = -x;
        sin_sign = 1;
    }
    unsigned j;
    double z = trig_octant(x, &j);
    if (j > 3) {
        j -= 4;
        sin_sign = !sin_sign;
        cos_sign = !cos_sign;
    }
    if (j > 1) {
        cos_sign = !cos_sign;
    }
    double zz = z * z;
    double c = cos_poly(zz), s = sin_poly(z, zz);
    if (j == 1 || j == 2) {
        double t = s;
        s = c;
        c = t;
    }
    *sp = sin_sign ? -s : s;
    *cp = cos_sign ? -c : c;
}

#define TAN_P0 -1.30936939181383777646e4
#define TAN_P1 1.15351664838587416140e6
#define TAN_P2 -1.79565251976484877988e7
#define TAN_Q1 1.36812963470692954678e4
#define TAN_Q2 -1.32089234440210967447e6
#define TAN_Q3 2.50083801823357915839e7
#define TAN_Q4 -5.38695755929454629881e7

/* Go's math.Tan on amd64, bit for bit */
static double
go_tan(double x)
{
    if (x == 0 || isnan(x)) {
        return x;
    }
    if (isinf(x)) {
        return NAN;
    }
    int sign = 0;
    if (x < 0) {
        x = -x;
        sign = 1;
    }
    unsigned j;
    double z = trig_octant(x, &j);
    double zz = z * z, y;
    if (zz > 1e-14) {
        y = z + z * (zz * (((TAN_P0 * zz) + TAN_P1) * zz + TAN_P2)
                     / ((((zz + TAN_Q1) * zz + TAN_Q2) * zz + TAN_Q3) * zz + TAN_Q4));
    }
    else {
        y = z;
    }
    if (j & 2) {
        y = y != 0 ? -1 / y : copysign(INFINITY, -y);
    }
    return sign ? -y : y;
}

/* ------------------------------------------------------------------------------------------
 * Atan, Asin, Acos, Atan2 (Cephes) */

#define ATAN_P0 -8.750608600031904122785e-01
#define ATAN_P1 -1.615753718733365076637e+01
#define ATAN_P2 -7.500855792314704667340e+01
#define ATAN_P3 -1.228866684490136173410e+02
#define ATAN_P4 -6.485021904942025371773e+01
#define ATAN_Q0 2.485846490142306297962e+01
#define ATAN_Q1 1.650270098316988542046e+02
#define ATAN_Q2 4.328810604912902668951e+02
#define ATAN_Q3 4.853903996359136964868e+02
#define ATAN_Q4 1.945506571482613964425e+02
#define MOREBITS 6.123233995736765886130e-17
#define TAN3PIO8 2.41421356237309504880

/* atan(x), 0 <= x <= 0.66 */
static double
xatan(double x)
{
    double z = x * x;
    z = z * ((((ATAN_P0 * z + ATAN_P1) * z + ATAN_P2) * z + ATAN_P3) * z + ATAN_P4)
        / (((((z + ATAN_Q0) * z + ATAN_Q1) * z + ATAN_Q2) * z + ATAN_Q3) * z + ATAN_Q4);
    return x * z + x;
}

/* atan(x), x >= 0, reduced to [0, 0.66] */
static double
satan(double x)
{
    if (x <= 0.66) {
        return xatan(x);
    }
    if (x > TAN3PIO8) {
        return PI_2 - xatan(1 / x) + MOREBITS;
    }
    return PI_4 + xatan((x - 1) / (x + 1)) + 0.5 * MOREBITS;
}

/* Go's math.Atan on amd64, bit for bit */
static double
go_atan(double x)
{
    if (x == 0 || isnan(x)) {
        return x;
    }
    if (x > 0) {
        return satan(x);
    }
    return -satan(-x);
}

/* Go's math.Asin on amd64, bit for bit */
static double
go_asin(double x)
{
    if (x == 0) {
        return x;
    }
    int sign = 0;
    if (x < 0) {
        x = -x;
        sign = 1;
    }
    if (isnan(x)) {
        return x;               /* Go's arithmetic carries the NaN operand, sign and all */
    }
    if (x > 1) {
        return NAN;
    }
    double temp = sqrt(1 - x * x);
    if (x > 0.7) {
        temp = PI_2 - satan(temp / x);
    }
    else {
        temp = satan(x / temp);
    }
    return sign ? -temp : temp;
}

/* Go's math.Acos on amd64, bit for bit: Pi/2 - Asin(x) */
static double
go_acos(double x)
{
    return PI_2 - go_asin(x);
}

/* Go's math.Atan2 on amd64, bit for bit */
static double
go_atan2(double y, double x)
{
    if (isnan(y) || isnan(x)) {
        return NAN;
    }
    if (y == 0) {
        if (x >= 0 && !signbit(x)) {
            return copysign(0.0, y);
        }
        return copysign(PI_V, y);
    }
    if (x == 0) {
        return copysign(PI_2, y);
    }
    if (isinf(x)) {
        int y_inf = isinf(y);
        if (x == INFINITY) {
            return y_inf ? copysign(PI_4, y) : copysign(0.0, y);
        }
        return y_inf ? copysign(PI3_4, y) : copysign(PI_V, y);
    }
    if (isinf(y)) {
        return copysign(PI_2, y);
    }
    double q = go_atan(y / x);
    if (x < 0) {
        if (q <= 0) {
            return q + PI_V;
        }
        return q - PI_V;
    }
    return q;
}

/* ------------------------------------------------------------------------------------------
 * Pow */

/* x is an odd integer (x not NaN) */
static int
is_odd_int(double x)
{
    if (fabs(x) >= 9007199254740992.0) {
        return 0;
    }
    double xi, xf = go_modf(x, &xi);
    return xf == 0 && ((int64_t)xi & 1) == 1;
}

/* Go's math.Pow on amd64, bit for bit: special cases, then Exp(yf*Log(x)) for the fraction
 * of y times x**int(y) by squaring Frexp's mantissa, the exponents summed apart and applied
 * by one Ldexp. */
static double
go_pow(double x, double y)
{
    if (y == 0 || x == 1) {
        return 1.0;
    }
    if (y == 1) {
        return x;
    }
    if (isnan(x) || isnan(y)) {
        return NAN;
    }
    if (x == 0) {
        if (y < 0) {
            if (y == -INFINITY) {
                return INFINITY;
            }
            if (is_odd_int(y)) {
                return copysign(INFINITY, x);
            }
            return INFINITY;
        }
        if (y > 0) {
            if (is_odd_int(y)) {
                return x;
            }
            return 0.0;
        }
    }
    if (isinf(y)) {
        if (x == -1) {
            return 1.0;
        }
        if ((fabs(x) < 1) == (y > 0)) {
            return 0.0;
        }
        return INFINITY;
    }
    if (isinf(x)) {
        if (x < 0) {
            return go_pow(1 / x, -y);
        }
        if (y < 0) {
            return 0.0;
        }
        if (y > 0) {
            return INFINITY;
        }
    }
    /* Go: Sqrt(x) and 1 / Sqrt(x); SQRTSD of a negative number gives x86's default NaN, whose
       sign bit is set (-NAN), unlike Go's NaN() */
    if (y == 0.5) {
        return x >= 0 ? sqrt(x) : -NAN;
    }
    if (y == -0.5) {
        return x >= 0 ? 1 / sqrt(x) : -NAN;
    }

    double yi, yf = go_modf(fabs(y), &yi);
    if (yf != 0 && x < 0) {
        return NAN;
    }
    if (yi >= 9223372036854775808.0) {
        /* a huge even integer: overflow or underflow except for x = -1 */
        if (x == -1) {
            return 1.0;
        }
        if ((fabs(x) < 1) == (y > 0)) {
            return 0.0;
        }
        return INFINITY;
    }

    double a1 = 1.0;
    int64_t ae = 0;
    if (yf != 0) {
        if (yf > 0.5) {
            yf -= 1;
            yi += 1;
        }
        a1 = go_exp(yf * go_log(x));
    }

    int xe_int;
    double x1 = frexp(x, &xe_int);
    int64_t xe = xe_int;
    int64_t i = (int64_t)yi;
    while (i != 0) {
        if (xe < -4096 || 4096 < xe) {
            /* far out of range: Ldexp gives the overflow or underflow */
            ae += xe;
            break;
        }
        if (i & 1) {
            a1 *= x1;
            ae += xe;
        }
        x1 *= x1;
        xe *= 2;
        if (x1 < .5) {
            x1 += x1;
            xe -= 1;
        }
        i >>= 1;
    }
    if (y < 0) {
        a1 = 1 / a1;
        ae = -ae;
    }
    return go_ldexp(a1, ae);
}

/* ------------------------------------------------------------------------------------------
 * Log1p, Expm1, Exp2 (FreeBSD's algorithms, pure Go on amd64) */

#define L1P_SQRT2M1 4.142135623730950488017e-01
#define L1P_SQRT2HALFM1 -2.928932188134524755992e-01
#define L1P_SMALL 0x1p-29
#define L1P_TINY 0x1p-54
#define L1P_TWO53 0x1p53

/* Go's math.Log1p on amd64, bit for bit */
static double
go_log1p(double x)
{
    if (isnan(x) || x < -1) {
        return NAN;
    }
    if (x == -1) {
        return -INFINITY;
    }
    if (x == INFINITY) {
        return INFINITY;
    }
    double absx = x < 0 ? -x : x;
    double f = 0.0, c = 0.0, u;
    uint64_t iu = 0;
    int64_t k = 1;
    if (absx < L1P_SQRT2M1) {
        if (absx < L1P_SMALL) {
            if (absx < L1P_TINY) {
                return x;
            }
            return x - x * x * 0.5;
        }
        if (x > L1P_SQRT2HALFM1) {
            k = 0;
            f = x;
            iu = 1;
        }
    }
    if (k != 0) {
        if (absx < L1P_TWO53) {
            u = 1.0 + x;
            iu = f64bits(u);
            k = (int64_t)(iu >> 52) - 1023;
            if (k > 0) {
                c = 1.0 - (u - x);
            }
            else {
                c = x - (u - 1.0);
            }
            c /= u;
        }
        else {
            u = x;
            iu = f64bits(u);
            k = (int64_t)(iu >> 52) - 1023;
            c = 0.0;
        }
        iu &= FRAC_MASK;
        if (iu < 0x0006A09E667F3BCDULL) {
            u = f64frombits(iu | 0x3FF0000000000000ULL);
        }
        else {
            k += 1;
            u = f64frombits(iu | 0x3FE0000000000000ULL);
            iu = (0x0010000000000000ULL - iu) >> 2;
        }
        f = u - 1.0;
    }
    double hfsq = 0.5 * f * f;
    double fk = (double)k, R;
    if (iu == 0) {
        if (f == 0) {
            if (k == 0) {
                return 0.0;
            }
            c += fk * LN2_LO;
            return fk * LN2_HI + c;
        }
        R = hfsq * (1.0 - 0.66666666666666666 * f);
        if (k == 0) {
            return f - R;
        }
        return fk * LN2_HI - ((R - (fk * LN2_LO + c)) - f);
    }
    double s = f / (2.0 + f);
    double z = s * s;
    R = z * (LOG_L1 + z * (LOG_L2 + z * (LOG_L3 + z * (LOG_L4 + z * (LOG_L5
                                                                   + z * (LOG_L6 + z * LOG_L7))))));
    if (k == 0) {
        return f - (hfsq - s * (hfsq + R));
    }
    return fk * LN2_HI - ((hfsq - (s * (hfsq + R) + (fk * LN2_LO + c))) - f);
}

#define XM1_OTHRESHOLD 7.09782712893383973096e+02
#define XM1_LN2X56 3.88162421113569373274e+01
#define XM1_LN2HALFX3 1.03972077083991796413e+00
#define XM1_LN2HALF 3.46573590279972654709e-01
#define XM1_INVLN2 1.44269504088896338700e+00
#define XM1_TINY 0x1p-54
#define XM1_Q1 -3.33333333333331316428e-02
#define XM1_Q2 1.58730158725481460165e-03
#define XM1_Q3 -7.93650757867487942473e-05
#define XM1_Q4 4.00821782732936239552e-06
#define XM1_Q5 -2.01099218183624371326e-07

/* y with k added to its exponent field (Go's Float64bits(y) + k<<52, wrapping) */
static inline double
add_exponent(double y, int64_t k)
{
    return f64frombits(f64bits(y) + ((uint64_t)k << 52));
}

/* Go's math.Expm1 on amd64, bit for bit */
static double
go_expm1(double x)
{
    if (isnan(x) || x == INFINITY) {
        return x;
    }
    if (x == -INFINITY) {
        return -1.0;
    }
    double absx = x;
    int sign = 0;
    if (x < 0) {
        absx = -absx;
        sign = 1;
    }
    if (absx >= XM1_LN2X56) {
        if (sign) {
            return -1.0;
        }
        if (absx >= XM1_OTHRESHOLD) {
            return INFINITY;
        }
    }
    double c = 0.0, hi, lo, t;
    int64_t k;
    if (absx > XM1_LN2HALF) {
        if (absx < XM1_LN2HALFX3) {
            if (!sign) {
                hi = x - LN2_HI;
                lo = LN2_LO;
                k = 1;
            }
            else {
                hi = x + LN2_HI;
                lo = -LN2_LO;
                k = -1;
            }
        }
        else {
            if (!sign) {
                k = (int64_t)(XM1_INVLN2 * x + 0.5);
            }
            else {
                k = (int64_t)(XM1_INVLN2 * x - 0.5);
            }
            t = (double)k;
            hi = x - t * LN2_HI;
            lo = t * LN2_LO;
        }
        x = hi - lo;
        c = (hi - x) - lo;
    }
    else if (absx < XM1_TINY) {
        return x;
    }
    else {
        k = 0;
    }
    double hfx = 0.5 * x;
    double hxs = x * hfx;
    double r1 = 1 + hxs * (XM1_Q1 + hxs * (XM1_Q2 + hxs * (XM1_Q3 + hxs * (XM1_Q4
                                                                         + hxs * XM1_Q5))));
    t = 3 - r1 * hfx;
    double e = hxs * ((r1 - t) / (6.0 - x * t));
    if (k == 0) {
        return x - (x * e - hxs);
    }
    e = x * (e - c) - c;
    e -= hxs;
    if (k == -1) {
        return 0.5 * (x - e) - 0.5;
    }
    if (k == 1) {
        if (x < -0.25) {
            return -2 * (e - (x + 0.5));
        }
        return 1 + 2 * (x - e);
    }
    double y;
    if (k <= -2 || k > 56) {
        y = 1 - (e - x);
        y = add_exponent(y, k);
        return y - 1;
    }
    if (k < 20) {
        t = f64frombits(0x3FF0000000000000ULL - (0x20000000000000ULL >> k));   /* 1 - 2**-k */
        y = t - (e - x);
        return add_exponent(y, k);
    }
    t = f64frombits((uint64_t)(0x3FF - k) << 52);                                /* 2**-k */
    y = x - (e + t);
    y += 1;
    return add_exponent(y, k);
}

#define EM_P1 1.66666666666666657415e-01
#define EM_P2 -2.77777777770155933842e-03
#define EM_P3 6.61375632143793436117e-05
#define EM_P4 -1.65339022054652515390e-06
#define EM_P5 4.13813679705723846039e-08

/* exp(hi - lo) * 2**k for |hi - lo| <= ln2/2 */
static double
expmulti(double hi, double lo, int64_t k)
{
    double r = hi - lo;
    double t = r * r;
    double c = r - t * (EM_P1 + t * (EM_P2 + t * (EM_P3 + t * (EM_P4 + t * EM_P5))));
    double y = 1 - ((lo - (r * c) / (2 - c)) - hi);
    return go_ldexp(y, k);
}

/* Go's math.Exp2 on amd64 (the portable Go code), bit for bit */
static double
go_exp2(double x)
{
    if (isnan(x) || x == INFINITY) {
        return x;
    }
    if (x == -INFINITY) {
        return 0.0;
    }
    if (x > 1.0239999999999999e+03) {
        return INFINITY;
    }
    if (x < -1.0740e+03) {
        return 0.0;
    }
    int64_t k;
    if (x > 0) {
        k = (int64_t)(x + 0.5);
    }
    else if (x < 0) {
        k = (int64_t)(x - 0.5);
    }
    else {
        k = 0;
    }
    double t = x - (double)k;
    return expmulti(t * LN2_HI, -t * LN2_LO, k);
}

/* ------------------------------------------------------------------------------------------
 * Sinh, Cosh, Tanh (over go_exp above) */

#define SH_P0 -0.6307673640497716991184787251e+6
#define SH_P1 -0.8991272022039509355398013511e+5
#define SH_P2 -0.2894211355989563807284660366e+4
#define SH_P3 -0.2630563213397497062819489e+2
#define SH_Q0 -0.6307673640497716991212077277e+6
#define SH_Q1 0.1521517378790019070696485176e+5
#define SH_Q2 -0.173678953558233699533450911e+3

/* Go's math.Sinh on amd64, bit for bit */
static double
go_sinh(double x)
{
    int sign = 0;
    if (x < 0) {
        x = -x;
        sign = 1;
    }
    double temp;
    if (x > 21) {
        temp = go_exp(x) * 0.5;
    }
    else if (x > 0.5) {
        double ex = go_exp(x);
        temp = (ex - 1 / ex) * 0.5;
    }
    else {
        double sq = x * x;
        temp = (((SH_P3 * sq + SH_P2) * sq + SH_P1) * sq + SH_P0) * x;
        temp = temp / (((sq + SH_Q2) * sq + SH_Q1) * sq + SH_Q0);
    }
    return sign ? -temp : temp;
}

/* Go's math.Cosh on amd64, bit for bit */
static double
go_cosh(double x)
{
    x = fabs(x);
    if (x > 21) {
        return go_exp(x) * 0.5;
    }
    double ex = go_exp(x);
    return (ex + 1 / ex) * 0.5;
}

#define TH_P0 -9.64399179425052238628e-1
#define TH_P1 -9.92877231001918586564e1
#define TH_P2 -1.61468768441708447952e3
#define TH_Q0 1.12811678491632931402e2
#define TH_Q1 2.23548839060100448583e3
#define TH_Q2 4.84406305325125486048e3
#define TH_HALF_MAXLOG (0.5 * 8.8029691931113054295988e+01)

/* Go's math.Tanh on amd64, bit for bit */
static double
go_tanh(double x)
{
    double z = fabs(x);
    if (z > TH_HALF_MAXLOG) {
        return x < 0 ? -1.0 : 1.0;
    }
    if (z >= 0.625) {
        double s = go_exp(2 * z);
        z = 1 - 2 / (s + 1);
        return x < 0 ? -z : z;
    }
    if (x == 0) {
        return x;
    }
    double s = x * x;
    return x + x * s * ((TH_P0 * s + TH_P1) * s + TH_P2) / (((s + TH_Q0) * s + TH_Q1) * s + TH_Q2);
}

/* ------------------------------------------------------------------------------------------
 * Python wrappers: floats (or anything PyFloat_AsDouble takes) in, a float out */

#define UNARY_WRAPPER(name)                                                   \
    static PyObject *                                                         \
    w_##name(PyObject *module, PyObject *arg)                                 \
    {                                                                         \
        double x = PyFloat_AsDouble(arg);                                     \
        if (x == -1.0 && PyErr_Occurred()) {                                  \
            return NULL;                                                      \
        }                                                                     \
        return PyFloat_FromDouble(name(x));                                   \
    }

#define BINARY_WRAPPER(name)                                                  \
    static PyObject *                                                         \
    w_##name(PyObject *module, PyObject *const *args, Py_ssize_t nargs)       \
    {                                                                         \
        if (nargs != 2) {                                                     \
            PyErr_Format(PyExc_TypeError, #name "() takes 2 arguments (%zd given)", nargs); \
            return NULL;                                                      \
        }                                                                     \
        double a = PyFloat_AsDouble(args[0]);                                 \
        if (a == -1.0 && PyErr_Occurred()) {                                  \
            return NULL;                                                      \
        }                                                                     \
        double b = PyFloat_AsDouble(args[1]);                                 \
        if (b == -1.0 && PyErr_Occurred()) {                                  \
            return NULL;                                                      \
        }                                                                     \
        return PyFloat_FromDouble(name(a, b));                                \
    }

UNARY_WRAPPER(go_exp)
UNARY_WRAPPER(go_log)
UNARY_WRAPPER(go_log10)
UNARY_WRAPPER(go_log2)
UNARY_WRAPPER(go_sin)
UNARY_WRAPPER(go_cos)
UNARY_WRAPPER(go_tan)
UNARY_WRAPPER(go_atan)
UNARY_WRAPPER(go_asin)
UNARY_WRAPPER(go_acos)
BINARY_WRAPPER(go_atan2)
BINARY_WRAPPER(go_pow)
UNARY_WRAPPER(go_log1p)
UNARY_WRAPPER(go_expm1)
UNARY_WRAPPER(go_exp2)
UNARY_WRAPPER(go_sinh)
UNARY_WRAPPER(go_cosh)
UNARY_WRAPPER(go_tanh)

static PyObject *
w_go_sincos(PyObject *module, PyObject *arg)
{
    double x = PyFloat_AsDouble(arg), s, c;
    if (x == -1.0 && PyErr_Occurred()) {
        return NULL;
    }
    go_sincos(x, &s, &c);
    return Py_BuildValue("(dd)", s, c);
}

#define UNARY_DEF(name, doc) {#name, w_##name, METH_O, #name "(x: float) -> float: " doc}
#define BINARY_DEF(name, doc) \
    {#name, (PyCFunction)(void (*)(void))w_##name, METH_FASTCALL, #name "(a: float, b: float) -> float: " doc}

static PyMethodDef methods[] = {
    UNARY_DEF(go_exp, "Go's math.Exp on amd64, bit for bit."),
    UNARY_DEF(go_log, "Go's math.Log on amd64, bit for bit."),
    UNARY_DEF(go_log10, "Go's math.Log10 on amd64, bit for bit."),
    UNARY_DEF(go_log2, "Go's math.Log2 on amd64, bit for bit."),
    UNARY_DEF(go_sin, "Go's math.Sin on amd64, bit for bit."),
    UNARY_DEF(go_cos, "Go's math.Cos on amd64, bit for bit."),
    {"go_sincos", w_go_sincos, METH_O,
     "go_sincos(x: float) -> (float, float): Go's math.Sincos on amd64, bit for bit."},
    UNARY_DEF(go_tan, "Go's math.Tan on amd64, bit for bit."),
    UNARY_DEF(go_atan, "Go's math.Atan on amd64, bit for bit."),
    UNARY_DEF(go_asin, "Go's math.Asin on amd64, bit for bit."),
    UNARY_DEF(go_acos, "Go's math.Acos on amd64, bit for bit."),
    BINARY_DEF(go_atan2, "Go's math.Atan2(y, x) on amd64, bit for bit."),
    BINARY_DEF(go_pow, "Go's math.Pow(x, y) on amd64, bit for bit."),
    UNARY_DEF(go_log1p, "Go's math.Log1p on amd64, bit for bit."),
    UNARY_DEF(go_expm1, "Go's math.Expm1 on amd64, bit for bit."),
    UNARY_DEF(go_exp2, "Go's math.Exp2 on amd64, bit for bit."),
    UNARY_DEF(go_sinh, "Go's math.Sinh on amd64, bit for bit."),
    UNARY_DEF(go_cosh, "Go's math.Cosh on amd64, bit for bit."),
    UNARY_DEF(go_tanh, "Go's math.Tanh on amd64, bit for bit."),
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef gomath_module = {
    PyModuleDef_HEAD_INIT, "tengojit._gomath", "Go's amd64 math functions, bit for bit (C).",
    -1, methods
};

PyMODINIT_FUNC
PyInit__gomath(void)
{
    PyObject *m = PyModule_Create(&gomath_module);
    if (m == NULL) {
        return NULL;
    }
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    __builtin_cpu_init();
    use_fma = __builtin_cpu_supports("avx") && __builtin_cpu_supports("fma");
#else
    use_fma = 0;
#endif
    if (PyModule_AddIntConstant(m, "has_fma", use_fma) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
