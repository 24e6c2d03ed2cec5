/*
 * Runs every entry of the kernel table (kernels_impl.h, one row per op of CYACTS_OPS) on the
 * inputs in DIR and writes the results, for scripts/check_cross_isa.sh to compare across
 * builds for different instruction sets.
 *
 *   driver DIR OUT [--no-check-16] [DTYPE...]     DTYPE: f32, f64, f16, bf16 (default: all)
 *
 * DIR holds, per dtype (x.f32, x.f64, x.f16, x.bf16, ...; raw native bytes, the 16-bit ones as
 * bit patterns), x, grad_output (g), the per-element alpha (a) and the gated units' value (v),
 * all of one length, and a bias (b) as long or shorter; and `params`, one line "kernel p0 p1"
 * for every kernel whose calling shape reads scalar parameters (as text). OUT.<dtype> gets the
 * results of every (kernel, variant, output) one after another, in the order of the lines
 * printed on stdout: "dtype name shape variant output length". The variants: with and without
 * grad_output where the shape takes one, each with and without the bias; the outputs: y, or
 * grad_gate and grad_value for the gated derivatives. Only the ungated kernels' plain calls
 * (no grad_output, no bias) run over all of x; the other variants and the gated kernels run
 * over the bias's length: each adds IEEE operations (x + bias, grad_output times, value times)
 * around element functions whose bits the plain calls show on every input, and compare.py
 * checks them against the plain calls' results bit for bit.
 * f32 and f64 also run the reductions (softmax and its kin, below: OUT.sm.<dtype>, lines
 * beginning "sm").
 *
 * Slots a shape does not use get NULL (a read or write through one crashes), and scalar
 * parameters it does not read get NaN. Each variant is also run again over a misaligned copy
 * of its first elements in chunks of ragged lengths (vector bodies, peeled heads and scalar
 * tails at every offset); a result that differs from the one-call result is reported on
 * stderr and makes the exit status 1. So is a result with the bias that is not the kernel's
 * result on x + bias rounded to the dtype (the sum formed here), and a 16-bit result that is
 * not the float32 kernel's on the inputs widened by common.h's conversions, rounded back by
 * them (NaN as NaN), unless --no-check-16: one build checking that is enough when every build
 * gives it the same bits.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CYACTS_TABLE cyacts_check_table
#include "kernels_impl.h"
#include "reductions_impl.h" /* cyacts_check_table_reduce */

/* How each calling shape of kernels.h uses the uniform signature: the auxiliary slot (1 or 2,
   0 for none) holding grad_output, the one holding the per-element alpha, the one holding
   the gated units' value, how many scalar parameters it reads, its outputs (2: y and y2). A
   shape added to kernels.h without a row here fails to compile. */
struct shape_use { int grad_slot, alpha_slot, value_slot, n_params, n_outputs; };
#define SHAPE_MAP              {0, 0, 0, 0, 1}
#define SHAPE_MAP_PARAM        {0, 0, 0, 1, 1}
#define SHAPE_MAP_PARAM2       {0, 0, 0, 2, 1}
#define SHAPE_MAP_ARRAY        {0, 1, 0, 0, 1}
#define SHAPE_GRAD             {1, 0, 0, 0, 1}
#define SHAPE_GRAD_PARAM       {1, 0, 0, 1, 1}
#define SHAPE_GRAD_PARAM2      {1, 0, 0, 2, 1}
#define SHAPE_GRAD_ARRAY       {1, 2, 0, 0, 1}
#define SHAPE_GATED            {0, 0, 1, 0, 1}
#define SHAPE_GATED_PARAM      {0, 0, 1, 1, 1}
#define SHAPE_GATED_GRAD       {2, 0, 1, 0, 2}
#define SHAPE_GATED_GRAD_PARAM {2, 0, 1, 1, 2}

struct op { const char *name, *shape; struct shape_use use; };
#define OP_ROW(OP, name, shape, grain) {#name, #shape, SHAPE_##shape},
static const struct op ops[CYACTS_N_OPS] = {CYACTS_OPS(OP_ROW)};

/* the names of the outputs y and y2 in the manifest */
static const char *output_name(const struct shape_use *u, int k)
{
    return u->n_outputs == 1 ? "y" : k == 0 ? "grad_gate" : "grad_value";
}

/* the scalar parameters of each kernel, from DIR/params */
static double params[CYACTS_N_OPS][2];

/* the re-run over chunks: this many leading elements, chunk lengths cycling 1..CHUNK_MAX */
#define RAGGED_N 65536
#define CHUNK_MAX 67

static int failures = 0;
static int check_16 = 1;

static void *read_file(const char *dir, const char *name, size_t *bytes)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *p = malloc((size_t)size + 64);
    if (!p || fread(p, 1, (size_t)size, f) != (size_t)size) { perror(path); exit(2); }
    fclose(f);
    *bytes = (size_t)size;
    return p;
}

static void read_params(const char *dir)
{
    size_t bytes;
    char *text = read_file(dir, "params", &bytes), *line, *end;
    int seen[CYACTS_N_OPS] = {0};
    text[bytes] = '\0';
    for (line = text; *line; line = end + (*end != '\0')) {
        char name[128];
        double p0, p1;
        int op;
        end = line + strcspn(line, "\n");
        if (end == line) continue;
        if (sscanf(line, "%127s %lf %lf", name, &p0, &p1) != 3) {
            fprintf(stderr, "%s/params: a line is not \"kernel p0 p1\"\n", dir);
            exit(2);
        }
        for (op = 0; op < CYACTS_N_OPS && strcmp(ops[op].name, name) != 0; ++op) {}
        if (op == CYACTS_N_OPS) {
            fprintf(stderr, "%s/params: %s is not a kernel of the table\n", dir, name);
            exit(2);
        }
        params[op][0] = p0;
        params[op][1] = p1;
        seen[op] = 1;
    }
    for (int op = 0; op < CYACTS_N_OPS; ++op)
        if (ops[op].use.n_params && !seen[op]) {
            fprintf(stderr, "%s/params: no line for %s (%s reads %d scalars)\n", dir,
                    ops[op].name, ops[op].shape, ops[op].use.n_params);
            exit(2);
        }
    free(text);
}

static void write_all(FILE *f, const void *p, size_t bytes)
{
    if (fwrite(p, 1, bytes, f) != bytes) { perror("write"); exit(2); }
}

/* NaN tests on the stored element types (16-bit ones as bit patterns) */
#define ISNAN_FLOAT(v) ((v) != (v))
#define ISNAN_F16(v) (((v) & 0x7FFF) > 0x7C00)
#define ISNAN_BF16(v) (((v) & 0x7FFF) > 0x7F80)

/* x + bias as the dtype defines it: the sum rounded once (16-bit: formed in float32, whose
   sum of two 16-bit values rounds to the correctly rounded 16-bit sum) */
#define ADD_FLOAT(a, b) ((a) + (b))
#define ADD_f16(a, b) cyacts_f32_to_f16(cyacts_f16_to_f32(a) + cyacts_f16_to_f32(b))
#define ADD_bf16(a, b) cyacts_f32_to_bf16(cyacts_bf16_to_f32(a) + cyacts_bf16_to_f32(b))

/* How many of a[0..n) and b[0..n) differ in their bits, both NaN counting as equal
   (compare.py's rule). */
#define COUNT_DIFFERENT(name, T, ISNAN)                                                       \
    static size_t name(const T *a, const T *b, size_t n)                                      \
    {                                                                                         \
        size_t i, bad = 0;                                                                    \
        for (i = 0; i < n; ++i)                                                               \
            bad += memcmp(a + i, b + i, sizeof(T)) != 0 && !(ISNAN(a[i]) && ISNAN(b[i]));     \
        return bad;                                                                           \
    }
COUNT_DIFFERENT(different_f32, float, ISNAN_FLOAT)
COUNT_DIFFERENT(different_f64, double, ISNAN_FLOAT)
COUNT_DIFFERENT(different_f16, uint16_t, ISNAN_F16)
COUNT_DIFFERENT(different_bf16, uint16_t, ISNAN_BF16)

/* Reports the outputs (y, and y2 for two) of a variant that differ from what they must be. */
#define REPORT_DIFFERENT(DIFF, op, sfx, variant, got, want, got2, want2, n, what)             \
    do {                                                                                      \
        for (int k_ = 0; k_ < ops[op].use.n_outputs; ++k_) {                                  \
            size_t bad_ = k_ ? DIFF(got2, want2, n) : DIFF(got, want, n);                     \
            if (bad_) {                                                                       \
                fprintf(stderr, "%s %s %s %s: %zu of %zu results differ from %s\n",          \
                        ops[op].name, sfx, variant, output_name(&ops[op].use, k_), bad_,      \
                        (size_t)(n), what);                                                   \
                failures = 1;                                                                 \
            }                                                                                 \
        }                                                                                     \
    } while (0)

/* The 16-bit kernel's results (y, y2) are the float32 kernel's on the widened inputs, rounded;
   x is the input the kernel saw (with a bias: x + bias, rounded to the 16-bit format). */
#define CHECK_16(sfx)                                                                         \
    static void check_##sfx(int op, const uint16_t *x, const uint16_t *const *aux,           \
                            const uint16_t *y, const uint16_t *y2, size_t n, float p0,        \
                            float p1, const char *variant)                                    \
    {                                                                                         \
        float *w[3], *wy = malloc(n * sizeof(float)), *wy2 = malloc(n * sizeof(float));       \
        uint16_t *want = malloc(n * sizeof(uint16_t)), *want2 = malloc(n * sizeof(uint16_t)); \
        const uint16_t *in[3] = {x, aux[1], aux[2]};                                          \
        size_t i;                                                                             \
        for (int k = 0; k < 3; ++k) {                                                         \
            w[k] = in[k] ? malloc(n * sizeof(float)) : NULL;                                  \
            for (i = 0; in[k] && i < n; ++i) w[k][i] = cyacts_##sfx##_to_f32(in[k][i]);      \
        }                                                                                     \
        cyacts_check_table.f32[op](w[0], w[1], w[2], NULL, wy, y2 ? wy2 : NULL, n, p0, p1);   \
        for (i = 0; i < n; ++i) want[i] = cyacts_f32_to_##sfx(wy[i]);                         \
        for (i = 0; y2 && i < n; ++i) want2[i] = cyacts_f32_to_##sfx(wy2[i]);                 \
        REPORT_DIFFERENT(different_##sfx, op, #sfx, variant, y, want, y2, want2, n,           \
                         "the float32 kernel's, rounded");                                    \
        for (int k = 0; k < 3; ++k) free(w[k]);                                               \
        free(wy); free(wy2); free(want); free(want2);                                         \
    }
CHECK_16(f16)
CHECK_16(bf16)
#define POST_NONE(op, x, aux, y, y2, n, p0, p1, variant) (void)0
#define POST_f16 check_f16
#define POST_bf16 check_bf16

/* Every dtype from one body: T the element type, K the kernel type, sfx its table member, P
   the type of the scalar parameters, ADD its x + bias, POST a check of each variant's results
   (or POST_NONE). */
#define RUN_DTYPE(T, K, sfx, P, ADD, POST)                                                    \
    static void run_##sfx(const char *dir, const char *out)                                   \
    {                                                                                         \
        size_t bx, bg, ba, bv, bb;                                                            \
        const T *x = read_file(dir, "x." #sfx, &bx);                                          \
        const T *g = read_file(dir, "g." #sfx, &bg);                                          \
        const T *a = read_file(dir, "a." #sfx, &ba);                                          \
        const T *v = read_file(dir, "v." #sfx, &bv);                                          \
        const T *b = read_file(dir, "b." #sfx, &bb);                                          \
        size_t n = bx / sizeof(T), nb = bb / sizeof(T), i;                                    \
        if (bg != bx || ba != bx || bv != bx || bb > bx) {                                    \
            fprintf(stderr, "%s: the %s inputs' lengths differ\n", dir, #sfx);                \
            exit(2);                                                                          \
        }                                                                                     \
        size_t nr = n < RAGGED_N ? n : RAGGED_N;                                              \
        T *y = malloc(n * sizeof(T)), *y2 = malloc(n * sizeof(T));                            \
        T *xb = malloc(nb * sizeof(T)); /* x + bias, rounded */                               \
        for (i = 0; i < nb; ++i) xb[i] = ADD(x[i], b[i]);                                     \
        /* one element past 64-byte alignment, so no chunk starts aligned by accident */      \
        T *mem = (T *)malloc((5 * nr + 16) * sizeof(T) + 64);                                 \
        T *base = (T *)(((uintptr_t)mem + 63) & ~(uintptr_t)63) + 1;                          \
        T *rx = base, *ra = base + nr, *rg = base + 2 * nr, *rv = base + 3 * nr;              \
        T *rb = base + 4 * nr;                                                                \
        T *ry = malloc(nr * sizeof(T)), *ry2 = malloc(nr * sizeof(T));                        \
        memcpy(rx, x, nr * sizeof(T));                                                        \
        memcpy(ra, a, nr * sizeof(T));                                                        \
        memcpy(rg, g, nr * sizeof(T));                                                        \
        memcpy(rv, v, nr * sizeof(T));                                                        \
        memcpy(rb, b, (nr < nb ? nr : nb) * sizeof(T));                                       \
        char path[4096];                                                                      \
        snprintf(path, sizeof path, "%s.%s", out, #sfx);                                      \
        FILE *f = fopen(path, "wb");                                                          \
        if (!f) { perror(path); exit(2); }                                                    \
        for (int op = 0; op < CYACTS_N_OPS; ++op) {                                           \
            struct shape_use u = ops[op].use;                                                 \
            K kernel = cyacts_check_table.sfx[op];                                            \
            P p0 = u.n_params >= 1 ? (P)params[op][0] : (P)NAN;                               \
            P p1 = u.n_params >= 2 ? (P)params[op][1] : (P)NAN;                               \
            for (int variant_no = 0; variant_no < (u.grad_slot ? 4 : 2); ++variant_no) {      \
                int with_bias = variant_no >= (u.grad_slot ? 2 : 1);                          \
                int with_grad = u.grad_slot && variant_no % 2;                                \
                const T *aux[3] = {NULL, NULL, NULL}, *raux[3] = {NULL, NULL, NULL};          \
                if (with_grad) { aux[u.grad_slot] = g; raux[u.grad_slot] = rg; }              \
                if (u.alpha_slot) { aux[u.alpha_slot] = a; raux[u.alpha_slot] = ra; }         \
                if (u.value_slot) { aux[u.value_slot] = v; raux[u.value_slot] = rv; }         \
                size_t m = with_bias || with_grad || u.value_slot ? nb : n;                   \
                size_t mr = m < nr ? m : nr;                                                  \
                T *out2 = u.n_outputs == 2 ? y2 : NULL, *rout2 = out2 ? ry2 : NULL;           \
                kernel(x, aux[1], aux[2], with_bias ? b : NULL, y, out2, m, p0, p1);          \
                write_all(f, y, m * sizeof(T));                                               \
                if (out2) write_all(f, y2, m * sizeof(T));                                    \
                char name[80] = "";                                                           \
                if (u.alpha_slot) strcat(name, "+alpha");                                     \
                if (u.value_slot) strcat(name, "+value");                                     \
                if (with_grad) strcat(name, "+grad_output");                                  \
                if (u.n_params >= 1) strcat(name, "+p0");                                     \
                if (u.n_params >= 2) strcat(name, "+p1");                                     \
                if (with_bias) strcat(name, "+bias");                                         \
                const char *variant = name[0] ? name + 1 : "x";                               \
                for (int k = 0; k < u.n_outputs; ++k)                                         \
                    printf("%s %s %s %s %s %zu\n", #sfx, ops[op].name, ops[op].shape,         \
                           variant, output_name(&u, k), m);                                   \
                if (check_16) POST(op, with_bias ? xb : x, aux, y, out2, m, p0, p1, variant);  \
                size_t len = 1;                                                               \
                for (i = 0; i < mr; i += len, len = len % CHUNK_MAX + 1) {                    \
                    size_t c = mr - i < len ? mr - i : len;                                   \
                    kernel(rx + i, raux[1] ? raux[1] + i : NULL, raux[2] ? raux[2] + i : NULL, \
                           with_bias ? rb + i : NULL, ry + i, rout2 ? rout2 + i : NULL, c,    \
                           p0, p1);                                                           \
                }                                                                             \
                REPORT_DIFFERENT(different_##sfx, op, #sfx, variant, ry, y, ry2, y2, mr,     \
                                 "the one-call results when computed in misaligned chunks");  \
                if (with_bias) { /* the bias's contract, on the first elements */             \
                    kernel(xb, aux[1], aux[2], NULL, ry, rout2, mr, p0, p1);                  \
                    REPORT_DIFFERENT(different_##sfx, op, #sfx, variant, y, ry, y2, ry2, mr, \
                                     "the kernel's on x + bias");                             \
                }                                                                             \
            }                                                                                 \
        }                                                                                     \
        if (fclose(f) != 0) { perror(path); exit(2); }                                        \
        free((void *)x); free((void *)g); free((void *)a); free((void *)v); free((void *)b);  \
        free(y); free(y2); free(xb); free(mem); free(ry); free(ry2);                          \
    }
RUN_DTYPE(float, cyacts_kernel_f32, f32, float, ADD_FLOAT, POST_NONE)
RUN_DTYPE(double, cyacts_kernel_f64, f64, double, ADD_FLOAT, POST_NONE)
RUN_DTYPE(uint16_t, cyacts_kernel_16, f16, float, ADD_f16, POST_f16)
RUN_DTYPE(uint16_t, cyacts_kernel_16, bf16, float, ADD_bf16, POST_bf16)

/* ---- the reductions (reductions.h): softmax, log_softmax, logsumexp and the derivatives --
 * DIR/sx.<dtype> holds SM_ROWS x SM_COLS row-major inputs then one long row of SM_LONG;
 * sy/sl the softmax/log_softmax of them (the derivatives' y), sg grad_output. OUT.sm.<dtype>
 * gets, per op, the rows' results (SM_ROWS values for logsumexp) then the long row's (one
 * value for logsumexp). Each build also checks that the column-tile kernel on the transposed
 * rows, and the long row cut into two pieces at a block boundary (maximum, block sums,
 * constants, map: what the driver of the extension does with threads), give the same bits. */
#define SM_ROWS 256
#define SM_COLS 1000
#define SM_LONG (3 * CYACTS_SM_BLOCK + 123)
static const char *sm_names[] = {
#define SM_NAME(OP, name) #name,
    CYACTS_REDUCTIONS(SM_NAME)
#undef SM_NAME
};
/* the derivatives (name ending in _grad) read y and grad_output */
static int sm_is_grad(const char *name)
{
    size_t n = strlen(name);
    return n > 5 && strcmp(name + n - 5, "_grad") == 0;
}

#define SM_RUN(T, sfx, ISNAN)                                                                  \
    static void sm_run_##sfx(const char *dir, const char *out)                                 \
    {                                                                                          \
        size_t bx, by, bl, bg, rows = SM_ROWS, cols = SM_COLS, nr = rows * cols;               \
        const T *sx = read_file(dir, "sx." #sfx, &bx), *sy = read_file(dir, "sy." #sfx, &by);  \
        const T *sl = read_file(dir, "sl." #sfx, &bl), *sg = read_file(dir, "sg." #sfx, &bg); \
        T *y = malloc((nr + SM_LONG) * sizeof(T)), *y2 = malloc((nr + SM_LONG) * sizeof(T));   \
        T *xt = malloc(nr * sizeof(T)), *gt = malloc(nr * sizeof(T)), *yt = malloc(nr * sizeof(T)); \
        double *parts = malloc(2 * (SM_LONG / CYACTS_SM_BLOCK + 1) * sizeof(double));         \
        char path[4096];                                                                       \
        snprintf(path, sizeof path, "%s.sm.%s", out, #sfx);                                    \
        FILE *f = fopen(path, "wb");                                                           \
        if (!f || bx != (nr + SM_LONG) * sizeof(T) || by != bx || bl != bx || bg != bx) {      \
            fprintf(stderr, "%s: reduction inputs missing or of the wrong size\n", dir);       \
            exit(2);                                                                           \
        }                                                                                      \
        for (int op = 0; op < CYACTS_N_REDUCTIONS; ++op) {                                     \
            const cyacts_reduce_table *t = &cyacts_check_table_reduce;                         \
            int grad = sm_is_grad(sm_names[op]), reduces = strcmp(sm_names[op], "logsumexp") == 0;          \
            const T *x = !grad ? sx : strcmp(sm_names[op], "softmax_grad") == 0 ? sy : sl;     \
            const T *a = grad ? sg : NULL;                                                     \
            size_t nout = reduces ? rows : nr, nlong = reduces ? 1 : SM_LONG, i, j, bad = 0;   \
            t->rows_##sfx[op](x, a, y, rows, cols, (ptrdiff_t)cols, (ptrdiff_t)cols,            \
                              reduces ? 1 : (ptrdiff_t)cols);                                  \
            t->rows_##sfx[op](x + nr, a ? a + nr : NULL, y + nout, 1, SM_LONG, 0, 0, 0);       \
            write_all(f, y, (nout + nlong) * sizeof(T));                                       \
            printf("sm %s %s %zu %zu\n", #sfx, sm_names[op], nout, nlong);                        \
            /* the same rows as columns: x transposed, column tiles along axis 0 */            \
            for (i = 0; i < rows; ++i)                                                         \
                for (j = 0; j < cols; ++j) {                                                   \
                    xt[j * rows + i] = x[i * cols + j];                                        \
                    if (a) gt[j * rows + i] = a[i * cols + j];                                 \
                }                                                                              \
            for (i = 0; i < rows; i += CYACTS_SM_TILE) {                                       \
                size_t w = rows - i < CYACTS_SM_TILE ? rows - i : CYACTS_SM_TILE;              \
                t->cols_##sfx[op](xt + i, a ? gt + i : NULL, reduces ? y2 + i : yt + i, cols,  \
                                  w, (ptrdiff_t)rows, (ptrdiff_t)rows,                         \
                                  reduces ? 1 : (ptrdiff_t)rows);                              \
            }                                                                                  \
            for (i = 0; !reduces && i < rows; ++i)                                             \
                for (j = 0; j < cols; ++j) y2[i * cols + j] = yt[j * rows + i];                \
            /* the long row in two pieces, cut at a block boundary */                         \
            {                                                                                  \
                const T *xl = x + nr, *al = a ? a + nr : NULL;                                 \
                size_t cut = 2 * CYACTS_SM_BLOCK, per = 2;                         \
                T m = 0, m2;                                                                   \
                cyacts_sm_consts k;                                                            \
                if (!grad) {                                                                   \
                    m = t->max_##sfx(xl, cut);                                                 \
                    m2 = t->max_##sfx(xl + cut, SM_LONG - cut);                                \
                    m = (m2 > m || m2 != m2) ? m2 : m;                                         \
                }                                                                              \
                t->parts_##sfx[op](xl, al, cut, m, parts);                                     \
                t->parts_##sfx[op](xl + cut, al ? al + cut : NULL, SM_LONG - cut, m,           \
                                   parts + per * (cut / CYACTS_SM_BLOCK));                     \
                t->consts_##sfx[op](m, parts, (SM_LONG + CYACTS_SM_BLOCK - 1) / CYACTS_SM_BLOCK, &k); \
                if (reduces) {                                                                 \
                    y2[nout] = (T)k.p;                                                         \
                } else {                                                                       \
                    t->map_##sfx[op](xl, al, y2 + nout, cut, &k);                              \
                    t->map_##sfx[op](xl + cut, al ? al + cut : NULL, y2 + nout + cut,          \
                                     SM_LONG - cut, &k);                                       \
                }                                                                              \
            }                                                                                  \
            for (i = 0; i < nout + nlong; ++i)                                                 \
                bad += memcmp(y + i, y2 + i, sizeof(T)) != 0 && !(ISNAN(y[i]) && ISNAN(y2[i])); \
            if (bad) {                                                                         \
                fprintf(stderr, "%s %s: %zu of %zu results differ between rows, column tiles " \
                        "and pieces\n", sm_names[op], #sfx, bad, nout + nlong);                \
                failures = 1;                                                                  \
            }                                                                                  \
        }                                                                                      \
        if (fclose(f) != 0) { perror(path); exit(2); }                                         \
        free((void *)sx); free((void *)sy); free((void *)sl); free((void *)sg);                \
        free(y); free(y2); free(xt); free(gt); free(yt); free(parts);                          \
    }
SM_RUN(float, f32, ISNAN_FLOAT)
SM_RUN(double, f64, ISNAN_FLOAT)

int main(int argc, char **argv)
{
    static const char *all[] = {"f32", "f64", "f16", "bf16"};
    static void (*const run[])(const char *, const char *) = {run_f32, run_f64, run_f16,
                                                               run_bf16};
    if (argc < 3) {
        fprintf(stderr, "usage: %s DIR OUT [--no-check-16] [f32|f64|f16|bf16 ...]\n", argv[0]);
        return 2;
    }
    read_params(argv[1]);
    int first = 3;
    if (argc > first && strcmp(argv[first], "--no-check-16") == 0) {
        check_16 = 0;
        ++first;
    }
    const char *const *dtypes = argc > first ? (const char *const *)argv + first : all;
    int n_dtypes = argc > first ? argc - first : 4;
    for (int d = 0; d < n_dtypes; ++d) {
        int k;
        for (k = 0; k < 4 && strcmp(dtypes[d], all[k]) != 0; ++k) {}
        if (k == 4) {
            fprintf(stderr, "%s: unknown dtype %s\n", argv[0], dtypes[d]);
            return 2;
        }
        run[k](argv[1], argv[2]);
        if (k == 0) sm_run_f32(argv[1], argv[2]);
        if (k == 1) sm_run_f64(argv[1], argv[2]);
    }
    return failures;
}
