// The real daemon for tests: `tightloop serve` as a child process on a free loopback port, and
// a small blocking HTTP client (Boost.Beast) with a timeout on every call. The child is stopped
// when the object goes (SIGTERM, then SIGKILL after a bound), so no test leaves a server behind.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace tightloop::test {

struct HttpReply {
  int status = 0;  // 0: no answer (connection refused, closed, timed out)
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  nlohmann::json json() const;                 // REQUIREs a JSON body
  std::string error_code() const;              // body's error.code, "" if none
};

class DaemonProcess {
 public:
  // Starts `tightloop serve --config <config_path> --listen 127.0.0.1:0` plus `extra_args`,
  // with `env` added to the environment; waits for its "listening on" line and /readyz.
  explicit DaemonProcess(const std::string& config_path, std::vector<std::string> extra_args = {},
                         std::map<std::string, std::string> env = {}, bool wait_ready = true);
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  int port() const { return port_; }
  int pid() const { return pid_; }

  HttpReply request(const std::string& method, const std::string& target,
                    const std::string& body = {}, const std::string& token = {},
                    std::map<std::string, std::string> headers = {},
                    std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;
  HttpReply get(const std::string& target, const std::string& token = {}) const {
    return request("GET", target, {}, token);
  }
  HttpReply post(const std::string& target, const std::string& body,
                 const std::string& token = {}) const {
    return request("POST", target, body, token);
  }

  void signal(int signo) const;
  // Waits (bounded) for the child to exit; its exit code, or -1 if it had to be killed.
  int wait_exit(std::chrono::milliseconds bound = std::chrono::seconds(30));
  std::string stderr_text() const;

 private:
  int pid_ = -1;
  int port_ = 0;
  std::string err_path_;
  bool exited_ = false;
};

// Exit code of `tightloop serve` that must refuse to start, and its stderr.
struct StartRefusal {
  int exit_code = -1;
  std::string err;
};
StartRefusal serve_refusal(const std::vector<std::string>& args,
                           std::map<std::string, std::string> env = {});

// One raw exchange over a fresh connection: `raw` is written as is, then everything read until
// the server closes or `timeout`. With `read` false nothing is read: the connection just stays
// open until `timeout` (a client that does not take its answer).
std::string raw_exchange(int port, const std::string& raw,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10),
                         bool read = true);

}  // namespace tightloop::test
