// An HTTP/1.1 server on Boost.Beast (asynchronous, one I/O thread: the caller's run()). It
// parses, enforces the limits and keeps connections; what a request means is the handler's.
// Every handler call and every Responder call happen on the I/O thread: work done elsewhere
// comes back through post().
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace tightloop {

struct HttpLimits {
  std::size_t max_body_bytes = 1 << 20;
  std::size_t max_header_bytes = 8192;
  std::size_t max_connections = 256;
  std::chrono::milliseconds idle_timeout{30000};
};

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, as sent
  std::string authorization;
  std::string content_type;
  std::string body;
  bool has_body = false;  // Content-Length or chunked body present
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra ones
};

// A long-lived chunked response (the event stream): write() queues one chunk, finish() ends it.
// Both are no-ops once the client is gone; closed() tells.
class HttpStream {
 public:
  virtual ~HttpStream() = default;
  virtual void write(std::string chunk) = 0;
  virtual void finish() = 0;
  virtual bool closed() const = 0;
};

class HttpExchange {
 public:
  virtual ~HttpExchange() = default;
  virtual void respond(HttpResponse response) = 0;  // exactly once, or stream()
  // Sends the headers of a chunked response and hands the stream over.
  virtual std::shared_ptr<HttpStream> stream(int status, const std::string& content_type) = 0;
};

// What went wrong before a request could reach the handler: the handler writes the answer
// (one JSON error shape), the server closes the connection after it.
enum class HttpRefusal { body_too_large, headers_too_large, malformed, too_many_connections };

struct HttpHandlers {
  std::function<void(HttpRequest, std::shared_ptr<HttpExchange>)> request;
  std::function<HttpResponse(HttpRefusal)> refusal;
  // Once per finished exchange, for the access log and metrics.
  std::function<void(const HttpRequest&, int status, std::size_t body_bytes,
                     std::chrono::nanoseconds elapsed)>
      done;
};

class HttpServer {
 public:
  HttpServer(HttpLimits limits, HttpHandlers handlers);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; "" on success, else the reason. Port 0 picks a free one (port()).
  std::string listen(const std::string& address, int port);
  int port() const;

  // Runs the I/O loop on the calling thread until stop().
  void run();
  // Thread-safe: runs `work` on the I/O thread.
  void post(std::function<void()> work);
  // On the I/O thread: no new connections; idle keep-alive connections close.
  void stop_accepting();
  std::size_t open_connections() const;
  // Thread-safe: ends run().
  void stop();

  // On the I/O thread: runs `work` there after `delay`.
  void after(std::chrono::milliseconds delay, std::function<void()> work);

  // Signals delivered on the I/O thread (SIGTERM, SIGINT, SIGHUP).
  void on_signals(std::vector<int> signals, std::function<void(int)> handler);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace tightloop
