/*
 * Picks the kernel table once, at import: the widest instruction set both the CPU and the
 * operating system support, or a lower one when asked (CYACTS_SIMD, for testing every path on
 * one machine). GCC and clang detect with __builtin_cpu_supports, which checks both; MSVC has
 * no such builtin and reads CPUID and XCR0 itself (cyacts_x86_cpu_levels).
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

/* What each x86-64 table above the baseline needs, lowest first: the instructions its target
   enables (kernels_<isa>.c), from CPUID leaf 1 ECX and leaf 7 EBX, and the register state the
   OS must save on a context switch, from XCR0 (without it the instructions fault). */
#define CYACTS__BIT(n) (UINT32_C(1) << (n))
/* CPUID.1:ECX */
#define CYACTS__FMA CYACTS__BIT(12)
#define CYACTS__OSXSAVE CYACTS__BIT(27) /* the OS set CR4.OSXSAVE: XGETBV may be executed */
#define CYACTS__AVX CYACTS__BIT(28)
#define CYACTS__F16C CYACTS__BIT(29)
/* CPUID.(7,0):EBX */
#define CYACTS__BMI1 CYACTS__BIT(3)
#define CYACTS__AVX2 CYACTS__BIT(5)
#define CYACTS__BMI2 CYACTS__BIT(8)
#define CYACTS__AVX512F CYACTS__BIT(16)
#define CYACTS__AVX512DQ CYACTS__BIT(17)
#define CYACTS__AVX512CD CYACTS__BIT(28)
#define CYACTS__AVX512BW CYACTS__BIT(30)
#define CYACTS__AVX512VL CYACTS__BIT(31)
/* XCR0: XMM (bit 1) and YMM (2) state; opmask (5), ZMM_Hi256 (6) and Hi16_ZMM (7) state */
#define CYACTS__XCR0_YMM UINT64_C(0x06)
#define CYACTS__XCR0_ZMM UINT64_C(0xe0)

static const struct {
    uint32_t leaf1_ecx, leaf7_ebx;
    uint64_t xcr0;
} cyacts__x86_needs[] = {
    /* avx2: avx2, fma, bmi, bmi2, f16c */
    {CYACTS__FMA | CYACTS__OSXSAVE | CYACTS__AVX | CYACTS__F16C,
     CYACTS__BMI1 | CYACTS__AVX2 | CYACTS__BMI2, CYACTS__XCR0_YMM},
    /* avx512: the same and avx512 f, cd, bw, dq, vl */
    {CYACTS__FMA | CYACTS__OSXSAVE | CYACTS__AVX | CYACTS__F16C,
     CYACTS__BMI1 | CYACTS__AVX2 | CYACTS__BMI2 | CYACTS__AVX512F | CYACTS__AVX512DQ |
         CYACTS__AVX512CD | CYACTS__AVX512BW | CYACTS__AVX512VL,
     CYACTS__XCR0_YMM | CYACTS__XCR0_ZMM},
};

int cyacts_x86_levels(uint32_t leaf1_ecx, uint32_t leaf7_ebx, uint64_t xcr0) {
    int n = 0;
    while (n < (int)(sizeof cyacts__x86_needs / sizeof cyacts__x86_needs[0]) &&
           (leaf1_ecx & cyacts__x86_needs[n].leaf1_ecx) == cyacts__x86_needs[n].leaf1_ecx &&
           (leaf7_ebx & cyacts__x86_needs[n].leaf7_ebx) == cyacts__x86_needs[n].leaf7_ebx &&
           (xcr0 & cyacts__x86_needs[n].xcr0) == cyacts__x86_needs[n].xcr0)
        ++n;
    return n;
}

#if defined(CYACTS_X86_DISPATCH)
#if defined(_MSC_VER)
#include <intrin.h>
static void cyacts__cpuid(uint32_t leaf, uint32_t subleaf, uint32_t regs[4]) {
    int r[4], i;
    __cpuidex(r, (int)leaf, (int)subleaf); /* r: EAX, EBX, ECX, EDX */
    for (i = 0; i < 4; ++i) regs[i] = (uint32_t)r[i];
}
static uint64_t cyacts__xcr0(void) { return _xgetbv(0); }
#else
#include <cpuid.h>
static void cyacts__cpuid(uint32_t leaf, uint32_t subleaf, uint32_t regs[4]) {
    __cpuid_count(leaf, subleaf, regs[0], regs[1], regs[2], regs[3]);
}
static uint64_t cyacts__xcr0(void) {
    uint32_t lo, hi;
    __asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((uint64_t)hi << 32) | lo;
}
#endif

int cyacts_x86_cpu_levels(void) {
    uint32_t leaf0[4], leaf1[4] = {0, 0, 0, 0}, leaf7[4] = {0, 0, 0, 0};
    cyacts__cpuid(0, 0, leaf0);
    if (leaf0[0] >= 1) cyacts__cpuid(1, 0, leaf1);
    if (leaf0[0] >= 7) cyacts__cpuid(7, 0, leaf7);
    /* XGETBV faults unless the OS enabled it (OSXSAVE) */
    return cyacts_x86_levels(leaf1[2], leaf7[1],
                             (leaf1[2] & CYACTS__OSXSAVE) ? cyacts__xcr0() : 0);
}

#if defined(_MSC_VER)
static int cyacts__has_avx2(void) { return cyacts_x86_cpu_levels() >= 1; }
static int cyacts__has_avx512(void) { return cyacts_x86_cpu_levels() >= 2; }
#else
/* Not cyacts_x86_cpu_levels: macOS enables the ZMM state of a thread at its first AVX-512
   instruction, so XCR0 lacks it until then; the compiler runtime knows that. */
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
#else
int cyacts_x86_cpu_levels(void) { return -1; }
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

/* The reductions' tables (reductions.h), one per row of cyacts__isas, picked by the level's
   name that cyacts_select_table gave. */
#include "reductions.h"
extern const cyacts_reduce_table cyacts_table_baseline_reduce;
#if defined(CYACTS_X86_DISPATCH)
extern const cyacts_reduce_table cyacts_table_avx2_reduce;
extern const cyacts_reduce_table cyacts_table_avx512_reduce;
#endif

const cyacts_reduce_table *cyacts_select_reduce_table(const char *level) {
#if defined(CYACTS_X86_DISPATCH)
    if (strcmp(level, "avx512") == 0) return &cyacts_table_avx512_reduce;
    if (strcmp(level, "avx2") == 0) return &cyacts_table_avx2_reduce;
#endif
    (void)level;
    return &cyacts_table_baseline_reduce;
}
