/*
 * tengojit._gomath: Go's math.Exp on amd64, in C.
 *
 * Go's Exp on amd64 is an assembly routine (a Taylor polynomial of r/16 squared back four
 * times, after k = round(x*log2(e)) and r = x - k*ln2 in two parts) with two variants chosen
 * once per process: fused multiply-adds when the CPU has AVX and FMA, separate multiplies and
 * adds otherwise. Their last bits differ, so this module picks the variant the same way
 * (``has_fma``) and computes every step in the same order: fma() where Go fuses, plain
 * operations elsewhere (the extension is built with -ffp-contract=off so the C compiler fuses
 * nothing itself). ``runtime/stdlib/gomath_explog.py`` holds the same algorithm in Python and
 * is used when this extension is not built.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdint.h>

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

static PyObject *
py_exp(PyObject *module, PyObject *arg)
{
    double x = PyFloat_AsDouble(arg);
    if (x == -1.0 && PyErr_Occurred()) {
        return NULL;
    }
    return PyFloat_FromDouble(go_exp(x));
}

static PyMethodDef methods[] = {
    {"go_exp", py_exp, METH_O, "go_exp(x: float) -> float: Go's math.Exp on amd64, bit for bit."},
    {NULL, NULL, 0, NULL}
};

static struct PyModuleDef gomath_module = {
    PyModuleDef_HEAD_INIT, "tengojit._gomath", "Go's amd64 math.Exp (C).", -1, methods
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
