// The tightloop binary from outside: real processes, real files, exit codes, output shape.
#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <set>
#include <string_view>

#include "messages/json_input.hpp"
#include "messages/json_number.hpp"
#include "tests/test_support.hpp"

using namespace tightloop::test;
using tightloop::Amount;
using tightloop::dump_json;
using tightloop::raw_number;

namespace {

const std::string source_dir = TIGHTLOOP_SOURCE_DIR;
const std::string default_config = source_dir + "/config/default.json";
const std::string default_orders = source_dir + "/config/default-orders.jsonl";

std::string orders_jsonl(const std::vector<nlohmann::json>& orders) {
  std::string text;
  for (const auto& o : orders) text += dump_json(o) + "\n";
  return text;
}

// An output line read as the program's clients should: parse_json keeps each number's text.
nlohmann::json parse_line(const std::string& line) {
  auto parsed = tightloop::parse_json(line);
  REQUIRE_MESSAGE(parsed.ok(), (parsed.error ? parsed.error->message : std::string()) << ": "
                                                                                       << line);
  return parsed.value;
}

// An amount of the output, printed as a JSON number (the default), read exactly.
Amount number_amount(const nlohmann::json& value) {
  REQUIRE_MESSAGE(tightloop::is_json_number(value), dump_json(value));
  std::string why;
  auto amount = tightloop::amount_from_json(value, why);
  REQUIRE_MESSAGE(amount.has_value(), why);
  return *amount;
}

// An amount printed as a JSON string (--amounts strings), read exactly.
Amount string_amount(const nlohmann::json& value) {
  REQUIRE_MESSAGE(value.is_string(), dump_json(value));
  return amount(value.get<std::string>());
}

// Every JSON number token of `text` (outside string literals), as written.
std::vector<std::string> number_tokens(const std::string& text) {
  constexpr std::string_view number_chars = "+-.0123456789eE";
  std::vector<std::string> tokens;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      std::size_t end = i;
      while (end < text.size() && number_chars.find(text[end]) != std::string_view::npos) ++end;
      tokens.push_back(text.substr(i, end - i));
      i = end - 1;
    }
  }
  return tokens;
}

// An exact decimal in its shortest form: no exponent, at most 18 fractional digits, no
// trailing zero after the point. (A binary64 printed in full, `3030.0150000000003`, still
// passes the digit count: the exact values checked below catch that.)
const std::regex exact_decimal("-?(0|[1-9][0-9]*)(\\.[0-9]{0,17}[1-9])?");
const std::regex integer_token("-?(0|[1-9][0-9]*)");

}  // namespace

TEST_CASE("tightloop --help and --version exit 0") {
  auto help = run_tightloop({"--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("tightloop run --config FILE --orders FILE") != std::string::npos);
  auto version = run_tightloop({"--version"});
  CHECK(version.exit_code == 0);
  CHECK(version.out.rfind("tightloop ", 0) == 0);
}

TEST_CASE("a bad command line exits 2 with a usage message") {
  auto none = run_tightloop({});
  CHECK(none.exit_code == 2);
  auto unknown = run_tightloop({"frobnicate"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("unknown command 'frobnicate'") != std::string::npos);
  auto missing = run_tightloop({"run", "--config", default_config});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("--orders") != std::string::npos);
}

TEST_CASE("the default config and orders run, one line per order plus positions, exit 0") {
  auto run = run_tightloop({"run", "--config", default_config, "--orders", default_orders});
  CHECK(run.exit_code == 0);
  auto lines = split_lines(run.out);
  TempFile unused("");
  std::ifstream in(default_orders);
  std::size_t entries = 0;
  for (std::string line; std::getline(in, line);)
    if (line.find_first_not_of(" \t\r") != std::string::npos) ++entries;
  REQUIRE(lines.size() == entries + 1);
  std::set<std::string> operations, statuses, events;
  for (std::size_t i = 0; i + 1 < lines.size(); ++i) {
    auto j = parse_line(lines[i]);
    if (j.contains("event")) {
      events.insert(j["event"].get<std::string>());
      continue;
    }
    operations.insert(j["order"]["operation"].get<std::string>());
    statuses.insert(j["status"].get<std::string>());
    CHECK(j.contains("deltas"));
  }
  CHECK(operations.size() == 12);
  CHECK(events == std::set<std::string>{"market", "refresh"});
  CHECK(statuses.count("executed") == 1);
  CHECK(statuses.count("failed") == 1);
  auto last = parse_line(lines.back());
  REQUIRE(last.contains("positions"));
  CHECK(last["positions"].is_object());
}

TEST_CASE("the bundled run prints every amount as an exact decimal: no exponent, no float noise") {
  auto run = run_tightloop({"run", "--config", default_config, "--orders", default_orders});
  REQUIRE(run.exit_code == 0);
  const auto tokens = number_tokens(run.out);
  CHECK(tokens.size() > 200);
  for (const auto& token : tokens) {
    CAPTURE(token);
    CHECK(std::regex_match(token, exact_decimal));
  }

  // Values whose binary64 result is not the exact one, each from its formula and rounding rule
  // (actors/venues/README.md) on config/default.json's numbers. Only orders that no market
  // event of the file can move: the wallet and aave legs.
  auto lines = split_lines(run.out);
  REQUIRE(lines.size() > 8);
  // d-006: supply 8000 USDC at liquidity index 1.05: 8000 / 1.05 [down] to the 18th digit
  // = 7619.047619047619047619 (a binary64 quotient prints 7619.047619047618).
  auto supply = parse_line(lines[5]);
  REQUIRE(supply["operation_id"] == "d-006");
  CHECK(number_amount(supply["position_deltas"]["aave:aToken:USDC"]) ==
        "7619.047619047619047619"_amt);
  CHECK(lines[5].find("\"aave:aToken:USDC\":7619.047619047619047619") != std::string::npos);
  // d-008: supply 8 weETH at 1.01: 7.920792079207920792 [down] (binary64: 7.920792079207921).
  auto supply_lst = parse_line(lines[7]);
  REQUIRE(supply_lst["operation_id"] == "d-008");
  CHECK(number_amount(supply_lst["position_deltas"]["aave:aToken:weETH"]) ==
        "7.920792079207920792"_amt);
  bool seen = false;
  for (const auto& delta : supply_lst["deltas"])
    if (delta["position_key"] == "aave:aToken:weETH") {
      seen = true;
      CHECK(number_amount(delta["delta_amount"]) == "7.920792079207920792"_amt);
      CHECK(number_amount(delta["price"]) == "1.01"_amt);
    }
  CHECK(seen);

  const auto positions = parse_line(lines.back())["positions"];
  const std::pair<const char*, const char*> exact_positions[] = {
      // 8000 / 1.05 [down] - 1000 (d-011 withdraws 1000 aUSDC)
      {"aave:aToken:USDC", "6619.047619047619047619"},
      // 8 / 1.01 [down] + 3.84 / 1.01 [down] = 7.920792079207920792 + 3.801980198019801980
      {"aave:aToken:weETH", "11.722772277227722772"},
      // 5 / 1.04 [up] - 2 / 1.04 [down] + 4.002 / 1.04 [up]
      // = 4.807692307692307693 - 1.923076923076923076 + 3.848076923076923077
      {"aave:debtToken:WETH", "6.732692307692307694"},
      // 5000 + 4995 - 14.985 (d-005: 5000 * (1 - 0.001) [down], pool fee 0.003 [up])
      // - 8000 + 1050 (d-011: 1000 * 1.05 [down])
      {"wallet:BaseToken:USDC", "3030.015"},
      // 1000 + 20000 - 5000 - 500
      {"wallet:BaseToken:USDT", "15500"},
      // 20 - 10 + 5 - 2 + 1 / 0.96 [down] + 4 - 4 + 4.002 - 4 - 0.002 (flash fee 4 * 0.0005)
      {"wallet:BaseToken:WETH", "14.041666666666666666"},
      // 10 * 0.96 - 8 - 1 + 4 * 0.96 - 3.84 (a binary64 sum prints 0.5999999999999996)
      {"wallet:LST:weETH", "0.6"},
  };
  for (const auto& [key, value] : exact_positions) {
    const std::string name = key;
    CAPTURE(name);
    CHECK(number_amount(positions[name]) == amount(value));
    // And printed as that very text, the whole number token.
    const std::string printed = "\"" + name + "\":" + value;
    const auto at = lines.back().find(printed);
    REQUIRE(at != std::string::npos);
    const char after = lines.back()[at + printed.size()];
    CHECK((after == ',' || after == '}'));
  }
}

TEST_CASE("the bundled run values its positions at the last market: entries, PnL, NAV") {
  auto run = run_tightloop({"run", "--config", default_config, "--orders", default_orders});
  REQUIRE(run.exit_code == 0);
  const auto last = parse_line(split_lines(run.out).back());
  // d-002 shorts 0.5 at 60000 less 2 bps slippage; d-018 buys 0.2 back (the entry stays).
  CHECK(last["entry_prices"].size() == 1);
  CHECK(number_amount(last["entry_prices"]["binance:Perp:BTCUSDT"]) == "59988"_amt);
  const auto expected = last["valuation"]["expected"];
  CHECK_FALSE(last["valuation"].contains("venue"));  // not halted
  CHECK(expected["unpriced"].empty());
  const auto perp = expected["positions"]["binance:Perp:BTCUSDT"];
  CHECK(number_amount(perp["entry_price"]) == "59988"_amt);
  CHECK(number_amount(perp["mark_price"]) == "61000"_amt);  // the market event moved BTC
  CHECK(number_amount(perp["unrealised_pnl"]) == "-303.6"_amt);  // -0.3 * (61000 - 59988)
  CHECK(number_amount(perp["value"]) == "-303.6"_amt);
  // 6619.047619047619047619 aUSDC * 1.05 [down]; 6.732692307692307694 debt WETH * 1.04 [up].
  const auto ausdc = expected["positions"]["aave:aToken:USDC"];
  CHECK(number_amount(ausdc["underlying"]) == "6949.999999999999999999"_amt);
  const auto debt = expected["positions"]["aave:debtToken:WETH"];
  CHECK(number_amount(debt["underlying"]) == "7.002000000000000002"_amt);
  CHECK(number_amount(debt["value"]) == "-21006.000000000000006"_amt);
  CHECK(number_amount(expected["positions"]["wallet:LST:weETH"]["value"]) == "1875"_amt);
  // The sum of the thirteen values (checked with Python's decimal module).
  CHECK(number_amount(expected["nav"]) == "407183.071399999999988874"_amt);
}

TEST_CASE("--amounts strings prints every amount as a JSON string, with the same values") {
  auto numbers = run_tightloop({"run", "--config", default_config, "--orders", default_orders});
  auto strings = run_tightloop(
      {"run", "--config", default_config, "--orders", default_orders, "--amounts", "strings"});
  REQUIRE(numbers.exit_code == 0);
  REQUIRE(strings.exit_code == 0);
  // Only integers that are not amounts (attempts, backoff_ms, sequence_in_group) stay numbers.
  for (const auto& token : number_tokens(strings.out)) {
    CAPTURE(token);
    CHECK(std::regex_match(token, integer_token));
  }
  auto number_lines = split_lines(numbers.out);
  auto string_lines = split_lines(strings.out);
  REQUIRE(number_lines.size() == string_lines.size());
  std::size_t orders_compared = 0;
  for (std::size_t i = 0; i + 1 < number_lines.size(); ++i) {
    CAPTURE(i);
    auto n = parse_line(number_lines[i]);
    auto s = parse_line(string_lines[i]);
    if (n.contains("event")) continue;
    ++orders_compared;
    CHECK(string_amount(s["order"]["amount"]) == number_amount(n["order"]["amount"]));
    CHECK(string_amount(s["executed_amount"]) == number_amount(n["executed_amount"]));
    CHECK(string_amount(s["fee_amount"]) == number_amount(n["fee_amount"]));
    if (n["executed_price"].is_null())
      CHECK(s["executed_price"].is_null());
    else
      CHECK(string_amount(s["executed_price"]) == number_amount(n["executed_price"]));
    REQUIRE(s["position_deltas"].size() == n["position_deltas"].size());
    for (auto it = n["position_deltas"].begin(); it != n["position_deltas"].end(); ++it)
      CHECK(string_amount(s["position_deltas"][it.key()]) == number_amount(it.value()));
    REQUIRE(s["deltas"].size() == n["deltas"].size());
    for (std::size_t d = 0; d < n["deltas"].size(); ++d) {
      CHECK(string_amount(s["deltas"][d]["delta_amount"]) ==
            number_amount(n["deltas"][d]["delta_amount"]));
      CHECK(string_amount(s["deltas"][d]["fee"]) == number_amount(n["deltas"][d]["fee"]));
      if (n["deltas"][d]["price"].is_null())
        CHECK(s["deltas"][d]["price"].is_null());
      else
        CHECK(string_amount(s["deltas"][d]["price"]) == number_amount(n["deltas"][d]["price"]));
    }
  }
  CHECK(orders_compared == 20);
  auto n_last = parse_line(number_lines.back());
  auto s_last = parse_line(string_lines.back());
  REQUIRE(s_last["positions"].size() == n_last["positions"].size());
  for (auto it = n_last["positions"].begin(); it != n_last["positions"].end(); ++it) {
    CAPTURE(it.key());
    CHECK(string_amount(s_last["positions"][it.key()]) == number_amount(it.value()));
  }
  CHECK(string_amount(s_last["positions"]["aave:aToken:USDC"]) == "6619.047619047619047619"_amt);
  CHECK(string_lines.back().find("\"aave:aToken:USDC\":\"6619.047619047619047619\"") !=
        std::string::npos);

  // The = form and an explicit numbers give the same output as their long and default forms.
  auto equals = run_tightloop({"run", "--config", default_config, "--orders", default_orders,
                               "--amounts=strings"});
  CHECK(equals.exit_code == 0);
  CHECK(equals.out == strings.out);
  auto explicit_numbers = run_tightloop(
      {"run", "--config", default_config, "--orders", default_orders, "--amounts", "numbers"});
  CHECK(explicit_numbers.exit_code == 0);
  CHECK(explicit_numbers.out == numbers.out);
}

TEST_CASE("--amounts with anything but numbers or strings exits 2 with CLI-001") {
  for (const std::vector<std::string>& extra :
       {std::vector<std::string>{"--amounts", "bogus"}, {"--amounts=bogus"},
        {"--amounts", "Strings"}, {"--amounts"}, {"--amounts", "strings", "--amounts", "numbers"}}) {
    std::vector<std::string> args{"run", "--config", default_config, "--orders", default_orders};
    args.insert(args.end(), extra.begin(), extra.end());
    CAPTURE(extra.back());
    auto run = run_tightloop(args);
    CHECK(run.exit_code == 2);
    CHECK(run.err.find("CLI-001") != std::string::npos);
    CHECK(run.err.find("--amounts") != std::string::npos);
    CHECK(run.out.empty());  // nothing executed
  }
  auto bogus = run_tightloop(
      {"run", "--config", default_config, "--orders", default_orders, "--amounts", "bogus"});
  CHECK(bogus.err.find("'bogus'") != std::string::npos);
}

TEST_CASE("the same inputs give byte-identical output") {
  auto first = run_tightloop({"run", "--config", default_config, "--orders", default_orders});
  auto second = run_tightloop({"run", "--config", default_config, "--orders", default_orders});
  REQUIRE(first.exit_code == 0);
  CHECK(first.out == second.out);
}

TEST_CASE("output lines follow input order across books, with the positions line per book") {
  TempFile config(dump_json(exact_config_json({"alpha", "beta"})));
  std::vector<nlohmann::json> orders;
  for (int i = 0; i < 20; ++i)
    orders.push_back({{"operation_id", "o" + std::to_string(i)},
                      {"book", i % 2 ? "alpha" : "beta"},
                      {"venue", "binance"},
                      {"operation", "spot_trade"},
                      {"pair", "BTC/USDT"},
                      {"side", "BUY"},
                      {"amount", raw_number("0.125")},
                      {"timestamp", "2026-01-01T00:00:" + std::to_string(10 + i) + "Z"}});
  TempFile orders_file(orders_jsonl(orders), ".jsonl");
  auto run = run_tightloop({"run", "--config", config.path(), "--orders", orders_file.path()});
  REQUIRE(run.exit_code == 0);
  auto lines = split_lines(run.out);
  REQUIRE(lines.size() == 21);
  for (int i = 0; i < 20; ++i) {
    auto j = parse_line(lines[i]);
    CHECK(j["operation_id"] == "o" + std::to_string(i));
    CHECK(j["book"] == (i % 2 ? "alpha" : "beta"));
    CHECK(j["timestamp"] == orders[i]["timestamp"]);
    CHECK(j["status"] == "executed");
  }
  auto positions = parse_line(lines.back())["positions"];
  // Each book: 10 buys of 0.125 BTC for 7500 USDT + a 7.5 fee.
  CHECK(number_amount(positions["alpha"]["binance:BaseToken:BTC"]) == "2.25"_amt);
  CHECK(number_amount(positions["beta"]["binance:BaseToken:BTC"]) == "2.25"_amt);
  CHECK(number_amount(positions["alpha"]["binance:BaseToken:USDT"]) == "24925"_amt);
  CHECK(number_amount(positions["beta"]["binance:BaseToken:USDT"]) == "24925"_amt);
  // Valuation is per book too: 2.25 BTC * 60000 + 24925 USDT + 10 WETH * 2000 + 5000 USDC.
  const auto valuation = parse_line(lines.back())["valuation"];
  CHECK(number_amount(valuation["alpha"]["expected"]["nav"]) == "184925"_amt);
  CHECK(number_amount(valuation["beta"]["expected"]["nav"]) == "184925"_amt);
  CHECK(parse_line(lines.back())["entry_prices"]["alpha"].empty());
}

TEST_CASE("a JSON array orders file works like JSON Lines") {
  TempFile config(dump_json(exact_config_json()));
  nlohmann::json orders = nlohmann::json::array(
      {{{"operation_id", "a"}, {"venue", "aave"}, {"operation", "supply"}, {"token_in", "WETH"},
        {"amount", raw_number("2.5")}}});
  TempFile orders_file(dump_json(orders));
  auto run = run_tightloop({"run", "--config", config.path(), "--orders", orders_file.path()});
  REQUIRE(run.exit_code == 0);
  auto lines = split_lines(run.out);
  REQUIRE(lines.size() == 2);
  CHECK(number_amount(parse_line(lines[1])["positions"]["aave:aToken:WETH"]) == "2"_amt);
}

TEST_CASE("a bad config exits 2 with a CFG- code and executes nothing") {
  TempFile orders(orders_jsonl({}), ".jsonl");
  TempFile broken("{ not json");
  auto unreadable = run_tightloop({"run", "--config", broken.path(), "--orders", orders.path()});
  CHECK(unreadable.exit_code == 2);
  CHECK(unreadable.err.find("CFG-001") != std::string::npos);
  CHECK(unreadable.out.empty());
  auto json = exact_config_json();
  json["venues"][0]["fee"] = raw_number("0.1");
  TempFile invalid(dump_json(json));
  auto bad = run_tightloop({"run", "--config", invalid.path(), "--orders", orders.path()});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("CFG-002") != std::string::npos);
  CHECK(bad.err.find("fee") != std::string::npos);
  CHECK(bad.out.empty());
  auto missing = run_tightloop({"run", "--config", "/nonexistent/x.json", "--orders", orders.path()});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("CFG-001") != std::string::npos);
}

TEST_CASE("a bad orders file exits 2 with an INP- code and executes nothing") {
  TempFile config(dump_json(exact_config_json()));
  TempFile garbage("{\"operation_id\": \"a\"}\nnot json\n", ".jsonl");
  auto run = run_tightloop({"run", "--config", config.path(), "--orders", garbage.path()});
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("INP-001") != std::string::npos);
  CHECK(run.err.find("line 2") != std::string::npos);
  CHECK(run.out.empty());
  TempFile not_objects("[1, 2]");
  auto run2 = run_tightloop({"run", "--config", config.path(), "--orders", not_objects.path()});
  CHECK(run2.exit_code == 2);
  CHECK(run2.err.find("INP-002") != std::string::npos);
  auto missing = run_tightloop({"run", "--config", config.path(), "--orders", "/nonexistent"});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("INP-001") != std::string::npos);
}

TEST_CASE("a bad order fails alone with its ORD- code, the batch goes on and exits 0") {
  TempFile config(dump_json(exact_config_json()));
  std::vector<nlohmann::json> orders{
      {{"operation_id", "bad"}, {"venue", "binance"}, {"operation", "spot_trade"},
       {"pair", "BTC/USDT"}, {"side", "BUY"}, {"amount", 1}, {"colour", "red"}},
      {{"operation_id", "nobook"}, {"book", "other"}, {"venue", "binance"},
       {"operation", "spot_trade"}, {"pair", "BTC/USDT"}, {"side", "BUY"}, {"amount", 1}},
      {{"operation_id", "good"}, {"venue", "binance"}, {"operation", "spot_trade"},
       {"pair", "BTC/USDT"}, {"side", "BUY"}, {"amount", 1}}};
  TempFile orders_file(orders_jsonl(orders), ".jsonl");
  auto run = run_tightloop({"run", "--config", config.path(), "--orders", orders_file.path()});
  CHECK(run.exit_code == 0);
  auto lines = split_lines(run.out);
  REQUIRE(lines.size() == 4);
  auto bad = parse_line(lines[0]);
  CHECK(bad["status"] == "failed");
  CHECK(bad["error_code"] == "ORD-002");
  CHECK(bad["operation_id"] == "bad");
  CHECK(bad["error_message"].get<std::string>().find("colour") != std::string::npos);
  CHECK(parse_line(lines[1])["error_code"] == "ORD-008");
  CHECK(parse_line(lines[2])["status"] == "executed");
  CHECK(number_amount(parse_line(lines[3])["positions"]["binance:BaseToken:BTC"]) == "2"_amt);
}

TEST_CASE("a book that halts makes the run exit 3 and the last line says why") {
  auto json = exact_config_json();
  json["venues"][0]["faults"] = nlohmann::json::array(
      {{{"kind", "wrong_report"}, {"operation_id", "misreported"},
        {"report_error", raw_number("0.5")}}});
  TempFile config(dump_json(json));
  std::vector<nlohmann::json> orders{
      {{"operation_id", "misreported"}, {"venue", "binance"}, {"operation", "spot_trade"},
       {"pair", "BTC/USDT"}, {"side", "BUY"}, {"amount", 0.5}},
      {{"operation_id", "after"}, {"venue", "aave"}, {"operation", "supply"},
       {"token_in", "WETH"}, {"amount", 1}}};
  TempFile orders_file(orders_jsonl(orders), ".jsonl");
  auto run = run_tightloop({"run", "--config", config.path(), "--orders", orders_file.path()});
  CHECK(run.exit_code == 3);
  auto lines = split_lines(run.out);
  REQUIRE(lines.size() == 3);
  auto first = parse_line(lines[0]);
  CHECK(first["status"] == "failed");
  CHECK(first["error_code"] == "EM-001");
  CHECK(first["reconciliation"]["attempts"] == 3);
  CHECK(first["reconciliation"]["backoff_ms"] == nlohmann::json::array({1, 2}));
  auto second = parse_line(lines[1]);
  CHECK(second["status"] == "skipped");
  CHECK(second["error_code"] == "EM-003");
  auto last = parse_line(lines[2]);
  REQUIRE(last.contains("halted"));
  CHECK(last["halted"]["main"]["code"] == "EM-001");
  // The monitor applied what the venue reported (+0.75 BTC); the venue's ledger holds +0.5.
  auto mismatches = last["halted"]["main"]["mismatches"];
  REQUIRE(mismatches.size() == 2);
  CHECK(mismatches[0]["position_key"] == "binance:BaseToken:BTC");
  CHECK(number_amount(mismatches[0]["expected"]) == "1.75"_amt);
  CHECK(number_amount(mismatches[0]["reported"]) == "1.5"_amt);
  // USDT: reported -45000 and a 45 fee against the true -30000 and 30.
  CHECK(mismatches[1]["position_key"] == "binance:BaseToken:USDT");
  CHECK(number_amount(mismatches[1]["expected"]) == "54955"_amt);
  CHECK(number_amount(mismatches[1]["reported"]) == "69970"_amt);
  CHECK(number_amount(last["positions"]["binance:BaseToken:BTC"]) == "1.75"_amt);
  // Valued both ways: the monitor's 1.75 BTC and 54955 USDT, the venue's 1.5 and 69970.
  const auto valuation = last["valuation"];
  CHECK(number_amount(valuation["expected"]["positions"]["binance:BaseToken:BTC"]["value"]) ==
        "105000"_amt);
  CHECK(number_amount(valuation["venue"]["positions"]["binance:BaseToken:BTC"]["value"]) ==
        "90000"_amt);
  // (105000 + 54955) - (90000 + 69970): the venues hold 15 less than the monitor thinks.
  CHECK(number_amount(valuation["expected"]["nav"]) - number_amount(valuation["venue"]["nav"]) ==
        "-15"_amt);
}

TEST_CASE("a malformed event line exits 2 with INP-003 and executes nothing") {
  TempFile config(dump_json(exact_config_json()));
  TempFile orders("{\"event\": \"market\", \"prices\": {\"BTC\": -1}}\n", ".jsonl");
  auto run = run_tightloop({"run", "--config", config.path(), "--orders", orders.path()});
  CHECK(run.exit_code == 2);
  CHECK(run.err.find("INP-003: orders file '" + orders.path() + "': entry 1 (line 1): market "
                     "event.prices.BTC") != std::string::npos);
  CHECK(run.out.empty());
  TempFile unknown("{\"event\": \"rebalance\"}\n", ".jsonl");
  auto run2 = run_tightloop({"run", "--config", config.path(), "--orders", unknown.path()});
  CHECK(run2.exit_code == 2);
  CHECK(run2.err.find("refresh") != std::string::npos);
}

// ---- CLI11: every parse error is CLI-001, --help is stdout and exit 0 ------------------------

TEST_CASE("every command-line error is CLI-001 on stderr with exit 2, and nothing on stdout") {
  const std::string& c = default_config;
  const std::string& o = default_orders;
  struct Case {
    std::vector<std::string> args;
    std::string fragment;  // in the message
  };
  const std::vector<Case> cases{
      {{}, "missing command"},
      {{"frobnicate"}, "unknown command 'frobnicate'"},
      {{"--verbose"}, "unknown option '--verbose'"},
      {{"run", "--config", c, "--orders", o, "--verbose"}, "unknown argument '--verbose'"},
      {{"run", "--config", c, "--orders", o, "extra"}, "unknown argument 'extra'"},
      {{"error-codes", "extra"}, "unknown argument 'extra'"},
      {{"run", "--version"}, "unknown argument '--version'"},
      {{"run", "--orders", o}, "--config is required"},
      {{"run", "--config", c}, "--orders is required"},
      {{"serve"}, "--config is required"},
      {{"run", "--config", c, "--config", c, "--orders", o}, "--config given more than once"},
      {{"run", "--config", c, "--orders", o, "--format", "table", "--format", "json"},
       "--format given more than once"},
      {{"serve", "--config", c, "--listen", "a:1", "--listen", "b:2"},
       "--listen given more than once"},
      {{"run", "--config", c, "--orders", o, "--format", "xml"}, "--format"},
      {{"run", "--config", c, "--orders", o, "--format"}, "--format"},
      {{"run", "--config", c, "--orders"}, "--orders"},
      {{"run", "--config=", "--orders", o}, "--config needs a value"},
      {{"run", "--config", "", "--orders", o}, "--config"},
      {{"serve", "--config", c, "--listen="}, "--listen needs a value"},
  };
  for (const auto& [args, fragment] : cases) {
    std::string shown;
    for (const auto& a : args) shown += a + " ";
    CAPTURE(shown);
    auto run = run_tightloop(args);
    CHECK(run.exit_code == 2);
    CHECK(run.err.rfind("tightloop: CLI-001: ", 0) == 0);
    CHECK(run.err.find(fragment) != std::string::npos);
    CHECK(run.out.empty());
  }
  auto bad_format =
      run_tightloop({"run", "--config", c, "--orders", o, "--format", "xml"});
  CHECK(bad_format.err.find("must be json or table, got 'xml'") != std::string::npos);
}

TEST_CASE("--help goes to stdout with exit 0, for the program and for each command") {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--help"}, {"-h"}, {"help"}}) {
    CAPTURE(args.front());
    auto help = run_tightloop(args);
    CHECK(help.exit_code == 0);
    CHECK(help.err.empty());
    for (const char* text : {"tightloop run --config FILE --orders FILE|- [--format json|table]",
                             "tightloop serve --config FILE [--listen HOST:PORT]",
                             "error-codes", "order-format", "exit codes"})
      CHECK(help.out.find(text) != std::string::npos);
  }
  // A command's own help, even with its required options missing.
  auto run = run_tightloop({"run", "--help"});
  CHECK(run.exit_code == 0);
  for (const char* text : {"--config FILE", "--orders FILE|-", "--format json|table",
                           "--amounts numbers|strings"})
    CHECK(run.out.find(text) != std::string::npos);
  auto serve = run_tightloop({"serve", "--help"});
  CHECK(serve.exit_code == 0);
  CHECK(serve.out.find("--listen HOST:PORT") != std::string::npos);
  CHECK(run_tightloop({"run", "--config", default_config, "-h"}).exit_code == 0);
}

TEST_CASE("serve takes --config and --listen and hands them to the daemon") {
  // A config that cannot be read: the daemon answers (exit 2, its own message), the command
  // line accepted the words.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"serve", "--config", "/nonexistent/x.json"},
        {"serve", "--config", "/nonexistent/x.json", "--listen", "127.0.0.1:1"}}) {
    auto serve = run_tightloop(args);
    CHECK(serve.exit_code == 2);
    CHECK(serve.err.find("CLI-001") == std::string::npos);
  }
}

TEST_CASE("run --format json is the default output, byte for byte") {
  auto plain = run_tightloop({"run", "--config", default_config, "--orders", default_orders});
  auto json = run_tightloop(
      {"run", "--config", default_config, "--orders", default_orders, "--format", "json"});
  REQUIRE(plain.exit_code == 0);
  CHECK(json.exit_code == 0);
  CHECK(json.out == plain.out);
}

TEST_CASE("run --format table: counts by status, the failed order, positions with values, NAV") {
  auto run = run_tightloop(
      {"run", "--config", default_config, "--orders", default_orders, "--format", "table"});
  REQUIRE(run.exit_code == 0);
  const auto& out = run.out;
  CAPTURE(out);
  CHECK(out.find('{') == std::string::npos);  // no JSON
  auto has = [&](const std::string& pattern) {
    return std::regex_search(out, std::regex(pattern));
  };
  CHECK(has("\n  executed +19\n"));
  CHECK(has("\n  failed +1\n"));
  CHECK(has("\n  rolled_back +0\n"));
  CHECK(has("\n  skipped +0\n"));
  CHECK(has("\n  total +20\n"));
  // d-019 sells 5 BTC, the book holds 1.6.
  CHECK(has("\n  d-019 +main +VEN-001 +insufficient binance:BaseToken:BTC"));
  CHECK(has("\nbook main\n"));
  // Each position: amount, value, and what its kind adds (exact decimals).
  CHECK(has("\n  aave:debtToken:WETH +6\\.732692307692307694 +-21006\\.000000000000006 +"
            "7\\.002000000000000002\n"));
  CHECK(has("\n  binance:Perp:BTCUSDT +-0\\.3 +-303\\.6 +59988 +61000 +-303\\.6\n"));
  CHECK(has("\n  wallet:LST:weETH +0\\.6 +1875\n"));
  CHECK(has("\n  nav +407183\\.071399999999988874\n"));
  // Aligned: every row of the positions table has its value column ending at one place.
  const auto header = out.find("\n  position ");
  REQUIRE(header != std::string::npos);
  const auto header_end = out.find('\n', header + 1);
  const auto value_end = out.find("value", header) + 5 - (header + 1);
  std::size_t rows = 0;
  for (auto at = header_end + 1; at < out.size() && out.compare(at, 2, "  ") == 0;
       at = out.find('\n', at) + 1) {
    const auto row = out.substr(at, out.find('\n', at) - at);
    CAPTURE(row);
    REQUIRE(row.size() >= value_end);
    CHECK(row[value_end - 1] != ' ');
    CHECK((row.size() == value_end || row[value_end] == ' '));
    ++rows;
  }
  CHECK(rows == 14);  // 13 keys and the NAV
}

TEST_CASE("run --format table on a halt: the halt, the venues' NAV, the mismatches, exit 3") {
  auto json = exact_config_json();
  json["venues"][0]["faults"] = nlohmann::json::array(
      {{{"kind", "wrong_report"}, {"operation_id", "misreported"},
        {"report_error", raw_number("0.5")}}});
  TempFile config(dump_json(json));
  TempFile orders_file(
      orders_jsonl({{{"operation_id", "misreported"}, {"venue", "binance"},
                     {"operation", "spot_trade"}, {"pair", "BTC/USDT"}, {"side", "BUY"},
                     {"amount", 0.5}}}),
      ".jsonl");
  auto run = run_tightloop(
      {"run", "--config", config.path(), "--orders", orders_file.path(), "--format", "table"});
  CHECK(run.exit_code == 3);
  const auto& out = run.out;
  CAPTURE(out);
  auto has = [&](const std::string& pattern) {
    return std::regex_search(out, std::regex(pattern));
  };
  CHECK(has("\n  failed +1\n"));
  CHECK(has("\n  misreported +main +EM-001 +reconciliation mismatch"));
  CHECK(has("\nbook main: HALTED EM-001 reconciliation mismatch"));
  // The monitor's 1.75 BTC and 54955 USDT against the venue's 1.5 and 69970 (see the JSON test).
  // 1.75 * 60000 + 54955 + 10 * 2000 + 5000; the venues: 1.5 * 60000 + 69970 + 25000.
  CHECK(has("\n  nav +184955\n"));
  CHECK(has("\n  nav \\(venues\\) +184970 +what the venues report\n"));
  CHECK(has("\n    binance:BaseToken:BTC +1\\.75 +1\\.5\n"));
  CHECK(has("\n    binance:BaseToken:USDT +54955 +69970\n"));
}
