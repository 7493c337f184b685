/* A counting hook on CPython's memory allocators, for allocs/op and B/op (see
 * docs/benchmarks.md, "What B/op and allocs/op mean here").
 *
 * install() wraps the current allocators of the three domains (RAW, MEM, OBJ) — the way
 * tracemalloc hooks them — and counts every successful malloc/calloc/realloc: one allocation
 * and its requested size in bytes (a realloc counts as one allocation of its new size, like
 * Go's growslice); a call made from inside another counted call (pymalloc falling back to the
 * RAW domain) is not counted again. free() is passed through uncounted. Nothing else changes: the previous
 * allocator still does the work, so blocks cross install()/uninstall() safely.
 *
 * Built on demand by benchmarks/memory.py with the system C compiler and loaded with
 * ctypes.PyDLL (the GIL is held for every call). Counters are atomic (RAW is called without
 * the GIL).
 */
#include <Python.h>
#include <stdint.h>

static PyMemAllocatorEx old_raw, old_mem, old_obj;
static volatile uint64_t n_allocs, n_bytes;
static int installed;
/* pymalloc serves large requests from the RAW domain: count only the outermost call of a thread
 * (as tracemalloc does), so one PyObject_Malloc is one allocation, not two */
static __thread int depth;

#define COUNT(size) do { __atomic_fetch_add(&n_allocs, 1, __ATOMIC_RELAXED); \
                         __atomic_fetch_add(&n_bytes, (uint64_t)(size), __ATOMIC_RELAXED); } while (0)

static void *h_malloc(void *ctx, size_t size)
{
    PyMemAllocatorEx *a = (PyMemAllocatorEx *)ctx;
    void *p;
    depth++;
    p = a->malloc(a->ctx, size);
    depth--;
    if (p != NULL && depth == 0) COUNT(size);
    return p;
}

static void *h_calloc(void *ctx, size_t nelem, size_t elsize)
{
    PyMemAllocatorEx *a = (PyMemAllocatorEx *)ctx;
    void *p;
    depth++;
    p = a->calloc(a->ctx, nelem, elsize);
    depth--;
    if (p != NULL && depth == 0) COUNT(nelem * elsize);
    return p;
}

static void *h_realloc(void *ctx, void *ptr, size_t new_size)
{
    PyMemAllocatorEx *a = (PyMemAllocatorEx *)ctx;
    void *p;
    depth++;
    p = a->realloc(a->ctx, ptr, new_size);
    depth--;
    if (p != NULL && depth == 0) COUNT(new_size);
    return p;
}

static void h_free(void *ctx, void *ptr)
{
    PyMemAllocatorEx *a = (PyMemAllocatorEx *)ctx;
    a->free(a->ctx, ptr);
}

static void hook(PyMemAllocatorDomain d, PyMemAllocatorEx *old)
{
    PyMemAllocatorEx h;
    PyMem_GetAllocator(d, old);
    h.ctx = old;
    h.malloc = h_malloc;
    h.calloc = h_calloc;
    h.realloc = h_realloc;
    h.free = h_free;
    PyMem_SetAllocator(d, &h);
}

int alloccount_install(void)
{
    if (installed) return 0;
    hook(PYMEM_DOMAIN_RAW, &old_raw);
    hook(PYMEM_DOMAIN_MEM, &old_mem);
    hook(PYMEM_DOMAIN_OBJ, &old_obj);
    installed = 1;
    return 1;
}

int alloccount_uninstall(void)
{
    if (!installed) return 0;
    PyMem_SetAllocator(PYMEM_DOMAIN_OBJ, &old_obj);
    PyMem_SetAllocator(PYMEM_DOMAIN_MEM, &old_mem);
    PyMem_SetAllocator(PYMEM_DOMAIN_RAW, &old_raw);
    installed = 0;
    return 1;
}

/* mark() then op then since_allocs()/since_bytes(): nothing Python allocates to read the
 * counters falls between the mark and the first reading */
static uint64_t mark_allocs, mark_bytes;

int alloccount_mark(void)
{
    mark_allocs = __atomic_load_n(&n_allocs, __ATOMIC_RELAXED);
    mark_bytes = __atomic_load_n(&n_bytes, __ATOMIC_RELAXED);
    return 0;
}

uint64_t alloccount_since_allocs(void) { return __atomic_load_n(&n_allocs, __ATOMIC_RELAXED) - mark_allocs; }
uint64_t alloccount_since_bytes(void) { return __atomic_load_n(&n_bytes, __ATOMIC_RELAXED) - mark_bytes; }

uint64_t alloccount_allocs(void) { return __atomic_load_n(&n_allocs, __ATOMIC_RELAXED); }
uint64_t alloccount_bytes(void) { return __atomic_load_n(&n_bytes, __ATOMIC_RELAXED); }
