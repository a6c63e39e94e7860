// `tightloop serve` from outside: a real process on a loopback port, driven over HTTP.
#include <doctest/doctest.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "messages/json_number.hpp"
#include "tests/daemon_process.hpp"
#include "tests/test_support.hpp"

using namespace tightloop;
using namespace tightloop::test;
using nlohmann::json;

namespace {

const std::string token = "s3cret-token-for-tests";

json daemon_config(const std::vector<std::string>& books = {"alpha", "beta"}) {
  auto config = exact_config_json(books);
  config["server"] = {{"token_env", "TIGHTLOOP_TEST_TOKEN"},
                      {"max_body_bytes", 65536},
                      {"max_orders_per_batch", 50},
                      {"max_connections", 8},
                      {"max_header_bytes", 2048},
                      {"events_retention", 1000}};
  return config;
}

std::map<std::string, std::string> token_env() { return {{"TIGHTLOOP_TEST_TOKEN", token}}; }

json buy(const std::string& id, const std::string& amount = "0.125") {
  return {{"operation_id", id}, {"venue", "binance"}, {"operation", "spot_trade"},
          {"pair", "BTC/USDT"}, {"side", "BUY"},       {"amount", amount}};
}

Amount amount_of(const json& value) {
  std::string why;
  auto amount = amount_from_json(value, why);
  REQUIRE_MESSAGE(amount, why);
  return *amount;
}

json positions(const DaemonProcess& d, const std::string& book) {
  auto reply = d.get("/v1/books/" + book + "/positions", token);
  REQUIRE(reply.status == 200);
  return reply.json();
}

// Polls /metrics (bounded) until `book` has `orders` in flight: the books have the batch.
bool wait_in_flight(const DaemonProcess& d, const std::string& book, int orders) {
  const std::string line =
      "tightloop_orders_in_flight{book=\"" + book + "\"} " + std::to_string(orders);
  for (int i = 0; i < 2000; ++i) {
    if (d.get("/metrics", token).body.find(line) != std::string::npos) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

struct Running {
  TempFile config;
  DaemonProcess daemon;
  explicit Running(const json& config_json = daemon_config())
      : config(dump_json(config_json)), daemon(config.path(), {}, token_env()) {}
};

}  // namespace

TEST_CASE("daemon: a batch and a single order execute, answer their handshakes, move positions") {
  Running r;
  auto batch = r.daemon.post("/v1/books/alpha/orders",
                             dump_json(json::array({buy("a1"), buy("a2")})), token);
  REQUIRE(batch.status == 200);
  auto body = batch.json();
  CHECK(body["book"] == "alpha");
  REQUIRE(body["results"].size() == 2);
  CHECK(body["results"][0]["operation_id"] == "a1");
  CHECK(body["results"][0]["status"] == "executed");
  CHECK(body["results"][1]["trade_id"] == "binance-2");
  // 0.125 BTC at 60000 with a 0.001 fee: 7500 + 7.5 each.
  CHECK(amount_of(body["results"][0]["fee_amount"]) == "7.5"_amt);

  auto single = r.daemon.post("/v1/books/alpha/orders", dump_json(buy("a3")), token);
  REQUIRE(single.status == 200);
  CHECK(single.json()["results"][0]["status"] == "executed");

  auto p = positions(r.daemon, "alpha");
  CHECK(amount_of(p["positions"]["binance:BaseToken:BTC"]) == "1.375"_amt);
  CHECK(amount_of(p["positions"]["binance:BaseToken:USDT"]) == "77477.5"_amt);
  CHECK(p["halted"] == false);
  // 1.375 BTC * 60000 + 77477.5 USDT + 10 WETH * 2000 + 5000 USDC.
  CHECK(amount_of(p["valuation"]["expected"]["nav"]) == "184977.5"_amt);
  // The other book is untouched.
  CHECK(amount_of(positions(r.daemon, "beta")["positions"]["binance:BaseToken:BTC"]) == "1"_amt);
}

TEST_CASE("daemon: an operation_id already used returns the stored handshake, executes nothing") {
  Running r;
  auto first = r.daemon.post("/v1/books/alpha/orders", dump_json(buy("dup")), token).json();
  const auto before = positions(r.daemon, "alpha")["positions"];
  auto again = r.daemon.post("/v1/books/alpha/orders", dump_json(buy("dup", "0.5")), token);
  REQUIRE(again.status == 200);
  auto line = again.json()["results"][0];
  CHECK(line["duplicate"] == true);
  CHECK(line["status"] == "executed");
  CHECK(line["trade_id"] == first["results"][0]["trade_id"]);
  CHECK(amount_of(line["executed_amount"]) == "0.125"_amt);  // the stored one, not 0.5
  CHECK(positions(r.daemon, "alpha")["positions"] == before);
  // Inside one batch too.
  auto batch = r.daemon.post("/v1/books/alpha/orders",
                             dump_json(json::array({buy("b1"), buy("b1")})), token).json();
  CHECK_FALSE(batch["results"][0].contains("duplicate"));
  CHECK(batch["results"][1]["duplicate"] == true);
}

TEST_CASE("daemon: 401 without or with a wrong token, except /healthz and /readyz") {
  Running r;
  for (const auto& wrong : {std::string(), std::string("nope"), token + "x", token.substr(1)}) {
    auto reply = r.daemon.post("/v1/books/alpha/orders", dump_json(buy("t")), wrong);
    CHECK(reply.status == 401);
    CHECK(reply.error_code() == "API-001");
    CHECK(reply.headers["www-authenticate"] == "Bearer");
  }
  CHECK(r.daemon.get("/metrics").status == 401);
  CHECK(r.daemon.get("/v1/books").status == 401);
  CHECK(r.daemon.get("/healthz").status == 200);
  CHECK(r.daemon.get("/readyz").status == 200);
  // Nothing executed.
  CHECK(amount_of(positions(r.daemon, "alpha")["positions"]["binance:BaseToken:BTC"]) == "1"_amt);
}

TEST_CASE("daemon: every 4xx class answers its code in one JSON shape and changes nothing") {
  Running r;
  const auto before = positions(r.daemon, "alpha");
  struct Case {
    std::string method, target, body;
    int status;
    std::string code;
  };
  const std::vector<Case> cases{
      {"POST", "/v1/books/alpha/orders", "{\"operation_id\": ", 400, "INP-001"},
      {"POST", "/v1/books/alpha/orders", "{\"a\": 1, \"a\": 2}", 400, "INP-001"},
      {"POST", "/v1/books/alpha/orders", "", 400, "API-009"},
      {"POST", "/v1/books/alpha/orders", "42", 400, "API-009"},
      {"POST", "/v1/books/alpha/orders", "{} trailing", 400, "INP-001"},
      {"POST", "/v1/books/nobody/orders", "[]", 404, "API-004"},
      {"GET", "/v1/books/nobody/positions", "", 404, "API-004"},
      {"GET", "/v1/nothing", "", 404, "API-002"},
      {"GET", "/v1/books/alpha/orders", "", 405, "API-003"},
      {"DELETE", "/v1/books", "", 405, "API-003"},
      {"GET", "/v1/events?since=abc", "", 400, "API-009"},
      {"GET", "/v1/events?since=1&since=2", "", 400, "API-009"},
      {"GET", "/v1/events?from=1", "", 400, "API-009"},
      {"POST", "/v1/market", "{\"prices\": {\"BTC\": -1}}", 400, "INP-003"},
      {"POST", "/v1/market", "{\"prices\": {\"BTC\": 1e-19}}", 400, "INP-003"},
      {"POST", "/v1/refresh", "{\"book\": \"nobody\"}", 400, "INP-003"},
      {"POST", "/v1/books/alpha/resume", "{\"x\": 1}", 400, "API-009"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.method);
    CAPTURE(c.target);
    CAPTURE(c.body);
    auto reply = r.daemon.request(c.method, c.target, c.body, token);
    CHECK(reply.status == c.status);
    CHECK(reply.error_code() == c.code);
    auto error = reply.json()["error"];
    CHECK(error.size() == 2);
    CHECK(error["message"].is_string());
  }
  // A bad order inside a batch fails alone with its own code, as in `tightloop run`.
  auto batch = r.daemon.post("/v1/books/alpha/orders",
                             dump_json(json::array({buy("ok1"), {{"operation_id", "bad"}},
                                                    buy("bad2", "-1"), buy("ok2")})),
                             token);
  REQUIRE(batch.status == 200);
  auto results = batch.json()["results"];
  CHECK(results[0]["status"] == "executed");
  CHECK(results[1]["error_code"] == "ORD-001");
  CHECK(results[2]["error_code"] == "ORD-005");
  CHECK(results[3]["status"] == "executed");
  auto after = positions(r.daemon, "alpha");
  CHECK(amount_of(after["positions"]["binance:BaseToken:BTC"]) == "1.25"_amt);
  CHECK(before["positions"].size() == after["positions"].size());
}

TEST_CASE("daemon: limits answer 413, 429 and 431 with codes and the server stays up") {
  Running r;
  // Body over max_body_bytes (65536).
  auto big = r.daemon.post("/v1/books/alpha/orders", std::string(70000, ' ') + "[]", token);
  CHECK(big.status == 413);
  CHECK(big.error_code() == "API-005");
  // More orders than max_orders_per_batch (50).
  json many = json::array();
  for (int i = 0; i < 51; ++i) many.push_back(buy("m" + std::to_string(i)));
  auto too_many = r.daemon.post("/v1/books/alpha/orders", dump_json(many), token);
  CHECK(too_many.status == 413);
  CHECK(too_many.error_code() == "API-006");
  // Headers over max_header_bytes (2048).
  auto headers = r.daemon.request("GET", "/v1/books", {}, token,
                                  {{"X-Padding", std::string(4000, 'x')}});
  CHECK(headers.status == 431);
  CHECK(headers.error_code() == "API-008");
  // More connections than max_connections (8): the ninth is answered 429 and closed.
  std::vector<std::unique_ptr<std::promise<std::string>>> held;
  std::vector<std::thread> holders;
  for (int i = 0; i < 8; ++i) {
    // A connection that sent half a request holds its slot until the idle timeout.
    holders.emplace_back([port = r.daemon.port()] {
      raw_exchange(port, "GET /healthz HTTP/1.1\r\nHost: x\r\n", std::chrono::seconds(3));
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // let them connect (no timing assert)
  auto refused = raw_exchange(r.daemon.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(refused.find("HTTP/1.1 429") == 0);
  CHECK(refused.find("API-007") != std::string::npos);
  for (auto& t : holders) t.join();
  // Malformed HTTP: 400 API-009.
  auto garbage = raw_exchange(r.daemon.port(), "BLAH\r\n\r\n");
  CHECK(garbage.find("HTTP/1.1 400") == 0);
  CHECK(garbage.find("API-009") != std::string::npos);
  CHECK(r.daemon.get("/healthz").status == 200);
  CHECK(amount_of(positions(r.daemon, "alpha")["positions"]["binance:BaseToken:BTC"]) == "1"_amt);
}

TEST_CASE("daemon: two clients on two books at once, each book exact") {
  Running r;
  auto client = [&](const std::string& book) {
    for (int i = 0; i < 20; ++i) {
      auto reply = r.daemon.post("/v1/books/" + book + "/orders",
                                 dump_json(buy(book + std::to_string(i), "0.05")), token);
      if (reply.status != 200 || reply.json()["results"][0]["status"] != "executed") return false;
    }
    return true;
  };
  auto alpha = std::async(std::launch::async, client, "alpha");
  auto beta = std::async(std::launch::async, client, "beta");
  CHECK(alpha.get());
  CHECK(beta.get());
  for (const auto& book : {"alpha", "beta"}) {
    auto p = positions(r.daemon, book)["positions"];
    // 20 buys of 0.05 BTC: +1 BTC, -60000 USDT - 60 fee.
    CHECK(amount_of(p["binance:BaseToken:BTC"]) == "2"_amt);
    CHECK(amount_of(p["binance:BaseToken:USDT"]) == "39940"_amt);
  }
}

TEST_CASE("daemon: books, market, refresh and resume routes") {
  Running r;
  auto books = r.daemon.get("/v1/books", token).json()["books"];
  REQUIRE(books.size() == 2);
  CHECK(books[0]["book"] == "alpha");
  CHECK(books[0]["state"] == "running");

  auto market = r.daemon.post("/v1/market",
                              "{\"timestamp\": \"2026-01-01T00:00:00Z\", \"prices\": {\"BTC\": 50000}}",
                              token);
  REQUIRE(market.status == 200);
  CHECK(market.json()["event"] == "market");
  auto fill = r.daemon.post("/v1/books/beta/orders", dump_json(buy("after-market")), token).json();
  CHECK(amount_of(fill["results"][0]["executed_price"]) == "50000"_amt);

  auto refresh = r.daemon.post("/v1/refresh", "", token);
  REQUIRE(refresh.status == 200);
  CHECK(refresh.json()["books"].size() == 2);
  CHECK(refresh.json()["books"]["alpha"]["error_code"].is_null());

  // Resuming a running book says so (nothing to resume).
  auto resume = r.daemon.post("/v1/books/alpha/resume", "", token);
  REQUIRE(resume.status == 200);
  CHECK(resume.json()["book"] == "alpha");

  auto codes = r.daemon.get("/v1/error-codes", token).json()["error_codes"];
  bool seen = false;
  for (const auto& c : codes) seen = seen || c["code"] == "API-001";
  CHECK(seen);
}

TEST_CASE("daemon: a reconciliation failure halts the book, /v1/books shows it, resume answers") {
  auto config = daemon_config({"alpha"});
  config["venues"][0]["faults"] = json::array(
      {{{"kind", "wrong_report"}, {"operation_id", "bad"}, {"report_error", "0.5"}}});
  Running r(config);
  auto reply = r.daemon.post("/v1/books/alpha/orders", dump_json(buy("bad")), token).json();
  CHECK(reply["results"][0]["error_code"] == "EM-001");
  auto books = r.daemon.get("/v1/books", token).json()["books"];
  CHECK(books[0]["state"] == "halted");
  CHECK(books[0]["halt"]["code"] == "EM-001");
  auto refused = r.daemon.post("/v1/books/alpha/orders", dump_json(buy("later")), token).json();
  CHECK(refused["results"][0]["error_code"] == "EM-004");
  auto p = positions(r.daemon, "alpha");
  CHECK(p["halted"] == true);
  CHECK(p["valuation"].contains("venue"));
  // The monitor and the venue still disagree: the resume is refused with the mismatches.
  auto resume = r.daemon.post("/v1/books/alpha/resume", "", token).json();
  CHECK(resume["resumed"] == false);
  CHECK_FALSE(resume["mismatches"].empty());
}

TEST_CASE("daemon: the event stream numbers every event and resumes from since") {
  Running r;
  for (int i = 0; i < 3; ++i)
    r.daemon.post("/v1/books/alpha/orders", dump_json(buy("e" + std::to_string(i))), token);
  r.daemon.post("/v1/market", "{\"prices\": {\"BTC\": 61000}}", token);
  // A stream stays open: read what is there, bounded by the timeout, and parse the lines.
  auto read_stream = [&](const std::string& since) {
    auto raw = raw_exchange(r.daemon.port(),
                            "GET /v1/events?since=" + since +
                                " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
                                "\r\n\r\n",
                            std::chrono::milliseconds(1500));
    std::vector<json> events;
    std::istringstream lines(raw);
    std::string line;
    while (std::getline(lines, line)) {
      if (line.empty() || line[0] != '{') continue;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      events.push_back(json::parse(line));
    }
    return std::make_pair(raw, events);
  };
  auto [raw, all] = read_stream("0");
  CHECK(raw.find("HTTP/1.1 200") == 0);
  CHECK(raw.find("application/x-ndjson") != std::string::npos);
  REQUIRE(all.size() == 4);
  for (std::size_t i = 0; i < all.size(); ++i) CHECK(all[i]["seq"] == i + 1);
  CHECK(all[0]["type"] == "order");
  CHECK(all[0]["book"] == "alpha");
  CHECK(all[0]["result"]["operation_id"] == "e0");
  CHECK(all[3]["type"] == "market");
  auto [raw2, rest] = read_stream("2");
  REQUIRE(rest.size() == 2);
  CHECK(rest[0]["seq"] == 3);
  // After the last one: nothing to miss yet, a future number is refused.
  CHECK(r.daemon.get("/v1/events?since=99", token).error_code() == "API-009");
}

TEST_CASE("daemon: events older than the retention window answer 410") {
  auto config = daemon_config({"alpha"});
  config["server"]["events_retention"] = 2;
  Running r(config);
  for (int i = 0; i < 4; ++i)
    r.daemon.post("/v1/books/alpha/orders", dump_json(buy("r" + std::to_string(i))), token);
  auto gone = r.daemon.get("/v1/events?since=1", token);
  CHECK(gone.status == 410);
  CHECK(gone.error_code() == "API-010");
  // since=0 is everything still kept: the last two.
  auto kept = raw_exchange(r.daemon.port(),
                           "GET /v1/events?since=0 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                               token + "\r\n\r\n",
                           std::chrono::milliseconds(800));
  CHECK(kept.find("HTTP/1.1 200") == 0);
  CHECK(kept.find("\"seq\":3") != std::string::npos);
  CHECK(kept.find("\"seq\":4") != std::string::npos);
  CHECK(kept.find("\"seq\":2") == std::string::npos);
}

TEST_CASE("daemon: /metrics passes promtool and its counters equal what was sent") {
  Running r;
  r.daemon.post("/v1/books/alpha/orders", dump_json(json::array({buy("m1"), buy("m2")})), token);
  r.daemon.post("/v1/books/beta/orders", dump_json(buy("m3")), token);
  r.daemon.post("/v1/books/beta/orders", dump_json(buy("m4", "1000")), token);  // VEN-001
  r.daemon.get("/v1/nothing", token);
  auto metrics = r.daemon.get("/metrics", token);
  REQUIRE(metrics.status == 200);
  CHECK(metrics.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8");
  TempFile exposition(metrics.body, ".prom");
  auto lint = run_program({"/usr/bin/promtool", "check", "metrics"}, exposition.path(),
                          "prometheus");
  CHECK_MESSAGE(lint.exit_code == 0, lint.out << lint.err);
  CHECK(lint.out.empty());
  CHECK(lint.err.empty());
  // Read back with the Prometheus client library's own parser: one "name labels value" line each.
  TempFile script(R"(import sys
from prometheus_client.parser import text_string_to_metric_families
for family in text_string_to_metric_families(open(sys.argv[1]).read()):
    for s in family.samples:
        labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
        print(f"{s.name} {labels} {s.value:g}")
)", ".py");
  auto parsed = run_program({"/usr/bin/python3", script.path(), exposition.path()}, "/dev/null",
                            "python3-prometheus-client");
  REQUIRE_MESSAGE(parsed.exit_code == 0, parsed.err);
  auto has = [&](const std::string& line) {
    return parsed.out.find(line + "\n") != std::string::npos;
  };
  CHECK(has("tightloop_orders_total book=alpha,status=executed 2"));
  CHECK(has("tightloop_orders_total book=beta,status=executed 1"));
  CHECK(has("tightloop_orders_total book=beta,status=failed 1"));
  CHECK(has("tightloop_reconciliation_attempts_total book=alpha 2"));
  CHECK(has("tightloop_order_request_seconds_count book=alpha 1"));
  CHECK(has("tightloop_order_request_seconds_count book=beta 2"));
  CHECK(has("tightloop_books_halted  0"));
  CHECK(has("tightloop_orders_in_flight book=alpha 0"));
  CHECK(has("tightloop_http_requests_total code=200,route=POST /v1/books/{book}/orders 3"));
  CHECK(has("tightloop_http_requests_total code=404,route=other 1"));
}

TEST_CASE("daemon: SIGTERM mid-batch finishes the order in flight, skips the rest, exits 0") {
  auto config = daemon_config({"alpha"});
  config["server"]["max_orders_per_batch"] = 20000;
  config["server"]["max_body_bytes"] = 1 << 24;
  config["books"][0]["initial_positions"]["binance:BaseToken:USDT"] = "100000000";
  Running r(config);
  json batch = json::array();
  for (int i = 0; i < 20000; ++i) batch.push_back(buy("s" + std::to_string(i), "0.001"));
  auto answer = std::async(std::launch::async, [&] {
    return r.daemon.post("/v1/books/alpha/orders", dump_json(batch), token);
  });
  // Signal once the books have the batch.
  REQUIRE(wait_in_flight(r.daemon, "alpha", 20000));
  r.daemon.signal(SIGTERM);
  auto reply = answer.get();
  CHECK(r.daemon.wait_exit() == 0);
  REQUIRE(reply.status == 200);
  auto results = reply.json()["results"];
  REQUIRE(results.size() == 20000);
  // Every order either executed whole or was not started: nothing in between, in order.
  std::size_t executed = 0, skipped = 0;
  for (const auto& line : results) {
    if (line["status"] == "executed") {
      CHECK(skipped == 0);  // no executed order after a skipped one
      CHECK(line["reconciliation"]["outcome"] == "matched");
      ++executed;
    } else {
      CHECK(line["status"] == "skipped");
      CHECK(line["error_code"] == "EM-007");
      CHECK(line["deltas"].empty());
      ++skipped;
    }
  }
  CHECK(executed + skipped == 20000);
  MESSAGE("executed " << executed << ", skipped " << skipped);
  CHECK(r.daemon.stderr_text().find("tightloop: stopped") != std::string::npos);
}

TEST_CASE("daemon: SIGHUP reopens the log file (logrotate)") {
  TempFile log("", ".log");
  auto config = daemon_config({"alpha"});
  config["log"] = {{"level", "info"}, {"file", log.path()}};
  Running r(config);
  REQUIRE(r.daemon.get("/healthz").status == 200);
  const std::string rotated = log.path() + ".1";
  REQUIRE(std::rename(log.path().c_str(), rotated.c_str()) == 0);
  r.daemon.signal(SIGHUP);
  // The reopen happens on the daemon's I/O thread: a request after it is logged in the new file.
  std::string fresh;
  for (int i = 0; i < 500 && fresh.find("GET /readyz?after-hup") == std::string::npos; ++i) {
    r.daemon.get("/readyz?after-hup");
    fresh = read_whole(log.path());
  }
  CHECK(fresh.find("log file reopened (SIGHUP)") != std::string::npos);
  CHECK(fresh.find("GET /readyz?after-hup") != std::string::npos);
  CHECK(read_whole(rotated).find("GET /healthz 200") != std::string::npos);
  std::remove(rotated.c_str());
}

TEST_CASE("daemon: /readyz answers 503 while the books load, then 200") {
  // Enough books that loading them takes a while after the port is open.
  std::vector<std::string> names;
  for (int i = 0; i < 30000; ++i) names.push_back("b" + std::to_string(i));
  auto config = daemon_config(names);
  TempFile file(dump_json(config));
  DaemonProcess daemon(file.path(), {}, token_env(), false);
  int not_ready = 0;
  HttpReply reply;
  for (int i = 0; i < 6000; ++i) {
    reply = daemon.get("/readyz");
    if (reply.status == 200) break;
    CHECK(reply.status == 503);
    CHECK(reply.error_code() == "API-011");
    ++not_ready;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(reply.status == 200);
  CHECK(not_ready > 0);
  CHECK(daemon.get("/healthz").status == 200);
}

TEST_CASE("daemon: every route in the OpenAPI file answers, every route is in it") {
  Running r;
  auto doc = r.daemon.get("/v1/openapi.json", token);
  REQUIRE(doc.status == 200);
  auto paths = doc.json()["paths"];
  CHECK(doc.json()["openapi"] == "3.0.3");
  std::set<std::string> documented;
  for (auto it = paths.begin(); it != paths.end(); ++it) {
    for (auto op = it.value().begin(); op != it.value().end(); ++op) {
      std::string method = op.key();
      for (auto& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      std::string path = it.key();
      documented.insert(method + " " + path);
      auto concrete = path;
      auto at = concrete.find("{book}");
      if (at != std::string::npos) concrete.replace(at, 6, "alpha");
      auto reply = method == "GET" && path == "/v1/events"
                       ? HttpReply{200, "", {}}  // a stream: answered above, it never ends
                       : r.daemon.request(method, concrete, "", token);
      CAPTURE(method);
      CAPTURE(path);
      CHECK(reply.status != 0);
      CHECK(reply.status != 404);
      CHECK(reply.status != 405);
    }
  }
  // The routes the daemon knows (runtime/daemon.cpp), each documented.
  for (const auto& route :
       {"GET /healthz", "GET /readyz", "GET /metrics", "GET /", "GET /v1/openapi.json",
        "GET /v1/error-codes", "GET /v1/books", "POST /v1/books/{book}/orders",
        "GET /v1/books/{book}/positions", "POST /v1/books/{book}/resume", "POST /v1/refresh",
        "POST /v1/market", "GET /v1/events"}) {
    CAPTURE(route);
    CHECK(documented.count(route) == 1);
  }
  CHECK(documented.size() == 13);
  auto events = raw_exchange(r.daemon.port(),
                             "GET /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                                 token + "\r\n\r\n",
                             std::chrono::milliseconds(300));
  CHECK(events.find("HTTP/1.1 200") == 0);
}

TEST_CASE("daemon: start refusals exit 2 with a code; a token file works") {
  TempFile plain(dump_json(exact_config_json({"main"})));
  auto refused = serve_refusal({"serve", "--config", plain.path(), "--listen", "0.0.0.0:0"});
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("SRV-001") != std::string::npos);
  CHECK(refused.err.find("without a token") != std::string::npos);

  auto bad_listen = serve_refusal({"serve", "--config", plain.path(), "--listen", "nowhere"});
  CHECK(bad_listen.exit_code == 2);
  CHECK(bad_listen.err.find("CLI-001") != std::string::npos);

  auto with_env = exact_config_json({"main"});
  with_env["server"] = {{"token_env", "TIGHTLOOP_UNSET_TOKEN_VAR"}};
  TempFile env_config(dump_json(with_env));
  auto no_env = serve_refusal({"serve", "--config", env_config.path()});
  CHECK(no_env.exit_code == 2);
  CHECK(no_env.err.find("TIGHTLOOP_UNSET_TOKEN_VAR") != std::string::npos);

  auto with_file = exact_config_json({"main"});
  with_file["server"] = {{"token_file", "/nonexistent/token"}};
  TempFile missing(dump_json(with_file));
  auto no_file = serve_refusal({"serve", "--config", missing.path()});
  CHECK(no_file.exit_code == 2);
  CHECK(no_file.err.find("SRV-001") != std::string::npos);

  // A port already taken.
  Running r;
  auto taken = serve_refusal({"serve", "--config", plain.path(), "--listen",
                              "127.0.0.1:" + std::to_string(r.daemon.port())});
  CHECK(taken.exit_code == 2);
  CHECK(taken.err.find("SRV-001") != std::string::npos);

  TempFile token_file("file-token\n", ".token");
  with_file["server"]["token_file"] = token_file.path();
  TempFile good(dump_json(with_file));
  DaemonProcess daemon(good.path());
  CHECK(daemon.get("/v1/books", "file-token").status == 200);
  CHECK(daemon.get("/v1/books", token).status == 401);
}

TEST_CASE("daemon: the status page in headless Chromium shows the books and an order's result") {
  Running r;
  auto posted = r.daemon.post("/v1/books/alpha/orders", dump_json(buy("page-1")), token);
  REQUIRE(posted.status == 200);
  char profile[] = "/tmp/tightloop-chromium-XXXXXX";
  REQUIRE(::mkdtemp(profile) != nullptr);
  // --virtual-time-budget lets the page's scripts run (fetches, the event stream) before the DOM
  // is printed; the outer timeout bounds the whole browser.
  auto page = run_program({"/usr/bin/timeout", "60", "/usr/bin/chromium", "--headless",
                           "--no-sandbox", "--disable-gpu", "--no-first-run",
                           std::string("--user-data-dir=") + profile,
                           "--virtual-time-budget=5000", "--dump-dom",
                           "http://127.0.0.1:" + std::to_string(r.daemon.port()) +
                               "/#token=" + token},
                          "/dev/null", "chromium");
  std::filesystem::remove_all(profile);
  REQUIRE_MESSAGE(page.exit_code == 0, page.err);
  const auto& dom = page.out;
  CAPTURE(dom);
  CHECK(dom.find("data-book=\"alpha\"") != std::string::npos);
  CHECK(dom.find("data-book=\"beta\"") != std::string::npos);
  CHECK(dom.find("class=\"running\">running") != std::string::npos);
  // The order's result in the event list and its effect on the positions, exactly as printed.
  CHECK(dom.find("1 order alpha page-1 executed") != std::string::npos);
  CHECK(dom.find("binance:BaseToken:BTC</td><td class=\"num\">1.125</td>") != std::string::npos);
  CHECK(dom.find("NAV 184992.5") != std::string::npos);
  CHECK(dom.find("id=\"error\"></span>") != std::string::npos);  // no error shown
}

TEST_CASE("daemon: a second SIGTERM exits at once while the first still drains") {
  auto config = daemon_config({"alpha"});
  config["server"]["max_orders_per_batch"] = 20000;
  config["server"]["max_body_bytes"] = 1 << 24;
  Running r(config);
  json batch = json::array();
  // Long ids make the answer tens of megabytes, more than loopback's socket buffers hold.
  const std::string padding(300, 'x');
  for (int i = 0; i < 20000; ++i)
    batch.push_back(buy("q" + std::to_string(i) + padding, "0.00001"));
  const auto body = dump_json(batch);
  // A client that sends a batch and never reads its answer: the first SIGTERM's drain waits for
  // that answer to be written.
  std::thread stuck([&] {
    raw_exchange(r.daemon.port(),
                 "POST /v1/books/alpha/orders HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                     token + "\r\nContent-Type: application/json\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\n\r\n" + body,
                 std::chrono::seconds(8), /*read=*/false);
  });
  // Once the books have the batch, the first signal; its drain cannot end while the answer
  // waits to be read.
  REQUIRE(wait_in_flight(r.daemon, "alpha", 20000));
  r.daemon.signal(SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  r.daemon.signal(SIGTERM);
  CHECK(r.daemon.wait_exit(std::chrono::seconds(5)) == 1);
  stuck.join();
}

TEST_CASE("daemon: log.rotation_bytes starts a new file past the size") {
  char dir[] = "/tmp/tightloop-rotation-XXXXXX";
  REQUIRE(::mkdtemp(dir) != nullptr);
  const std::string log = std::string(dir) + "/serve.log";
  auto config = daemon_config({"alpha"});
  config["log"] = {{"level", "info"}, {"file", log}, {"rotation_bytes", 2000}};
  {
    Running r(config);
    for (int i = 0; i < 60; ++i) REQUIRE(r.daemon.get("/healthz").status == 200);
  }
  std::size_t rotated = 0, total = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const auto name = entry.path().filename().string();
    total += read_whole(entry.path().string()).size();
    if (name != "serve.log") {
      CHECK(name.rfind("serve.log.", 0) == 0);
      CHECK(entry.file_size() <= 2000 + 200);  // a file closes at the record that crosses it
      ++rotated;
    }
  }
  // 60 access lines of ~50 bytes and the start and stop lines: at least two files' worth.
  CHECK(rotated >= 1);
  CHECK(total > 3000);
  std::filesystem::remove_all(dir);
}
