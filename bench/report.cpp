#include "bench/report.hpp"

#include <cstdarg>
#include <cstdio>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace tightloop::bench {

namespace {

using nlohmann::json;

constexpr double gib = 1024.0 * 1024.0 * 1024.0;
constexpr double mib = 1024.0 * 1024.0;


// A number at a JSON path, if every step exists.
std::optional<double> number_at(const json& doc, const std::vector<std::string>& path) {
  const json* node = &doc;
  for (const auto& step : path) {
    if (!node->is_object() || !node->contains(step)) return std::nullopt;
    node = &(*node)[step];
  }
  if (!node->is_number()) return std::nullopt;
  return node->get<double>();
}

const json* scenario(const json& doc, const char* name) {
  if (!doc.contains("scenarios") || !doc["scenarios"].contains(name)) return nullptr;
  return &doc["scenarios"][name];
}

bool ran(const json* s) { return s && s->value("status", "") == "ok"; }

json target(const std::string& name, const std::string& goal, double value, bool met) {
  return {{"name", name}, {"target", goal}, {"value", value}, {"met", met}};
}

// The 100k-book figure, extrapolated from bytes per book when the time budget cut it short.
std::optional<json> memory_target(const json& memory) {
  for (const auto& run : memory["runs"]) {
    if (run.value("books", 0) != 100000 || !run.contains("rss_after_bytes")) continue;
    const bool complete = run.value("complete", false);
    double rss = run["rss_after_bytes"].get<double>();
    if (!complete)
      rss = run["rss_before_bytes"].get<double>() + run["bytes_per_book"].get<double>() * 1e5;
    auto t = target("RSS of 100k idle books (bytes)", "<= 600 MiB", rss, rss <= 600 * mib);
    t["extrapolated"] = !complete;
    return t;
  }
  return std::nullopt;
}

std::string latency_columns(const json& latency) {
  return format("%9.1f %9.1f %9.1f %10.1f", latency.value("p50", 0.0), latency.value("p99", 0.0),
                latency.value("p99.9", 0.0), latency.value("max", 0.0));
}

std::string closed_row(const std::string& label, const json& run) {
  return format("  %-38s %11.0f ", label.c_str(), run.value("orders_per_second", 0.0)) +
         latency_columns(run["latency_us"]) +
         (run.value("failures", 0) > 0 ? format("  FAILURES %d", run.value("failures", 0)) : "");
}

std::string threads_label(const json& run) {
  return format("%d thr %s", run["scheduler"].value("threads", 0),
                run["scheduler"].value("policy", std::string("?")).c_str());
}

void print_header(const json& doc, std::ostream& out) {
  const auto& m = doc["machine"];
  out << format("tightloop-bench  %s  rev %s%s  %s\n", doc.value("date", "").c_str(),
                doc.value("revision", "").c_str(), doc.value("dirty", false) ? " (dirty)" : "",
                doc.value("quick", false) ? "QUICK (tiny N, figures meaningless)" : "");
  out << format("machine: %d cores, %s, %.1f GiB; build %s, CAF %d\n", m.value("cores", 0),
                m.value("cpu_model", "").c_str(), m.value("memory_bytes", 0.0) / gib,
                doc["build"].value("build_type", "").c_str(),
                doc["build"].value("caf_version", 0));
  out << format("\n  %-38s %11s %9s %9s %9s %10s\n", "scenario (latency in us)", "orders/s",
                "p50", "p99", "p99.9", "max");
}

void print_closed_loop_sections(const json& doc, std::ostream& out) {
  if (const auto* s = scenario(doc, "one_book"); ran(s)) {
    out << "1 one book, closed loop, real actors\n";
    for (const auto& run : (*s)["runs"]) out << closed_row(threads_label(run), run) << "\n";
  }
  if (const auto* s = scenario(doc, "direct"); ran(s)) {
    out << "2 direct calls, no actors\n" << closed_row("plain functions", *s) << "\n";
    if (auto r = number_at(doc, {"ratios", "actor_over_direct"}))
      out << format("  actor/direct = %.1f %% (the price of the actor runtime)\n", *r * 100);
  }
  if (const auto* s = scenario(doc, "floor"); ran(s)) {
    out << format("9 floor: five bare actors, %d messages per round trip (the order path's)\n",
                  s->value("messages_per_order", 0))
        << closed_row(format("%d thr stealing", s->value("threads", 0)), *s) << "\n";
    if (auto r = number_at(doc, {"ratios", "one_book_over_floor"}))
      out << format("  one book / floor = %.1f %%\n", *r * 100);
  }
  if (const auto* s = scenario(doc, "hops"); ran(s)) {
    out << "10 where one order's time goes (venues behind a timing probe)\n";
    for (const auto& [key, label] :
         std::vector<std::pair<const char*, const char*>>{
             {"to_venue_us", "to venue: mailboxes, admit, route"},
             {"venue_us", "at venue (+ probe hop, wallet legs)"},
             {"after_venue_us", "after: back, update, apply, compare"},
             {"total_us", "total"}})
      out << format("  %-38s %11s ", label, "") << latency_columns((*s)[key]) << "\n";
    if (s->contains("work_without_actors")) {
      out << "  the same work without actors, by stage:\n";
      for (const auto& [key, label] :
           std::vector<std::pair<const char*, const char*>>{
               {"admit_route_us", "admission, routing"},
               {"venue_us", "venue plan, commit, report"},
               {"deltas_apply_us", "deltas, monitor check + apply"},
               {"compare_us", "comparison"}})
        out << format("    %-36s %11s ", label, "")
            << latency_columns((*s)["work_without_actors"][key]) << "\n";
      out << format("  p50: work %.1f us, messages + mailboxes + their copies %.1f us\n",
                    s->value("work_p50_us", 0.0), s->value("messaging_p50_us", 0.0));
    }
  }
  if (const auto* s = scenario(doc, "many_books"); ran(s)) {
    out << "3 many books (aggregate; min/max book orders/s in brackets)\n";
    for (const auto& run : (*s)["runs"]) {
      auto label = format("K=%-5d %s", run.value("books", 0), threads_label(run).c_str());
      out << closed_row(label, run)
          << format("  [%.0f / %.0f]\n", run.value("slowest_book_orders_per_second", 0.0),
                    run.value("fastest_book_orders_per_second", 0.0));
    }
    for (const char* key : {"many_over_one", "many_over_one_sharing"})
      if (auto r = number_at(doc, {"ratios", key}))
        out << format("  %s = %.2fx (best at K=%d)\n", key, *r,
                      static_cast<int>(*number_at(doc, {"ratios", std::string(key) + "_books"})));
  }
}

void print_open_loop(const json& doc, std::ostream& out) {
  const auto* s = scenario(doc, "open_loop");
  if (!ran(s)) return;
  out << format("4 open loop, one book; capacity %.0f orders/s; latency from due time (us)\n",
                s->value("capacity_orders_per_second", 0.0));
  out << format("  %-20s %11s %9s %9s %9s %10s %10s %12s\n", "offered", "achieved", "p50",
                "p99", "p99.9", "p99.99", "max", "pacer p99");
  for (const auto& run : (*s)["runs"]) {
    const auto& l = run["latency_us"];
    const int batch_us = run.value("batch_interval_us", 0);
    out << format("  %-6s %3.0f%% %9.0f %11.0f %9.1f %9.1f %9.1f %10.1f %10.1f %12.1f\n",
                  batch_us > 0 ? format("%dus", batch_us).c_str() : "each",
                  run.value("load", 0.0) * 100, run.value("offered_per_second", 0.0),
                  run.value("achieved_per_second", 0.0), l.value("p50", 0.0),
                  l.value("p99", 0.0), l.value("p99.9", 0.0), l.value("p99.99", 0.0),
                  l.value("max", 0.0), run["pacer_lag_us"].value("p99", 0.0));
  }
}

void print_rest(const json& doc, std::ostream& out) {
  if (const auto* s = scenario(doc, "logging"); ran(s)) {
    out << "5 logging (file sink)\n";
    for (const auto& run : (*s)["runs"])
      out << closed_row(format("%s (level %s, %d lines)", run.value("label", "").c_str(),
                               run.value("level", "").c_str(), run.value("log_file_lines", 0)),
                        run)
          << "\n";
  }
  const std::vector<std::pair<const char*, const char*>> skippable = {{"journal", "6 journal"},
                                                                      {"daemon", "7 daemon"}};
  for (const auto& [name, label] : skippable)
    if (const auto* s = scenario(doc, name))
      out << label << ": " << s->value("status", "") << " (" << s->value("reason", "") << ")\n";
  if (const auto* s = scenario(doc, "memory"); ran(s)) {
    out << "8 memory, idle books\n";
    for (const auto& run : (*s)["runs"]) {
      if (run.contains("error")) {
        out << "  " << run.value("books", 0) << " books: " << run["error"].get<std::string>()
            << "\n";
        continue;
      }
      const double config_mib =
          (run.value("rss_config_bytes", 0.0) - run.value("rss_before_bytes", 0.0)) / mib;
      out << format("  %7d books: %7d spawned in %5.1f s, RSS %7.1f -> %7.1f MiB, %6.0f B/book"
                    " (config %.1f MiB)%s\n",
                    run.value("books", 0), run.value("spawned", 0),
                    run.value("spawn_seconds", 0.0), run.value("rss_before_bytes", 0.0) / mib,
                    run.value("rss_after_bytes", 0.0) / mib, run.value("bytes_per_book", 0.0),
                    std::max(config_mib, 0.0),
                    run.value("complete", false) ? "" : " (time budget hit)");
    }
  }
}

}  // namespace

json evaluate_targets(const json& doc) {
  json targets = json::array();
  if (const auto* s = scenario(doc, "one_book"); ran(s) && !(*s)["runs"].empty()) {
    const auto& run = (*s)["runs"][0];
    const double rate = run["orders_per_second"];
    const double p50 = run["latency_us"]["p50"];
    const double p99 = run["latency_us"]["p99"];
    // Issue #9's targets (issue #5 had 150k, 8 and 30 us).
    targets.push_back(target("one book orders/s", ">= 150000", rate, rate >= 150000));
    targets.push_back(target("one book p50 (us)", "<= 6", p50, p50 <= 6));
    targets.push_back(target("one book p99 (us)", "<= 20", p99, p99 <= 20));
  }
  if (auto r = number_at(doc, {"ratios", "actor_over_direct"}))
    targets.push_back(target("actor/direct", ">= 0.30", *r, *r >= 0.30));
  if (auto r = number_at(doc, {"ratios", "one_book_over_floor"}))
    targets.push_back(target("one book / bare-actor floor", ">= 0.60", *r, *r >= 0.60));
  if (auto n = number_at(doc, {"messages_per_order", "in_book"}))
    targets.push_back(target("messages per order in the book", "<= 6", *n, *n <= 6));
  if (auto r = number_at(doc, {"ratios", "many_over_one"}))
    targets.push_back(target("many books / one book (aggregate)", ">= 1.8", *r, *r >= 1.8));
  if (const auto* s = scenario(doc, "open_loop"); ran(s))
    for (const auto& run : (*s)["runs"])
      if (run.value("batch_interval_us", 0) == 100 && run.value("load", 0.0) > 0.89) {
        const double p99_us = run["latency_us"].value("p99", 0.0);
        const bool kept_up =
            run.value("achieved_per_second", 0.0) >= 0.98 * run.value("offered_per_second", 0.0);
        targets.push_back(target("open loop 90 %, batches of 100 us: p99 (us)", "<= 1000",
                                 p99_us, kept_up && p99_us <= 1000));
      }
  if (const auto* s = scenario(doc, "memory"); ran(s))
    if (auto t = memory_target(*s)) targets.push_back(*t);
  return targets;
}

void print_table(const json& doc, std::ostream& out) {
  print_header(doc, out);
  print_closed_loop_sections(doc, out);
  print_open_loop(doc, out);
  print_rest(doc, out);
  if (doc.contains("targets") && !doc["targets"].empty()) {
    out << "targets (2-core machine; reported, never enforced)\n";
    for (const auto& t : doc["targets"])
      out << format("  %-38s %-10s %14.3f  %s%s\n", t.value("name", "").c_str(),
                    t.value("target", "").c_str(), t.value("value", 0.0),
                    t.value("met", false) ? "met" : "MISSED",
                    t.value("extrapolated", false) ? " (extrapolated)" : "");
  }
  out.flush();
}

int compare_results(const json& old_doc, const json& new_doc, std::ostream& out) {
  out << format("old: rev %s %s\nnew: rev %s %s\n", old_doc.value("revision", "?").c_str(),
                old_doc.value("date", "?").c_str(), new_doc.value("revision", "?").c_str(),
                new_doc.value("date", "?").c_str());
  const std::vector<std::vector<std::string>> headlines = {
      {"scenarios", "direct", "orders_per_second"},
      {"scenarios", "open_loop", "capacity_orders_per_second"}};
  for (const auto& path : headlines) {
    auto a = number_at(old_doc, path), b = number_at(new_doc, path);
    if (a && b)
      out << format("  %-40s %12.1f -> %12.1f  (%+.1f %%)\n", (path[1] + " " + path[2]).c_str(),
                    *a, *b, (*b / *a - 1) * 100);
  }
  int compared = 0;
  bool regressed = false;
  for (const char* key : {"actor_over_direct", "many_over_one"}) {
    auto a = number_at(old_doc, {"ratios", key}), b = number_at(new_doc, {"ratios", key});
    if (!a || !b) {
      out << format("  %-40s not in both files\n", key);
      continue;
    }
    ++compared;
    const bool dropped = *b < *a * (1.0 - allowed_ratio_drop);
    regressed = regressed || dropped;
    out << format("  %-40s %12.4f -> %12.4f  (%+.1f %%)  %s\n", key, *a, *b, (*b / *a - 1) * 100,
                  dropped ? "REGRESSION (dropped > 20 %)" : "ok");
  }
  if (compared == 0) {
    out << "no ratio to compare: both files need scenarios one_book+direct or many_books\n";
    return 2;
  }
  return regressed ? 1 : 0;
}

std::string format(const char* pattern, ...) {
  char text[512];
  va_list args;
  va_start(args, pattern);
  std::vsnprintf(text, sizeof text, pattern, args);
  va_end(args);
  return text;
}

}  // namespace tightloop::bench
