// Shared helpers for the tests: configs from JSON text, orders, temporary files, and running
// the real `tightloop` binary as a child process.
#pragma once

#include <chrono>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "messages/amount.hpp"
#include "messages/execution_handshake.hpp"
#include "messages/fault_spec.hpp"
#include "messages/order.hpp"
#include "runtime/runtime.hpp"

namespace tightloop {
// doctest shows an amount that fails a check as its exact decimal.
inline std::ostream& operator<<(std::ostream& out, Amount amount) { return out << format(amount); }
}  // namespace tightloop

namespace tightloop::test {

// An exact amount from its decimal text ("0.1", "-3030.015", "1e-18"); REQUIREs that
// parse_amount accepts it. Expected values in tests are written this way, never as doubles.
Amount amount(const std::string& text);
// The same as a literal: "0.1"_amt.
Amount operator""_amt(const char* text, std::size_t size);

// A complete config with one venue of every kind and numbers chosen so that results are exact
// in binary: prices BTC 60000, USDT 1, WETH 2000, weETH 4000; fee 0.001; no slippage; aave
// indices 1.25 / 2; staking 0.5 weETH per WETH; pool fee 0.003; reconciliation retries after
// 1 ms and 2 ms (real-time tests stay fast; virtual-time tests check the defaults). Books:
// `books` names, each with the same subscriptions and initial positions.
nlohmann::json exact_config_json(const std::vector<std::string>& books = {"main"});
Config exact_config(const std::vector<std::string>& books = {"main"});
Config config_from(const nlohmann::json& json);  // REQUIREs a valid config

Order order_from(const nlohmann::json& json);  // REQUIREs a decodable order

// A handshake a venue failed: the code, a message containing `fragment`, and nothing executed
// (no deltas, no fee, no trade id, no fill).
void check_failed(const ExecutionHandshake& hs, ErrorCode code, const std::string& fragment);

// A fault of `kind` aimed at one operation_id, every other field at its default.
FaultSpec fault_on(FaultKind kind, const std::string& operation_id);

using Positions = std::map<std::string, Amount>;
// Every subscribed key of an exact_config book, at its initial amount.
const Positions& exact_initial_positions();
// Every venue's ledger of `book` in one map; a key held by two venues fails the test.
Positions all_venue_ledgers(Runtime& runtime, const std::string& book);

// A file removed when the object goes.
class TempFile {
 public:
  explicit TempFile(const std::string& contents, const std::string& suffix = ".json");
  ~TempFile();
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Where the child's stdout goes: captured, /dev/full (every write fails with ENOSPC), or a pipe
// whose reading end is already closed (every write fails with EPIPE).
enum class ChildStdout { captured, full_disk, closed_pipe };

// Runs the built tightloop binary with `args` (no shell), capturing stdout and stderr.
ProcessResult run_tightloop(const std::vector<std::string>& args,
                            ChildStdout out = ChildStdout::captured);

std::vector<std::string> split_lines(const std::string& text);

// A whole file's bytes ("" if it cannot be read).
std::string read_whole(const std::string& path);

// Runs `argv` (argv[0] an absolute path, no shell) with stdin from `stdin_path`, capturing
// stdout and stderr (into files: no pipe fills up). The environment is the test's, without the
// `unset` names, plus `env`. REQUIREs that the program exists: a missing tool (promtool,
// Debian's python3) fails the test, naming the Debian `package` that brings it. Killed with
// SIGKILL past `bound` (exit_code -1 then).
ProcessResult run_program(const std::vector<std::string>& argv, const std::string& stdin_path,
                          const std::string& package,
                          const std::map<std::string, std::string>& env = {},
                          const std::vector<std::string>& unset = {},
                          std::chrono::milliseconds bound = std::chrono::minutes(2));

// A file of the source tree (relative to TIGHTLOOP_SOURCE_DIR), whole; REQUIREs it exists.
std::string source_file(const std::string& relative_path);

}  // namespace tightloop::test
