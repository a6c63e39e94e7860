#include "config/config_loader.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <vector>

#include "config/supported_operations.hpp"
#include "config/text_file.hpp"
#include "messages/duration.hpp"
#include "messages/json_input.hpp"
#include "messages/json_number.hpp"
#include "messages/market_json.hpp"
#include "messages/position_key.hpp"

namespace tightloop {

namespace {

using nlohmann::json;
using Names = std::vector<std::string_view>;

// Thrown inside this file only; parse_config turns it into a CFG-002 Failure.
struct Invalid {
  std::string message;
};

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw Invalid{path + ": " + what};
}

std::string joined(const Names& names) {
  std::string text;
  for (auto name : names) text.append(text.empty() ? "" : ", ").append(name);
  return text;
}

bool contains(const Names& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// "string \"x\"", "number 2.5" (a raw number is a number, not the binary node it is inside).
std::string shown(const json& value) {
  const std::string type = is_raw_number(value) ? "number" : value.type_name();
  return type + " " + shown_json(value, 37);
}

const json* find(const json& object, const char* key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

void require_object(const json& value, const std::string& path) {
  if (!value.is_object()) fail(path, "must be an object, got " + shown(value));
}

void allow_only(const json& object, const std::string& path, const Names& allowed) {
  for (const auto& [key, value] : object.items())
    if (!contains(allowed, key))
      fail(path, "unknown field '" + key + "' (allowed: " + joined(allowed) + ")");
}

std::string string_value(const json& value, const std::string& path, bool allow_empty) {
  if (!value.is_string()) fail(path, "must be a string, got " + shown(value));
  auto text = value.get<std::string>();
  if (text.empty() && !allow_empty) fail(path, "must not be empty");
  return text;
}

std::string one_of(const json& value, const std::string& path, const Names& allowed) {
  auto text = string_value(value, path, true);
  if (!contains(allowed, text))
    fail(path, "must be one of " + joined(allowed) + ", got '" + text + "'");
  return text;
}

// A non-money number (the backoff multiplier): the nearest double of a JSON number. `rule`
// completes "must be ...", e.g. "a number >= 1"; `ok` sees only finite numbers.
double checked_double(const json& value, const std::string& path, const std::string& rule,
                      bool (*ok)(double)) {
  if (!is_json_number(value)) fail(path, "must be " + rule + ", got " + shown(value));
  auto number = double_from_json(value);
  if (!number || !ok(*number)) fail(path, "must be " + rule + ", got " + shown_json(value));
  return *number;
}

// An amount, exactly (json_number.hpp): a JSON number or a JSON string holding a decimal, at
// most 18 fractional digits. `rule` completes "must be ...", e.g. "a number in [0, 1)".
Amount checked_amount(const json& value, const std::string& path, const std::string& rule,
                      bool (*ok)(Amount)) {
  if (!is_json_number(value) && !value.is_string())
    fail(path, "must be " + rule + " (or a decimal string), got " + shown(value));
  std::string why;
  auto amount = amount_from_json(value, why);
  if (!amount) fail(path, "must be " + rule + ", got " + shown_json(value) + ": " + why);
  if (!ok(*amount)) fail(path, "must be " + rule + ", got " + shown_json(value));
  return *amount;
}

constexpr Amount one = Amount::units(1);

Amount any_amount(const json& value, const std::string& path) {
  return checked_amount(value, path, "a number", [](Amount) { return true; });
}
Amount non_negative(const json& value, const std::string& path) {
  return checked_amount(value, path, "a number >= 0", [](Amount x) { return !x.negative(); });
}
Amount rate(const json& value, const std::string& path) {
  return checked_amount(value, path, "a number in [0, 1)",
                        [](Amount x) { return !x.negative() && x < one; });
}
Amount basis_points(const json& value, const std::string& path) {
  return checked_amount(value, path, "a number in [0, 10000)",
                        [](Amount x) { return !x.negative() && x < Amount::units(10000); });
}

std::int64_t checked_integer(const json& value, const std::string& path, std::int64_t low,
                             std::int64_t high) {
  bool open_ended = high >= std::numeric_limits<int>::max();
  auto rule = open_ended
                  ? "an integer >= " + std::to_string(low)
                  : "an integer in [" + std::to_string(low) + ", " + std::to_string(high) + "]";
  if (!value.is_number_integer()) fail(path, "must be " + rule + ", got " + shown(value));
  bool too_big =
      value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(high);
  if (too_big || value.get<std::int64_t>() < low || value.get<std::int64_t>() > high)
    fail(path, "must be " + rule +
                   (open_ended ? " (at most " + std::to_string(high) + ")" : std::string()) +
                   ", got " + shown_json(value));
  return value.get<std::int64_t>();
}

// --- scalar sections ---------------------------------------------------------------------

void parse_scheduler(const json& value, SchedulerConfig& scheduler) {
  const std::string path = "scheduler";
  require_object(value, path);
  allow_only(value, path, {"threads", "policy"});
  if (auto* threads = find(value, "threads"))
    scheduler.threads = static_cast<int>(checked_integer(*threads, path + ".threads", 0, 256));
  if (auto* policy = find(value, "policy"))
    scheduler.policy = one_of(*policy, path + ".policy", {"stealing", "sharing"});
}

void parse_log(const json& value, LogConfig& log) {
  const std::string path = "log";
  require_object(value, path);
  allow_only(value, path, {"level", "file", "rotation_bytes"});
  if (auto* level = find(value, "level"))
    log.level = one_of(*level, path + ".level", {"trace", "debug", "info", "warning", "error"});
  if (auto* file = find(value, "file")) log.file = string_value(*file, path + ".file", true);
  if (auto* f = find(value, "rotation_bytes"))
    log.rotation_bytes = checked_integer(*f, path + ".rotation_bytes", 0,
                                         std::numeric_limits<std::int64_t>::max());
}

void parse_server(const json& value, ServerConfig& server) {
  const std::string path = "server";
  constexpr auto big = std::numeric_limits<std::int64_t>::max();
  require_object(value, path);
  allow_only(value, path,
             {"address", "port", "token_file", "token_env", "max_body_bytes", "max_header_bytes",
              "max_orders_per_batch", "max_connections", "idle_timeout_ms", "events_retention"});
  if (auto* f = find(value, "address")) server.address = string_value(*f, path + ".address", false);
  if (auto* f = find(value, "port"))
    server.port = static_cast<int>(checked_integer(*f, path + ".port", 0, 65535));
  if (auto* f = find(value, "token_file"))
    server.token_file = string_value(*f, path + ".token_file", true);
  if (auto* f = find(value, "token_env"))
    server.token_env = string_value(*f, path + ".token_env", true);
  if (!server.token_file.empty() && !server.token_env.empty())
    fail(path, "give token_file or token_env, not both");
  auto limit = [&](const char* name, std::int64_t& into, std::int64_t low, std::int64_t high) {
    if (auto* f = find(value, name)) into = checked_integer(*f, path + "." + name, low, high);
  };
  limit("max_body_bytes", server.max_body_bytes, 1, big);
  limit("max_header_bytes", server.max_header_bytes, 256, 1 << 20);
  limit("max_orders_per_batch", server.max_orders_per_batch, 1, big);
  limit("max_connections", server.max_connections, 1, 100000);
  limit("idle_timeout_ms", server.idle_timeout_ms, 1, max_duration_ms);
  limit("events_retention", server.events_retention, 1, 100000000);
}

void parse_reconciliation(const json& value, ReconciliationConfig& rec) {
  const std::string path = "reconciliation";
  constexpr auto int_max = std::numeric_limits<int>::max();
  require_object(value, path);
  allow_only(value, path,
             {"absolute_tolerance", "relative_tolerance", "max_attempts", "initial_backoff_ms",
              "multiplier", "deadline_ms"});
  if (auto* f = find(value, "absolute_tolerance"))
    rec.absolute_tolerance = non_negative(*f, path + ".absolute_tolerance");
  if (auto* f = find(value, "relative_tolerance"))
    rec.relative_tolerance = non_negative(*f, path + ".relative_tolerance");
  if (auto* f = find(value, "max_attempts"))
    rec.max_attempts = static_cast<int>(checked_integer(*f, path + ".max_attempts", 1, int_max));
  if (auto* f = find(value, "initial_backoff_ms"))
    rec.initial_backoff_ms =
        checked_integer(*f, path + ".initial_backoff_ms", 0, max_duration_ms);
  if (auto* f = find(value, "multiplier"))
    rec.multiplier = checked_double(*f, path + ".multiplier", "a number >= 1",
                                    [](double x) { return x >= 1.0; });
  if (auto* f = find(value, "deadline_ms"))
    rec.deadline_ms = checked_integer(*f, path + ".deadline_ms", 1, max_duration_ms);
}

// --- venues ------------------------------------------------------------------------------

// Every kind, in enum order (their spellings: config/config.cpp, the one source).
constexpr std::array<VenueKind, venue_kind_count> all_kinds{
    VenueKind::cex, VenueKind::lending, VenueKind::staking, VenueKind::dex, VenueKind::wallet};

Names kind_names() {
  Names names;
  for (auto kind : all_kinds) names.push_back(to_string(kind));
  return names;
}

// Fields a kind takes besides name and kind (what they do: actors/venues/README.md).
Names kind_fields(VenueKind kind) {
  switch (kind) {
    case VenueKind::cex:
      return {"taker_fee_rate", "slippage_bps", "settlement_token", "transfer_fees"};
    case VenueKind::lending:
      return {"wallet", "flash_fee_rate"};
    case VenueKind::staking:
      return {"wallet", "lst"};
    case VenueKind::dex:
      return {"wallet", "pool_fee_rate", "slippage_bps", "default_slippage_tolerance"};
    case VenueKind::wallet:
      return {"transfer_fees"};
  }
  return {};
}

bool needs_wallet(VenueKind kind) {
  return kind == VenueKind::lending || kind == VenueKind::staking || kind == VenueKind::dex;
}

void check_venue_fields(const json& object, const std::string& path, VenueKind kind) {
  auto own = kind_fields(kind);
  for (const auto& [key, value] : object.items()) {
    if (key == "name" || key == "kind" || key == "faults" || contains(own, key)) continue;
    const std::string& name = key;  // a structured binding cannot be captured in C++17
    bool elsewhere = std::any_of(all_kinds.begin(), all_kinds.end(), [&](VenueKind other) {
      return contains(kind_fields(other), name);
    });
    std::string takes = "a " + std::string(to_string(kind)) + " venue takes: name, kind" +
                        (own.empty() ? "" : ", " + joined(own)) + ", faults";
    if (elsewhere)
      fail(path, "field '" + key + "' does not apply to a " + std::string(to_string(kind)) +
                     " venue (" + takes + ")");
    fail(path, "unknown field '" + key + "' (" + takes + ")");
  }
}

// --- faults (config/README.md, "Faults") ---------------------------------------------------

constexpr std::array<FaultKind, fault_kind_count> all_fault_kinds{
    FaultKind::reject,       FaultKind::no_reply,      FaultKind::partial_fill,
    FaultKind::wrong_report, FaultKind::stale_balance, FaultKind::slow_reply,
    FaultKind::crash};

const Names fault_targets{"operation_id", "operation", "every_nth"};

// Parameters a fault kind takes besides kind, its target and times.
Names fault_parameters(FaultKind kind) {
  switch (kind) {
    case FaultKind::reject:
      return {"message"};
    case FaultKind::no_reply:
      return {"applied"};
    case FaultKind::partial_fill:
      return {"fill_ratio"};
    case FaultKind::wrong_report:
      return {"report_error"};
    case FaultKind::stale_balance:
      return {"stale_queries"};
    case FaultKind::slow_reply:
      return {"delay_ms"};
    case FaultKind::crash:
      return {};
  }
  return {};
}

Names fault_kind_names() {
  Names names;
  for (auto kind : all_fault_kinds) names.push_back(to_string(kind));
  return names;
}

Names operation_names(const std::function<bool(Operation)>& keep) {
  Names names;
  for (int i = 0; i < operation_count; ++i)
    if (keep(static_cast<Operation>(i))) names.push_back(to_string(static_cast<Operation>(i)));
  return names;
}

void check_fault_fields(const json& object, const std::string& path, FaultKind kind) {
  auto own = fault_parameters(kind);
  auto kind_text = std::string(to_string(kind));
  std::string takes = "a " + kind_text +
                      " fault takes: kind, one of operation_id, operation, every_nth, times" +
                      (own.empty() ? "" : ", " + joined(own));
  for (const auto& [key, value] : object.items()) {
    if (key == "kind" || key == "times" || contains(fault_targets, key) || contains(own, key))
      continue;
    const std::string& name = key;  // a structured binding cannot be captured in C++17
    bool elsewhere =
        std::any_of(all_fault_kinds.begin(), all_fault_kinds.end(),
                    [&](FaultKind other) { return contains(fault_parameters(other), name); });
    if (elsewhere)
      fail(path, "field '" + key + "' does not apply to a " + kind_text + " fault (" + takes + ")");
    fail(path, "unknown field '" + key + "' (" + takes + ")");
  }
}

// A fault without a target would never fire; with several it is unclear which one was meant.
void check_one_target(const json& object, const std::string& path) {
  Names given;
  for (auto target : fault_targets)
    if (object.contains(std::string(target))) given.push_back(target);
  if (given.empty())
    fail(path, "needs exactly one target: operation_id, operation or every_nth");
  if (given.size() > 1)
    fail(path, "has several targets (" + joined(given) +
                   "); give exactly one of operation_id, operation, every_nth");
}

bool boolean(const json& value, const std::string& path) {
  if (!value.is_boolean()) fail(path, "must be true or false, got " + shown(value));
  return value.get<bool>();
}

std::uint32_t count(const json& value, const std::string& path, std::uint32_t low) {
  return static_cast<std::uint32_t>(
      checked_integer(value, path, low, std::numeric_limits<std::uint32_t>::max()));
}

// An operation the venue's kind does not support is refused by routing (VIM-002) before it
// reaches the venue, so such a fault could never fire.
Operation fault_operation(const json& value, const std::string& path, VenueKind venue_kind) {
  auto text = one_of(value, path, operation_names([](Operation) { return true; }));
  auto op = *parse_operation(text);
  if (kind_supports(venue_kind, op)) return op;
  auto supported = operation_names([&](Operation o) { return kind_supports(venue_kind, o); });
  fail(path, "a " + std::string(to_string(venue_kind)) + " venue never receives '" + text +
                 "' orders (it supports: " + joined(supported) + ")");
}

FaultSpec parse_fault(const json& object, const std::string& path, VenueKind venue_kind) {
  require_object(object, path);
  auto* kind = find(object, "kind");
  if (!kind) fail(path, "field 'kind' is required");
  FaultSpec fault;
  fault.kind = *parse_fault_kind(one_of(*kind, path + ".kind", fault_kind_names()));
  check_fault_fields(object, path, fault.kind);
  check_one_target(object, path);

  auto at = [&](const char* field) { return path + "." + field; };
  if (auto* f = find(object, "operation_id"))
    fault.operation_id = string_value(*f, at("operation_id"), false);
  if (auto* f = find(object, "operation"))
    fault.operation = fault_operation(*f, at("operation"), venue_kind);
  if (auto* f = find(object, "every_nth")) fault.every_nth = count(*f, at("every_nth"), 1);
  if (auto* f = find(object, "times")) fault.times = count(*f, at("times"), 0);
  if (auto* f = find(object, "message")) fault.message = string_value(*f, at("message"), true);
  if (auto* f = find(object, "fill_ratio"))
    fault.fill_ratio = checked_amount(*f, at("fill_ratio"), "a number in (0, 1)",
                                      [](Amount x) { return x.sign() > 0 && x < one; });
  if (auto* f = find(object, "report_error"))
    fault.report_error = checked_amount(*f, at("report_error"), "a number other than 0",
                                        [](Amount x) { return !x.is_zero(); });
  if (auto* f = find(object, "stale_queries"))
    fault.stale_queries = count(*f, at("stale_queries"), 1);
  if (auto* f = find(object, "delay_ms"))
    fault.delay_ms =
        checked_integer(*f, at("delay_ms"), 0, max_duration_ms);
  if (auto* f = find(object, "applied")) fault.applied = boolean(*f, at("applied"));
  return fault;
}

std::vector<FaultSpec> parse_faults(const json& value, const std::string& path,
                                    VenueKind venue_kind) {
  if (!value.is_array()) fail(path, "must be an array, got " + shown(value));
  std::vector<FaultSpec> faults;
  for (std::size_t i = 0; i < value.size(); ++i)
    faults.push_back(parse_fault(value[i], path + "[" + std::to_string(i) + "]", venue_kind));
  return faults;
}

// --- venue fields ------------------------------------------------------------------------

std::map<std::string, Amount> transfer_fees(const json& value, const std::string& path) {
  require_object(value, path);
  std::map<std::string, Amount> fees;
  for (const auto& [token, fee] : value.items()) {
    if (token.empty()) fail(path, "token names must not be empty");
    fees[token] = non_negative(fee, path + "." + token);
  }
  return fees;
}

std::map<std::string, std::string> lst_map(const json& value, const std::string& path) {
  require_object(value, path);
  if (value.empty()) fail(path, "must name at least one base token -> LST symbol");
  std::map<std::string, std::string> lst;
  for (const auto& [base, symbol] : value.items()) {
    if (base.empty()) fail(path, "base token names must not be empty");
    lst[base] = string_value(symbol, path + "." + base, false);
  }
  return lst;
}

std::string venue_name(const json& object, const std::string& path) {
  auto* name = find(object, "name");
  if (!name) fail(path, "field 'name' is required");
  auto text = string_value(*name, path + ".name", false);
  if (text.find(':') != std::string::npos)
    fail(path + ".name",
         "must not contain ':' (it separates the parts of a position key), got '" + text + "'");
  return text;
}

VenueKind venue_kind(const json& object, const std::string& path) {
  auto* kind = find(object, "kind");
  if (!kind) fail(path, "field 'kind' is required");
  auto text = one_of(*kind, path + ".kind", kind_names());
  return *parse_venue_kind(text);
}

// Returns the venue and its path for later messages: "venues[2] (aave, lending)".
std::pair<VenueConfig, std::string> parse_venue(const json& object, std::size_t index) {
  std::string path = "venues[" + std::to_string(index) + "]";
  require_object(object, path);
  VenueConfig venue;
  venue.name = venue_name(object, path);
  venue.kind = venue_kind(object, path + " (" + venue.name + ")");
  path += " (" + venue.name + ", " + std::string(to_string(venue.kind)) + ")";
  check_venue_fields(object, path, venue.kind);

  auto at = [&](const char* field) { return path + "." + field; };
  if (auto* f = find(object, "taker_fee_rate"))
    venue.taker_fee_rate = rate(*f, at("taker_fee_rate"));
  if (auto* f = find(object, "slippage_bps"))
    venue.slippage_bps = basis_points(*f, at("slippage_bps"));
  if (auto* f = find(object, "settlement_token"))
    venue.settlement_token = string_value(*f, at("settlement_token"), false);
  if (auto* f = find(object, "transfer_fees"))
    venue.transfer_fees = transfer_fees(*f, at("transfer_fees"));
  if (auto* f = find(object, "wallet")) venue.wallet = string_value(*f, at("wallet"), false);
  if (auto* f = find(object, "flash_fee_rate"))
    venue.flash_fee_rate = rate(*f, at("flash_fee_rate"));
  if (auto* f = find(object, "lst")) venue.lst = lst_map(*f, at("lst"));
  if (auto* f = find(object, "pool_fee_rate")) venue.pool_fee_rate = rate(*f, at("pool_fee_rate"));
  if (auto* f = find(object, "default_slippage_tolerance"))
    venue.default_slippage_tolerance = rate(*f, at("default_slippage_tolerance"));
  if (auto* f = find(object, "faults")) venue.faults = parse_faults(*f, at("faults"), venue.kind);
  if (venue.kind == VenueKind::staking && venue.lst.empty()) fail(path, "field 'lst' is required");
  if (needs_wallet(venue.kind) && venue.wallet.empty()) fail(path, "field 'wallet' is required");
  return {std::move(venue), path};
}

void check_wallet(const VenueConfig& venue, const std::string& path, const Config& config) {
  if (!needs_wallet(venue.kind)) return;
  const auto* wallet = config.find_venue(venue.wallet);
  if (!wallet) fail(path + ".wallet", "'" + venue.wallet + "' is not a configured venue");
  if (wallet->kind != VenueKind::wallet)
    fail(path + ".wallet", "'" + venue.wallet + "' is a " + std::string(to_string(wallet->kind)) +
                               " venue; it must name a venue of kind wallet");
}

std::vector<VenueConfig> parse_venues(const json& value) {
  if (!value.is_array()) fail("venues", "must be an array, got " + shown(value));
  if (value.empty()) fail("venues", "at least one venue is required");
  Config scratch;
  std::vector<std::string> paths;
  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < value.size(); ++i) {
    auto [venue, path] = parse_venue(value[i], i);
    auto [it, fresh] = seen.emplace(venue.name, i);
    if (!fresh)
      fail(path, "duplicate venue name '" + venue.name + "' (also venues[" +
                     std::to_string(it->second) + "])");
    scratch.venues.push_back(std::move(venue));
    paths.push_back(std::move(path));
  }
  scratch.reindex();
  for (std::size_t i = 0; i < scratch.venues.size(); ++i)
    check_wallet(scratch.venues[i], paths[i], scratch);
  return std::move(scratch.venues);
}

// --- books -------------------------------------------------------------------------------

// A key must be one the venue can hold (actors/venues/README.md, "Accounts and keys"):
// otherwise no order could ever move it, which is always a configuration mistake.
void check_key_fits_venue(const PositionKey& key, const std::string& path, const Config& config,
                          const std::set<std::string>& lst_symbols) {
  const auto* venue = config.find_venue(key.venue);
  if (!venue) fail(path, "venue '" + key.venue + "' is not a configured venue");
  auto kind = std::string(to_string(venue->kind));
  auto type = key.type;
  switch (venue->kind) {
    case VenueKind::staking:
    case VenueKind::dex:
      fail(path, "a " + kind + " venue holds no positions (its tokens sit in wallet '" +
                     venue->wallet + "')");
    case VenueKind::lending:
      if (type != PositionType::aToken && type != PositionType::debtToken)
        fail(path, "a lending venue holds only aToken and debtToken keys (its tokens sit in " +
                       ("wallet '" + venue->wallet + "')"));
      return;
    case VenueKind::cex:
    case VenueKind::wallet:
      if (type == PositionType::aToken || type == PositionType::debtToken ||
          (type == PositionType::Perp && venue->kind == VenueKind::wallet))
        fail(path, "a " + kind + " venue holds no " + std::string(to_string(type)) + " keys");
      break;
  }
  bool is_lst = lst_symbols.count(key.symbol) > 0;
  if (type == PositionType::BaseToken && is_lst)
    fail(path, "'" + key.symbol + "' is issued by a staking venue, so it is held as LST: use '" +
                   make_position_key(key.venue, PositionType::LST, key.symbol) + "'");
  if (type == PositionType::LST && !is_lst)
    fail(path, "'" + key.symbol + "' is not issued by any staking venue (no lst map names it): " +
                   ("use '" + make_position_key(key.venue, PositionType::BaseToken, key.symbol)) +
                   "'");
}

std::vector<std::string> subscribed_keys(const json& value, const std::string& path,
                                         const Config& config,
                                         const std::set<std::string>& lst_symbols) {
  if (!value.is_array()) fail(path, "must be an array, got " + shown(value));
  std::vector<std::string> keys;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < value.size(); ++i) {
    auto key_path = path + "[" + std::to_string(i) + "]";
    auto text = string_value(value[i], key_path, false);
    std::string why;
    auto key = parse_position_key(text, &why);
    if (!key) fail(key_path, why);
    if (!seen.insert(text).second) fail(key_path, "duplicate key '" + text + "'");
    check_key_fits_venue(*key, key_path, config, lst_symbols);
    keys.push_back(std::move(text));
  }
  return keys;
}

// A perp opened before the run: {"amount": size, "entry_price": average entry}. A bare number
// is a perp's size only when it is 0: any other size without its entry price would realise
// the wrong PnL at its first reduction.
void initial_perp(const json& value, const std::string& path, const std::string& key,
                  BookConfig& book) {
  if (!value.is_object()) {
    const Amount size = any_amount(value, path);
    if (!size.is_zero())
      fail(path, "a perp position other than 0 needs its entry price: {\"amount\": " +
                     format(size) + ", \"entry_price\": ...}");
    book.initial_positions[key] = size;
    return;
  }
  allow_only(value, path, {"amount", "entry_price"});
  auto* size = find(value, "amount");
  if (!size) fail(path, "field 'amount' is required");
  book.initial_positions[key] = any_amount(*size, path + ".amount");
  if (auto* entry = find(value, "entry_price"))
    book.entry_prices[key] = checked_amount(*entry, path + ".entry_price", "a number > 0",
                                            [](Amount x) { return x.sign() > 0; });
  else if (!book.initial_positions[key].is_zero())
    fail(path, "field 'entry_price' is required for a perp position other than 0");
}

void initial_positions(const json& value, const std::string& path, BookConfig& book) {
  require_object(value, path);
  auto subscribed_sorted = book.subscribed_keys;  // a lookup per key: sorted, not scanned
  std::sort(subscribed_sorted.begin(), subscribed_sorted.end());
  for (const auto& [key, amount] : value.items()) {
    auto amount_path = path + "." + key;
    if (!std::binary_search(subscribed_sorted.begin(), subscribed_sorted.end(), key))
      fail(amount_path, "'" + key + "' is not in the book's subscribed_keys");
    auto type = parse_position_key(key)->type;  // subscribed keys parse
    if (type == PositionType::Perp) {
      initial_perp(amount, amount_path, key, book);
      continue;
    }
    book.initial_positions[key] =
        is_non_negative(type)
            ? checked_amount(amount, amount_path,
                             "a number >= 0 (BaseToken, aToken and LST balances "
                             "cannot be negative)",
                             [](Amount x) { return !x.negative(); })
            : any_amount(amount, amount_path);
  }
}

BookConfig parse_book(const json& object, std::size_t index, const Config& config,
                      const std::set<std::string>& lst_symbols) {
  std::string path = "books[" + std::to_string(index) + "]";
  require_object(object, path);
  BookConfig book;
  auto* name = find(object, "name");
  if (!name) fail(path, "field 'name' is required");
  book.name = string_value(*name, path + ".name", false);
  path += " (" + book.name + ")";
  allow_only(object, path, {"name", "subscribed_keys", "initial_positions"});
  auto* keys = find(object, "subscribed_keys");
  if (!keys) fail(path, "field 'subscribed_keys' is required");
  book.subscribed_keys = subscribed_keys(*keys, path + ".subscribed_keys", config, lst_symbols);
  if (auto* initial = find(object, "initial_positions"))
    initial_positions(*initial, path + ".initial_positions", book);
  return book;
}

std::vector<BookConfig> parse_books(const json& value, const Config& config) {
  if (!value.is_array()) fail("books", "must be an array, got " + shown(value));
  if (value.empty()) fail("books", "at least one book is required");
  auto lst_symbols = config.lst_symbols();
  std::vector<BookConfig> books;
  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < value.size(); ++i) {
    auto book = parse_book(value[i], i, config, lst_symbols);
    auto [it, fresh] = seen.emplace(book.name, i);
    if (!fresh)
      fail("books[" + std::to_string(i) + "] (" + book.name + ")",
           "duplicate book name '" + book.name + "' (also books[" + std::to_string(it->second) +
               "])");
    books.push_back(std::move(book));
  }
  return books;
}

// --- market ------------------------------------------------------------------------------

template <class Entries>
void check_market_venues(const Entries& by_venue, const std::string& path, const Config& config,
                         VenueKind expected) {
  for (const auto& entry : by_venue) {
    const auto& name = entry.first;
    const auto* venue = config.find_venue(name);
    auto expected_text = std::string(to_string(expected));
    if (!venue)
      fail(path + "." + name,
           "'" + name + "' is not a configured venue (expected a " + expected_text + " venue)");
    if (venue->kind != expected)
      fail(path + "." + name, "'" + name + "' is a " + std::string(to_string(venue->kind)) +
                                  " venue, expected a " + expected_text + " venue");
  }
}

void merge_checked_market(const json& value, const Config& config, MarketData& market,
                          const std::string& path) {
  if (auto failure = merge_market_json(value, market, path, ErrorCode::cfg_invalid))
    throw Invalid{failure->message};
  check_market_venues(market.indices, path + ".indices", config, VenueKind::lending);
  check_market_venues(market.staking_rates, path + ".staking_rates", config, VenueKind::staking);
  check_market_venues(market.funding_rates, path + ".funding_rates", config, VenueKind::cex);
}

void parse_market(const json& value, Config& config) {
  merge_checked_market(value, config, config.market, "market");
}

// --- document ----------------------------------------------------------------------------

Config parse_document(const json& value) {
  if (!value.is_object()) fail("config", "must be a JSON object, got " + shown(value));
  allow_only(
      value, "config",
      {"scheduler", "log", "server", "venue_timeout_ms", "reconciliation", "market", "venues",
       "books"});
  Config config;
  if (auto* f = find(value, "scheduler")) parse_scheduler(*f, config.scheduler);
  if (auto* f = find(value, "log")) parse_log(*f, config.log);
  if (auto* f = find(value, "server")) parse_server(*f, config.server);
  if (auto* f = find(value, "venue_timeout_ms"))
    config.venue_timeout_ms =
        checked_integer(*f, "venue_timeout_ms", 1, max_duration_ms);
  if (auto* f = find(value, "reconciliation")) parse_reconciliation(*f, config.reconciliation);
  auto* venues = find(value, "venues");
  if (!venues) fail("config", "field 'venues' is required");
  config.venues = parse_venues(*venues);
  config.reindex();
  auto* books = find(value, "books");
  if (!books) fail("config", "field 'books' is required");
  config.books = parse_books(*books, config);
  config.reindex();
  if (auto* f = find(value, "market")) parse_market(*f, config);
  return config;
}

// --- file --------------------------------------------------------------------------------

LoadedConfig failed(ErrorCode code, std::string message) {
  LoadedConfig loaded;
  loaded.failure = Failure{code, std::move(message)};
  return loaded;
}

}  // namespace

std::optional<VenueKind> parse_venue_kind(std::string_view text) {
  for (auto kind : all_kinds)
    if (to_string(kind) == text) return kind;
  return std::nullopt;
}

LoadedConfig parse_config(const nlohmann::json& value) {
  LoadedConfig loaded;
  try {
    loaded.config = parse_document(value);
  } catch (const Invalid& invalid) {
    return failed(ErrorCode::cfg_invalid, invalid.message);
  }
  return loaded;
}

LoadedConfig load_config_file(const std::string& path) {
  std::string why;
  auto text = read_text_file(path, why);
  if (!text)
    return failed(ErrorCode::cfg_unreadable, "cannot read config file '" + path + "': " + why);
  return load_config_text(*text, path);
}

LoadedConfig load_config_text(std::string_view text, const std::string& source) {
  auto parsed = parse_json(strip_bom(text));
  if (!parsed.ok())
    return failed(ErrorCode::cfg_unreadable,
                  "config file '" + source + "' is not valid JSON: " + parsed.error->message);
  auto loaded = parse_config(parsed.value);
  if (!loaded.ok())
    loaded.failure.message = "config file '" + source + "': " + loaded.failure.message;
  return loaded;
}

std::optional<Failure> merge_market_update(const nlohmann::json& value, const Config& config,
                                           MarketData& market, const std::string& path,
                                           ErrorCode code) {
  MarketData merged = market;
  try {
    merge_checked_market(value, config, merged, path);
  } catch (const Invalid& invalid) {
    return Failure{code, invalid.message};
  }
  market = std::move(merged);
  return std::nullopt;
}

}  // namespace tightloop
