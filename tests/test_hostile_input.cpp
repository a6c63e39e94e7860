// Hostile and careless input (issue #8): one regression test per root cause. Each class gets a
// coded answer and changes nothing, or is accepted exactly as documented.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <limits>

#include "actors/position/admission.hpp"
#include "actors/position_update_handler.hpp"
#include "actors/venues/transfer_pricing.hpp"
#include "actors/venues/venue_set.hpp"
#include "config/config_loader.hpp"
#include "config/orders_file.hpp"
#include "messages/duration.hpp"
#include "messages/json_input.hpp"
#include "messages/json_number.hpp"
#include "messages/order_json.hpp"
#include "messages/order_validation.hpp"
#include "tests/test_support.hpp"

using namespace tightloop;
using namespace tightloop::test;
using nlohmann::json;

namespace {

const std::string bom = "\xEF\xBB\xBF";

// JSON text read as every input is (parse_json): non-integer numbers keep their own text.
json parsed(const std::string& text) {
  auto result = parse_json(text);
  REQUIRE_MESSAGE(result.ok(), (result.error ? result.error->message : std::string()));
  return result.value;
}

// A spot BUY on binance; `amount` is the JSON number's text.
std::string order_line(const std::string& id, const std::string& amount = "0.01") {
  json order{{"operation_id", id},
             {"venue", "binance"},
             {"operation", "spot_trade"},
             {"pair", "BTC/USDT"},
             {"side", "BUY"}};
  order["amount"] = parsed(amount);
  return dump_json(order);
}

std::string group_member(const std::string& id, const std::string& group) {
  auto order = parsed(order_line(id));
  order["execution_mode"] = "atomic";
  order["atomic_group_id"] = group;
  return dump_json(order);
}

// Runs `tightloop run` on the exact config (or `config`) and `orders` (JSON Lines text).
ProcessResult run_orders(const std::string& orders, const json& config = exact_config_json()) {
  TempFile config_file(dump_json(config));
  TempFile orders_file(orders, ".jsonl");
  return run_tightloop({"run", "--config", config_file.path(), "--orders", orders_file.path()});
}

// The output lines as the input policy reads them (amounts keep their text).
std::vector<json> output_lines(const ProcessResult& run) {
  std::vector<json> lines;
  for (const auto& line : split_lines(run.out)) lines.push_back(parsed(line));
  return lines;
}

// The exact config's initial positions as the output writes them (compare with dump_json: a
// parsed "100000" is an integer node, a written one a raw number).
std::string exact_positions_text() {
  json positions = json::object();
  for (const auto& [key, amount] : exact_initial_positions()) positions[key] = amount_json(amount);
  return dump_json(positions);
}

std::string nested(int depth) {
  std::string text;
  for (int i = 0; i < depth; ++i) text += "{\"a\":";
  text += "1";
  for (int i = 0; i < depth; ++i) text += "}";
  return text;
}

}  // namespace

// ---- one parser policy --------------------------------------------------------------------

TEST_CASE("input policy: a number outside the binary64 range is refused, not inf or 0") {
  for (const std::string& number : {std::string("1e400"), std::string("-1e400"),
                                    std::string("1e-400"), std::string("0.5e-400"),
                                    "1" + std::string(400, '0')}) {
    CAPTURE(number);
    auto parsed = parse_json("{\"amount\": " + number + "}");
    REQUIRE_FALSE(parsed.ok());
  }
  CHECK(parse_json("{\"amount\": 0e-400}").ok());  // a zero written as zero is zero
  CHECK(parse_json("{\"amount\": 1.7976931348623157e308}").ok());

  // Within range, a non-integer number is kept as its own text, never as a binary64; an
  // integer beyond 64 bits too.
  for (const std::string& number :
       {std::string("0.1"), std::string("0.123456789012345678"), std::string("-0.0"),
        std::string("1E+2"), std::string("3030.015"), std::string("100000000000000000000"),
        std::string("0.1000000000000000000000000000001")}) {
    CAPTURE(number);
    auto parsed_number = parse_json("{\"amount\": " + number + "}");
    REQUIRE(parsed_number.ok());
    CHECK(is_raw_number(parsed_number.value["amount"]));
    CHECK(raw_number_text(parsed_number.value["amount"]) == number);
    CHECK(dump_json(parsed_number.value) == "{\"amount\":" + number + "}");
  }
  CHECK(parse_json("7").value.is_number_integer());
  CHECK(parse_json("-7").value.is_number_integer());
  CHECK(parse_json("18446744073709551615").value.is_number_unsigned());

  // Anywhere in an orders file: an order field, metadata, an event: exit 2, nothing runs.
  for (const std::string& bad :
       {std::string(R"({"operation_id": "a", "venue": "binance", "operation": "spot_trade", )"
                    R"("pair": "BTC/USDT", "side": "BUY", "amount": 1e999})"),
        std::string(R"({"operation_id": "a", "venue": "binance", "operation": "spot_trade", )"
                    R"("pair": "BTC/USDT", "side": "BUY", "amount": 1, "metadata": {"x": -1e309}})"),
        std::string(R"({"event": "market", "prices": {"BTC": 1e400}})")}) {
    CAPTURE(bad);
    auto run = run_orders(order_line("first") + "\n" + bad + "\n");
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("INP-001") != std::string::npos);
    CHECK(run.err.find("line 2 is not valid JSON") != std::string::npos);
    CHECK(run.out.empty());
  }
}

TEST_CASE("input policy: nesting deeper than 64 levels is refused in orders, events and config") {
  CHECK(parse_json(nested(max_json_depth)).ok());
  auto deep = parse_json(nested(max_json_depth + 1));
  REQUIRE_FALSE(deep.ok());
  CHECK(deep.error->message.find("nesting deeper than 64 levels") != std::string::npos);
  // Far deeper than any stack would take if it were recursive.
  CHECK_FALSE(parse_json(std::string(200000, '[') + std::string(200000, ']')).ok());

  auto order = parsed(order_line("deep"));
  auto text = dump_json(order);
  text.insert(text.size() - 1, ",\"metadata\":" + nested(80));
  auto run = run_orders(text + "\n");
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("INP-001") != std::string::npos);
  CHECK(run.err.find("nesting deeper than 64 levels (in metadata.a.a.a.a.a...)") !=
        std::string::npos);

  TempFile config("{\"scheduler\": " + nested(100) + "}");
  auto loaded = load_config_file(config.path());
  CHECK(loaded.failure.code == ErrorCode::cfg_unreadable);
  CHECK(loaded.failure.message.find("nesting deeper than 64") != std::string::npos);
}

TEST_CASE("input policy: a NUL byte or anything after the value refuses the whole file") {
  // A NUL used to end the input for the parser, so the order behind it vanished.
  auto with_nul = parse_orders_text("[" + order_line("a") + "]" + std::string(1, '\0') + "[" +
                                    order_line("b") + "]");
  CHECK(with_nul.failure.code == ErrorCode::inp_unreadable);
  CHECK(with_nul.failure.message.find("NUL byte at byte") != std::string::npos);
  CHECK(with_nul.entries.empty());
  auto nul_in_line = parse_orders_text(order_line("a") + "\n" + order_line("b") +
                                       std::string(1, '\0') + "\n");
  CHECK(nul_in_line.failure.code == ErrorCode::inp_unreadable);

  auto trailing = parse_orders_text("[" + order_line("a") + "] x");
  CHECK(trailing.failure.code == ErrorCode::inp_unreadable);
  auto two_values = parse_orders_text(order_line("a") + " " + order_line("b") + "\n");
  CHECK(two_values.failure.code == ErrorCode::inp_unreadable);
  CHECK(two_values.failure.message.find("line 1 is not valid JSON") != std::string::npos);
}

TEST_CASE("input policy: a key repeated in an order or an event refuses the file") {
  auto order = parse_orders_text(
      R"({"operation_id": "a", "venue": "binance", "operation": "spot_trade", "amount": 1, "amount": 2})"
      "\n");
  CHECK(order.failure.code == ErrorCode::inp_unreadable);
  CHECK(order.failure.message.find("amount: key appears more than once in its object") !=
        std::string::npos);
  auto event = parse_orders_text(R"({"event": "market", "prices": {"BTC": 1, "BTC": 2}})");
  CHECK(event.failure.code == ErrorCode::inp_unreadable);
  CHECK(event.failure.message.find("prices.BTC: key appears more than once") != std::string::npos);
  // The same key in sibling objects is fine.
  CHECK_FALSE(parse_orders_text("[" + order_line("a") + "," + order_line("b") + "]").failure.failed());
}

TEST_CASE("input policy: a byte-order mark only as the file's first bytes") {
  auto lines = parse_orders_text(bom + order_line("a") + "\n" + order_line("b") + "\n");
  CHECK_FALSE(lines.failure.failed());
  CHECK(lines.entries.size() == 2);
  auto array = parse_orders_text(bom + "[" + order_line("a") + "]");
  CHECK_FALSE(array.failure.failed());
  CHECK(array.entries.size() == 1);

  auto second_line = parse_orders_text(order_line("a") + "\n" + bom + order_line("b") + "\n");
  CHECK(second_line.failure.code == ErrorCode::inp_unreadable);
  CHECK(second_line.failure.message.find("line 2") != std::string::npos);
  CHECK(second_line.failure.message.find("byte-order mark") != std::string::npos);
  CHECK(parse_orders_text(bom + bom + order_line("a")).failure.code == ErrorCode::inp_unreadable);
  CHECK(parse_orders_text(" " + bom + order_line("a")).failure.code == ErrorCode::inp_unreadable);
  CHECK(parse_orders_text("[" + bom + order_line("a") + "]").failure.code ==
        ErrorCode::inp_unreadable);

  TempFile config(bom + dump_json(exact_config_json()));
  CHECK(load_config_file(config.path()).ok());
}

TEST_CASE("a directory or a missing file as the orders file is INP-001 with the OS's reason") {
  auto config = TempFile(dump_json(exact_config_json()));
  const auto dir = std::filesystem::temp_directory_path().string();
  auto run = run_tightloop({"run", "--config", config.path(), "--orders", dir});
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("INP-001: cannot read orders file '" + dir + "': is a directory") !=
        std::string::npos);
  CHECK(run.out.empty());
  auto missing = read_orders_file(dir + "/tightloop-no-such-orders.jsonl");
  CHECK(missing.failure.code == ErrorCode::inp_unreadable);
  CHECK(missing.failure.message.find("No such file or directory") != std::string::npos);
}

TEST_CASE("entries and lines are counted from 1 in every message") {
  auto not_object = parse_orders_text(order_line("a") + "\n\n[1]\n");
  CHECK(not_object.failure.code == ErrorCode::inp_invalid);
  CHECK(not_object.failure.message == "entry 2 (line 3) is not a JSON object");
  auto in_array = parse_orders_text("[" + order_line("a") + ", 7]");
  CHECK(in_array.failure.message == "entry 2 is not a JSON object");
  auto run = run_orders(order_line("a") + "\n\n{\"event\": \"rebalance\"}\n");
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("INP-003: orders file '") != std::string::npos);
  CHECK(run.err.find("': entry 2 (line 3): event must be") != std::string::npos);
}

// ---- paths, durations, overflow -------------------------------------------------------------

TEST_CASE("an unusable log file is CFG-003 with the reason, exit 2, nothing executed") {
  const auto dir = std::filesystem::temp_directory_path();
  TempFile plain("not a directory", ".txt");
  const std::vector<std::pair<std::string, std::string>> cases{
      {dir.string(), "is a directory"},
      {plain.path() + "/tightloop.log", "Not a directory"},
      {(dir / std::string(300, 'x')).string(), "File name too long"},
      {(dir / "tightloop-no-such-dir" / "x.log").string(), "No such file or directory"},
  };
  for (const auto& [path, reason] : cases) {
    CAPTURE(path);
    auto config = exact_config_json();
    config["log"]["file"] = path;
    auto run = run_orders(order_line("a") + "\n", config);
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("CFG-003: log.file '" + path + "' cannot be used: " + reason) !=
          std::string::npos);
    CHECK(run.out.empty());
  }
}

TEST_CASE("durations: at most 365 days in config, clamped and saturating in the runtime") {
  auto config = exact_config_json();
  config["venue_timeout_ms"] = max_duration_ms;
  config["reconciliation"]["deadline_ms"] = max_duration_ms;
  CHECK(parse_config(config).ok());
  for (const char* path : {"/venue_timeout_ms", "/reconciliation/deadline_ms",
                           "/reconciliation/initial_backoff_ms"}) {
    CAPTURE(path);
    auto too_long = exact_config_json();
    too_long[json::json_pointer(path)] = max_duration_ms + 1;
    auto loaded = parse_config(too_long);
    CHECK(loaded.failure.code == ErrorCode::cfg_invalid);
    CHECK(loaded.failure.message.find("(at most 31536000000)") != std::string::npos);
  }

  CHECK(saturating_add_ms(max_wait_ms, 1) == max_wait_ms);
  CHECK(saturating_add_ms(std::numeric_limits<std::int64_t>::max(), 5) == max_wait_ms);
  CHECK(saturating_mul_ms(max_duration_ms, 1'000'000) == max_wait_ms);
  CHECK(saturating_mul_ms(250, 4) == 1000);
  CHECK(clamp_wait_ms(-5) == 0);
  CHECK(wait_for(std::numeric_limits<std::int64_t>::max()).count() == max_wait_ms);

  ReconciliationConfig policy;
  policy.initial_backoff_ms = max_duration_ms;
  policy.multiplier = 1e300;
  CHECK(backoff_before_retry(policy, 1) == max_duration_ms);
  CHECK(backoff_before_retry(policy, 2) == max_wait_ms);
  CHECK(backoff_before_retry(policy, 4000000000u) == max_wait_ms);
}

TEST_CASE("durations at their limits: the book finishes and a huge fault delay never fires early") {
  auto config_json = exact_config_json();
  config_json["venue_timeout_ms"] = max_duration_ms;
  config_json["reconciliation"]["deadline_ms"] = max_duration_ms;
  config_json["reconciliation"]["multiplier"] = parsed("1e300");
  {
    Runtime runtime(config_from(config_json));
    auto result = runtime.run_book("main", {order_from(parsed(order_line("a")))});
    REQUIRE(result.results.size() == 1);
    CHECK(result.results[0].handshake.status == HandshakeStatus::executed);
  }
  // A slow reply of int64 max milliseconds used to overflow into "at once".
  config_json = exact_config_json();
  config_json["venue_timeout_ms"] = 50;
  Runtime runtime(config_from(config_json));
  auto slow = fault_on(FaultKind::slow_reply, "late");
  slow.delay_ms = std::numeric_limits<std::int64_t>::max();
  REQUIRE(runtime.inject_fault("main", "binance", slow));
  auto result = runtime.run_book("main", {order_from(parsed(order_line("late")))});
  REQUIRE(result.results.size() == 1);
  CHECK(result.results[0].handshake.error_code == ErrorCode::em_venue_timeout);
  CHECK(result.results[0].handshake.in_doubt);
}

TEST_CASE("amounts beyond the range are refused at the door with ORD-005") {
  // The largest amount is about 1.7e20: beyond it, or with a 19th fractional digit, an order
  // cannot be read exactly, so it is refused before it reaches a venue.
  for (const std::string& amount :
       {std::string("1e21"), std::string("1e305"), std::string("0.0000000000000000001")}) {
    CAPTURE(amount);
    auto decoded = decode_order(parsed(order_line("big", amount)));
    CHECK(decoded.failure.code == ErrorCode::ord_out_of_range);
  }
  auto run = run_orders(order_line("big", "1e305") + "\n" + order_line("normal") + "\n");
  CHECK(run.exit_code == 0);
  auto lines = output_lines(run);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0]["error_code"] == "ORD-005");
  CHECK(lines[0]["error_message"].get<std::string>().find("'1e305' is out of range") !=
        std::string::npos);
  CHECK(lines[1]["status"] == "executed");
}

TEST_CASE("inputs whose result leaves the amount range fail with VEN-009 and change nothing") {
  Config config = exact_config();
  const auto& book = config.books.front();
  VenueSet venues(config, book, nullptr);
  const auto before = venues.balances(book.subscribed_keys);

  // 1e20 BTC is a valid amount; at 60000 its notional (6e24) is not.
  auto huge_buy = order_from(parsed(order_line("huge", "1e20")));
  check_failed(venues.execute(huge_buy), ErrorCode::ven_amount_overflow, "amount overflow");
  auto huge_perp = order_from(parsed(R"({"operation_id": "perp", "venue": "binance",
      "operation": "perp_trade", "pair": "BTC/USDT", "side": "SHORT", "amount": 1e20})"));
  check_failed(venues.execute(huge_perp), ErrorCode::ven_amount_overflow, "amount overflow");
  CHECK(venues.balances(book.subscribed_keys) == before);

  // Each figure in range, the balance after it not: 1.7e20 USDT plus 6e19 of proceeds.
  auto rich = exact_config_json();
  rich["books"][0]["initial_positions"]["binance:BaseToken:USDT"] = "170000000000000000000";
  rich["books"][0]["initial_positions"]["binance:BaseToken:BTC"] = parsed("1e15");
  Config rich_config = config_from(rich);
  VenueSet rich_venues(rich_config, rich_config.books.front(), nullptr);
  auto sell = order_from(parsed(R"({"operation_id": "sell", "venue": "binance",
      "operation": "spot_trade", "pair": "BTC/USDT", "side": "SELL", "amount": 1e15})"));
  check_failed(rich_venues.execute(sell), ErrorCode::ven_amount_overflow,
               "the balance of binance:BaseToken:USDT would leave the amount range");
  CHECK(rich_venues.balances({"binance:BaseToken:USDT"}).at("binance:BaseToken:USDT") ==
        "170000000000000000000"_amt);
}

TEST_CASE("a funding payment that overflows settles nothing and reports VEN-009") {
  auto config_json = exact_config_json();
  config_json["books"][0]["initial_positions"]["binance:Perp:BTCUSDT"] =
      parsed(R"({"amount": 1e20, "entry_price": 60000})");
  config_json["market"]["funding_rates"] = parsed(R"({"binance": {"BTCUSDT": 0.5}})");
  Config config = config_from(config_json);
  VenueSet venues(config, config.books.front(), nullptr);
  auto settlement = venues.find("binance")->settle();
  CHECK(settlement.failure.code == ErrorCode::ven_amount_overflow);
  CHECK(settlement.deltas.empty());
  CHECK(venues.balances({"binance:BaseToken:USDT"}).at("binance:BaseToken:USDT") == "100000"_amt);

  Runtime runtime(config);
  std::map<std::string, std::vector<StreamEntry>> streams;
  streams["main"].emplace_back();
  streams["main"].back().kind = StreamEntryKind::refresh;
  auto results = runtime.run_streams(std::move(streams));
  const auto& refresh = results.at("main").entries.at(0).refresh;
  CHECK(refresh.failure.code == ErrorCode::ven_amount_overflow);
  CHECK(refresh.failure.message.find("venue binance: ") == 0);
  CHECK(refresh.deltas.empty());
  CHECK(results.at("main").book.positions.at("binance:BaseToken:USDT") == "100000"_amt);
}

TEST_CASE("an overflow never reaches the output: no null amounts, no halt") {
  auto run = run_orders(order_line("huge", "1e20") + "\n" + order_line("normal") + "\n");
  CHECK(run.exit_code == 0);
  auto lines = output_lines(run);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0]["error_code"] == "VEN-009");
  CHECK(lines[1]["status"] == "executed");
  CHECK(run.out.find("null,\"fee_currency") == std::string::npos);
  for (const auto& [key, amount] : lines[2]["positions"].items()) CHECK(is_json_number(amount));
}

TEST_CASE("an amount given as a decimal string runs exactly like the same number") {
  auto as_string = parsed(order_line("s"));
  as_string["amount"] = "0.01";
  auto run = run_orders(dump_json(as_string) + "\n" + order_line("n") + "\n");
  CHECK(run.exit_code == 0);
  auto lines = output_lines(run);
  REQUIRE(lines.size() == 3);
  for (int i = 0; i < 2; ++i) {
    CAPTURE(i);
    CHECK(lines[i]["status"] == "executed");
    CHECK(dump_json(lines[i]["executed_amount"]) == "0.01");
    CHECK(dump_json(lines[i]["order"]["amount"]) == "0.01");
    CHECK(dump_json(lines[i]["fee_amount"]) == "0.6");
    CHECK(dump_json(lines[i]["position_deltas"]) ==
          R"({"binance:BaseToken:BTC":0.01,"binance:BaseToken:USDT":-600})");
  }
  CHECK(dump_json(lines[2]["positions"]["binance:BaseToken:BTC"]) == "1.02");
  CHECK(dump_json(lines[2]["positions"]["binance:BaseToken:USDT"]) == "98798.8");
}

// ---- atomic groups and operation_ids ---------------------------------------------------------

TEST_CASE("an atomic group with a member that fails decoding runs no member") {
  auto bad = parsed(group_member("g-2", "g"));
  bad["amount"] = true;
  auto run = run_orders(group_member("g-1", "g") + "\n" + dump_json(bad) + "\n" +
                        group_member("g-3", "g") + "\n");
  CHECK(run.exit_code == 0);
  auto lines = output_lines(run);
  REQUIRE(lines.size() == 4);
  CHECK(lines[0]["status"] == "skipped");
  CHECK(lines[0]["error_code"] == "EM-006");
  CHECK(lines[1]["status"] == "failed");
  CHECK(lines[1]["error_code"] == "ORD-003");
  CHECK(lines[2]["status"] == "skipped");
  CHECK(lines[2]["error_code"] == "EM-006");
  CHECK(dump_json(lines[3]["positions"]) == exact_positions_text());
}

TEST_CASE("a group split by an entry, or spanning books, fails whole with ORD-009") {
  // The middle member's group id is unreadable: the group would run in two parts.
  auto unreadable = parsed(group_member("s-2", "s"));
  unreadable["atomic_group_id"] = 5;
  auto split = run_orders(group_member("s-1", "s") + "\n" + dump_json(unreadable) + "\n" +
                          group_member("s-3", "s") + "\n");
  auto lines = output_lines(split);
  REQUIRE(lines.size() == 4);
  CHECK(lines[0]["error_code"] == "ORD-009");
  CHECK(lines[0]["error_message"].get<std::string>().find("is split") != std::string::npos);
  CHECK(lines[1]["error_code"] == "ORD-003");
  CHECK(lines[2]["error_code"] == "ORD-009");
  CHECK(dump_json(lines[3]["positions"]) == exact_positions_text());

  auto in_alpha = parsed(group_member("b-1", "b"));
  in_alpha["book"] = "alpha";
  auto in_beta = parsed(group_member("b-2", "b"));
  in_beta["book"] = "beta";
  auto spans = run_orders(dump_json(in_alpha) + "\n" + dump_json(in_beta) + "\n",
                          exact_config_json({"alpha", "beta"}));
  lines = output_lines(spans);
  REQUIRE(lines.size() == 3);
  for (int i = 0; i < 2; ++i) {
    CHECK(lines[i]["status"] == "failed");
    CHECK(lines[i]["error_code"] == "ORD-009");
    CHECK(lines[i]["error_message"] == "atomic group 'b' spans books 'alpha', 'beta': a group "
                                       "runs in one book");
  }
  CHECK(dump_json(lines[2]["positions"]["alpha"]) == exact_positions_text());
  CHECK(dump_json(lines[2]["positions"]["beta"]) == exact_positions_text());

  // A member naming no configured book: the others never run.
  auto lost = parsed(group_member("l-2", "l"));
  lost["book"] = "nowhere";
  auto lost_run = run_orders(group_member("l-1", "l") + "\n" + dump_json(lost) + "\n");
  lines = output_lines(lost_run);
  REQUIRE(lines.size() == 3);
  CHECK(lines[0]["error_code"] == "ORD-009");
  CHECK(lines[1]["error_code"] == "ORD-008");
  CHECK(dump_json(lines[2]["positions"]) == exact_positions_text());
}

TEST_CASE("check_group_shapes: consecutive runs of one book pass, splits and spans fail") {
  auto member = [](const std::string& id, const std::string& group, const std::string& book) {
    Order order;
    order.operation_id = id;
    order.atomic_group_id = group;
    order.book = book;
    return order;
  };
  Order a1 = member("a1", "a", "main"), a2 = member("a2", "a", "main"),
        b1 = member("b1", "b", "main"), solo = member("solo", "", "main");
  auto fine = check_group_shapes({&a1, &a2, &solo, &b1});
  for (const auto& verdict : fine) CHECK_FALSE(verdict.has_value());
  auto split = check_group_shapes({&a1, nullptr, &a2, &b1});
  CHECK(split[0]->code == ErrorCode::ord_bad_group);
  CHECK(split[0]->message ==
        "atomic group 'a' is split: its members must be consecutive entries of one submission "
        "(found at entries 1-1, 3-3)");
  CHECK(split[2]->code == ErrorCode::ord_bad_group);
  CHECK_FALSE(split[3].has_value());
  Order other_book = member("a3", "a", "side");
  auto spans = check_group_shapes({&a1, &a2, &other_book});
  for (const auto& verdict : spans) CHECK(verdict->code == ErrorCode::ord_bad_group);
}

TEST_CASE("operation_ids: one rule for every refusal, skipped orders claim nothing") {
  auto bad_amount = parsed(order_line("dec"));
  bad_amount["amount"] = true;
  auto invalid = parsed(order_line("val"));
  invalid["amount"] = -1;
  auto venue_refused = parsed(order_line("ven"));
  venue_refused["order_type"] = "limit";
  venue_refused["price"] = 1;  // BUY limit far below the market: VEN-002
  auto skipped = parsed(group_member("skip", "k"));
  auto breaks_group = parsed(group_member("k-bad", "k"));
  breaks_group["amount"] = 0;
  auto inexact = parsed(order_line("exa"));
  inexact["amount"] = "0.0000000000000000001";  // 19 fractional digits: decoding refuses it
  std::string orders;
  for (const auto& line : {bad_amount, invalid, venue_refused, skipped, breaks_group, inexact})
    orders += dump_json(line) + "\n";
  // The same ids again, now valid.
  for (const char* id : {"dec", "val", "ven", "skip", "k-bad", "exa"})
    orders += order_line(id) + "\n";
  auto run = run_orders(orders);
  auto lines = output_lines(run);
  REQUIRE(lines.size() == 13);
  CHECK(lines[0]["error_code"] == "ORD-003");
  CHECK(lines[1]["error_code"] == "ORD-005");
  CHECK(lines[2]["error_code"] == "VEN-002");
  CHECK(lines[3]["status"] == "skipped");
  CHECK(lines[4]["error_code"] == "ORD-005");
  CHECK(lines[5]["error_code"] == "ORD-005");
  for (int i : {6, 7, 8, 10, 11}) {
    CAPTURE(i);
    CHECK(lines[i]["status"] == "failed");
    CHECK(lines[i]["error_code"] == "ORD-007");
  }
  CHECK(lines[9]["status"] == "executed");  // "skip" was never looked at
  CHECK(dump_json(lines[12]["positions"]["binance:BaseToken:BTC"]) == "1.01");

  ExecutionHandshake hs;
  hs.order.operation_id = "x";
  hs.status = HandshakeStatus::failed;
  hs.error_code = ErrorCode::em_book_halted;
  CHECK_FALSE(claims_operation_id(hs));
  hs.error_code = ErrorCode::em_venue_timeout;
  hs.in_doubt = true;
  CHECK(claims_operation_id(hs));
  hs.status = HandshakeStatus::rolled_back;
  CHECK(claims_operation_id(hs));
  hs.status = HandshakeStatus::skipped;
  CHECK_FALSE(claims_operation_id(hs));
  hs.status = HandshakeStatus::executed;
  hs.order.operation_id.clear();
  CHECK_FALSE(claims_operation_id(hs));
}

TEST_CASE("admit: a used id is ORD-007 before anything else is looked at") {
  Order order = order_from(parsed(order_line("used")));
  order.amount = "-1"_amt;
  CHECK(admit(order, {"used"}, "main")->code == ErrorCode::ord_duplicate_operation_id);
  CHECK(admit(order, {}, "main")->code == ErrorCode::ord_out_of_range);
  order.ingress_failure =
      Failure{ErrorCode::ord_wrong_type, "amount must be a number or a decimal string"};
  CHECK(admit(order, {}, "main")->code == ErrorCode::ord_wrong_type);
}

// ---- rules that used to be silent -----------------------------------------------------------

TEST_CASE("a price on a market order is refused with ORD-006") {
  auto priced = parsed(order_line("p"));
  priced["price"] = 59000;
  auto run = run_orders(dump_json(priced) + "\n");
  auto lines = output_lines(run);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0]["error_code"] == "ORD-006");
  CHECK(lines[0]["error_message"].get<std::string>().find("a market order takes no price") == 0);
  CHECK(dump_json(lines[1]["positions"]) == exact_positions_text());
}

TEST_CASE("a position key no order could move is refused in subscribed_keys") {
  for (const char* key : {"binance:Perp:BTC/USDT", "binance:Perp:BTC-USDT", "wallet:BaseToken:US DC"}) {
    CAPTURE(key);
    auto config = exact_config_json();
    config["books"][0]["subscribed_keys"].push_back(key);
    auto loaded = parse_config(config);
    CHECK(loaded.failure.code == ErrorCode::cfg_invalid);
    CHECK(loaded.failure.message.find("must be letters, digits, '.' or '_'") != std::string::npos);
  }
  auto bad_pair = parsed(order_line("pair"));
  bad_pair["pair"] = "BTC-X/USDT";
  CHECK(validate_order(order_from(bad_pair))->code == ErrorCode::ord_missing_operation_field);
}

TEST_CASE("expected_deltas are compared with what the order did and reported") {
  auto matched = parsed(order_line("m"));
  matched["expected_deltas"] = parsed(R"({"binance:BaseToken:BTC": 0.01,
                                          "binance:BaseToken:USDT": "-600.6"})");
  auto wrong = parsed(order_line("w"));
  wrong["expected_deltas"] =
      parsed(R"({"binance:BaseToken:BTC": 0.02, "wallet:BaseToken:WETH": 0})");
  auto run =
      run_orders(dump_json(matched) + "\n" + dump_json(wrong) + "\n" + order_line("none") + "\n");
  auto lines = output_lines(run);
  REQUIRE(lines.size() == 4);
  CHECK(lines[0]["status"] == "executed");
  CHECK(lines[0]["expected_deltas_check"] ==
        json({{"outcome", "matched"}, {"mismatches", json::array()}}));
  CHECK(lines[1]["status"] == "executed");  // informational: the order stands
  CHECK(dump_json(lines[1]["expected_deltas_check"]) ==
        R"({"mismatches":[{"actual":0.01,"expected":0.02,"position_key":"binance:BaseToken:BTC"}],)"
        R"("outcome":"mismatch"})");
  CHECK(lines[2]["expected_deltas_check"].is_null());
}

// ---- the command line and its output --------------------------------------------------------

TEST_CASE("command-line errors are CLI-001") {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"frobnicate"}, {"run", "--bogus"}, {"run", "--config"},
        {"run", "--config", "a", "--config", "b", "--orders", "c"}, {"run", "--config="}, {}}) {
    auto run = run_tightloop(args);
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("tightloop: CLI-001: ") == 0);
  }
}

TEST_CASE("results that cannot be written are OUT-001, exit 4, not exit 0") {
  TempFile config(dump_json(exact_config_json()));
  TempFile orders(order_line("a") + "\n", ".jsonl");
  for (auto where : {ChildStdout::full_disk, ChildStdout::closed_pipe}) {
    auto run = run_tightloop({"run", "--config", config.path(), "--orders", orders.path()}, where);
    CHECK(run.exit_code == 4);
    CHECK(run.err.find("OUT-001: the results could not be written to stdout") != std::string::npos);
  }
  CHECK(run_tightloop({"error-codes"}, ChildStdout::full_disk).exit_code == 4);
}

// ---- many venues ----------------------------------------------------------------------------

TEST_CASE("a book's venues share one transfer-target set and config lookups are indexed") {
  Config config = exact_config();
  auto venues = make_book_venues(config, config.books.front(), nullptr);
  auto& binance = dynamic_cast<TransferringVenue&>(*venues.at("binance"));
  auto& wallet = dynamic_cast<TransferringVenue&>(*venues.at("wallet"));
  CHECK(&binance.transfer_targets() == &wallet.transfer_targets());  // one set, not a copy each
  CHECK(config.venue_index.size() == config.venues.size());
  CHECK(config.find_venue("aave") == &config.venues[2]);
  CHECK(config.find_venue("nowhere") == nullptr);
  config.venues.push_back(config.venues.front());
  config.venues.back().name = "okx";  // edited by hand without reindex(): still found
  CHECK(config.find_venue("okx") == &config.venues.back());
}

// ---- the order wire format page ---------------------------------------------------------------

TEST_CASE("docs/ORDER_FORMAT.md is exactly the decoder's page") {
  CHECK_MESSAGE(source_file("docs/ORDER_FORMAT.md") == order_format_markdown(),
                "regenerate with: build/tightloop order-format > docs/ORDER_FORMAT.md");
}

TEST_CASE("every field the page lists behaves as listed: required, type, null") {
  const std::string page = order_format_markdown();
  const json valid = parsed(order_line("fmt"));
  std::size_t rows = 0;
  for (auto line_start = page.find("\n| `"); line_start != std::string::npos;
       line_start = page.find("\n| `", line_start + 1)) {
    ++rows;
    const auto name_end = page.find('`', line_start + 4);
    const std::string name = page.substr(line_start + 4, name_end - line_start - 4);
    const auto cells = page.substr(name_end, page.find('\n', name_end) - name_end);
    const bool required = cells.find("| yes |") != std::string::npos;
    const bool is_string = cells.find("| string |") != std::string::npos;
    const bool is_amount = cells.find("| number or decimal string |") != std::string::npos;
    CAPTURE(name);
    json missing = valid;
    missing.erase(name);
    auto absent = decode_order(missing);
    if (required) {
      CHECK(absent.failure.code == ErrorCode::ord_missing_field);
    } else {
      CHECK(absent.ok());
    }
    json nulled = valid;
    nulled[name] = nullptr;
    CHECK(decode_order(nulled).failure.code == ErrorCode::ord_wrong_type);
    json wrong = valid;
    wrong[name] = is_string ? json(12) : json(true);
    auto refused = decode_order(wrong);
    CHECK(refused.failure.code == ErrorCode::ord_wrong_type);
    CHECK(refused.failure.message.find(name) == 0);
    if (is_amount) {
      // A decimal string is an amount; text that is no decimal is out of range, not a type.
      json as_string = valid;
      as_string[name] = "0.5";
      CHECK(decode_order(as_string).ok());
      json as_text = valid;
      as_text[name] = "text";
      CHECK(decode_order(as_text).failure.code == ErrorCode::ord_out_of_range);
      CHECK(decode_order(as_text).failure.message.find(name) == 0);
    }
  }
  CHECK(rows == 21);
  json unknown = valid;
  unknown["colour"] = "red";
  CHECK(decode_order(unknown).failure.code == ErrorCode::ord_unknown_field);
}

TEST_CASE("a refresh where one venue cannot settle still brings the others' settlements to the monitor") {
  auto config_json = exact_config_json();
  config_json["venues"].push_back({{"name", "okx"}, {"kind", "cex"}, {"settlement_token", "USDT"}});
  config_json["books"][0]["subscribed_keys"].push_back("okx:BaseToken:USDT");
  config_json["books"][0]["subscribed_keys"].push_back("okx:Perp:BTCUSDT");
  config_json["books"][0]["initial_positions"]["binance:Perp:BTCUSDT"] =
      parsed(R"({"amount": 1e20, "entry_price": 60000})");  // overflows
  config_json["books"][0]["initial_positions"]["okx:Perp:BTCUSDT"] =
      parsed(R"({"amount": -2, "entry_price": 60000})");
  config_json["books"][0]["initial_positions"]["okx:BaseToken:USDT"] = 100;
  config_json["market"]["funding_rates"] =
      parsed(R"({"binance": {"BTCUSDT": 0.5}, "okx": {"BTCUSDT": 0.001}})");
  Runtime runtime(config_from(config_json));
  std::map<std::string, std::vector<StreamEntry>> streams;
  streams["main"].emplace_back();
  streams["main"].back().kind = StreamEntryKind::refresh;
  auto results = runtime.run_streams(std::move(streams));
  const auto& refresh = results.at("main").entries.at(0).refresh;
  CHECK(refresh.failure.code == ErrorCode::ven_amount_overflow);
  REQUIRE(refresh.deltas.size() == 1);
  CHECK(refresh.deltas[0].position_key == "okx:BaseToken:USDT");
  CHECK(refresh.deltas[0].delta_amount == "120"_amt);  // a short receives 2 * 60000 * 0.001
  const auto& positions = results.at("main").book.positions;
  CHECK(positions.at("okx:BaseToken:USDT") == "220"_amt);
  CHECK(positions.at("binance:BaseToken:USDT") == "100000"_amt);
  CHECK(all_venue_ledgers(runtime, "main") == positions);  // monitor and venues agree
}
