// Smoke run of tightloop-bench: with --quick (tiny N) it runs every scenario and writes a
// well-formed JSON document; --compare flags a dropped ratio. Nothing about speed is checked.
// Without the bench target (TIGHTLOOP_BUILD_BENCH=OFF) this file has no test.
#include <doctest/doctest.h>

#ifdef TIGHTLOOP_BENCH_BIN

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using nlohmann::json;

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("tightloop-bench-test-" + std::to_string(::getpid()) + "-" + name))
      .string();
}

struct BenchRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

BenchRun run_bench(const std::string& args) {
  const auto log = temp_path("output.txt");
  const std::string command =
      "'" + std::string(TIGHTLOOP_BENCH_BIN) + "' " + args + " > '" + log + "' 2>&1";
  const int status = std::system(command.c_str());
  BenchRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  run.output = text.str();
  std::filesystem::remove(log);
  return run;
}

json read_json(const std::string& path) {
  std::ifstream in(path);
  return json::parse(in, nullptr, false);
}

void write_json(const std::string& path, const json& doc) { std::ofstream(path) << doc.dump(); }

// One quick run shared by the cases below (about a second).
const json& quick_result() {
  static const json doc = [] {
    const auto path = temp_path("quick.json");
    auto run = run_bench("--quick --json '" + path + "'");
    INFO(run.output);
    REQUIRE(run.exit_code == 0);
    auto parsed = read_json(path);
    std::filesystem::remove(path);
    REQUIRE_FALSE(parsed.is_discarded());
    return parsed;
  }();
  return doc;
}

void check_latency(const json& latency) {
  for (const char* key : {"count", "mean", "p50", "p90", "p99", "p99.9", "p99.99", "max"}) {
    CAPTURE(key);
    REQUIRE(latency.contains(key));
    CHECK(latency[key].is_number());
  }
  CHECK(latency["count"].get<double>() > 0);
  CHECK(latency["p50"].get<double>() <= latency["p99"].get<double>());
  CHECK(latency["p99"].get<double>() <= latency["max"].get<double>());
}

void check_closed_loop_run(const json& run) {
  CHECK(run["orders"].get<double>() > 0);
  CHECK(run["orders_per_second"].get<double>() > 0);
  CHECK(run["scheduler"]["threads"].get<int>() >= 1);
  CHECK(run["scheduler"]["policy"].is_string());
  // The order mix must never fail: every order executes and reconciles.
  CHECK(run["failures"] == 0);
  check_latency(run["latency_us"]);
}

}  // namespace

TEST_CASE("bench quick run writes machine info, revision, config and every scenario") {
  const auto& doc = quick_result();
  REQUIRE(doc.is_object());
  CHECK(doc["schema"] == "tightloop-bench/1");
  CHECK(doc["quick"] == true);
  CHECK(doc["revision"].is_string());
  CHECK(doc["dirty"].is_boolean());
  CHECK(doc["date"].is_string());
  CHECK(doc["machine"]["cores"].get<int>() >= 1);
  CHECK(doc["machine"]["cpu_model"].is_string());
  CHECK(doc["build"]["build_type"].is_string());
  CHECK(doc["config"]["book_config"]["venues"].size() == 5);
  CHECK(doc["config"]["mix"].size() == 16);
  for (const char* name : {"one_book", "direct", "many_books", "open_loop", "logging", "journal",
                           "daemon", "memory"}) {
    CAPTURE(name);
    CHECK(doc["scenarios"].contains(name));
  }
}

TEST_CASE("bench quick run reports throughput and latency of every closed-loop scenario") {
  const auto& s = quick_result()["scenarios"];
  REQUIRE(s["one_book"]["runs"].size() == 2);
  for (const auto& run : s["one_book"]["runs"]) check_closed_loop_run(run);
  CHECK(s["one_book"]["runs"][0]["latency_spectrum_us"].size() > 10);
  CHECK(s["direct"]["orders_per_second"].get<double>() > 0);
  CHECK(s["direct"]["failures"] == 0);
  check_latency(s["direct"]["latency_us"]);
  REQUIRE(s["many_books"]["runs"].size() == 3);
  for (const auto& run : s["many_books"]["runs"]) check_closed_loop_run(run);
  CHECK(s["many_books"]["runs"][2]["books"] == 8);
  REQUIRE(s["logging"]["runs"].size() == 3);
  for (const auto& run : s["logging"]["runs"]) check_closed_loop_run(run);
  CHECK(s["logging"]["runs"][2]["level"] == "debug");
  CHECK(s["logging"]["runs"][2]["log_file_lines"].get<int>() > 0);
}

TEST_CASE("bench quick run reports open loop, memory, skipped scenarios, ratios and targets") {
  const auto& doc = quick_result();
  const auto& s = doc["scenarios"];
  // One hand-over per order at three loads, then a batch per 100 us at the same three.
  REQUIRE(s["open_loop"]["runs"].size() == 6);
  CHECK(s["open_loop"]["runs"][0]["load"] == 0.25);
  CHECK(s["open_loop"]["runs"][2]["load"] == 0.9);
  CHECK(s["open_loop"]["runs"][2]["batch_interval_us"] == 0);
  CHECK(s["open_loop"]["runs"][5]["load"] == 0.9);
  CHECK(s["open_loop"]["runs"][5]["batch_interval_us"] == 100);
  for (const auto& run : s["open_loop"]["runs"]) {
    CHECK(run["failures"] == 0);
    check_latency(run["latency_us"]);
    check_latency(run["pacer_lag_us"]);
  }
  CHECK(s["journal"]["status"] == "skipped");
  CHECK(s["journal"]["reason"].get<std::string>().find("no journal") == 0);
  // The daemon scenario drives a real `tightloop serve` over loopback.
  CHECK(s["daemon"]["status"] == "ok");
  CHECK(s["daemon"]["batched"]["failures"] == 0);
  CHECK(s["daemon"]["batched"]["orders_per_second"].get<double>() > 0);
  check_latency(s["daemon"]["single"]["latency_us"]);
  const auto& memory = s["memory"]["runs"][0];
  CHECK(memory["spawned"].get<int>() > 0);
  CHECK(memory["rss_after_bytes"].get<double>() > 0);
  CHECK(memory["bytes_per_book"].is_number());
  CHECK(doc["ratios"]["actor_over_direct"].get<double>() > 0);
  CHECK(doc["ratios"]["many_over_one"].get<double>() > 0);
  CHECK(doc["ratios"]["one_book_over_floor"].get<double>() > 0);
  CHECK(s["floor"]["messages_per_order"] == 8);
  CHECK(s["floor"]["orders_per_second"].get<double>() > 0);
  CHECK(doc["messages_per_order"]["in_book"] == 6);
  CHECK(s["hops"]["orders"].get<int>() > 0);
  for (const char* hop : {"to_venue_us", "venue_us", "after_venue_us", "total_us"}) {
    CAPTURE(hop);
    check_latency(s["hops"][hop]);
  }
  REQUIRE(doc["targets"].size() >= 5);
  for (const auto& t : doc["targets"]) {
    CHECK(t["name"].is_string());
    CHECK(t["met"].is_boolean());
    CHECK(t["value"].is_number());
  }
}

TEST_CASE("bench runs only the scenarios asked for") {
  const auto path = temp_path("some.json");
  auto run = run_bench("--quick --scenarios 1,direct,journal --json '" + path + "'");
  INFO(run.output);
  REQUIRE(run.exit_code == 0);
  auto doc = read_json(path);
  std::filesystem::remove(path);
  REQUIRE(doc.is_object());
  CHECK(doc["scenarios"].size() == 3);
  CHECK(doc["scenarios"].contains("one_book"));
  CHECK(doc["scenarios"].contains("direct"));
  CHECK(doc["scenarios"]["journal"]["status"] == "skipped");
  CHECK(doc["ratios"].contains("actor_over_direct"));
  CHECK_FALSE(doc["ratios"].contains("many_over_one"));
}

TEST_CASE("bench rejects an unknown scenario and an unknown argument with exit code 2") {
  auto run = run_bench("--quick --scenarios one_book,nine");
  CHECK(run.exit_code == 2);
  CHECK(run.output.find("unknown scenario 'nine'") != std::string::npos);
  run = run_bench("--fast");
  CHECK(run.exit_code == 2);
  CHECK(run.output.find("unknown argument '--fast'") != std::string::npos);
}

TEST_CASE("bench compare exits 1 only when a ratio dropped by more than 20 percent") {
  json old_doc = {{"revision", "a"}, {"ratios", {{"actor_over_direct", 0.5}, {"many_over_one", 2.0}}}};
  const auto old_path = temp_path("old.json");
  const auto new_path = temp_path("new.json");
  write_json(old_path, old_doc);
  auto compare = [&](double actor_over_direct, double many_over_one) {
    json new_doc = old_doc;
    new_doc["ratios"] = {{"actor_over_direct", actor_over_direct}, {"many_over_one", many_over_one}};
    write_json(new_path, new_doc);
    return run_bench("--compare '" + old_path + "' '" + new_path + "'");
  };
  CHECK(compare(0.5, 2.0).exit_code == 0);
  CHECK(compare(0.41, 1.61).exit_code == 0);  // 18 % and 19.5 % lower: within the allowance
  CHECK(compare(0.9, 3.0).exit_code == 0);    // better
  auto dropped = compare(0.39, 2.0);          // 22 % lower
  CHECK(dropped.exit_code == 1);
  CHECK(dropped.output.find("actor_over_direct") != std::string::npos);
  CHECK(dropped.output.find("REGRESSION") != std::string::npos);
  CHECK(compare(0.5, 1.5).exit_code == 1);  // many/one 25 % lower

  // Nothing comparable, or not JSON: bad input.
  write_json(new_path, json{{"ratios", json::object()}});
  CHECK(run_bench("--compare '" + old_path + "' '" + new_path + "'").exit_code == 2);
  std::ofstream(new_path) << "not json";
  auto bad = run_bench("--compare '" + old_path + "' '" + new_path + "'");
  CHECK(bad.exit_code == 2);
  CHECK(bad.output.find("is not a JSON object") != std::string::npos);
  CHECK(run_bench("--compare '" + old_path + "' /nonexistent/x.json").exit_code == 2);
  std::filesystem::remove(old_path);
  std::filesystem::remove(new_path);
}

TEST_CASE("bench compare of a quick result with itself passes") {
  const auto path = temp_path("self.json");
  write_json(path, quick_result());
  auto run = run_bench("--compare '" + path + "' '" + path + "'");
  std::filesystem::remove(path);
  INFO(run.output);
  CHECK(run.exit_code == 0);
}

#endif  // TIGHTLOOP_BENCH_BIN
