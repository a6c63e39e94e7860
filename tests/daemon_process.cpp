#include "tests/daemon_process.hpp"

#include <doctest/doctest.h>

#include <array>
#include <csignal>
#include <functional>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "messages/json_input.hpp"
#include "tests/test_support.hpp"

namespace tightloop::test {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

nlohmann::json HttpReply::json() const {
  auto parsed = parse_json(body);
  REQUIRE_MESSAGE(parsed.ok(), "not JSON (status " << status << "): " << body);
  return parsed.value;
}

std::string HttpReply::error_code() const {
  auto parsed = parse_json(body);
  if (!parsed.ok() || !parsed.value.is_object() || !parsed.value.contains("error")) return {};
  return parsed.value["error"].value("code", "");
}

namespace {

pid_t spawn_serve(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                  const std::string& err_path) {
  std::vector<std::string> argv_text{TIGHTLOOP_BIN};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int null = ::open("/dev/null", O_RDWR);
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(err, 2);
    for (const auto& [name, value] : env) ::setenv(name.c_str(), value.c_str(), 1);
    std::vector<char*> argv;
    for (auto& a : argv_text) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

std::string temp_path() {
  char name[] = "/tmp/tightloop-serve-XXXXXX";
  int fd = ::mkstemp(name);
  REQUIRE(fd >= 0);
  ::close(fd);
  return name;
}

int wait_bounded(pid_t pid, std::chrono::milliseconds bound, bool& exited) {
  const auto until = std::chrono::steady_clock::now() + bound;
  int status = 0;
  while (std::chrono::steady_clock::now() < until) {
    pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) {
      exited = true;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      return 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  exited = true;
  return -1;
}

}  // namespace

DaemonProcess::DaemonProcess(const std::string& config_path, std::vector<std::string> extra_args,
                             std::map<std::string, std::string> env, bool wait_ready)
    : err_path_(temp_path()) {
  std::vector<std::string> args{"serve", "--config", config_path, "--listen", "127.0.0.1:0"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  pid_ = spawn_serve(args, env, err_path_);
  // The port is in the "listening on" line on stderr.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  const std::string marker = "tightloop: listening on 127.0.0.1:";
  while (std::chrono::steady_clock::now() < until && port_ == 0) {
    auto text = read_whole(err_path_);
    auto at = text.find(marker);
    if (at != std::string::npos && text.find('\n', at) != std::string::npos)
      port_ = std::atoi(text.c_str() + at + marker.size());
    int status = 0;
    if (port_ == 0 && ::waitpid(pid_, &status, WNOHANG) == pid_) {
      exited_ = true;
      FAIL("tightloop serve exited before listening: " << read_whole(err_path_));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE_MESSAGE(port_ > 0, "no listening line: " << read_whole(err_path_));
  if (!wait_ready) return;
  while (std::chrono::steady_clock::now() < until) {
    if (request("GET", "/readyz", {}, {}, {}, std::chrono::seconds(2)).status == 200) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  FAIL("the daemon never became ready: " << read_whole(err_path_));
}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0 && !exited_) {
    ::kill(pid_, SIGTERM);
    wait_bounded(pid_, std::chrono::seconds(20), exited_);
  }
  ::unlink(err_path_.c_str());
}

void DaemonProcess::signal(int signo) const { ::kill(pid_, signo); }

int DaemonProcess::wait_exit(std::chrono::milliseconds bound) {
  return wait_bounded(pid_, bound, exited_);
}

std::string DaemonProcess::stderr_text() const { return read_whole(err_path_); }

HttpReply DaemonProcess::request(const std::string& method, const std::string& target,
                                 const std::string& body, const std::string& token,
                                 std::map<std::string, std::string> headers,
                                 std::chrono::milliseconds timeout) const {
  // Asynchronous under a bounded run_for: a blocking Beast call ignores the stream's expiry.
  HttpReply reply;
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  for (auto& [name, value] : headers) req.set(name, value);
  if (!body.empty() || method == "POST") {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1u << 30);
  bool answered = false;
  stream.expires_after(timeout);
  stream.async_connect(
      tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port_)),
      [&](beast::error_code ec) {
        if (ec) return;
        http::async_write(stream, req, [&](beast::error_code ec, std::size_t) {
          if (ec) return;
          http::async_read(stream, buffer, parser, [&](beast::error_code ec, std::size_t) {
            answered = !ec;
          });
        });
      });
  ioc.run_for(timeout);
  if (!answered) return reply;
  auto response = parser.release();
  reply.status = response.result_int();
  reply.body = response.body();
  for (const auto& field : response) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[name] = std::string(field.value());
  }
  return reply;
}

StartRefusal serve_refusal(const std::vector<std::string>& args,
                           std::map<std::string, std::string> env) {
  const auto err_path = temp_path();
  pid_t pid = spawn_serve(args, env, err_path);
  bool exited = false;
  StartRefusal refusal;
  refusal.exit_code = wait_bounded(pid, std::chrono::seconds(20), exited);
  refusal.err = read_whole(err_path);
  ::unlink(err_path.c_str());
  return refusal;
}

std::string raw_exchange(int port, const std::string& raw, std::chrono::milliseconds timeout,
                         bool read) {
  std::string received;
  net::io_context ioc;
  tcp::socket socket(ioc);
  std::array<char, 4096> chunk{};
  if (!read) {
    // A small receive buffer, so that the kernel cannot take the whole answer in for us.
    socket.open(tcp::v4());
    socket.set_option(net::socket_base::receive_buffer_size(4096));
  }
  std::function<void()> read_more = [&] {
    socket.async_read_some(net::buffer(chunk), [&](beast::error_code ec, std::size_t n) {
      received.append(chunk.data(), n);
      if (!ec) read_more();
    });
  };
  socket.async_connect(
      tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)),
      [&](beast::error_code ec) {
        if (ec) return;
        net::async_write(socket, net::buffer(raw), [&](beast::error_code ec, std::size_t) {
          if (!ec && read) read_more();
        });
      });
  // Not reading, the connection must still stay open: a timer keeps the loop (and the socket)
  // alive for the whole bound.
  net::steady_timer hold(ioc, timeout);
  if (!read) hold.async_wait([](beast::error_code) {});
  ioc.run_for(timeout);  // everything until the server closes, or the bound
  return received;
}

}  // namespace tightloop::test
