/*
 * Runs every entry of the kernel table (kernels_impl.h, one row per op of CYACTS_OPS) on the
 * inputs in DIR and writes the results, for scripts/check_cross_isa.sh to compare across
 * builds for different instruction sets.
 *
 *   driver DIR OUT
 *
 * DIR holds x, grad_output and alpha arrays of one length per dtype (x.f32, g.f32, a.f32,
 * x.f64, ..., x.f16, x.bf16, ...; raw native bytes, the 16-bit ones as bit patterns) and
 * `param`, the scalar parameter (leaky_relu's slope) as text. OUT.f32, OUT.f64, OUT.f16 and
 * OUT.bf16 get the results of every (op, variant) one after another, in the order of the lines
 * printed on stdout: "dtype name shape variant".
 *
 * Each variant is also run again over a misaligned copy of its first elements in chunks of
 * ragged lengths (vector bodies, peeled heads and scalar tails at every offset); a result that
 * differs from the one-call result is reported on stderr and makes the exit status 1. So is a
 * 16-bit result that is not the float32 kernel's result on the inputs widened by common.h's
 * conversions, rounded back by them (NaN as NaN).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CYACTS_TABLE cyacts_check_table
#include "kernels_impl.h"
#include "reductions_impl.h" /* cyacts_check_table_reduce */

/* How each calling shape of kernels.h uses the uniform signature: the auxiliary slot (1 or 2,
   0 for none) holding grad_output, the one holding the per-element alpha, whether param is
   read. A shape added to kernels.h without a row here fails to compile. */
struct shape_use { int grad_slot, alpha_slot, uses_param; };
#define SHAPE_MAP        {0, 0, 0}
#define SHAPE_MAP_PARAM  {0, 0, 1}
#define SHAPE_MAP_ARRAY  {0, 1, 0}
#define SHAPE_GRAD       {1, 0, 0}
#define SHAPE_GRAD_PARAM {1, 0, 1}
#define SHAPE_GRAD_ARRAY {1, 2, 0}

struct op { const char *name, *shape; struct shape_use use; };
#define OP_ROW(OP, name, shape, grain) {#name, #shape, SHAPE_##shape},
static const struct op ops[CYACTS_N_OPS] = {CYACTS_OPS(OP_ROW)};

/* the re-run over chunks: this many leading elements, chunk lengths cycling 1..CHUNK_MAX */
#define RAGGED_N 65536
#define CHUNK_MAX 67

static int failures = 0;

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

static void write_all(FILE *f, const void *p, size_t bytes)
{
    if (fwrite(p, 1, bytes, f) != bytes) { perror("write"); exit(2); }
}

/* NaN tests on the stored element types (16-bit ones as bit patterns) */
#define ISNAN_FLOAT(v) ((v) != (v))
#define ISNAN_F16(v) (((v) & 0x7FFF) > 0x7C00)
#define ISNAN_BF16(v) (((v) & 0x7FFF) > 0x7F80)

/* The 16-bit kernel's results y are the float32 kernel's on the widened inputs, rounded. */
#define CHECK_16(sfx, ISNAN)                                                                  \
    static void check_##sfx(int op, const uint16_t *x, const uint16_t *const *aux,           \
                            const uint16_t *y, size_t n, float param, const char *variant)    \
    {                                                                                         \
        float *w[3], *wy = malloc(n * sizeof(float));                                         \
        const uint16_t *in[3] = {x, aux[1], aux[2]};                                          \
        size_t i, bad = 0;                                                                    \
        for (int k = 0; k < 3; ++k) {                                                         \
            w[k] = in[k] ? malloc(n * sizeof(float)) : NULL;                                  \
            for (i = 0; in[k] && i < n; ++i) w[k][i] = cyacts_##sfx##_to_f32(in[k][i]);      \
        }                                                                                     \
        cyacts_check_table.f32[op](w[0], w[1], w[2], wy, n, param);                           \
        for (i = 0; i < n; ++i) {                                                             \
            uint16_t want = cyacts_f32_to_##sfx(wy[i]);                                       \
            bad += want != y[i] && !(ISNAN(want) && ISNAN(y[i]));                             \
        }                                                                                     \
        if (bad) {                                                                            \
            fprintf(stderr, "%s %s %s: %zu of %zu results differ from the float32 kernel's, " \
                    "rounded\n", ops[op].name, #sfx, variant, bad, n);                        \
            failures = 1;                                                                     \
        }                                                                                     \
        for (int k = 0; k < 3; ++k) free(w[k]);                                               \
        free(wy);                                                                             \
    }
CHECK_16(f16, ISNAN_F16)
CHECK_16(bf16, ISNAN_BF16)
#define POST_NONE(op, x, aux, y, n, param, variant)
#define POST_f16 check_f16
#define POST_bf16 check_bf16

/* Every dtype from one body: T the element type, K the kernel type, sfx its table member, P
   the type of the scalar parameter, ISNAN its NaN test, POST a check of each variant's
   results (or POST_NONE). */
#define RUN_DTYPE(T, K, sfx, P, ISNAN, POST)                                                  \
    static void run_##sfx(const char *dir, const char *out, double alpha)                     \
    {                                                                                         \
        size_t bx, bg, ba;                                                                    \
        const T *x = read_file(dir, "x." #sfx, &bx);                                          \
        const T *g = read_file(dir, "g." #sfx, &bg);                                          \
        const T *a = read_file(dir, "a." #sfx, &ba);                                          \
        size_t n = bx / sizeof(T);                                                            \
        if (bg != bx || ba != bx) { fprintf(stderr, "%s: lengths differ\n", dir); exit(2); } \
        size_t nr = n < RAGGED_N ? n : RAGGED_N;                                              \
        T *y = malloc(n * sizeof(T));                                                         \
        /* one element past 64-byte alignment, so no chunk starts aligned by accident */      \
        T *xr = (T *)malloc((3 * nr + 16) * sizeof(T) + 64);                                  \
        T *base = (T *)(((uintptr_t)xr + 63) & ~(uintptr_t)63) + 1;                           \
        T *rx = base, *ra = base + nr, *rg = base + 2 * nr;                                   \
        T *ry = malloc(nr * sizeof(T));                                                       \
        memcpy(rx, x, nr * sizeof(T));                                                        \
        memcpy(ra, a, nr * sizeof(T));                                                        \
        memcpy(rg, g, nr * sizeof(T));                                                        \
        char path[4096];                                                                      \
        snprintf(path, sizeof path, "%s.%s", out, #sfx);                                      \
        FILE *f = fopen(path, "wb");                                                          \
        if (!f) { perror(path); exit(2); }                                                    \
        for (int op = 0; op < CYACTS_N_OPS; ++op) {                                           \
            struct shape_use u = ops[op].use;                                                 \
            K kernel = cyacts_check_table.sfx[op];                                            \
            for (int with_grad = 0; with_grad <= (u.grad_slot != 0); ++with_grad) {          \
                const T *aux[3] = {NULL, NULL, NULL}, *raux[3] = {NULL, NULL, NULL};          \
                if (with_grad) { aux[u.grad_slot] = g; raux[u.grad_slot] = rg; }              \
                if (u.alpha_slot) { aux[u.alpha_slot] = a; raux[u.alpha_slot] = ra; }         \
                P param = u.uses_param ? (P)alpha : (P)0;                                     \
                kernel(x, aux[1], aux[2], y, n, param);                                       \
                write_all(f, y, n * sizeof(T));                                               \
                char variant[64] = "";                                                        \
                if (u.alpha_slot) strcat(variant, "+alpha");                                  \
                if (with_grad) strcat(variant, "+grad_output");                               \
                if (u.uses_param) strcat(variant, "+param");                                  \
                printf("%s %s %s %s\n", #sfx, ops[op].name, ops[op].shape,                    \
                       variant[0] ? variant + 1 : "x");                                       \
                POST(op, x, aux, y, n, param, variant[0] ? variant + 1 : "x");                \
                size_t i = 0, len = 1;                                                        \
                while (i < nr) {                                                              \
                    size_t m = nr - i < len ? nr - i : len;                                   \
                    kernel(rx + i, raux[1] ? raux[1] + i : NULL, raux[2] ? raux[2] + i : NULL, \
                           ry + i, m, param);                                                 \
                    i += m;                                                                   \
                    len = len % CHUNK_MAX + 1;                                                \
                }                                                                             \
                size_t bad = 0; /* bits differ, unless both are NaN (compare.py's rule) */    \
                for (i = 0; i < nr; ++i)                                                      \
                    bad += memcmp(ry + i, y + i, sizeof(T)) != 0                              \
                           && !(ISNAN(ry[i]) && ISNAN(y[i]));                                 \
                if (bad) {                                                                    \
                    fprintf(stderr, "%s %s %s: %zu of %zu results differ when computed in "   \
                            "misaligned chunks\n", ops[op].name, #sfx,                        \
                            variant[0] ? variant + 1 : "x", bad, nr);                         \
                    failures = 1;                                                             \
                }                                                                             \
            }                                                                                 \
        }                                                                                     \
        if (fclose(f) != 0) { perror(path); exit(2); }                                        \
        free((void *)x); free((void *)g); free((void *)a); free(y); free(xr); free(ry);       \
    }
RUN_DTYPE(float, cyacts_kernel_f32, f32, float, ISNAN_FLOAT, POST_NONE)
RUN_DTYPE(double, cyacts_kernel_f64, f64, double, ISNAN_FLOAT, POST_NONE)
RUN_DTYPE(uint16_t, cyacts_kernel_16, f16, float, ISNAN_F16, POST_f16)
RUN_DTYPE(uint16_t, cyacts_kernel_16, bf16, float, ISNAN_BF16, POST_bf16)

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
    if (argc != 3) {
        fprintf(stderr, "usage: %s DIR OUT\n", argv[0]);
        return 2;
    }
    size_t bytes;
    char *text = read_file(argv[1], "param", &bytes);
    text[bytes] = '\0';
    double alpha = strtod(text, NULL);
    free(text);
    run_f32(argv[1], argv[2], alpha);
    run_f64(argv[1], argv[2], alpha);
    run_f16(argv[1], argv[2], alpha);
    run_bf16(argv[1], argv[2], alpha);
    sm_run_f32(argv[1], argv[2]);
    sm_run_f64(argv[1], argv[2]);
    return failures;
}
