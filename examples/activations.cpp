// Every activation of cyacts.h and its derivative, from C++17, on std::vector<double>.
//
//   c++ -std=c++17 -O2 -fopenmp -I ../src/cyacts/include activations.cpp -o activations
//
// The functions are single-threaded: the caller owns threading. parallel_apply() below shows
// the usual way, static chunks across OpenMP threads (compiled serially without -fopenmp), and
// checks that it gives bit for bit what one thread gives.
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <limits>
#include <vector>

#include <cyacts/cyacts.h>

namespace {

struct Activation {
    const char *name;
    void (*forward)(const double *x, double *y, std::size_t n);
    void (*derivative)(const double *x, const double *grad_output, double *y, std::size_t n);
};

// Leaky ReLU takes its slope as an extra argument; wrap it to the common shape.
constexpr double kAlpha = 0.1;
void leaky_relu(const double *x, double *y, std::size_t n) { cyacts_leaky_relu_f64(x, y, n, kAlpha); }
void leaky_relu_grad(const double *x, const double *g, double *y, std::size_t n) {
    cyacts_leaky_relu_grad_f64(x, g, y, n, kAlpha);
}

const Activation kActivations[] = {
    {"relu", cyacts_relu_f64, cyacts_relu_grad_f64},
    {"leaky_relu", leaky_relu, leaky_relu_grad},
    {"relu6", cyacts_relu6_f64, cyacts_relu6_grad_f64},
    {"gelu", cyacts_gelu_f64, cyacts_gelu_grad_f64},
    {"gelu_tanh", cyacts_gelu_tanh_f64, cyacts_gelu_tanh_grad_f64},
    {"tanh", cyacts_tanh_f64, cyacts_tanh_grad_f64},
    {"sigmoid", cyacts_sigmoid_f64, cyacts_sigmoid_grad_f64},
};

// y = f(x) over n elements, in chunks of a multiple of 64 bytes across threads.
template <class F>
void parallel_apply(F f, const double *x, double *y, std::size_t n) {
    const std::size_t chunk = 8192;
    const long n_chunks = static_cast<long>((n + chunk - 1) / chunk);
#ifdef _OPENMP
#pragma omp parallel for schedule(static)
#endif
    for (long c = 0; c < n_chunks; ++c) {
        const std::size_t start = static_cast<std::size_t>(c) * chunk;
        const std::size_t len = n - start < chunk ? n - start : chunk;
        f(x + start, y + start, len);
    }
}

}  // namespace

int main() {
    // A table of f(x) and f'(x) at a few points, the infinities included.
    std::vector<double> x;
    for (int i = -12; i <= 12; ++i) x.push_back(0.5 * i);
    x.push_back(std::numeric_limits<double>::infinity());
    x.push_back(-std::numeric_limits<double>::infinity());
    std::vector<double> y(x.size()), dy(x.size());

    std::printf("%-11s %24s %24s %24s\n", "function", "x", "f(x)", "f'(x)");
    for (const Activation &a : kActivations) {
        a.forward(x.data(), y.data(), x.size());
        a.derivative(x.data(), nullptr, dy.data(), x.size());  // grad_output NULL: f'(x)
        for (std::size_t i = 0; i < x.size(); ++i)
            std::printf("%-11s %24.17g %24.17g %24.17g\n", a.name, x[i], y[i], dy[i]);
    }

    // Threads are the caller's: the same GELU over a million elements, serial and chunked.
    const std::size_t n = 1000003;
    std::vector<double> big(n), serial(n), threaded(n);
    for (std::size_t i = 0; i < n; ++i) big[i] = -10.0 + 20.0 * static_cast<double>(i) / n;
    cyacts_gelu_f64(big.data(), serial.data(), n);
    parallel_apply(cyacts_gelu_f64, big.data(), threaded.data(), n);
    const bool same = std::memcmp(serial.data(), threaded.data(), n * sizeof(double)) == 0;
    std::printf("threaded == serial, bit for bit: %s\n", same ? "yes" : "no");
    return same ? 0 : 1;
}
