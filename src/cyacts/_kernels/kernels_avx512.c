/* The kernels for x86-64 CPUs with AVX-512 F/CD/BW/DQ/VL (x86-64-v4), 512-bit vectors. GCC and
   clang get the target from the pragma; MSVC has none and gets it from /arch:AVX512, given to
   this file alone (isas.py). */
#if defined(CYACTS_X86_DISPATCH)
#if defined(__clang__)
#pragma clang attribute push(__attribute__((target("avx512f,avx512cd,avx512bw,avx512dq,avx512vl,avx2,fma,bmi,bmi2,f16c"))), apply_to = function)
#elif defined(__GNUC__)
#pragma GCC target("avx512f,avx512cd,avx512bw,avx512dq,avx512vl,avx2,fma,bmi,bmi2,f16c,prefer-vector-width=512")
#elif defined(_MSC_VER) && !(defined(__AVX512F__) && defined(__AVX512CD__) && \
                             defined(__AVX512BW__) && defined(__AVX512DQ__) && defined(__AVX512VL__))
#error "kernels_avx512.c needs /arch:AVX512 under MSVC (the flags column of _kernels/isas.py)"
#endif
#define CYACTS_TARGET_FMA 1 /* clang's pragma gives FMA but no __FMA__ (cyacts/common.h) */
#define CYACTS_TABLE cyacts_table_avx512
#include "kernels_impl.h"
#include "reductions_impl.h" /* the reductions' table, same target */
#if defined(__clang__)
#pragma clang attribute pop
#endif
#else
typedef int cyacts__no_avx512_table; /* ISO C forbids an empty translation unit */
#endif
