// The /metrics registry (runtime/metrics.hpp): exact rendering in the Prometheus text format
// 0.0.4, escaping, value formatting, the checks that throw, and the real tools: Debian's
// `promtool check metrics` lints a rendered registry and Debian's python3-prometheus-client
// parser reads it back with the recorded values. A missing tool fails (scripts/install-deps
// installs them); nothing is skipped.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/metrics.hpp"
#include "tests/test_support.hpp"

using namespace tightloop;
using tightloop::test::ProcessResult;
using tightloop::test::TempFile;
using tightloop::test::run_program;
using tightloop::test::read_whole;

namespace {

const char* const promtool = "/usr/bin/promtool";
const char* const debian_python = "/usr/bin/python3";  // not the pyenv python3 on PATH

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in(text);
  while (std::getline(in, part, separator)) parts.push_back(part);
  return parts;
}

// The small registry of the exact-rendering test.
void fill_small(MetricsRegistry& registry) {
  auto& orders = registry.counter("tightloop_orders_total", "Orders run, by book and status.",
                                  {"book", "status"});
  orders.add({"main", "executed"}, 1000000);
  orders.add({"alpha", "failed"});
  registry.gauge("tightloop_books_running", "Books running.").set({}, 2);
  auto& duration = registry.histogram("tightloop_order_duration_seconds", "Time per order.", {},
                                      {0.001, 0.01, 0.1});
  // Binary-exact values, so that the sum is exact too.
  duration.observe({}, 0.0009765625);  // 2^-10
  duration.observe({}, 0.0078125);     // 2^-7
  duration.observe({}, 0.25);
}

}  // namespace

TEST_CASE("metrics: a small registry renders exactly") {
  MetricsRegistry registry;
  fill_small(registry);
  CHECK(registry.render() ==
        "# HELP tightloop_orders_total Orders run, by book and status.\n"
        "# TYPE tightloop_orders_total counter\n"
        "tightloop_orders_total{book=\"alpha\",status=\"failed\"} 1\n"
        "tightloop_orders_total{book=\"main\",status=\"executed\"} 1000000\n"
        "# HELP tightloop_books_running Books running.\n"
        "# TYPE tightloop_books_running gauge\n"
        "tightloop_books_running 2\n"
        "# HELP tightloop_order_duration_seconds Time per order.\n"
        "# TYPE tightloop_order_duration_seconds histogram\n"
        "tightloop_order_duration_seconds_bucket{le=\"0.001\"} 1\n"
        "tightloop_order_duration_seconds_bucket{le=\"0.01\"} 2\n"
        "tightloop_order_duration_seconds_bucket{le=\"0.1\"} 2\n"
        "tightloop_order_duration_seconds_bucket{le=\"+Inf\"} 3\n"
        "tightloop_order_duration_seconds_sum 0.2587890625\n"
        "tightloop_order_duration_seconds_count 3\n");
  CHECK(metrics_content_type == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(MetricsRegistry().render().empty());
}

TEST_CASE("metrics: families without labels start at 0, labelled ones without samples") {
  MetricsRegistry registry;
  registry.counter("a_total", "A.");
  registry.gauge("b", "B.", {"book"});
  registry.histogram("c_seconds", "C.", {}, {1});
  CHECK(registry.render() ==
        "# HELP a_total A.\n# TYPE a_total counter\na_total 0\n"
        "# HELP b B.\n# TYPE b gauge\n"
        "# HELP c_seconds C.\n# TYPE c_seconds histogram\n"
        "c_seconds_bucket{le=\"1\"} 0\nc_seconds_bucket{le=\"+Inf\"} 0\n"
        "c_seconds_sum 0\nc_seconds_count 0\n");
}

TEST_CASE("metrics: counters keep integers exact and render floats in the shortest form") {
  MetricsRegistry registry;
  auto& counter = registry.counter("x_total", "X.", {"k"});
  const auto max = std::numeric_limits<std::uint64_t>::max();
  counter.add({"big"}, max);
  counter.add({"frac"}, 2);
  counter.add({"frac"}, 0.5);
  counter.add({"tenth"}, 0.1);
  counter.add({"unsigned"}, 7u);
  counter.add({"zero"}, 0);
  auto& gauge = registry.gauge("g", "G.", {"k"});
  gauge.set({"a"}, 1e6);
  gauge.set({"b"}, -1.5);
  gauge.add({"b"}, -1);
  gauge.set({"c"}, std::numeric_limits<double>::infinity());
  gauge.set({"d"}, -0.0);
  CHECK(registry.render() ==
        "# HELP x_total X.\n# TYPE x_total counter\n"
        "x_total{k=\"big\"} 18446744073709551615\n"
        "x_total{k=\"frac\"} 2.5\n"
        "x_total{k=\"tenth\"} 0.1\n"
        "x_total{k=\"unsigned\"} 7\n"
        "x_total{k=\"zero\"} 0\n"
        "# HELP g G.\n# TYPE g gauge\n"
        "g{k=\"a\"} 1000000\n"
        "g{k=\"b\"} -2.5\n"
        "g{k=\"c\"} +Inf\n"
        "g{k=\"d\"} 0\n");
  CHECK(counter.value({"frac"}) == 2.5);
  CHECK(counter.value({"never"}) == 0);
  CHECK(gauge.value({"b"}) == -2.5);

  // Past 2^64 the sample carries on as a double instead of wrapping.
  counter.add({"big"}, 1);
  CHECK(counter.value({"big"}) == 18446744073709551616.0);
  // 2^64 as a double; to_chars prints it in full, shorter than 1.8446744073709552e+19.
  CHECK(registry.render().find("x_total{k=\"big\"} 18446744073709551616\n") != std::string::npos);

  CHECK(format_metric_value(std::nan("")) == "NaN");
  CHECK(format_metric_value(-std::numeric_limits<double>::infinity()) == "-Inf");
  CHECK(format_metric_value(1e-7) == "1e-07");
  CHECK(format_metric_value(123.456) == "123.456");
  CHECK(format_metric_value(9007199254740991.0) == "9007199254740991");
  for (double v : {0.1, 1.0 / 3, 1e300, 5e-324, -2.2250738585072014e-308, 0.2587890625, 1e21,
                   9007199254740993.0, 123456789.125}) {
    CAPTURE(v);
    CHECK(std::strtod(format_metric_value(v).c_str(), nullptr) == v);
  }
}

TEST_CASE("metrics: histograms count cumulatively, bounds inclusive, labels before le") {
  MetricsRegistry registry;
  auto& h = registry.histogram("h_seconds", "H.", {"book"}, {0.5, 1, std::numeric_limits<double>::infinity()});
  h.observe({"main"}, 1);  // on a bound: counted in it
  h.observe({"main"}, 2);
  h.observe({"alpha"}, -3);
  CHECK(h.bounds() == std::vector<double>{0.5, 1});  // the trailing +Inf is the implicit bucket
  CHECK(registry.render() ==
        "# HELP h_seconds H.\n# TYPE h_seconds histogram\n"
        "h_seconds_bucket{book=\"alpha\",le=\"0.5\"} 1\n"
        "h_seconds_bucket{book=\"alpha\",le=\"1\"} 1\n"
        "h_seconds_bucket{book=\"alpha\",le=\"+Inf\"} 1\n"
        "h_seconds_sum{book=\"alpha\"} -3\n"
        "h_seconds_count{book=\"alpha\"} 1\n"
        "h_seconds_bucket{book=\"main\",le=\"0.5\"} 0\n"
        "h_seconds_bucket{book=\"main\",le=\"1\"} 1\n"
        "h_seconds_bucket{book=\"main\",le=\"+Inf\"} 2\n"
        "h_seconds_sum{book=\"main\"} 3\n"
        "h_seconds_count{book=\"main\"} 2\n");
  CHECK(h.count({"main"}) == 2);
  CHECK(h.sum({"main"}) == 3);
  CHECK(h.cumulative_count({"main"}, 0) == 0);
  CHECK(h.cumulative_count({"main"}, 1) == 1);
  CHECK(h.cumulative_count({"main"}, 2) == 2);
  CHECK_THROWS_AS(h.cumulative_count({"main"}, 3), std::invalid_argument);
  CHECK(h.count({"never"}) == 0);

  MetricsRegistry only_inf;
  only_inf.histogram("i", "I.", {}, {}).observe({}, 4);
  CHECK(only_inf.render() ==
        "# HELP i I.\n# TYPE i histogram\ni_bucket{le=\"+Inf\"} 1\ni_sum 4\ni_count 1\n");
}

TEST_CASE("metrics: label values and help text are escaped") {
  MetricsRegistry registry;
  auto& c = registry.counter("e_total", "Back\\slash, \"quotes\" stay,\nnew line.", {"v"});
  c.add({"a\"b\\c\nd"});
  c.add({""});
  CHECK(registry.render() ==
        "# HELP e_total Back\\\\slash, \"quotes\" stay,\\nnew line.\n"
        "# TYPE e_total counter\n"
        "e_total{v=\"\"} 1\n"
        "e_total{v=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST_CASE("metrics: bad names, counters without _total and wrong label counts throw") {
  MetricsRegistry registry;
  for (const char* bad : {"", "1abc", "a-b", "a b", "a.b", "caf\xc3\xa9", "a{b}"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(registry.gauge(bad, "x"), std::invalid_argument);
    CHECK_THROWS_AS(registry.histogram(bad, "x", {}, {1}), std::invalid_argument);
    const std::string counter_name = *bad ? std::string(bad) + "_total" : "";
    CHECK_THROWS_AS(registry.counter(counter_name, "x"), std::invalid_argument);
  }
  for (const char* bad : {"", "1a", "a:b", "a-b", "__reserved", "__", "\xc3\xa9"}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(registry.gauge("g", "x", {"ok", bad}), std::invalid_argument);
    CHECK_THROWS_AS(registry.counter("c_total", "x", {bad}), std::invalid_argument);
  }
  CHECK_THROWS_AS(registry.gauge("g", "x", {"book", "book"}), std::invalid_argument);
  CHECK_THROWS_AS(registry.histogram("h", "x", {"le"}, {1}), std::invalid_argument);
  CHECK_THROWS_AS(registry.counter("orders", "x"), std::invalid_argument);
  CHECK_THROWS_AS(registry.counter("orders_total_x", "x"), std::invalid_argument);
  CHECK_THROWS_AS(registry.histogram("h", "x", {}, {0.1, 0.1}), std::invalid_argument);
  CHECK_THROWS_AS(registry.histogram("h", "x", {}, {0.1, 0.01}), std::invalid_argument);
  CHECK_THROWS_AS(registry.histogram("h", "x", {}, {1, std::nan("")}), std::invalid_argument);
  CHECK_THROWS_AS(registry.histogram("h", "x", {}, {-std::numeric_limits<double>::infinity(), 1}),
                  std::invalid_argument);
  // Nothing above registered anything.
  CHECK(registry.render().empty());

  // Valid edge cases of the grammar.
  registry.gauge(":colon:name_1", "x", {"_under", "A9"});
  registry.counter("orders_total", "x", {"le"});  // le is reserved only on histograms

  // One name, one family; a histogram owns its _bucket, _sum and _count.
  CHECK_THROWS_AS(registry.gauge("orders_total", "x"), std::invalid_argument);
  auto& h = registry.histogram("latency", "x", {"book"}, {1});
  CHECK_THROWS_AS(registry.gauge("latency_count", "x"), std::invalid_argument);
  CHECK_THROWS_AS(registry.gauge("latency", "x"), std::invalid_argument);

  auto& c = registry.counter("two_total", "x", {"a", "b"});
  auto& g = registry.gauge("one", "x", {"a"});
  CHECK_THROWS_AS(c.add({}), std::invalid_argument);
  CHECK_THROWS_AS(c.add({"1"}, 2), std::invalid_argument);
  CHECK_THROWS_AS(c.add({"1", "2", "3"}, 0.5), std::invalid_argument);
  CHECK_THROWS_AS(c.value({"1"}), std::invalid_argument);
  CHECK_THROWS_AS(g.set({}, 1), std::invalid_argument);
  CHECK_THROWS_AS(g.add({"1", "2"}, 1), std::invalid_argument);
  CHECK_THROWS_AS(h.observe({}, 1), std::invalid_argument);
  CHECK_THROWS_AS(h.count({"a", "b"}), std::invalid_argument);

  // Counters only go up; a NaN observation is a bug.
  CHECK_THROWS_AS(c.add({"1", "2"}, -1), std::invalid_argument);
  CHECK_THROWS_AS(c.add({"1", "2"}, -0.5), std::invalid_argument);
  CHECK_THROWS_AS(c.add({"1", "2"}, std::nan("")), std::invalid_argument);
  CHECK_THROWS_AS(h.observe({"main"}, std::nan("")), std::invalid_argument);
  // None of the failed updates created a sample.
  const std::string text = registry.render();
  CHECK(text.find("two_total{") == std::string::npos);
  CHECK(text.find("latency_bucket{") == std::string::npos);
}

TEST_CASE("metrics: promtool accepts the exposition and prometheus_client reads the values back") {
  MetricsRegistry registry;
  auto& orders = registry.counter("tightloop_orders_total", "Orders run, by book and status.",
                                  {"book", "status"});
  orders.add({"main", "executed"}, 1000000);
  orders.add({"main", "failed"}, 3);
  orders.add({"al\"pha\\x\ny", "executed"});
  auto& fees = registry.counter("tightloop_fees_total", "Fees charged.\nEscaped \\ help.");
  fees.add({}, 0.25);
  fees.add({}, 0.125);
  registry.gauge("tightloop_books_running", "Books running.").set({}, 2);
  auto& position = registry.gauge("tightloop_position", "Balances.", {"book", "key"});
  position.set({"main", "BTC"}, -1.5);
  position.set({"main", "USDT"}, 1e300);
  position.set({"main", "weETH"}, 1e-7);
  registry.gauge("tightloop_book_halted", "Halted books (none yet).", {"book"});
  auto& duration = registry.histogram("tightloop_order_duration_seconds", "Time per order.",
                                      {"book"}, {0.001, 0.01, 0.1});
  duration.observe({"main"}, 0.0009765625);
  duration.observe({"main"}, 0.01);
  duration.observe({"main"}, 0.25);
  duration.observe({"alpha"}, 0.0078125);
  auto& render = registry.histogram("tightloop_render_seconds", "Render time.", {},
                                    {0.5, 1, std::numeric_limits<double>::infinity()});
  render.observe({}, 1);
  const std::string text = registry.render();
  TempFile file(text, ".prom");

  // promtool reads stdin; any parse error or lint problem is printed and fails the exit status.
  ProcessResult lint = run_program({promtool, "check", "metrics"}, file.path(), "prometheus");
  INFO("exposition:\n" << text);
  CHECK_MESSAGE(lint.exit_code == 0, "promtool exit " << lint.exit_code);
  CHECK_MESSAGE(lint.out.empty(), "promtool stdout: " << lint.out);
  CHECK_MESSAGE(lint.err.empty(), "promtool stderr: " << lint.err);

  const std::string script =
      "import json, sys\n"
      "from prometheus_client.parser import text_string_to_metric_families\n"
      "text = open(sys.argv[1], encoding='utf-8').read()\n"
      "for f in text_string_to_metric_families(text):\n"
      "    print('family', f.name, f.type, json.dumps(f.documentation), sep='\\t')\n"
      "    for s in f.samples:\n"
      "        labels = json.dumps(s.labels, sort_keys=True, separators=(',', ':'))\n"
      "        print('sample', s.name, labels, repr(s.value), sep='\\t')\n";
  ProcessResult parsed = run_program({debian_python, "-c", script, file.path()}, "/dev/null",
                                     "python3-prometheus-client");
  REQUIRE_MESSAGE(parsed.exit_code == 0, "python exit " << parsed.exit_code << ", stderr: "
                                                        << parsed.err
                                                        << " (python3-prometheus-client missing?)");
  CHECK(parsed.err.empty());

  std::map<std::string, std::string> families;  // name -> "type\tdocumentation (JSON)"
  std::map<std::string, double> samples;         // "name\tlabels (JSON)" -> value
  for (const auto& line : split(parsed.out, '\n')) {
    auto fields = split(line, '\t');
    REQUIRE_MESSAGE(fields.size() == 4, line);
    if (fields[0] == "family") {
      families[fields[1]] = fields[2] + "\t" + fields[3];
    } else {
      REQUIRE(fields[0] == "sample");
      CHECK_MESSAGE(samples.count(fields[1] + "\t" + fields[2]) == 0, "duplicate: " << line);
      samples[fields[1] + "\t" + fields[2]] = std::strtod(fields[3].c_str(), nullptr);
    }
  }

  // The parser names a counter family without its _total.
  const std::map<std::string, std::string> expected_families = {
      {"tightloop_orders", "counter\t\"Orders run, by book and status.\""},
      {"tightloop_fees", "counter\t\"Fees charged.\\nEscaped \\\\ help.\""},
      {"tightloop_books_running", "gauge\t\"Books running.\""},
      {"tightloop_position", "gauge\t\"Balances.\""},
      {"tightloop_book_halted", "gauge\t\"Halted books (none yet).\""},
      {"tightloop_order_duration_seconds", "histogram\t\"Time per order.\""},
      {"tightloop_render_seconds", "histogram\t\"Render time.\""},
  };
  CHECK(families == expected_families);

  const std::string d = "tightloop_order_duration_seconds";
  const std::map<std::string, double> expected_samples = {
      {"tightloop_orders_total\t{\"book\":\"main\",\"status\":\"executed\"}", 1000000},
      {"tightloop_orders_total\t{\"book\":\"main\",\"status\":\"failed\"}", 3},
      {"tightloop_orders_total\t{\"book\":\"al\\\"pha\\\\x\\ny\",\"status\":\"executed\"}", 1},
      {"tightloop_fees_total\t{}", 0.375},
      {"tightloop_books_running\t{}", 2},
      {"tightloop_position\t{\"book\":\"main\",\"key\":\"BTC\"}", -1.5},
      {"tightloop_position\t{\"book\":\"main\",\"key\":\"USDT\"}", 1e300},
      {"tightloop_position\t{\"book\":\"main\",\"key\":\"weETH\"}", 1e-7},
      {d + "_bucket\t{\"book\":\"main\",\"le\":\"0.001\"}", 1},
      {d + "_bucket\t{\"book\":\"main\",\"le\":\"0.01\"}", 2},
      {d + "_bucket\t{\"book\":\"main\",\"le\":\"0.1\"}", 2},
      {d + "_bucket\t{\"book\":\"main\",\"le\":\"+Inf\"}", 3},
      {d + "_sum\t{\"book\":\"main\"}", (0.0009765625 + 0.01) + 0.25},
      {d + "_count\t{\"book\":\"main\"}", 3},
      {d + "_bucket\t{\"book\":\"alpha\",\"le\":\"0.001\"}", 0},
      {d + "_bucket\t{\"book\":\"alpha\",\"le\":\"0.01\"}", 1},
      {d + "_bucket\t{\"book\":\"alpha\",\"le\":\"0.1\"}", 1},
      {d + "_bucket\t{\"book\":\"alpha\",\"le\":\"+Inf\"}", 1},
      {d + "_sum\t{\"book\":\"alpha\"}", 0.0078125},
      {d + "_count\t{\"book\":\"alpha\"}", 1},
      {"tightloop_render_seconds_bucket\t{\"le\":\"0.5\"}", 0},
      {"tightloop_render_seconds_bucket\t{\"le\":\"1\"}", 1},
      {"tightloop_render_seconds_bucket\t{\"le\":\"+Inf\"}", 1},
      {"tightloop_render_seconds_sum\t{}", 1},
      {"tightloop_render_seconds_count\t{}", 1},
  };
  CHECK(samples == expected_samples);
  // And they are what the registry holds.
  CHECK(duration.sum({"main"}) == (0.0009765625 + 0.01) + 0.25);
  CHECK(duration.cumulative_count({"main"}, 1) == 2);
  CHECK(orders.value({"al\"pha\\x\ny", "executed"}) == 1);
  CHECK(fees.value({}) == 0.375);
}
