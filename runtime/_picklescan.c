/* tengojit._picklescan: checks that a payload's pickle uses only what tengojit's writer
 * produces, before any of it is unpickled.
 *
 * A payload is plain data (dicts, lists, tuples, strings, bytes, numbers, None, booleans)
 * pickled with protocol 5: opcodes that build those values, MEMOIZE and the two GET opcodes.
 * Anything else is refused here: GLOBAL/REDUCE-like opcodes (also refused by the reader's
 * find_class), and the PUT opcodes, whose index sizes the unpickler's memo table (a 4-byte
 * LONG_BINPUT index makes it allocate and clear gigabytes). Every length must fit in the
 * input, every GET must name a value memoized before it, and STOP must end the input.
 *
 * scan(buffer) -> None, or raises ValueError naming the first offending opcode and offset.
 * The pure-Python twin is payload._scan_python (used when this extension is not built).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

static uint64_t
read_le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) {
        v = (v << 8) | p[i];
    }
    return v;
}

static PyObject *
refuse(const char *what, int op, Py_ssize_t at)
{
    PyErr_Format(PyExc_ValueError, "%s (opcode 0x%02x at offset %zd)", what, op, at);
    return NULL;
}

static PyObject *
scan(PyObject *module, PyObject *arg)
{
    Py_buffer view;
    if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) {
        return NULL;
    }
    const unsigned char *s = (const unsigned char *)view.buf;
    Py_ssize_t n = view.len, i = 0;
    uint64_t memo = 0;
    PyObject *result = NULL;
    while (i < n) {
        Py_ssize_t at = i;
        int op = s[i++];
        Py_ssize_t rest = n - i;
        uint64_t len = 0;
        int fixed = -1, width = 0;       /* fixed-size argument, or a length of `width` bytes */
        switch (op) {
        case 0x80: fixed = at == 0 ? 1 : -2; break;         /* PROTO, first only */
        case 0x95: fixed = 8; break;                        /* FRAME */
        case 'K': fixed = 1; break;                         /* BININT1 */
        case 'M': fixed = 2; break;                         /* BININT2 */
        case 'J': fixed = 4; break;                         /* BININT */
        case 'G': fixed = 8; break;                         /* BINFLOAT */
        case 'h': fixed = 1; break;                         /* BINGET */
        case 'j': fixed = 4; break;                         /* LONG_BINGET */
        case 0x8a: case 0x8c: case 'C': width = 1; break;   /* LONG1, SHORT_BINUNICODE/BYTES */
        case 0x8b: case 'X': case 'B': width = 4; break;    /* LONG4, BINUNICODE, BINBYTES */
        case 0x8d: case 0x8e: width = 8; break;             /* BINUNICODE8, BINBYTES8 */
        case '}': case ']': case ')': case 0x94: case '(': case 'N': case 0x88: case 0x89:
        case 0x85: case 0x86: case 0x87: case 't': case 'a': case 'e': case 's': case 'u':
        case '.':
            fixed = 0;
            break;
        default:
            result = refuse("an opcode tengojit's payloads never use", op, at);
            goto done;
        }
        if (fixed == -2) {
            result = refuse("PROTO past the start", op, at);
            goto done;
        }
        if (fixed >= 0) {
            if (rest < fixed) {
                result = refuse("truncated argument", op, at);
                goto done;
            }
            if (op == 'h' || op == 'j') {
                uint64_t idx = read_le(s + i, fixed);
                if (idx >= memo) {
                    result = refuse("a memo reference to nothing memoized", op, at);
                    goto done;
                }
            }
            else if (op == 0x95 && read_le(s + i, 8) > (uint64_t)(rest - 8)) {
                result = refuse("a frame longer than the payload", op, at);
                goto done;
            }
            i += fixed;
            if (op == 0x94) {
                memo++;
            }
            else if (op == '.') {
                if (i != n) {
                    result = refuse("data after STOP", op, at);
                    goto done;
                }
                Py_INCREF(Py_None);
                result = Py_None;
                goto done;
            }
            continue;
        }
        if (rest < width) {
            result = refuse("truncated length", op, at);
            goto done;
        }
        len = read_le(s + i, width);
        if (op == 0x8b && (len & 0x80000000u)) {
            result = refuse("a negative length", op, at);
            goto done;
        }
        if (len > (uint64_t)(rest - width)) {
            result = refuse("a length past the end of the payload", op, at);
            goto done;
        }
        i += width + (Py_ssize_t)len;
    }
    result = refuse("no STOP at the end", 0, n);
done:
    PyBuffer_Release(&view);
    return result;
}

static PyMethodDef methods[] = {
    {"scan", scan, METH_O,
     "scan(buffer): None if the pickle uses only the opcodes of tengojit's payloads, with "
     "lengths and memo references in bounds; else ValueError."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "tengojit._picklescan",
    "Checks a payload's pickle before it is unpickled (see payload.py).", -1, methods,
};

PyMODINIT_FUNC
PyInit__picklescan(void)
{
    return PyModule_Create(&module);
}
