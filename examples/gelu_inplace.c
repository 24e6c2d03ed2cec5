/*
 * A GELU layer in plain C with cyacts.h: the forward pass in place on the activations, and the
 * backward pass (the chain rule's step dx = dL/dy * gelu'(x)) from the layer's input.
 *
 *   cc -std=c99 -O2 -I ../src/cyacts/include gelu_inplace.c -o gelu_inplace -lm
 *
 * (or -I"$(python -c 'import cyacts; print(cyacts.get_include())')" with cyacts installed).
 * The header is all there is: nothing to link but the C maths library, no Python at run time.
 */
#include <stdio.h>

#include <cyacts/cyacts.h>

#define N 25

int main(void) {
    float x[N];    /* the layer's input, kept for the backward pass */
    float act[N];  /* the activations: gelu(x), computed in place */
    float dy[N];   /* dL/dy, the gradient arriving from the next layer */
    float dx[N];   /* dL/dx = dL/dy * gelu'(x) */
    size_t i;

    for (i = 0; i < N; ++i) {
        x[i] = -6.0f + 0.5f * (float)i;
        act[i] = x[i];
        dy[i] = 0.25f * (float)(i % 4 + 1);
    }

    cyacts_gelu_f32(act, act, N);           /* forward, in place: y may equal x */
    cyacts_gelu_grad_f32(x, dy, dx, N);     /* backward: dx = dy * gelu'(x) */

    printf("%14s %16s %8s %16s\n", "x", "gelu(x)", "dL/dy", "dL/dx");
    for (i = 0; i < N; ++i)
        printf("%14.9g %16.9g %8.9g %16.9g\n", x[i], act[i], dy[i], dx[i]);
    return 0;
}
