/* The kernels for any CPU of the architecture (SSE2 on x86-64, NEON on arm64). */
#define CYACTS_TABLE cyacts_table_baseline
#include "kernels_impl.h"
#include "reductions_impl.h" /* the reductions' table, same target */
