#include "bench/daemon_scenario.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <memory>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "bench/bench_config.hpp"
#include "bench/report.hpp"
#include "bench/stats.hpp"
#include "messages/json_number.hpp"
#include "messages/order_json.hpp"

#ifndef TIGHTLOOP_DAEMON_BIN
#define TIGHTLOOP_DAEMON_BIN ""
#endif

namespace tightloop::bench {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

double seconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

std::int64_t ns_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(to - from).count();
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}


// A file in /tmp that goes with the object.
class TempFile {
 public:
  explicit TempFile(const std::string& stem) {
    std::string name = "/tmp/" + stem + "-XXXXXX";
    int fd = ::mkstemp(name.data());
    if (fd < 0) throw std::runtime_error("cannot create a file in /tmp");
    ::close(fd);
    path_ = name;
  }
  ~TempFile() { ::unlink(path_.c_str()); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// ---- the child: `tightloop serve` ------------------------------------------------------

struct StopOutcome {
  int exit_code = -1;  // the child's, 128 + signal if it died of one
  bool killed = false;  // SIGTERM was not enough within the bound
  double seconds = 0.0;
};

class DaemonChild {
 public:
  DaemonChild(const std::string& binary, const std::string& config_path)
      : err_("tightloop-bench-daemon-stderr") {
    std::vector<std::string> args{binary, "serve", "--config", config_path,
                                  "--listen", "127.0.0.1:0"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      // Only async-signal-safe calls until exec. The daemon dies with the bench.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(127);
      int err = ::open(err_.path().c_str(), O_WRONLY | O_TRUNC);
      int null = ::open("/dev/null", O_RDWR);
      ::dup2(null, 0);
      ::dup2(null, 1);
      if (err >= 0) ::dup2(err, 2);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }

  ~DaemonChild() { stop(); }
  DaemonChild(const DaemonChild&) = delete;
  DaemonChild& operator=(const DaemonChild&) = delete;

  pid_t pid() const { return pid_; }
  std::string stderr_text() const { return read_text(err_.path()); }

  // The port from the "listening on" line; throws if the child exits first or `bound` passes.
  int wait_listening(std::chrono::milliseconds bound) {
    const std::string marker = "tightloop: listening on 127.0.0.1:";
    const auto until = Clock::now() + bound;
    while (Clock::now() < until) {
      auto text = stderr_text();
      auto at = text.find(marker);
      if (at != std::string::npos && text.find('\n', at) != std::string::npos)
        return std::atoi(text.c_str() + at + marker.size());
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        stopped_ = StopOutcome{WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
                               false, 0.0};
        throw std::runtime_error("tightloop serve exited before listening: " + text);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    throw std::runtime_error("tightloop serve printed no listening line: " + stderr_text());
  }

  // SIGTERM, then SIGKILL after `bound`. Once; later calls return the first outcome.
  StopOutcome stop(std::chrono::milliseconds bound = std::chrono::seconds(10)) {
    if (stopped_) return *stopped_;
    StopOutcome outcome;
    if (pid_ <= 0) return *(stopped_ = outcome);
    const auto start = Clock::now();
    ::kill(pid_, SIGTERM);
    int status = 0;
    bool done = false;
    while (Clock::now() < start + bound) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        done = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (!done) {
      outcome.killed = true;
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    outcome.seconds = seconds_between(start, Clock::now());
    outcome.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return *(stopped_ = outcome);
  }

 private:
  TempFile err_;
  pid_t pid_ = -1;
  std::optional<StopOutcome> stopped_;
};

// Per-thread CPU time of a process (/proc/PID/task/*/stat), in clock ticks.
struct ThreadTimes {
  std::map<int, std::pair<std::string, long long>> by_tid;  // tid -> (comm, utime + stime)
};

ThreadTimes thread_times(pid_t pid) {
  ThreadTimes times;
  const std::string dir = "/proc/" + std::to_string(pid) + "/task";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const auto text = read_text(entry.path().string() + "/stat");
    const auto open = text.find('('), close = text.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    std::istringstream rest(text.substr(close + 2));
    std::vector<std::string> fields;
    for (std::string f; rest >> f;) fields.push_back(f);
    if (fields.size() < 13) continue;  // state is field 3; utime 14, stime 15
    const int tid = std::atoi(text.c_str());
    times.by_tid[tid] = {text.substr(open + 1, close - open - 1),
                         std::atoll(fields[11].c_str()) + std::atoll(fields[12].c_str())};
  }
  return times;
}

// Each thread's share of one core between two snapshots, busiest first. The daemon's main
// thread only waits; its first thread is the HTTP I/O thread (started before the runtime).
json thread_shares(pid_t pid, const ThreadTimes& before, const ThreadTimes& after,
                   double seconds) {
  const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const int io_tid = [&] {
    for (const auto& [tid, entry] : after.by_tid)
      if (tid != pid) return tid;
    return 0;
  }();
  std::vector<std::pair<double, json>> rows;
  for (const auto& [tid, entry] : after.by_tid) {
    auto it = before.by_tid.find(tid);
    const long long used = entry.second - (it == before.by_tid.end() ? 0 : it->second.second);
    const double share = used / ticks / std::max(seconds, 1e-9);
    std::string role = tid == pid ? "main" : tid == io_tid ? "http io" : "actor/other";
    rows.push_back({share,
                    {{"tid", tid}, {"name", entry.first}, {"role", role},
                     {"core_share", std::round(share * 1000) / 1000}}});
  }
  std::sort(rows.begin(), rows.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  json out = json::array();
  for (auto& [share, row] : rows)
    if (share > 0.005) out.push_back(std::move(row));
  return out;
}

double client_thread_cpu_seconds() {
  timespec t{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

std::int64_t proc_status_bytes(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key + ":", 0) == 0) return std::atoll(line.c_str() + key.size() + 1) * 1024;
  return -1;
}

// ---- the clients ----------------------------------------------------------------------

// One client thread runs one io_context per phase; the first failure stops the phase.
struct Phase {
  net::io_context ioc{1};
  std::string error;
  bool finished = false;
  void fail(const std::string& why) {
    if (error.empty()) error = why;
    ioc.stop();
  }
};

std::size_t count_of(std::string_view text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string_view::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

constexpr std::string_view status_key = "\"status\":\"";
constexpr std::string_view executed_key = "\"status\":\"executed\"";

// The first result that did not execute, from a response body.
std::string first_failure_in(const std::string& body) {
  auto doc = json::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.contains("results")) return body.substr(0, 300);
  for (const auto& r : doc["results"])
    if (r.value("status", "") != "executed")
      return r.value("operation_id", "?") + " " + r.value("status", "?") + " " +
             r.value("error_code", json("")).dump() + " " +
             r.value("error_message", json("")).dump();
  return "results missing: " + body.substr(0, 300);
}

// Results answered by the daemon in every phase so far: the event stream owes one order event
// per result.
struct Tally {
  std::size_t answered = 0;
};

// POSTs its bodies to one book, one request in flight, over one keep-alive connection.
class OrderConnection : public std::enable_shared_from_this<OrderConnection> {
 public:
  // `orders_per_body` 0: GET `target` once per (empty) body, any 200 answer will do.
  OrderConnection(Phase& phase, Tally& tally, int port, const std::string& target,
                  std::vector<std::string> bodies, std::size_t orders_per_body,
                  std::chrono::milliseconds timeout, std::function<void()> on_answer,
                  std::function<void()> on_done)
      : phase_(phase),
        tally_(tally),
        stream_(phase.ioc),
        endpoint_(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)),
        bodies_(std::move(bodies)),
        orders_per_body_(orders_per_body),
        timeout_(timeout),
        on_answer_(std::move(on_answer)),
        on_done_(std::move(on_done)) {
    request_.method(orders_per_body == 0 ? http::verb::get : http::verb::post);
    request_.target(target);
    request_.version(11);
    request_.set(http::field::host, "127.0.0.1");
    if (orders_per_body != 0) request_.set(http::field::content_type, "application/json");
    request_.keep_alive(true);
    latencies_ns.reserve(bodies_.size());
    answer_times.reserve(bodies_.size());
  }

  void start() {
    stream_.expires_after(timeout_);
    stream_.async_connect(endpoint_, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->phase_.fail("connect: " + ec.message());
      self->first_send = Clock::now();
      self->send();
    });
  }

  std::vector<std::int64_t> latencies_ns;
  std::vector<Clock::time_point> answer_times;
  Clock::time_point first_send{}, last_answer{};
  std::size_t results = 0, executed = 0;
  std::string first_failure;

 private:
  void send() {
    if (next_ == bodies_.size()) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream_.socket().close(ignored);
      if (on_done_) on_done_();
      return;
    }
    if (orders_per_body_ != 0) {
      request_.body() = std::move(bodies_[next_]);
      request_.prepare_payload();
    }
    parser_.emplace();
    parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
    sent_ = Clock::now();
    stream_.expires_after(timeout_);
    http::async_write(stream_, request_, [self = shared_from_this()](beast::error_code ec,
                                                                     std::size_t) {
      if (ec) return self->phase_.fail("write: " + ec.message());
      self->stream_.expires_after(self->timeout_);
      http::async_read(self->stream_, self->buffer_, *self->parser_,
                       [self](beast::error_code ec, std::size_t) { self->on_read(ec); });
    });
  }

  void on_read(beast::error_code ec) {
    const auto now = Clock::now();
    if (ec) return phase_.fail("read: " + ec.message());
    const auto& response = parser_->get();
    if (response.result_int() != 200)
      return phase_.fail(std::string(request_.method_string()) + " " +
                         std::string(request_.target()) + ": HTTP " +
                         std::to_string(response.result_int()) + " " +
                         response.body().substr(0, 300));
    latencies_ns.push_back(ns_between(sent_, now));
    answer_times.push_back(now);
    last_answer = now;
    if (orders_per_body_ == 0) {
      ++next_;
      return send();
    }
    const std::string_view body = response.body();
    const auto answered = count_of(body, status_key);
    const auto ok = count_of(body, executed_key);
    if (answered != orders_per_body_)
      return phase_.fail("expected " + std::to_string(orders_per_body_) + " results, got " +
                         std::to_string(answered) + ": " + response.body().substr(0, 300));
    if (ok != answered && first_failure.empty()) first_failure = first_failure_in(response.body());
    results += answered;
    executed += ok;
    tally_.answered += answered;
    ++next_;
    if (!response.keep_alive() && next_ < bodies_.size())
      return phase_.fail("the daemon closed the connection (no keep-alive)");
    if (on_answer_) on_answer_();
    send();
  }

  Phase& phase_;
  Tally& tally_;
  beast::tcp_stream stream_;
  tcp::endpoint endpoint_;
  std::vector<std::string> bodies_;
  std::size_t orders_per_body_;
  std::chrono::milliseconds timeout_;
  std::function<void()> on_answer_, on_done_;
  http::request<http::string_body> request_;
  beast::flat_buffer buffer_;
  std::optional<http::response_parser<http::string_body>> parser_;
  std::size_t next_ = 0;
  Clock::time_point sent_{};
};

// GET /v1/events?since=0 and counts the NDJSON lines as the chunks arrive. A line ends
// `,"seq":N,"type":"order"}` (keys sorted), so neither is parsed as JSON.
class EventFollower : public std::enable_shared_from_this<EventFollower> {
 public:
  EventFollower(Phase& phase, int port, std::chrono::milliseconds timeout,
                std::function<void()> on_events)
      : phase_(phase),
        stream_(phase.ioc),
        endpoint_(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)),
        timeout_(timeout),
        on_events_(std::move(on_events)) {
    request_.method(http::verb::get);
    request_.target("/v1/events?since=0");
    request_.version(11);
    request_.set(http::field::host, "127.0.0.1");
    parser_.body_limit(std::numeric_limits<std::uint64_t>::max());
    chunk_body_ = [this](std::uint64_t, beast::string_view body, beast::error_code&) {
      on_bytes(std::string_view(body.data(), body.size()));
      return body.size();
    };
    parser_.on_chunk_body(chunk_body_);
  }

  // `on_ready` once the stream's headers are in.
  void start(std::function<void()> on_ready) {
    on_ready_ = std::move(on_ready);
    stream_.expires_after(timeout_);
    stream_.async_connect(endpoint_, [self = shared_from_this()](beast::error_code ec) {
      if (ec) return self->phase_.fail("events connect: " + ec.message());
      http::async_write(self->stream_, self->request_,
                        [self](beast::error_code ec, std::size_t) {
                          if (ec) return self->phase_.fail("events write: " + ec.message());
                          self->read_header();
                        });
    });
  }

  void close() {
    closed_ = true;
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  std::size_t lines = 0, order_events = 0, seq_gaps = 0;
  std::uint64_t bytes = 0, last_seq = 0;
  Clock::time_point last_event{};

 private:
  void read_header() {
    http::async_read_header(stream_, buffer_, parser_,
                            [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->phase_.fail("events header: " + ec.message());
                              const int status = self->parser_.get().result_int();
                              if (status != 200)
                                return self->phase_.fail("GET /v1/events: HTTP " +
                                                         std::to_string(status));
                              self->stream_.expires_never();  // events may pause
                              if (self->on_ready_) self->on_ready_();
                              self->read_body();
                            });
  }

  void read_body() {
    http::async_read(stream_, buffer_, parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (self->closed_) return;
                       if (ec) return self->phase_.fail("events read: " + ec.message());
                       self->phase_.fail("the event stream ended");
                     });
  }

  void on_bytes(std::string_view body) {
    bytes += body.size();
    const std::size_t before = order_events;
    std::size_t pos = 0;
    for (;;) {
      const auto nl = body.find('\n', pos);
      if (nl == std::string_view::npos) {
        partial_.append(body.substr(pos));
        break;
      }
      if (partial_.empty()) {
        on_line(body.substr(pos, nl - pos));
      } else {
        partial_.append(body.substr(pos, nl - pos));
        on_line(partial_);
        partial_.clear();
      }
      pos = nl + 1;
    }
    if (order_events != before) {
      last_event = Clock::now();
      if (on_events_) on_events_();
    }
  }

  void on_line(std::string_view line) {
    ++lines;
    constexpr std::string_view order_tail = "\"type\":\"order\"}";
    if (line.size() >= order_tail.size() &&
        line.compare(line.size() - order_tail.size(), order_tail.size(), order_tail) == 0)
      ++order_events;
    constexpr std::string_view seq_key = "\"seq\":";
    const auto at = line.rfind(seq_key);
    if (at == std::string_view::npos) return;
    const std::uint64_t seq = std::strtoull(line.data() + at + seq_key.size(), nullptr, 10);
    if (seq != last_seq + 1) ++seq_gaps;
    last_seq = seq;
  }

  Phase& phase_;
  beast::tcp_stream stream_;
  tcp::endpoint endpoint_;
  std::chrono::milliseconds timeout_;
  std::function<void()> on_events_, on_ready_;
  http::request<http::empty_body> request_;
  beast::flat_buffer buffer_;
  http::response_parser<http::empty_body> parser_;
  std::function<std::size_t(std::uint64_t, beast::string_view, beast::error_code&)> chunk_body_;
  std::string partial_;
  bool closed_ = false;
};

// One GET with a bound (/readyz, /metrics): the status (0: no answer) and the body.
std::pair<int, std::string> simple_get(int port, const std::string& target,
                                       std::chrono::milliseconds timeout) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  http::request<http::empty_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> res;
  res.body_limit(std::numeric_limits<std::uint64_t>::max());
  int status = 0;
  stream.expires_after(timeout);
  stream.async_connect(
      tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)),
      [&](beast::error_code ec) {
        if (ec) return;
        http::async_write(stream, req, [&](beast::error_code ec, std::size_t) {
          if (ec) return;
          http::async_read(stream, buffer, res, [&](beast::error_code ec, std::size_t) {
            if (!ec) status = res.get().result_int();
          });
        });
      });
  ioc.run_for(timeout);
  return {status, status ? res.get().body() : std::string()};
}

// The daemon's own tightloop_order_request_seconds histogram for one book (arrival of a
// request to its answer, on the I/O thread), from /metrics: cumulative count per bound.
struct ServerHistogram {
  std::vector<std::pair<std::string, double>> buckets;  // (le, cumulative count)
  double sum = 0.0, count = 0.0;
};

ServerHistogram server_histogram(const std::string& metrics, const std::string& book) {
  ServerHistogram h;
  const std::string name = "tightloop_order_request_seconds";
  const std::string labels = "{book=\"" + book + "\"";
  std::istringstream in(metrics);
  for (std::string line; std::getline(in, line);) {
    const auto space = line.rfind(' ');
    if (space == std::string::npos) continue;
    const double value = std::atof(line.c_str() + space + 1);
    if (line.rfind(name + "_bucket" + labels + ",le=\"", 0) == 0) {
      const auto start = name.size() + 7 + labels.size() + 5;
      h.buckets.push_back({line.substr(start, line.find('"', start) - start), value});
    } else if (line.rfind(name + "_sum" + labels + "}", 0) == 0) {
      h.sum = value;
    } else if (line.rfind(name + "_count" + labels + "}", 0) == 0) {
      h.count = value;
    }
  }
  return h;
}

// The requests between two snapshots: mean and the fraction answered within each bound.
json server_side_json(const ServerHistogram& before, const ServerHistogram& after) {
  const double count = after.count - before.count;
  json cumulative = json::array();
  for (std::size_t i = 0; i < after.buckets.size(); ++i) {
    const double was = i < before.buckets.size() ? before.buckets[i].second : 0.0;
    const auto& le = after.buckets[i].first;
    const json bound = le == "+Inf" ? json("+Inf") : json(std::atof(le.c_str()) * 1e6);
    cumulative.push_back({bound, count > 0 ? (after.buckets[i].second - was) / count : 0.0});
  }
  return {{"requests", count},
          {"mean_us", count > 0 ? (after.sum - before.sum) / count * 1e6 : 0.0},
          {"fraction_within_us", cumulative}};
}

// ---- orders -----------------------------------------------------------------------------

// Request bodies for one book: `requests` bodies of `per_request` orders each (a JSON array,
// or the order object itself when `single`), operation ids from `next_id` on, the mix in
// sequence.
std::vector<std::string> make_bodies(std::size_t requests, std::size_t per_request, bool single,
                                     std::uint64_t& next_id) {
  std::vector<std::string> bodies;
  bodies.reserve(requests);
  for (std::size_t r = 0; r < requests; ++r) {
    auto orders = make_orders(per_request, next_id);
    next_id += per_request;
    if (single) {
      bodies.push_back(dump_json(encode_order(orders.front())));
      continue;
    }
    std::string body = "[";
    for (std::size_t i = 0; i < orders.size(); ++i) {
      if (i) body.push_back(',');
      body += dump_json(encode_order(orders[i]));
    }
    body.push_back(']');
    bodies.push_back(std::move(body));
  }
  return bodies;
}

// The bench config as the daemon's: books "b0".."b<n-1>" (one per connection) and "single",
// copies of the bench book; a loopback server without a token; warnings only.
json daemon_config(const json& book_config, std::size_t connections) {
  json config = book_config;
  const json model = config["books"].at(0);
  json books = json::array();
  for (std::size_t i = 0; i < connections; ++i) {
    books.push_back(model);
    books.back()["name"] = "b" + std::to_string(i);
  }
  books.push_back(model);
  books.back()["name"] = "single";
  config["books"] = books;
  config["log"] = {{"level", "warning"}};
  config["server"] = {{"address", "127.0.0.1"}, {"port", 0},
                      {"max_connections", std::max<std::size_t>(64, connections + 8)}};
  return config;
}

struct RunFigures {
  std::size_t orders = 0, requests = 0, executed = 0;
  double seconds = 0.0;
  std::vector<std::int64_t> latencies_ns;
  std::string first_failure;
};

// Book ids: a fixed stride apart, so that every book's ids are unique across phases.
constexpr std::uint64_t id_stride = 100000000;

class Scenario {
 public:
  Scenario(const std::string& binary, const json& book_config, const DaemonSizes& sizes,
           const std::function<void(const std::string&)>& progress)
      : binary_(binary),
        sizes_(sizes),
        progress_(progress),
        config_json_(daemon_config(book_config, sizes.connections)),
        config_file_("tightloop-bench-daemon-config") {
    std::ofstream(config_file_.path()) << config_json_.dump(2) << "\n";
    for (std::size_t i = 0; i < sizes.connections; ++i) next_ids_.push_back(1 + i * id_stride);
    single_next_id_ = 1 + sizes.connections * id_stride;
  }

  json run(const InProcessBaseline& baseline) {
    json out = {{"status", "ok"},
                {"description",
                 "a tightloop serve child over loopback, asynchronous Beast clients on one "
                 "thread: batched (N connections, one book each, one request of M orders in "
                 "flight per connection) with an /v1/events?since=0 follower, the same without "
                 "it, then single (one connection, one order per request, closed loop), then "
                 "GET /healthz closed loop (the HTTP floor)"}};
    child_.emplace(binary_, config_file_.path());
    const auto started = Clock::now();
    port_ = child_->wait_listening(std::chrono::seconds(30));
    wait_ready(started);
    out["daemon"] = {{"binary", binary_},
                     {"books", config_json_["books"].size()},
                     {"scheduler", config_json_["scheduler"]},
                     {"log_level", "warning"},
                     {"ready_seconds", seconds_between(started, Clock::now())}};

    const auto per_conn = requests_per_connection();
    progress_(format("daemon: warm-up, %zu connections x %zu requests of %zu orders",
                     sizes_.connections, sizes_.warmup_requests, sizes_.orders_per_request));
    batched(sizes_.warmup_requests, false, nullptr);
    const auto single_warm = make_single_bodies(sizes_.single_warmup);
    single(single_warm, false);

    progress_(format("daemon: batched with the event stream, %zu connections x %zu requests "
                     "of %zu orders",
                     sizes_.connections, per_conn, sizes_.orders_per_request));
    json stream_figures;
    out["batched"] = batched(per_conn, true, &stream_figures);
    out["batched"]["event_stream"] = stream_figures;

    progress_("daemon: batched without a stream follower, the same size");
    out["batched_without_stream"] = batched(per_conn, false, nullptr);

    progress_(format("daemon: single, one connection, %zu orders one per request",
                     sizes_.single_orders));
    out["single"] = single(make_single_bodies(sizes_.single_orders), true);

    const auto floor_requests = std::max<std::size_t>(200, sizes_.single_orders / 3);
    progress_(format("daemon: HTTP floor, GET /healthz x %zu, one connection", floor_requests));
    out["http_floor"] = http_floor(floor_requests);

    out["daemon"]["rss_bytes"] = proc_status_bytes(child_->pid(), "VmRSS");
    out["daemon"]["peak_rss_bytes"] = proc_status_bytes(child_->pid(), "VmHWM");
    const auto stop = child_->stop();
    out["daemon"]["stop"] = {{"exit_code", stop.exit_code},
                             {"killed", stop.killed},
                             {"seconds", stop.seconds}};

    const double batched_rate = out["batched"]["orders_per_second"];
    const double plain_rate = out["batched_without_stream"]["orders_per_second"];
    out["in_process"] = {{"orders_per_second", baseline.orders_per_second},
                         {"source", baseline.source}};
    if (baseline.orders_per_second > 0)
      out["http_tax"] = {
          {"daemon_over_in_process", batched_rate / baseline.orders_per_second},
          {"daemon_without_stream_over_in_process", plain_rate / baseline.orders_per_second}};
    return out;
  }

  std::string child_stderr() const { return child_ ? child_->stderr_text() : std::string(); }
  void stop_child() {
    if (child_) child_->stop();
  }

 private:
  std::chrono::milliseconds timeout() const {
    return std::chrono::milliseconds(
        static_cast<std::int64_t>(sizes_.request_timeout_seconds * 1000));
  }

  // A phase never outlasts this: every request bounded, plus the catch-up wait.
  std::chrono::milliseconds phase_bound(std::size_t requests) const {
    return timeout() * 2 + std::chrono::milliseconds(static_cast<std::int64_t>(
                               sizes_.catch_up_bound_seconds * 1000 + requests * 100));
  }

  std::size_t requests_per_connection() const {
    const auto per_request = std::max<std::size_t>(1, sizes_.orders_per_request);
    const auto total_requests = (sizes_.batched_orders + per_request - 1) / per_request;
    return std::max<std::size_t>(1, (total_requests + sizes_.connections - 1) /
                                        sizes_.connections);
  }

  void wait_ready(Clock::time_point started) {
    while (Clock::now() < started + std::chrono::seconds(60)) {
      if (simple_get(port_, "/readyz", std::chrono::seconds(2)).first == 200) return;
      int status = 0;
      if (::waitpid(child_->pid(), &status, WNOHANG) == child_->pid())
        throw std::runtime_error("tightloop serve exited while starting: " +
                                 child_->stderr_text());
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    throw std::runtime_error("tightloop serve never became ready: " + child_->stderr_text());
  }

  std::vector<std::string> make_single_bodies(std::size_t count) {
    return make_bodies(count, 1, true, single_next_id_);
  }

  void run_phase(Phase& phase, std::size_t requests) {
    phase.ioc.run_for(phase_bound(requests));
    if (!phase.error.empty()) throw std::runtime_error(phase.error);
    if (!phase.finished) throw std::runtime_error("a phase did not finish within its bound");
  }

  static json figures_json(RunFigures& f) {
    json j = {{"orders", f.orders},
              {"requests", f.requests},
              {"seconds", f.seconds},
              {"orders_per_second", f.orders / std::max(f.seconds, 1e-9)},
              {"requests_per_second", f.requests / std::max(f.seconds, 1e-9)},
              {"failures", f.orders - f.executed}};
    if (f.orders != f.executed) j["first_failure"] = f.first_failure;
    return j;
  }

  // `requests` per connection, all connections at once; with `stream`, an event follower
  // connected first (since=0) whose figures go to *stream_out.
  json batched(std::size_t requests, bool with_stream, json* stream_out) {
    Phase phase;
    std::vector<std::vector<std::string>> bodies;
    for (std::size_t c = 0; c < sizes_.connections; ++c)
      bodies.push_back(make_bodies(requests, sizes_.orders_per_request, false, next_ids_[c]));

    std::vector<std::shared_ptr<OrderConnection>> connections;
    std::shared_ptr<EventFollower> follower;
    std::optional<net::steady_timer> catch_up_timer;
    std::size_t running = sizes_.connections;
    std::size_t max_lag = 0;
    std::optional<std::size_t> missing_at_end;
    std::optional<double> catch_up_seconds;
    Clock::time_point all_answered{};
    bool caught_up = false, closed = false;

    auto owed = [&] {
      return follower && tally_.answered > follower->order_events
                 ? tally_.answered - follower->order_events
                 : std::size_t{0};
    };
    auto finish = [&] {
      phase.finished = true;
      if (closed) return;
      closed = true;
      if (catch_up_timer) catch_up_timer->cancel();
      if (follower) follower->close();
    };
    auto on_answer = [&] { max_lag = std::max(max_lag, owed()); };
    auto on_done = [&] {
      if (--running != 0) return;
      all_answered = Clock::now();
      if (!follower) return finish();
      missing_at_end = owed();
      if (*missing_at_end == 0) {
        caught_up = true;
        catch_up_seconds = 0.0;
        return finish();
      }
      catch_up_timer.emplace(phase.ioc);
      catch_up_timer->expires_after(std::chrono::milliseconds(
          static_cast<std::int64_t>(sizes_.catch_up_bound_seconds * 1000)));
      catch_up_timer->async_wait([&](beast::error_code ec) {
        if (!ec) finish();  // not caught up within the bound
      });
    };
    auto on_events = [&] {
      if (!missing_at_end || caught_up || owed() != 0) return;
      caught_up = true;
      catch_up_seconds = seconds_between(all_answered, follower->last_event);
      // Not inside the parser's callback: the follower's socket closes on the next turn.
      phase.finished = true;
      net::post(phase.ioc, finish);
    };
    auto start_connections = [&] {
      for (std::size_t c = 0; c < sizes_.connections; ++c) {
        connections.push_back(std::make_shared<OrderConnection>(
            phase, tally_, port_, "/v1/books/b" + std::to_string(c) + "/orders", std::move(bodies[c]),
            sizes_.orders_per_request, timeout(), on_answer, on_done));
        connections.back()->start();
      }
    };

    const auto cpu_before = client_thread_cpu_seconds();
    const auto daemon_before = thread_times(child_->pid());
    const auto wall_before = Clock::now();
    if (with_stream) {
      follower = std::make_shared<EventFollower>(phase, port_, timeout(), on_events);
      follower->start(start_connections);
    } else {
      start_connections();
    }
    run_phase(phase, requests * sizes_.connections);
    const auto wall = seconds_between(wall_before, Clock::now());
    const auto daemon_after = thread_times(child_->pid());
    const auto cpu = client_thread_cpu_seconds() - cpu_before;

    RunFigures f;
    Clock::time_point first = Clock::time_point::max(), last{};
    for (auto& c : connections) {
      f.orders += c->results;
      f.executed += c->executed;
      f.requests += c->latencies_ns.size();
      f.latencies_ns.insert(f.latencies_ns.end(), c->latencies_ns.begin(),
                            c->latencies_ns.end());
      if (f.first_failure.empty()) f.first_failure = c->first_failure;
      first = std::min(first, c->first_send);
      last = std::max(last, c->last_answer);
    }
    f.seconds = seconds_between(first, last);
    // Orders answered in each whole second of the run: does the rate hold?
    std::vector<std::size_t> per_second(static_cast<std::size_t>(f.seconds) + 1, 0);
    for (auto& c : connections)
      for (auto t : c->answer_times)
        per_second[static_cast<std::size_t>(seconds_between(first, t))] +=
            sizes_.orders_per_request;
    if (per_second.size() > 1) per_second.pop_back();  // the last, partial second
    json j = figures_json(f);
    j["orders_per_second_by_second"] = per_second;
    j["connections"] = sizes_.connections;
    j["orders_per_request"] = sizes_.orders_per_request;
    j["request_latency_us"] = to_json(summarize(f.latencies_ns));
    j["client_thread_core_share"] = cpu / std::max(wall, 1e-9);
    j["daemon_threads"] = thread_shares(child_->pid(), daemon_before, daemon_after, wall);
    if (stream_out && follower) {
      *stream_out = {{"orders_answered_since_start", tally_.answered},
                     {"order_events", follower->order_events},
                     {"lines", follower->lines},
                     {"bytes", follower->bytes},
                     {"seq_gaps", follower->seq_gaps},
                     {"max_missing_at_an_answer", max_lag},
                     {"missing_at_last_answer", missing_at_end.value_or(0)},
                     {"caught_up", caught_up},
                     {"catch_up_bound_seconds", sizes_.catch_up_bound_seconds}};
      (*stream_out)["catch_up_seconds"] =
          catch_up_seconds ? json(*catch_up_seconds) : json(nullptr);
    }
    return j;
  }

  // One connection to "single", one order per request, closed loop.
  json single(std::vector<std::string> bodies, bool with_spectrum) {
    Phase phase;
    const auto requests = bodies.size();
    const auto metrics_before = server_histogram(metrics(), "single");
    auto connection = std::make_shared<OrderConnection>(
        phase, tally_, port_, "/v1/books/single/orders", std::move(bodies), 1, timeout(),
        nullptr, [&] { phase.finished = true; });
    connection->start();
    run_phase(phase, requests);
    const auto metrics_after = server_histogram(metrics(), "single");
    RunFigures f;
    f.orders = connection->results;
    f.executed = connection->executed;
    f.requests = connection->latencies_ns.size();
    f.latencies_ns = std::move(connection->latencies_ns);
    f.first_failure = connection->first_failure;
    f.seconds = seconds_between(connection->first_send, connection->last_answer);
    json j = figures_json(f);
    j["latency_us"] = to_json(summarize(f.latencies_ns));
    if (with_spectrum) j["latency_spectrum_us"] = spectrum_json(f.latencies_ns);
    j["daemon_side"] = server_side_json(metrics_before, metrics_after);
    return j;
  }

  // GET /healthz closed loop on one connection: HTTP and the wake-ups, no book.
  json http_floor(std::size_t requests) {
    Phase phase;
    auto connection = std::make_shared<OrderConnection>(
        phase, tally_, port_, "/healthz", std::vector<std::string>(requests), 0, timeout(),
        nullptr, [&] { phase.finished = true; });
    connection->start();
    run_phase(phase, requests);
    const double seconds = seconds_between(connection->first_send, connection->last_answer);
    return {{"requests", connection->latencies_ns.size()},
            {"seconds", seconds},
            {"requests_per_second", connection->latencies_ns.size() / std::max(seconds, 1e-9)},
            {"latency_us", to_json(summarize(connection->latencies_ns))}};
  }

  std::string metrics() {
    auto [status, body] = simple_get(port_, "/metrics", timeout());
    if (status != 200) throw std::runtime_error("GET /metrics: HTTP " + std::to_string(status));
    return body;
  }

  std::string binary_;
  DaemonSizes sizes_;
  const std::function<void(const std::string&)>& progress_;
  json config_json_;
  TempFile config_file_;
  std::optional<DaemonChild> child_;
  int port_ = 0;
  Tally tally_;
  std::vector<std::uint64_t> next_ids_;
  std::uint64_t single_next_id_ = 0;
};

// A short line for the report's scenario list (report.cpp prints `reason`).
std::string headline(const json& s) {
  return format("batched %.0f orders/s, single p50 %.0f us p99 %.0f us, HTTP tax %.2f; "
                "section 'daemon' below",
                s["batched"].value("orders_per_second", 0.0),
                s["single"]["latency_us"].value("p50", 0.0),
                s["single"]["latency_us"].value("p99", 0.0),
                s.contains("http_tax") ? s["http_tax"].value("daemon_over_in_process", 0.0)
                                       : 0.0);
}

}  // namespace

DaemonSizes daemon_quick_sizes() {
  DaemonSizes s;
  s.batched_orders = 2000;
  s.warmup_requests = 1;
  s.single_orders = 300;
  s.single_warmup = 50;
  s.catch_up_bound_seconds = 5.0;
  s.request_timeout_seconds = 20.0;
  return s;
}

json to_json(const DaemonSizes& s) {
  return {{"connections", s.connections},
          {"orders_per_request", s.orders_per_request},
          {"batched_orders", s.batched_orders},
          {"warmup_requests_per_connection", s.warmup_requests},
          {"single_orders", s.single_orders},
          {"single_warmup", s.single_warmup},
          {"catch_up_bound_seconds", s.catch_up_bound_seconds},
          {"request_timeout_seconds", s.request_timeout_seconds}};
}

std::string default_daemon_binary() { return TIGHTLOOP_DAEMON_BIN; }

json run_daemon_scenario(const std::string& daemon_binary, const json& book_config,
                         const DaemonSizes& sizes, const InProcessBaseline& baseline,
                         const std::function<void(const std::string&)>& progress) {
  if (daemon_binary.empty() || ::access(daemon_binary.c_str(), X_OK) != 0)
    return {{"status", "error"},
            {"reason", "no tightloop binary at '" + daemon_binary + "' (build target tightloop)"}};
  std::optional<Scenario> scenario;
  try {
    scenario.emplace(daemon_binary, book_config, sizes, progress);
    auto out = scenario->run(baseline);
    out["reason"] = headline(out);
    return out;
  } catch (const std::exception& e) {
    std::string err;
    if (scenario) {
      scenario->stop_child();  // before reading its last words
      err = scenario->child_stderr();
    }
    json out = {{"status", "error"}, {"reason", e.what()}};
    if (!err.empty()) out["daemon_stderr"] = err.substr(0, 4000);
    return out;
  }
}

json daemon_targets(const json& s) {
  json targets = json::array();
  if (s.value("status", "") != "ok") return targets;
  auto target = [&](const std::string& name, const std::string& goal, double value, bool met) {
    targets.push_back({{"name", name}, {"target", goal}, {"value", value}, {"met", met}});
  };
  const auto& batched = s["batched"];
  const double rate = batched.value("orders_per_second", 0.0);
  target("daemon batched orders/s", ">= 60000", rate,
         rate >= 60000 && batched.value("failures", 1) == 0);
  const auto& single = s["single"]["latency_us"];
  const double p50 = single.value("p50", 0.0), p99 = single.value("p99", 0.0);
  target("daemon single p50 (us)", "<= 150", p50, p50 <= 150);
  target("daemon single p99 (us)", "<= 1000", p99, p99 <= 1000);
  const auto& events = batched["event_stream"];
  const bool caught_up = events.value("caught_up", false);
  const double bound = events.value("catch_up_bound_seconds", 10.0);
  const double took =
      events["catch_up_seconds"].is_number() ? events["catch_up_seconds"].get<double>() : bound;
  target("daemon event stream catch-up (s)", format("<= %.0f", bound), took,
         caught_up && events.value("seq_gaps", 1) == 0);
  return targets;
}

void print_daemon_table(const json& s, std::ostream& out) {
  if (s.value("status", "") != "ok") return;
  auto row = [&](const std::string& label, const json& run, const json& latency) {
    out << format("  %-38s %11.0f %9.1f %9.1f %9.1f %10.1f%s\n", label.c_str(),
                  run.value("orders_per_second", 0.0), latency.value("p50", 0.0),
                  latency.value("p99", 0.0), latency.value("p99.9", 0.0),
                  latency.value("max", 0.0),
                  run.value("failures", 0) > 0
                      ? format("  FAILURES %d", run.value("failures", 0)).c_str()
                      : "");
  };
  const auto& b = s["batched"];
  out << format("7 daemon over loopback (%d books, one client thread; latency per request)\n",
                s["daemon"].value("books", 0));
  const auto label = format("batched %dx%d + events", b.value("connections", 0),
                            b.value("orders_per_request", 0));
  row(label, b, b["request_latency_us"]);
  const auto& nb = s["batched_without_stream"];
  row(format("batched %dx%d, no follower", nb.value("connections", 0),
             nb.value("orders_per_request", 0)),
      nb, nb["request_latency_us"]);
  row("single, 1 order per request", s["single"], s["single"]["latency_us"]);
  if (s.contains("http_floor")) {
    const auto& fl = s["http_floor"];
    out << format("  %-38s %11.0f ", "GET /healthz (HTTP floor, req/s)",
                  fl.value("requests_per_second", 0.0))
        << format("%9.1f %9.1f %9.1f %10.1f\n", fl["latency_us"].value("p50", 0.0),
                  fl["latency_us"].value("p99", 0.0), fl["latency_us"].value("p99.9", 0.0),
                  fl["latency_us"].value("max", 0.0));
  }
  if (s["single"].contains("daemon_side"))
    out << format("  single, the daemon's own view (arrival to answer): mean %.1f us\n",
                  s["single"]["daemon_side"].value("mean_us", 0.0));
  const auto& e = b["event_stream"];
  out << format("  event stream: %d order events for %d orders answered; %d missing at the "
                "last answer (max %d), %s",
                e.value("order_events", 0), e.value("orders_answered_since_start", 0),
                e.value("missing_at_last_answer", 0), e.value("max_missing_at_an_answer", 0),
                e.value("caught_up", false)
                    ? format("caught up %.1f ms later",
                             e["catch_up_seconds"].get<double>() * 1000).c_str()
                    : format("NOT caught up within %.0f s",
                             e.value("catch_up_bound_seconds", 0.0)).c_str());
  out << format(", seq gaps %d\n", e.value("seq_gaps", 0));
  if (s.contains("http_tax"))
    out << format("  HTTP tax: batched daemon / in-process one book (%s, %.0f orders/s) = %.2f "
                  "(%.2f without the follower)\n",
                  s["in_process"].value("source", "").c_str(),
                  s["in_process"].value("orders_per_second", 0.0),
                  s["http_tax"].value("daemon_over_in_process", 0.0),
                  s["http_tax"].value("daemon_without_stream_over_in_process", 0.0));
  out << "  daemon threads in the batched run (share of a core):";
  for (const auto& t : b["daemon_threads"])
    out << format(" %s/%s %.2f", t.value("role", "").c_str(), t.value("name", "").c_str(),
                  t.value("core_share", 0.0));
  out << format("; client thread %.2f\n", b.value("client_thread_core_share", 0.0));
  const auto& stop = s["daemon"]["stop"];
  out << format("  daemon peak RSS %.0f MiB; SIGTERM -> exit %d in %.2f s%s\n",
                s["daemon"].value("peak_rss_bytes", 0.0) / (1024.0 * 1024.0),
                stop.value("exit_code", -1), stop.value("seconds", 0.0),
                stop.value("killed", false) ? " (KILLED)" : "");
}

}  // namespace tightloop::bench
