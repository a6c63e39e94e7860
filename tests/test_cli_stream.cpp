// `tightloop run --orders -`: orders on standard input, each line answered as it arrives. The
// real binary as a child process with a pipe on stdin and one on stdout: a test writes a line,
// reads its result back, and only then writes the next, so a program that waited for the end
// of input would fail the read. Every read is bounded (a hang fails the test instead of
// blocking CI); no test asserts on how long anything takes.
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <optional>
#include <regex>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "messages/json_input.hpp"
#include "messages/json_number.hpp"
#include "tests/test_support.hpp"

using namespace tightloop::test;
using tightloop::Amount;
using tightloop::dump_json;
using tightloop::raw_number;
using json = nlohmann::json;

namespace {

const std::string source_dir = TIGHTLOOP_SOURCE_DIR;
const std::string default_config = source_dir + "/config/default.json";
const std::string default_orders = source_dir + "/config/default-orders.jsonl";

// A bound for one answer, far above what any line takes: only a hang reaches it.
constexpr int answer_bound_ms = 60000;

// The tightloop binary with its stdin and stdout on pipes of ours and stderr in a file.
class Child {
 public:
  enum class Stdout { pipe, closed };

  explicit Child(const std::vector<std::string>& args, Stdout mode = Stdout::pipe)
      : err_file_("") {
    std::signal(SIGPIPE, SIG_IGN);  // writing to a child that has exited must not kill us
    int in[2], out[2];
    REQUIRE(::pipe2(in, O_CLOEXEC) == 0);
    REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      int err = ::open(err_file_.path().c_str(), O_WRONLY | O_TRUNC);
      ::dup2(in[0], 0);  // dup2 clears O_CLOEXEC on 0, 1 and 2
      ::dup2(out[1], 1);
      ::dup2(err, 2);
      std::vector<char*> argv;
      std::string bin = TIGHTLOOP_BIN;
      argv.push_back(bin.data());
      std::vector<std::string> copies(args);
      for (auto& a : copies) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(bin.c_str(), argv.data());
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    in_ = in[1];
    out_ = out[0];
    if (mode == Stdout::closed) {  // every write of the child fails with EPIPE
      ::close(out_);
      out_ = -1;
    }
  }

  ~Child() {
    close_input();
    if (out_ >= 0) ::close(out_);
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }

  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  void send(const std::string& line) {
    const std::string text = line + "\n";
    std::size_t done = 0;
    while (done < text.size()) {
      auto n = ::write(in_, text.data() + done, text.size() - done);
      REQUIRE_MESSAGE(n > 0, "the child stopped reading its stdin");
      done += static_cast<std::size_t>(n);
    }
  }

  void close_input() {
    if (in_ >= 0) ::close(in_);
    in_ = -1;
  }

  // The next line of the child's stdout; nullopt at its end or when nothing came in the bound.
  std::optional<std::string> read_line(int bound_ms = answer_bound_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(bound_ms);
    for (;;) {
      if (auto end = buffer_.find('\n'); end != std::string::npos) {
        auto line = buffer_.substr(0, end);
        buffer_.erase(0, end + 1);
        return line;
      }
      if (eof_) return std::nullopt;
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                            deadline - std::chrono::steady_clock::now())
                            .count();
      if (left <= 0) return std::nullopt;
      pollfd p{out_, POLLIN, 0};
      const int ready = ::poll(&p, 1, static_cast<int>(left));
      if (ready < 0 && errno == EINTR) continue;
      if (ready <= 0) return std::nullopt;
      char chunk[4096];
      const auto n = ::read(out_, chunk, sizeof chunk);
      if (n <= 0)
        eof_ = true;
      else
        buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

  // The next line as JSON; the test fails if none comes.
  json next() {
    auto line = read_line();
    REQUIRE_MESSAGE(line.has_value(), "no answer line from the child; its stderr: " << err());
    auto parsed = tightloop::parse_json(*line);
    REQUIRE_MESSAGE(parsed.ok(), *line);
    return parsed.value;
  }

  // Every line until the child closes its stdout.
  std::vector<std::string> rest() {
    std::vector<std::string> lines;
    while (auto line = read_line()) lines.push_back(*line);
    REQUIRE_MESSAGE(eof_, "the child's stdout did not end; its stderr: " << err());
    return lines;
  }

  // The exit code; the child is killed and the test fails if it does not exit in the bound.
  int wait(int bound_ms = answer_bound_ms) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(bound_ms);
    int status = 0;
    for (;;) {
      const auto done = ::waitpid(pid_, &status, WNOHANG);
      REQUIRE(done >= 0);
      if (done == pid_) break;
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        exited_ = true;
        FAIL("the child did not exit; its stderr: " << err());
      }
      ::poll(nullptr, 0, 10);
    }
    exited_ = true;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  std::string err() const { return file_text(err_file_.path()); }

 private:
  static std::string file_text(const std::string& path) {
    std::string text;
    int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0) return text;
    char chunk[4096];
    for (ssize_t n; (n = ::read(fd, chunk, sizeof chunk)) > 0;)
      text.append(chunk, static_cast<std::size_t>(n));
    ::close(fd);
    return text;
  }

  TempFile err_file_;
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1;
  std::string buffer_;
  bool eof_ = false, exited_ = false;
};

std::string line_of(const json& entry) { return dump_json(entry); }

json buy(const std::string& id, const char* amount = "0.1") {
  return {{"operation_id", id}, {"venue", "binance"}, {"operation", "spot_trade"},
          {"pair", "BTC/USDT"}, {"side", "BUY"}, {"amount", raw_number(amount)}};
}

// A member of atomic group `group`: supply `amount` WETH from the wallet to aave.
json supply(const std::string& id, const std::string& group, const char* amount) {
  return {{"operation_id", id}, {"venue", "aave"}, {"operation", "supply"},
          {"token_in", "WETH"}, {"amount", raw_number(amount)},
          {"execution_mode", "atomic"}, {"atomic_group_id", group}};
}

Amount number(const json& value) {
  std::string why;
  auto amount = tightloop::amount_from_json(value, why);
  REQUIRE_MESSAGE(amount.has_value(), why << ": " << dump_json(value));
  return *amount;
}

std::vector<std::string> stdin_args(const std::string& config) {
  return {"run", "--config", config, "--orders", "-"};
}

}  // namespace

TEST_CASE("run --orders - answers each line before the next one is written") {
  TempFile config(dump_json(exact_config_json()));
  Child child(stdin_args(config.path()));

  child.send(line_of(buy("s1")));
  auto first = child.next();
  CHECK(first["operation_id"] == "s1");
  CHECK(first["status"] == "executed");
  CHECK(number(first["executed_price"]) == "60000"_amt);

  // A market event applies in line: the order after it is priced at the new market.
  child.send(R"({"event": "market", "timestamp": "t1", "prices": {"BTC": 64000}})");
  CHECK(child.next() == json({{"event", "market"}, {"timestamp", "t1"}}));
  child.send(line_of(buy("s2")));
  auto second = child.next();
  CHECK(second["operation_id"] == "s2");
  CHECK(number(second["executed_price"]) == "64000"_amt);

  // An atomic group is collected until a line that is not a member, then run together: the
  // second member fails (the wallet holds 10 WETH), so the first is rolled back, not executed.
  child.send(line_of(supply("g-1", "g", "1")));
  child.send(line_of(supply("g-2", "g", "100")));
  child.send(line_of(buy("s3")));
  auto g1 = child.next();
  auto g2 = child.next();
  auto s3 = child.next();
  CHECK(g1["operation_id"] == "g-1");
  CHECK(g1["status"] == "rolled_back");
  CHECK(g2["operation_id"] == "g-2");
  CHECK(g2["status"] == "failed");
  CHECK(s3["operation_id"] == "s3");
  CHECK(s3["status"] == "executed");

  // A group that succeeds, ended by an event line.
  child.send(line_of(supply("h-1", "h", "1")));
  child.send(line_of(supply("h-2", "h", "1.5")));
  child.send(R"({"event": "refresh", "timestamp": "t2"})");
  CHECK(child.next()["status"] == "executed");
  CHECK(child.next()["status"] == "executed");
  auto refresh = child.next();
  CHECK(refresh["event"] == "refresh");
  CHECK(refresh["books"]["main"]["error_code"].is_null());

  // A repeated operation_id is refused across lines as within a file.
  child.send(line_of(buy("s1")));
  CHECK(child.next()["error_code"] == "ORD-007");

  // The end of input: the positions line, and exit 0.
  child.close_input();
  auto rest = child.rest();
  REQUIRE(rest.size() == 1);
  auto parsed = tightloop::parse_json(rest[0]);
  REQUIRE(parsed.ok());
  const auto positions = parsed.value["positions"];
  CHECK(number(positions["binance:BaseToken:BTC"]) == "1.3"_amt);  // 1 + 3 buys of 0.1
  CHECK(number(positions["wallet:BaseToken:WETH"]) == "7.5"_amt);  // 10 - 1 - 1.5 (h only)
  CHECK(number(positions["aave:aToken:WETH"]) == "2"_amt);         // 2.5 / 1.25
  CHECK(tightloop::is_json_number(parsed.value["valuation"]["expected"]["nav"]));
  CHECK(child.wait() == 0);
}

TEST_CASE("run --orders - gives the file mode's lines for the same input, final line included") {
  auto file = run_tightloop({"run", "--config", default_config, "--orders", default_orders});
  REQUIRE(file.exit_code == 0);
  const auto file_lines = split_lines(file.out);

  // The bundled orders have an atomic group of five, a market event and a refresh. Written all
  // at once (they fit in the pipe), then read.
  Child child(stdin_args(default_config));
  for (const auto& line : split_lines(source_file("config/default-orders.jsonl")))
    child.send(line);
  child.close_input();
  const auto lines = child.rest();
  CHECK(child.wait() == 0);
  REQUIRE(lines.size() == file_lines.size());
  CHECK(lines.back() == file_lines.back());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    CAPTURE(i);
    CHECK(lines[i] == file_lines[i]);
  }
}

TEST_CASE("run --orders - answers a malformed line with an error line and goes on, exit 2") {
  TempFile config(dump_json(exact_config_json()));
  Child child(stdin_args(config.path()));
  child.send(line_of(buy("a")));
  CHECK(child.next()["status"] == "executed");

  child.send("not json");
  auto bad = child.next();
  CHECK(bad == json({{"error_code", "INP-001"},
                     {"error_message", bad["error_message"]},
                     {"line", 2}}));
  CHECK(bad["error_message"].get<std::string>().rfind("line 2 is not valid JSON", 0) == 0);

  child.send("");  // a blank line is skipped, and counted as a line
  child.send("[1, 2]");
  auto array = child.next();
  CHECK(array["error_code"] == "INP-002");
  CHECK(array["line"] == 4);
  child.send(R"({"event": "market", "prices": {"BTC": -1}})");
  auto event = child.next();
  CHECK(event["error_code"] == "INP-003");
  CHECK(event["line"] == 5);
  CHECK(event["error_message"].get<std::string>().find("market event.prices.BTC") !=
        std::string::npos);

  // A malformed line ends an open group: the group runs first, then the error line.
  child.send(line_of(supply("g-1", "g", "1")));
  child.send("{");
  CHECK(child.next()["operation_id"] == "g-1");
  CHECK(child.next()["error_code"] == "INP-001");

  // The stream went on: the market event was refused whole, BTC is still priced at 60000.
  child.send(line_of(buy("b")));
  auto after = child.next();
  CHECK(after["status"] == "executed");
  CHECK(number(after["executed_price"]) == "60000"_amt);

  child.close_input();
  auto rest = child.rest();
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].find("\"positions\"") != std::string::npos);
  CHECK(child.wait() == 2);  // a line was refused
}

TEST_CASE("run --orders -: a group id whose run has ended cannot run again (ORD-009)") {
  TempFile config(dump_json(exact_config_json()));
  Child child(stdin_args(config.path()));
  child.send(line_of(supply("g-1", "g", "1")));
  child.send(line_of(buy("x")));
  CHECK(child.next()["status"] == "executed");  // g-1, a group of one
  CHECK(child.next()["status"] == "executed");  // x
  child.send(line_of(supply("g-2", "g", "1")));
  child.close_input();  // the end of input ends the group
  auto again = child.next();
  CHECK(again["operation_id"] == "g-2");
  CHECK(again["status"] == "failed");
  CHECK(again["error_code"] == "ORD-009");
  CHECK(again["error_message"].get<std::string>().find("ended at line 1") != std::string::npos);
  CHECK(child.rest().size() == 1);
  CHECK(child.wait() == 0);
}

TEST_CASE("run --orders - with a closed stdout stops at the first result: OUT-001, exit 4") {
  TempFile config(dump_json(exact_config_json()));
  Child child(stdin_args(config.path()), Child::Stdout::closed);
  child.send(line_of(buy("a")));
  // stdin stays open: the child stops by itself, it does not wait for more orders.
  CHECK(child.wait() == 4);
  CHECK(child.err().find("OUT-001") != std::string::npos);
}

TEST_CASE("run --orders - --format table prints the file mode's table at the end of input") {
  auto file = run_tightloop(
      {"run", "--config", default_config, "--orders", default_orders, "--format", "table"});
  REQUIRE(file.exit_code == 0);
  Child child({"run", "--config", default_config, "--orders", "-", "--format", "table"});
  for (const auto& line : split_lines(source_file("config/default-orders.jsonl")))
    child.send(line);
  child.close_input();
  std::string out;
  for (const auto& line : child.rest()) out += line + "\n";
  CHECK(child.wait() == 0);
  CHECK(out == file.out);
  CHECK(out.find("407183.071399999999988874") != std::string::npos);
}
