#include "tests/test_support.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <thread>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/config_loader.hpp"
#include "messages/order_json.hpp"

extern char** environ;

namespace tightloop::test {

Amount amount(const std::string& text) {
  auto parsed = parse_amount(text);
  REQUIRE_MESSAGE(parsed.amount.has_value(), parsed.error);
  return *parsed.amount;
}

Amount operator""_amt(const char* text, std::size_t size) {
  return amount(std::string(text, size));
}

nlohmann::json exact_config_json(const std::vector<std::string>& books) {
  auto config = nlohmann::json::parse(R"({
    "scheduler": {"threads": 2},
    "log": {"level": "warning"},
    "venue_timeout_ms": 5000,
    "reconciliation": {"max_attempts": 3, "initial_backoff_ms": 1, "multiplier": 2,
                       "deadline_ms": 1000},
    "market": {
      "prices": {"BTC": 60000, "USDT": 1, "WETH": 2000, "weETH": 4000, "USDC": 1},
      "indices": {"aave": {"WETH": {"liquidity_index": 1.25, "borrow_index": 2.0},
                           "weETH": {"liquidity_index": 1.0, "borrow_index": 1.0}}},
      "staking_rates": {"etherfi": {"weETH": 0.5}}
    },
    "venues": [
      {"name": "binance", "kind": "cex", "taker_fee_rate": 0.001, "slippage_bps": 0,
       "settlement_token": "USDT", "transfer_fees": {"USDT": 1}},
      {"name": "wallet", "kind": "wallet"},
      {"name": "aave", "kind": "lending", "wallet": "wallet", "flash_fee_rate": 0.0005},
      {"name": "etherfi", "kind": "staking", "wallet": "wallet", "lst": {"WETH": "weETH"}},
      {"name": "uniswap", "kind": "dex", "wallet": "wallet", "pool_fee_rate": 0.003,
       "slippage_bps": 0}
    ]
  })");
  auto keys = nlohmann::json::array(
      {"binance:BaseToken:BTC", "binance:BaseToken:USDT", "binance:Perp:BTCUSDT",
       "wallet:BaseToken:WETH", "wallet:BaseToken:USDT", "wallet:BaseToken:USDC",
       "wallet:LST:weETH", "aave:aToken:WETH", "aave:aToken:weETH", "aave:debtToken:WETH"});
  auto initial = nlohmann::json{{"binance:BaseToken:BTC", 1.0},
                                {"binance:BaseToken:USDT", 100000.0},
                                {"wallet:BaseToken:WETH", 10.0},
                                {"wallet:BaseToken:USDC", 5000.0}};
  config["books"] = nlohmann::json::array();
  for (const auto& name : books)
    config["books"].push_back(
        {{"name", name}, {"subscribed_keys", keys}, {"initial_positions", initial}});
  return config;
}

Config config_from(const nlohmann::json& json) {
  auto loaded = parse_config(json);
  REQUIRE_MESSAGE(loaded.ok(), loaded.failure.describe());
  return loaded.config;
}

Config exact_config(const std::vector<std::string>& books) {
  return config_from(exact_config_json(books));
}

Order order_from(const nlohmann::json& json) {
  auto decoded = decode_order(json);
  REQUIRE_MESSAGE(decoded.ok(), decoded.failure.describe());
  return decoded.order;
}

void check_failed(const ExecutionHandshake& hs, ErrorCode code, const std::string& fragment) {
  CHECK(hs.status == HandshakeStatus::failed);
  CHECK(hs.error_code == code);
  CHECK_MESSAGE(hs.error_message.find(fragment) != std::string::npos, hs.error_message);
  CHECK(hs.position_deltas.empty());
  CHECK(hs.fee_amount.is_zero());
  CHECK(hs.fee_currency.empty());
  CHECK(hs.trade_id.empty());
  CHECK(hs.executed_amount.is_zero());
  CHECK_FALSE(hs.executed_price.has_value());
}

FaultSpec fault_on(FaultKind kind, const std::string& operation_id) {
  FaultSpec fault;
  fault.kind = kind;
  fault.operation_id = operation_id;
  return fault;
}

const Positions& exact_initial_positions() {
  static const Positions positions{
      {"binance:BaseToken:BTC", "1"_amt},   {"binance:BaseToken:USDT", "100000"_amt},
      {"binance:Perp:BTCUSDT", "0"_amt},    {"wallet:BaseToken:WETH", "10"_amt},
      {"wallet:BaseToken:USDT", "0"_amt},   {"wallet:BaseToken:USDC", "5000"_amt},
      {"wallet:LST:weETH", "0"_amt},        {"aave:aToken:WETH", "0"_amt},
      {"aave:aToken:weETH", "0"_amt},       {"aave:debtToken:WETH", "0"_amt},
  };
  return positions;
}

Positions all_venue_ledgers(Runtime& runtime, const std::string& book) {
  Positions merged;
  for (const auto& venue : runtime.config().venues)
    for (const auto& [key, amount] : runtime.venue_balances(book, venue.name)) {
      CHECK_MESSAGE(merged.count(key) == 0, key << " held by two venues");
      merged.emplace(key, amount);
    }
  return merged;
}

namespace {
std::atomic<int> temp_counter{0};

std::string read_fd(int fd) {
  std::string text;
  char buffer[4096];
  for (;;) {
    auto n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  return text;
}
}  // namespace

TempFile::TempFile(const std::string& contents, const std::string& suffix) {
  auto dir = std::filesystem::temp_directory_path();
  path_ = (dir / ("tightloop-test-" + std::to_string(::getpid()) + "-" +
                  std::to_string(temp_counter++) + suffix))
              .string();
  std::ofstream out(path_, std::ios::binary);
  out << contents;
}

TempFile::~TempFile() { std::filesystem::remove(path_); }

ProcessResult run_tightloop(const std::vector<std::string>& args, ChildStdout out) {
  // stdout and stderr go to temporary files: no pipe can fill up and block the child.
  TempFile out_file(""), err_file("");
  int dead_pipe[2] = {-1, -1};
  if (out == ChildStdout::closed_pipe) {
    REQUIRE(::pipe(dead_pipe) == 0);
    ::close(dead_pipe[0]);  // nobody will ever read: writes fail with EPIPE
  }
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int out_fd = out == ChildStdout::closed_pipe ? dead_pipe[1]
                 : out == ChildStdout::full_disk ? ::open("/dev/full", O_WRONLY)
                                                 : ::open(out_file.path().c_str(), O_WRONLY | O_TRUNC);
    int err_fd = ::open(err_file.path().c_str(), O_WRONLY | O_TRUNC);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    std::vector<char*> argv;
    std::string bin = TIGHTLOOP_BIN;
    argv.push_back(bin.data());
    std::vector<std::string> copies(args);
    for (auto& a : copies) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  if (dead_pipe[1] >= 0) ::close(dead_pipe[1]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ProcessResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  int out_fd = ::open(out_file.path().c_str(), O_RDONLY);
  int err_fd = ::open(err_file.path().c_str(), O_RDONLY);
  result.out = read_fd(out_fd);
  result.err = read_fd(err_fd);
  ::close(out_fd);
  ::close(err_fd);
  return result;
}

std::string source_file(const std::string& relative_path) {
  std::ifstream in(std::string(TIGHTLOOP_SOURCE_DIR) + "/" + relative_path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), relative_path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) lines.push_back(line);
  return lines;
}

std::string read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

ProcessResult run_program(const std::vector<std::string>& argv, const std::string& stdin_path,
                          const std::string& package, const std::map<std::string, std::string>& env,
                          const std::vector<std::string>& unset, std::chrono::milliseconds bound) {
  REQUIRE_MESSAGE(::access(argv[0].c_str(), X_OK) == 0,
                  argv[0] << " is missing: install the Debian package " << package
                          << " (scripts/install-deps does)");
  TempFile out_file("", ".out"), err_file("", ".err");
  // Everything the child needs is built before fork: after it, only exec.
  std::vector<std::string> env_text;
  for (char** e = environ; *e; ++e) {
    const std::string entry = *e;
    const auto name = entry.substr(0, entry.find('='));
    if (!env.count(name) && std::find(unset.begin(), unset.end(), name) == unset.end())
      env_text.push_back(entry);
  }
  for (const auto& [name, value] : env) env_text.push_back(name + "=" + value);
  std::vector<std::string> argv_text(argv);
  std::vector<char*> child_argv, child_env;
  for (auto& a : argv_text) child_argv.push_back(a.data());
  child_argv.push_back(nullptr);
  for (auto& e : env_text) child_env.push_back(e.data());
  child_env.push_back(nullptr);
  const int in_fd = ::open(stdin_path.c_str(), O_RDONLY);
  const int out_fd = ::open(out_file.path().c_str(), O_WRONLY | O_TRUNC);
  const int err_fd = ::open(err_file.path().c_str(), O_WRONLY | O_TRUNC);
  REQUIRE(in_fd >= 0);
  REQUIRE(out_fd >= 0);
  REQUIRE(err_fd >= 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(in_fd, 0);
    ::dup2(out_fd, 1);
    ::dup2(err_fd, 2);
    ::execve(child_argv[0], child_argv.data(), child_env.data());
    ::_exit(127);
  }
  ::close(in_fd);
  ::close(out_fd);
  ::close(err_fd);
  ProcessResult result;
  const auto until = std::chrono::steady_clock::now() + bound;
  int status = 0;
  bool done = false;
  while (!done && std::chrono::steady_clock::now() < until) {
    done = ::waitpid(pid, &status, WNOHANG) == pid;
    if (!done) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (done) {
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  } else {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
  }
  result.out = read_whole(out_file.path());
  result.err = read_whole(err_file.path());
  return result;
}

}  // namespace tightloop::test
