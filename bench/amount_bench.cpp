// Micro-benchmarks of the amount type (messages/amount.hpp) with Google Benchmark, each beside
// the binary64 operation it replaces (the baseline, in the same run). Run by bench/run; by hand:
//   build-bench/bench/tightloop-amount-bench --benchmark_format=json
#include <benchmark/benchmark.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "messages/amount.hpp"

namespace {

using tightloop::Amount;
using tightloop::Rounding;

constexpr std::size_t pool = 1024;  // operands cycled through, so no result is constant

std::vector<std::string> texts() {
  std::mt19937_64 rng(7);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < pool; ++i)
    out.push_back(std::to_string(rng() % 1000000) + "." + std::to_string(rng() % 1000000));
  return out;
}

std::vector<Amount> amounts() {
  std::vector<Amount> out;
  for (const auto& text : texts()) out.push_back(*tightloop::parse_amount(text).amount);
  return out;
}

std::vector<double> doubles() {
  std::vector<double> out;
  for (const auto& text : texts()) out.push_back(std::stod(text));
  return out;
}

void add_double(benchmark::State& state) {
  auto xs = doubles();
  double sum = 0;
  std::size_t i = 0;
  for (auto _ : state) {
    sum += xs[i++ % pool];
    benchmark::DoNotOptimize(sum);
  }
}
BENCHMARK(add_double);

void add_amount(benchmark::State& state) {
  auto xs = amounts();
  Amount sum;
  std::size_t i = 0;
  for (auto _ : state) {
    sum = xs[i++ % pool] + sum;
    if (sum > Amount::units(1'000'000'000)) sum = Amount{};
    benchmark::DoNotOptimize(sum);
  }
}
BENCHMARK(add_amount);

void mul_double(benchmark::State& state) {
  auto xs = doubles();
  std::size_t i = 0;
  for (auto _ : state) {
    double product = xs[i % pool] * xs[(i + 1) % pool];
    ++i;
    benchmark::DoNotOptimize(product);
  }
}
BENCHMARK(mul_double);

void mul_amount_rounded(benchmark::State& state) {
  auto xs = amounts();
  std::size_t i = 0;
  for (auto _ : state) {
    auto product = tightloop::mul(xs[i % pool], xs[(i + 1) % pool], Rounding::up);
    ++i;
    benchmark::DoNotOptimize(product);
  }
}
BENCHMARK(mul_amount_rounded);

void div_double(benchmark::State& state) {
  auto xs = doubles();
  std::size_t i = 0;
  for (auto _ : state) {
    double quotient = xs[i % pool] / (xs[(i + 1) % pool] + 1.0);
    ++i;
    benchmark::DoNotOptimize(quotient);
  }
}
BENCHMARK(div_double);

void div_amount_rounded(benchmark::State& state) {
  auto xs = amounts();
  std::size_t i = 0;
  for (auto _ : state) {
    auto quotient =
        tightloop::div(xs[i % pool], xs[(i + 1) % pool] + Amount::units(1), Rounding::down);
    ++i;
    benchmark::DoNotOptimize(quotient);
  }
}
BENCHMARK(div_amount_rounded);

void parse_double(benchmark::State& state) {
  auto xs = texts();
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(std::strtod(xs[i++ % pool].c_str(), nullptr));
}
BENCHMARK(parse_double);

void parse_amount(benchmark::State& state) {
  auto xs = texts();
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(tightloop::parse_amount(xs[i++ % pool]));
}
BENCHMARK(parse_amount);

void format_double(benchmark::State& state) {
  auto xs = doubles();
  std::size_t i = 0;
  char buffer[32];
  for (auto _ : state) {
    // The shortest round-trip form, as nlohmann_json prints a double.
    int n = std::snprintf(buffer, sizeof buffer, "%.17g", xs[i++ % pool]);
    benchmark::DoNotOptimize(n);
    benchmark::DoNotOptimize(buffer);
  }
}
BENCHMARK(format_double);

void format_amount(benchmark::State& state) {
  auto xs = amounts();
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(tightloop::format(xs[i++ % pool]));
}
BENCHMARK(format_amount);

}  // namespace

BENCHMARK_MAIN();
