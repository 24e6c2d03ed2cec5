/*
 * Picks the kernel table once, at import: the widest instruction set both the CPU and the
 * operating system support (the compiler's __builtin_cpu_supports checks both), or a lower one
 * when asked (CYACTS_SIMD, for testing every path on one machine).
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

static int cyacts__best_level(void) {
#if defined(CYACTS_X86_DISPATCH)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512cd"))
        return 2;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 1;
#endif
    return 0;
}

const char *cyacts_available_levels(void) {
    switch (cyacts__best_level()) {
    case 2: return CYACTS__BASELINE_NAME " avx2 avx512";
    case 1: return CYACTS__BASELINE_NAME " avx2";
    default: return CYACTS__BASELINE_NAME;
    }
}

const cyacts_table *cyacts_select_table(const char *requested, const char **level) {
    int best = cyacts__best_level();
    int want = best;
    if (requested && requested[0]) {
        if (strcmp(requested, "avx512") == 0) want = 2;
        else if (strcmp(requested, "avx2") == 0) want = 1;
        else want = 0;
    }
    if (want > best) want = best;
#if defined(CYACTS_X86_DISPATCH)
    if (want == 2) { *level = "avx512"; return &cyacts_table_avx512; }
    if (want == 1) { *level = "avx2"; return &cyacts_table_avx2; }
#endif
    *level = CYACTS__BASELINE_NAME;
    return &cyacts_table_baseline;
}

#define CYACTS__GRAIN(OP, name, shape, grain) grain,
static const size_t cyacts__grains[CYACTS_N_OPS] = {CYACTS_OPS(CYACTS__GRAIN)};

size_t cyacts_grain(int op) { return cyacts__grains[op]; }
