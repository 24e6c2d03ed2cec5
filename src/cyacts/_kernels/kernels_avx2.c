/* The kernels for x86-64 CPUs with AVX2 and FMA (x86-64-v3). */
#if defined(CYACTS_X86_DISPATCH)
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx2,fma,bmi,bmi2,f16c"))), apply_to = function)
#else
#pragma GCC target("avx2,fma,bmi,bmi2,f16c")
#endif
#define CYACTS_TABLE cyacts_table_avx2
#include "kernels_impl.h"
#if defined(__clang__)
#pragma clang attribute pop
#endif
#else
typedef int cyacts__no_avx2_table; /* ISO C forbids an empty translation unit */
#endif
