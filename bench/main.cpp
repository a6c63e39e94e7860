// tightloop-bench: the load benchmarks of issue #5 in one process run. Usage: bench/README.md.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include "bench/actor_scenarios.hpp"
#include "bench/bench_config.hpp"
#include "bench/daemon_scenario.hpp"
#include "bench/direct_book.hpp"
#include "bench/machine.hpp"
#include "bench/report.hpp"
#include "bench/stats.hpp"
#include "runtime/actor_system_setup.hpp"
#include "runtime/log_sinks.hpp"

using namespace tightloop;
using namespace tightloop::bench;
using nlohmann::json;

namespace {

const std::vector<std::string> all_scenarios = {"one_book", "direct",  "many_books", "open_loop",
                                                "logging",  "journal", "daemon",     "memory",
                                                "floor",    "hops"};

// How much each scenario runs. Full: about 3 minutes on 2 cores; quick: a few seconds.
struct Sizes {
  std::size_t one_book_orders = 300000;
  std::size_t warmup_orders = 5000;
  std::size_t direct_orders = 300000;
  std::size_t many_total_orders = 300000;  // split over the books of one run
  std::size_t many_min_per_book = 100;
  std::vector<std::size_t> many_books = {1, 2, 8, 64, 1024};
  std::vector<std::string> many_policies = {"stealing", "sharing"};
  std::vector<double> open_loads = {0.25, 0.50, 0.90};
  double open_seconds = 3.0;
  std::size_t logging_orders = 100000;
  std::vector<std::size_t> memory_books = {1000, 10000, 100000};
  double memory_budget_seconds = 120.0;
  DaemonSizes daemon;
};

Sizes quick_sizes() {
  Sizes s;
  s.one_book_orders = 2000;
  s.warmup_orders = 200;
  s.direct_orders = 2000;
  s.many_total_orders = 1200;
  s.many_min_per_book = 50;
  s.many_books = {1, 2, 8};
  s.many_policies = {"stealing"};
  s.open_seconds = 0.1;
  s.logging_orders = 1000;
  s.memory_books = {200};
  s.memory_budget_seconds = 10.0;
  s.daemon = daemon_quick_sizes();
  return s;
}

struct Options {
  bool quick = false;
  std::string json_path;  // "" or "-": stdout
  std::optional<std::pair<std::string, std::string>> compare;
  std::set<std::string> scenarios{all_scenarios.begin(), all_scenarios.end()};
  std::optional<std::size_t> memory_child;
  double memory_budget_seconds = 120.0;
};

constexpr const char* usage =
    "usage: tightloop-bench [--quick] [--json FILE|-] [--scenarios a,b,...]\n"
    "       tightloop-bench --compare OLD.json NEW.json\n"
    "scenarios: one_book, direct, many_books, open_loop, logging, journal, daemon, memory,\n"
    "           floor, hops\n"
    "           (or their numbers 1-9: 1-8 from issue #5, 9 the bare-actor floor)\n"
    "--json FILE writes the JSON document to FILE and the table to stdout; without --json (or\n"
    "with --json -) the JSON goes to stdout and the table to stderr.\n"
    "--compare exits 1 when actor/direct or many/one dropped by more than 20 %, 2 on bad input.\n";

std::string scenario_name(const std::string& text) {
  if (text.size() == 1 && text[0] >= '1' && text[0] <= '9')
    return all_scenarios[static_cast<std::size_t>(text[0] - '1')];
  if (std::find(all_scenarios.begin(), all_scenarios.end(), text) == all_scenarios.end())
    throw std::invalid_argument("unknown scenario '" + text + "'");
  return text;
}

Options parse_options(int argc, char** argv) {
  Options options;
  auto value = [&](int& i) -> std::string {
    if (i + 1 >= argc) throw std::invalid_argument(std::string(argv[i]) + " needs a value");
    return argv[++i];
  };
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--quick") {
      options.quick = true;
    } else if (arg == "--json") {
      options.json_path = value(i);
    } else if (arg == "--compare") {
      auto old_path = value(i);
      options.compare = std::make_pair(old_path, value(i));
    } else if (arg == "--scenarios") {
      options.scenarios.clear();
      std::istringstream list(value(i));
      std::string name;
      while (std::getline(list, name, ','))
        if (!name.empty()) options.scenarios.insert(scenario_name(name));
      if (options.scenarios.empty()) throw std::invalid_argument("--scenarios: empty list");
    } else if (arg == "--memory-child") {
      options.memory_child = std::stoul(value(i));
    } else if (arg == "--memory-budget") {
      options.memory_budget_seconds = std::stod(value(i));
    } else if (arg == "--help" || arg == "-h") {
      std::cout << usage;
      std::exit(0);
    } else {
      throw std::invalid_argument("unknown argument '" + arg + "'");
    }
  }
  return options;
}

SchedulerConfig scheduler(int threads, const std::string& policy) {
  SchedulerConfig s;
  s.threads = threads;
  s.policy = policy;
  return s;
}

// Progress on stderr: a full run takes a while.
void progress(const std::string& text) { std::cerr << "[bench] " << text << std::endl; }

json scheduler_json(std::size_t threads, const std::string& policy) {
  return {{"threads", threads}, {"policy", policy}};
}

json failures_json(std::size_t failures, const std::string& first) {
  json j = {{"failures", failures}};
  if (failures > 0) j["first_failure"] = first;
  return j;
}

json closed_loop_json(ClosedLoopRun& run, bool with_spectrum) {
  auto summary = summarize(run.latencies_ns);
  json j = {{"books", run.books},
            {"scheduler", scheduler_json(run.threads, run.policy)},
            {"orders", run.orders},
            {"seconds", run.seconds},
            {"orders_per_second", run.orders / std::max(run.seconds, 1e-9)},
            {"all_books_busy_orders_per_second",
             run.all_busy_orders / std::max(run.all_busy_seconds, 1e-9)},
            {"slowest_book_orders_per_second", run.slowest_book_orders_per_second},
            {"fastest_book_orders_per_second", run.fastest_book_orders_per_second},
            {"latency_us", to_json(summary)}};
  j.update(failures_json(run.failures, run.first_failure));
  if (with_spectrum) j["latency_spectrum_us"] = spectrum_json(run.latencies_ns);
  return j;
}

struct Context {
  Sizes sizes;
  json one_book_config;  // the full config, as the loader saw it (threads 0, stealing)
  std::optional<double> capacity;  // one book, default scheduler, orders/s
};

json one_book(Context& ctx) {
  json runs = json::array();
  // The runtime's default (one thread per core) first: that is the one the targets are for.
  for (int threads : {0, 1}) {
    auto config = load_config(full_config_json(scheduler(threads, "stealing")));
    progress("one book, " + std::to_string(scheduler_threads_for(config.scheduler)) +
             " thread(s): " + std::to_string(ctx.sizes.one_book_orders) + " orders");
    auto run = run_closed_loop(config, 1, ctx.sizes.one_book_orders, ctx.sizes.warmup_orders);
    runs.push_back(closed_loop_json(run, true));
    if (threads == 0) ctx.capacity = runs.back()["orders_per_second"].get<double>();
  }
  return {{"status", "ok"},
          {"description", "one book, closed loop through the real actors: validate, route, "
                          "venue (+ wallet), deltas, apply, reconcile"},
          {"runs", runs}};
}

json floor_scenario(Context& ctx) {
  auto config = load_config(ctx.one_book_config);
  progress("floor, five bare actors: " + std::to_string(ctx.sizes.one_book_orders) + " round trips");
  auto run = run_floor(config, ctx.sizes.one_book_orders, ctx.sizes.warmup_orders);
  return {{"status", "ok"},
          {"description", "five CAF actors in the order path's shape doing request/response on "
                          "an integer, no business logic: what this stack costs at best here"},
          {"threads", run.threads},
          {"orders", run.orders},
          {"seconds", run.seconds},
          {"orders_per_second", run.orders / std::max(run.seconds, 1e-9)},
          {"messages_per_order", FloorRun::messages_per_order},
          {"latency_us", to_json(summarize(run.latencies_ns))}};
}

json hops(Context& ctx) {
  auto config = load_config(ctx.one_book_config);
  const auto orders = ctx.sizes.one_book_orders / 3 + 1;
  progress("per-hop breakdown: " + std::to_string(orders) + " orders behind timing probes");
  auto run = run_hop_breakdown(config, orders, ctx.sizes.warmup_orders);
  // The same work without actors, stage by stage: the rest of the actor path's time is
  // messages, mailboxes and the copies they carry.
  StageTimes stages;
  run_direct(config, orders, ctx.sizes.warmup_orders, &stages);
  json work = {{"admit_route_us", to_json(summarize(stages.admit_route_ns))},
               {"venue_us", to_json(summarize(stages.venue_ns))},
               {"deltas_apply_us", to_json(summarize(stages.apply_ns))},
               {"compare_us", to_json(summarize(stages.compare_ns))}};
  double work_p50_us = 0;
  for (const auto& [name, figures] : work.items()) work_p50_us += figures["p50"].get<double>();
  const double total_p50_us = summarize(run.total_ns).p50_us;
  return {{"status", "ok"},
          {"description", "one book, each venue behind a timing probe (one extra hop in "
                          "'venue'): to_venue = driver send to the venue's arrival (mailboxes, "
                          "admission, routing); venue = the venue's work and the probe's hop; "
                          "after_venue = the handshake's way back, update handler, monitor "
                          "apply, comparison, result"},
          {"orders", run.orders},
          {"to_venue_us", to_json(summarize(run.to_venue_ns))},
          {"venue_us", to_json(summarize(run.venue_ns))},
          {"after_venue_us", to_json(summarize(run.after_venue_ns))},
          {"total_us", to_json(summarize(run.total_ns))},
          {"work_without_actors", work},
          {"work_p50_us", work_p50_us},
          {"messaging_p50_us", total_p50_us - work_p50_us}};
}

json direct(Context& ctx) {
  auto config = load_config(ctx.one_book_config);
  progress("direct calls: " + std::to_string(ctx.sizes.direct_orders) + " orders");
  auto run = run_direct(config, ctx.sizes.direct_orders, ctx.sizes.warmup_orders);
  auto summary = summarize(run.latencies_ns);
  json j = {{"status", "ok"},
            {"description", "the same components called as plain functions, no actors"},
            {"orders", run.orders},
            {"seconds", run.seconds},
            {"orders_per_second", run.orders / std::max(run.seconds, 1e-9)},
            {"latency_us", to_json(summary)},
            {"latency_spectrum_us", spectrum_json(run.latencies_ns)}};
  j.update(failures_json(run.failures, run.first_failure));
  return j;
}

json many_books(Context& ctx) {
  json runs = json::array();
  for (const auto& policy : ctx.sizes.many_policies) {
    auto config = load_config(full_config_json(scheduler(0, policy)));
    for (auto books : ctx.sizes.many_books) {
      const auto per_book = std::max(ctx.sizes.many_min_per_book,
                                     ctx.sizes.many_total_orders / books);
      const auto warmup = std::max<std::size_t>(5, per_book / 10);
      progress("many books, " + policy + ": " + std::to_string(books) + " books x " +
               std::to_string(per_book) + " orders");
      auto run = run_closed_loop(config, books, per_book, warmup);
      runs.push_back(closed_loop_json(run, books == 1 || books == 8 || books == 1024));
    }
  }
  return {{"status", "ok"},
          {"description", "K books at once, one closed-loop driver each; aggregate orders/s is "
                          "all results / (first send to last result)"},
          {"runs", runs}};
}

json open_loop(Context& ctx) {
  auto config = load_config(ctx.one_book_config);
  if (!ctx.capacity) {
    progress("open loop: measuring one book's capacity first");
    auto run = run_closed_loop(config, 1, ctx.sizes.one_book_orders / 4 + 1,
                               ctx.sizes.warmup_orders);
    ctx.capacity = run.orders / std::max(run.seconds, 1e-9);
  }
  json runs = json::array();
  // One hand-over per order, then a batch per 100 us of due time (issue #9).
  for (std::int64_t batch_us : {std::int64_t{0}, std::int64_t{100}})
  for (double load : ctx.sizes.open_loads) {
    const double rate = load * *ctx.capacity;
    progress("open loop at " + std::to_string(static_cast<long>(rate)) + " orders/s" +
             (batch_us > 0 ? ", a batch per " + std::to_string(batch_us) + " us" : ""));
    auto run = run_open_loop(config, rate, ctx.sizes.open_seconds, ctx.sizes.warmup_orders,
                             batch_us);
    auto latency = summarize(run.latencies_ns);
    auto lag = summarize(run.pacer_lag_ns);
    json j = {{"load", load},
              {"batch_interval_us", run.batch_interval_us},
              {"offered_per_second", run.offered_per_second},
              {"achieved_per_second", run.achieved_per_second},
              {"orders", run.orders},
              {"scheduler", scheduler_json(run.threads, run.policy)},
              {"latency_us", to_json(latency)},
              {"latency_spectrum_us", spectrum_json(run.latencies_ns)},
              {"pacer_lag_us", to_json(lag)}};
    j.update(failures_json(run.failures, run.first_failure));
    runs.push_back(j);
  }
  return {{"status", "ok"},
          {"description", "orders due at fixed times; latency counts from the due time, so "
                          "queueing shows (no coordinated omission)"},
          {"capacity_orders_per_second", *ctx.capacity},
          {"runs", runs}};
}

std::size_t count_lines(const std::string& path) {
  std::ifstream in(path);
  return static_cast<std::size_t>(
      std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n'));
}

json logging(Context& ctx) {
  auto config = load_config(ctx.one_book_config);
  const std::string file =
      (std::filesystem::temp_directory_path() /
       ("tightloop-bench-" + std::to_string(::getpid()) + ".log")).string();
  json runs = json::array();
  // "off": only warnings and errors, none of which a healthy run writes.
  const std::vector<std::pair<std::string, std::string>> levels = {
      {"off", "warning"}, {"info", "info"}, {"debug", "debug"}};
  for (const auto& [label, level] : levels) {
    std::filesystem::remove(file);
    init_logging(level, file);
    progress("logging " + label + ": " + std::to_string(ctx.sizes.logging_orders) + " orders");
    auto run = run_closed_loop(config, 1, ctx.sizes.logging_orders, ctx.sizes.warmup_orders);
    init_logging("warning", "");
    auto j = closed_loop_json(run, false);
    j["label"] = label;
    j["level"] = level;
    j["log_file_lines"] = count_lines(file);
    runs.push_back(j);
  }
  std::filesystem::remove(file);
  return {{"status", "ok"},
          {"description", "one book with the Boost.Log file sink at warning (off), info (the "
                          "default) and debug (one line per order)"},
          {"log_file", file},
          {"runs", runs}};
}

// Scenario 7: a real `tightloop serve` child over loopback (daemon_scenario.cpp). The HTTP tax
// is against the in-process one-book closed loop: scenario 1's figure when it ran, else the
// open loop's capacity run, else a short one here, before the child starts.
json daemon(Context& ctx, bool one_book_ran) {
  InProcessBaseline baseline;
  if (ctx.capacity) {
    baseline = {*ctx.capacity, one_book_ran ? "one_book" : "open_loop"};
  } else {
    progress("daemon: the in-process one-book closed loop first (the HTTP tax's baseline)");
    auto run = run_closed_loop(load_config(ctx.one_book_config), 1,
                               ctx.sizes.one_book_orders / 4 + 1, ctx.sizes.warmup_orders);
    baseline = {run.orders / std::max(run.seconds, 1e-9), "measured here"};
  }
  return run_daemon_scenario(default_daemon_binary(), ctx.one_book_config, ctx.sizes.daemon,
                             baseline, progress);
}

json skipped(const std::string& reason) {
  return {{"status", "skipped"}, {"reason", reason}};
}

std::string self_executable() {
  return std::filesystem::read_symlink("/proc/self/exe").string();
}

json memory(Context& ctx) {
  json runs = json::array();
  for (auto books : ctx.sizes.memory_books) {
    progress("memory: " + std::to_string(books) + " idle books (child process)");
    const std::string command = "'" + self_executable() + "' --memory-child " +
                                std::to_string(books) + " --memory-budget " +
                                std::to_string(ctx.sizes.memory_budget_seconds);
    std::string text;
    if (FILE* pipe = ::popen(command.c_str(), "r")) {
      char buffer[512];
      while (std::fgets(buffer, sizeof buffer, pipe)) text += buffer;
      ::pclose(pipe);
    }
    json probe = json::parse(text, nullptr, false);
    if (probe.is_discarded() || !probe.is_object()) {
      runs.push_back({{"books", books}, {"error", "child gave no result: " + text}});
      continue;
    }
    const auto spawned = probe["spawned"].get<std::size_t>();
    const auto grown = probe["rss_after_bytes"].get<std::int64_t>() -
                       probe["rss_before_bytes"].get<std::int64_t>();
    probe["books"] = books;
    probe["bytes_per_book"] = spawned == 0 ? 0.0 : static_cast<double>(grown) / spawned;
    runs.push_back(probe);
  }
  return {{"status", "ok"},
          {"description", "RSS growth from N idle books (two actors each: the execution manager "
                          "and the supervisor; the venues, update handler and monitor are "
                          "spawned at a book's first order), their config included; each N "
                          "in a fresh child process"},
          {"runs", runs}};
}

int memory_child(const Options& options) {
  auto config = load_config(small_config_json(scheduler(0, "stealing")));
  auto probe = probe_memory(config, *options.memory_child, options.memory_budget_seconds);
  json j = {{"requested", probe.requested},
            {"spawned", probe.spawned},
            {"actors_per_book", probe.actors_per_book},
            {"rss_before_bytes", probe.rss_before_bytes},
            {"rss_config_bytes", probe.rss_config_bytes},
            {"rss_after_bytes", probe.rss_after_bytes},
            {"spawn_seconds", probe.spawn_seconds},
            {"complete", probe.complete},
            {"budget_seconds", options.memory_budget_seconds}};
  std::cout << j.dump() << std::endl;
  std::fflush(nullptr);
  std::_Exit(0);  // the books are still running; tearing them down is not measured
}

json ratios(const json& scenarios) {
  json r = json::object();
  if (scenarios.contains("one_book") && scenarios.contains("direct")) {
    const double actor = scenarios["one_book"]["runs"][0]["orders_per_second"];
    const double plain = scenarios["direct"]["orders_per_second"];
    r["actor_over_direct"] = actor / plain;
  }
  if (scenarios.contains("one_book") && scenarios.contains("floor")) {
    const double actor = scenarios["one_book"]["runs"][0]["orders_per_second"];
    const double bare = scenarios["floor"]["orders_per_second"];
    r["one_book_over_floor"] = actor / bare;
  }
  if (scenarios.contains("many_books")) {
    // Per policy: the best aggregate at K >= 2 over K = 1 of the same policy.
    std::map<std::string, double> one;
    std::map<std::string, std::pair<double, std::size_t>> best;
    for (const auto& run : scenarios["many_books"]["runs"]) {
      const std::string policy = run["scheduler"]["policy"];
      const double rate = run["orders_per_second"];
      const std::size_t books = run["books"];
      if (books == 1) one[policy] = rate;
      else if (rate > best[policy].first) best[policy] = {rate, books};
    }
    for (const auto& [policy, rate] : one) {
      if (!best.count(policy)) continue;
      const std::string key = policy == "stealing" ? "many_over_one" : "many_over_one_" + policy;
      r[key] = best[policy].first / rate;
      r[key + "_books"] = best[policy].second;
    }
  }
  return r;
}

int run_benchmark(const Options& options) {
  Context ctx;
  ctx.sizes = options.quick ? quick_sizes() : Sizes{};
  ctx.one_book_config = full_config_json(scheduler(0, "stealing"));
  init_logging("warning", "");

  const auto revision = source_revision();
  json doc = {{"schema", "tightloop-bench/1"},
              {"date", utc_now_iso8601()},
              {"revision", revision.commit},
              {"dirty", revision.dirty},
              {"quick", options.quick},
              {"machine", machine_json()},
              {"build", build_json()}};
  doc["config"] = {{"book_config", ctx.one_book_config},
                   {"memory_book_config", small_config_json(scheduler(0, "stealing"))},
                   {"mix", mix_description()},
                   {"sizes",
                    {{"one_book_orders", ctx.sizes.one_book_orders},
                     {"warmup_orders", ctx.sizes.warmup_orders},
                     {"direct_orders", ctx.sizes.direct_orders},
                     {"many_total_orders", ctx.sizes.many_total_orders},
                     {"many_books", ctx.sizes.many_books},
                     {"many_policies", ctx.sizes.many_policies},
                     {"open_loads", ctx.sizes.open_loads},
                     {"open_seconds", ctx.sizes.open_seconds},
                     {"logging_orders", ctx.sizes.logging_orders},
                     {"memory_books", ctx.sizes.memory_books},
                     {"memory_budget_seconds", ctx.sizes.memory_budget_seconds},
                     {"daemon", to_json(ctx.sizes.daemon)}}}};

  json scenarios = json::object();
  auto wanted = [&](const char* name) { return options.scenarios.count(name) != 0; };
  if (wanted("one_book")) scenarios["one_book"] = one_book(ctx);
  if (wanted("direct")) scenarios["direct"] = direct(ctx);
  if (wanted("floor")) scenarios["floor"] = floor_scenario(ctx);
  if (wanted("hops")) scenarios["hops"] = hops(ctx);
  if (wanted("many_books")) scenarios["many_books"] = many_books(ctx);
  if (wanted("open_loop")) scenarios["open_loop"] = open_loop(ctx);
  if (wanted("logging")) scenarios["logging"] = logging(ctx);
  if (wanted("journal"))
    scenarios["journal"] = skipped("no journal in this revision (durability issue not landed)");
  if (wanted("daemon")) scenarios["daemon"] = daemon(ctx, scenarios.contains("one_book"));
  if (wanted("memory")) scenarios["memory"] = memory(ctx);
  // The order path's messages (actors/interfaces.hpp): inside the book, and with the client's
  // request and reply as the benchmarks send them; the floor runs the same 8.
  doc["messages_per_order"] = {{"in_book", 6}, {"with_client", 8}};
  doc["scenarios"] = scenarios;
  doc["ratios"] = ratios(scenarios);
  doc["targets"] = evaluate_targets(doc);
  if (scenarios.contains("daemon")) {
    for (auto& t : daemon_targets(scenarios["daemon"])) doc["targets"].push_back(t);
    if (scenarios["daemon"].contains("http_tax"))
      doc["ratios"]["daemon_over_one_book"] =
          scenarios["daemon"]["http_tax"]["daemon_over_in_process"];
  }

  const bool json_to_stdout = options.json_path.empty() || options.json_path == "-";
  print_table(doc, json_to_stdout ? std::cerr : std::cout);
  if (scenarios.contains("daemon"))
    print_daemon_table(scenarios["daemon"], json_to_stdout ? std::cerr : std::cout);
  if (json_to_stdout) {
    std::cout << doc.dump(2) << std::endl;
  } else {
    std::ofstream out(options.json_path);
    out << doc.dump(2) << "\n";
    if (!out) {
      std::cerr << "tightloop-bench: cannot write " << options.json_path << "\n";
      return 2;
    }
  }
  return 0;
}

std::optional<json> read_json(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::cerr << "tightloop-bench: cannot read " << path << "\n";
    return std::nullopt;
  }
  auto doc = json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) {
    std::cerr << "tightloop-bench: " << path << " is not a JSON object\n";
    return std::nullopt;
  }
  return doc;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  try {
    options = parse_options(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "tightloop-bench: " << e.what() << "\n" << usage;
    return 2;
  }
  try {
    if (options.memory_child) return memory_child(options);
    if (options.compare) {
      auto old_doc = read_json(options.compare->first);
      auto new_doc = read_json(options.compare->second);
      if (!old_doc || !new_doc) return 2;
      return compare_results(*old_doc, *new_doc, std::cout);
    }
    return run_benchmark(options);
  } catch (const std::exception& e) {
    std::cerr << "tightloop-bench: " << e.what() << "\n";
    return 2;
  }
}
