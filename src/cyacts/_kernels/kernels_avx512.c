/* The kernels for x86-64 CPUs with AVX-512 F/CD/BW/DQ/VL (x86-64-v4), 512-bit vectors. */
#if defined(CYACTS_X86_DISPATCH)
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512cd,avx512bw,avx512dq,avx512vl,avx2,fma,bmi,bmi2,f16c"))), apply_to = function)
#else
#pragma GCC target("avx512f,avx512cd,avx512bw,avx512dq,avx512vl,avx2,fma,bmi,bmi2,f16c,prefer-vector-width=512")
#endif
#define CYACTS_TABLE cyacts_table_avx512
#include "kernels_impl.h"
#if defined(__clang__)
#pragma clang attribute pop
#endif
#else
typedef int cyacts__no_avx512_table; /* ISO C forbids an empty translation unit */
#endif
