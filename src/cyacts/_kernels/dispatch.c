/*
 * Picks the kernel table once, at import: the widest instruction set both the CPU and the
 * operating system support (the compiler's __builtin_cpu_supports checks both), or a lower one
 * when asked (CYACTS_SIMD, for testing every path on one machine).
 *
 * The instruction sets are rows of one table, lowest first: a new one (NEON/SVE, AVX-512 FP16)
 * is a row here, a kernels_<isa>.c that sets the target and includes kernels_impl.h, and its
 * entry in isas.py (the source list setup.py and the tests read).
 */
#include <string.h>
#include "kernels.h"

extern const cyacts_table cyacts_table_baseline;
#if defined(CYACTS_X86_DISPATCH)
extern const cyacts_table cyacts_table_avx2;
extern const cyacts_table cyacts_table_avx512;
#endif

#if defined(__aarch64__) || defined(_M_ARM64)
#define CYACTS__BASELINE_NAME "neon"
#else
#define CYACTS__BASELINE_NAME "baseline"
#endif

static int cyacts__always(void) { return 1; }

#if defined(CYACTS_X86_DISPATCH)
static int cyacts__has_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

static int cyacts__has_avx512(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx512cd");
}
#endif

typedef struct {
    const char *name;
    const cyacts_table *table;
    int (*detect)(void); /* whether this CPU and OS run the table */
} cyacts__isa;

static const cyacts__isa cyacts__isas[] = {
    {CYACTS__BASELINE_NAME, &cyacts_table_baseline, cyacts__always},
#if defined(CYACTS_X86_DISPATCH)
    {"avx2", &cyacts_table_avx2, cyacts__has_avx2},
    {"avx512", &cyacts_table_avx512, cyacts__has_avx512},
#endif
};
#define CYACTS__N_ISAS (sizeof cyacts__isas / sizeof cyacts__isas[0])

/* Each row needs the rows before it (a CPU with AVX-512 has AVX2): the best is the last row
   whose detect succeeds on a run of successes from the baseline. */
static size_t cyacts__best(void) {
    size_t i = 0;
    while (i + 1 < CYACTS__N_ISAS && cyacts__isas[i + 1].detect()) ++i;
    return i;
}

const char *cyacts_available_levels(void) {
    static char names[128];
    size_t best = cyacts__best(), i;
    names[0] = '\0';
    for (i = 0; i <= best; ++i) {
        if (i) strcat(names, " ");
        strcat(names, cyacts__isas[i].name);
    }
    return names;
}

const cyacts_table *cyacts_select_table(const char *requested, const char **level) {
    size_t best = cyacts__best(), want = best, i;
    if (requested && requested[0]) {
        want = 0; /* an unknown name gets the baseline */
        for (i = 0; i < CYACTS__N_ISAS; ++i)
            if (strcmp(requested, cyacts__isas[i].name) == 0) want = i;
        if (want > best) want = best;
    }
    *level = cyacts__isas[want].name;
    return cyacts__isas[want].table;
}

#define CYACTS__GRAIN(OP, name, shape, grain) grain,
static const size_t cyacts__grains[CYACTS_N_OPS] = {CYACTS_OPS(CYACTS__GRAIN)};

size_t cyacts_grain(int op) { return cyacts__grains[op]; }
