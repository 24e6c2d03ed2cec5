/* The kernels for x86-64 CPUs with AVX2 and FMA (x86-64-v3). GCC and clang get the target from
   the pragma; MSVC has none and gets it from /arch:AVX2, given to this file alone (isas.py). */
#if defined(CYACTS_X86_DISPATCH)
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,bmi,bmi2,f16c"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC target("avx2,fma,bmi,bmi2,f16c")
#elif defined(_MSC_VER) && !defined(__AVX2__)
#error "kernels_avx2.c needs /arch:AVX2 under MSVC (the flags column of _kernels/isas.py)"
#endif
#define CYACTS_TARGET_FMA 1 /* clang's pragma gives FMA but no __FMA__ (cyacts/common.h) */
#define CYACTS_TABLE cyacts_table_avx2
#include "kernels_impl.h"
#include "reductions_impl.h" /* the reductions' table, same target */
#if defined(__clang__)
#pragma clang attribute pop
#endif
#else
typedef int cyacts__no_avx2_table; /* ISO C forbids an empty translation unit */
#endif
