#include "runtime/http_server.hpp"

#include <atomic>
#include <deque>
#include <optional>
#include <set>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace tightloop {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

class Session;

struct HttpServer::Impl : std::enable_shared_from_this<HttpServer::Impl> {
  HttpLimits limits;
  HttpHandlers handlers;
  net::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  std::optional<net::signal_set> signals;
  std::set<Session*> sessions;
  bool accepting = true;
  int bound_port = 0;
  std::function<void(int)> signal_handler;

  Impl(HttpLimits l, HttpHandlers h) : limits(l), handlers(std::move(h)) {}
  void accept();
  void wait_signal();
};

namespace {

std::string field(const http::request<http::string_body>& request, http::field name) {
  auto it = request.find(name);
  return it == request.end() ? std::string() : std::string(it->value());
}

}  // namespace

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<HttpServer::Impl> server)
      : stream_(std::move(socket)), server_(std::move(server)) {}

  void start(bool refused) {
    server_->sessions.insert(this);
    if (refused) {
      refuse(HttpRefusal::too_many_connections);
      return;
    }
    read();
  }

  ~Session() { server_->sessions.erase(this); }

  // Idle between requests (not a byte of the next one yet): close now (shutdown). A request
  // being received is read to its end and answered.
  void close_if_idle() {
    if (!busy_ && !(parser_ && parser_->got_some())) close();
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  // --- one exchange --------------------------------------------------------------------
  class Exchange : public HttpExchange {
   public:
    Exchange(std::shared_ptr<Session> session, HttpRequest request)
        : session_(std::move(session)), request_(std::move(request)) {}
    void respond(HttpResponse response) override {
      if (done_) return;
      done_ = true;
      session_->write(std::move(response), request_);
    }
    std::shared_ptr<HttpStream> stream(int status, const std::string& content_type) override;
    HttpRequest& request() { return request_; }

   private:
    std::shared_ptr<Session> session_;
    HttpRequest request_;
    bool done_ = false;
  };

  class Stream : public HttpStream {
   public:
    explicit Stream(std::shared_ptr<Session> session) : session_(std::move(session)) {}
    void write(std::string chunk) override {
      if (closed()) return;
      session_->queue_chunk(std::move(chunk), false);
    }
    void finish() override {
      if (closed()) return;
      session_->queue_chunk({}, true);
    }
    bool closed() const override { return session_->stream_closed_; }

   private:
    std::shared_ptr<Session> session_;
  };

 private:
  void read() {
    busy_ = false;
    if (!server_->accepting) {
      close();
      return;
    }
    parser_.emplace();
    parser_->body_limit(server_->limits.max_body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(server_->limits.max_header_bytes));
    stream_.expires_after(server_->limits.idle_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       self->on_read(ec);
                     });
  }

  void on_read(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::connection_reset ||
        ec == net::error::eof || ec == net::error::bad_descriptor) {
      close();
      return;
    }
    busy_ = true;
    started_ = Clock::now();
    if (ec == http::error::body_limit) return refuse(HttpRefusal::body_too_large);
    if (ec == http::error::header_limit) return refuse(HttpRefusal::headers_too_large);
    if (ec) return refuse(HttpRefusal::malformed);
    auto message = parser_->release();
    keep_alive_ = message.keep_alive();
    version_ = message.version();
    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.authorization = field(message, http::field::authorization);
    request.content_type = field(message, http::field::content_type);
    request.has_body = message.has_content_length() || message.chunked();
    request.body = std::move(message.body());
    stream_.expires_never();  // the answer may take a while (a batch); the idle clock restarts
    auto exchange = std::make_shared<Exchange>(shared_from_this(), std::move(request));
    server_->handlers.request(exchange->request(), exchange);
  }

  void refuse(HttpRefusal refusal) {
    keep_alive_ = false;
    HttpRequest request;
    request.method = "?";
    request.target = "?";
    if (!started_.time_since_epoch().count()) started_ = Clock::now();
    write(server_->handlers.refusal(refusal), request);
  }

  void write(HttpResponse response, const HttpRequest& request) {
    auto message = std::make_shared<http::response<http::string_body>>();
    message->version(version_);
    message->result(static_cast<http::status>(response.status));
    message->set(http::field::server, "tightloop");
    message->set(http::field::content_type, response.content_type);
    for (auto& [name, value] : response.headers) message->set(name, value);
    message->body() = std::move(response.body);
    message->keep_alive(keep_alive_ && server_->accepting);
    message->prepare_payload();
    const auto bytes = message->body().size();
    if (server_->handlers.done)
      server_->handlers.done(request, response.status, bytes, Clock::now() - started_);
    stream_.expires_after(server_->limits.idle_timeout);
    http::async_write(stream_, *message,
                      [self = shared_from_this(), message](beast::error_code ec, std::size_t) {
                        if (ec || !message->keep_alive()) {
                          self->close();
                          return;
                        }
                        self->read();
                      });
  }

  // --- chunked stream ------------------------------------------------------------------
  friend class Exchange;
  friend class Stream;

  void start_stream(int status, const std::string& content_type, const HttpRequest& request) {
    stream_.expires_never();
    stream_header_ = std::make_shared<http::response<http::empty_body>>();
    stream_header_->version(version_);
    stream_header_->result(static_cast<http::status>(status));
    stream_header_->set(http::field::server, "tightloop");
    stream_header_->set(http::field::content_type, content_type);
    stream_header_->set(http::field::cache_control, "no-store");
    stream_header_->chunked(true);
    stream_header_->keep_alive(false);
    if (server_->handlers.done)
      server_->handlers.done(request, status, 0, Clock::now() - started_);
    serializer_ = std::make_shared<http::response_serializer<http::empty_body>>(*stream_header_);
    writing_ = true;
    http::async_write_header(stream_, *serializer_,
                             [self = shared_from_this()](beast::error_code ec, std::size_t) {
                               self->writing_ = false;
                               if (ec) return self->end_stream();
                               self->write_next_chunk();
                             });
    // Notice a client that goes away: a read returns when it closes.
    watch_peer();
  }

  void watch_peer() {
    auto sink = std::make_shared<std::array<char, 256>>();
    stream_.socket().async_read_some(
        net::buffer(*sink), [self = shared_from_this(), sink](beast::error_code ec, std::size_t) {
          if (ec) return self->end_stream();
          self->watch_peer();  // a client may send bytes; they are ignored
        });
  }

  void queue_chunk(std::string chunk, bool last) {
    chunks_.push_back({std::move(chunk), last});
    if (!writing_ && serializer_) write_next_chunk();
  }

  void write_next_chunk() {
    if (chunks_.empty() || stream_closed_) return;
    writing_ = true;
    auto item = std::make_shared<std::pair<std::string, bool>>(std::move(chunks_.front()));
    chunks_.pop_front();
    auto on_written = [self = shared_from_this(), item](beast::error_code ec, std::size_t) {
      self->writing_ = false;
      if (ec || item->second) return self->end_stream();
      self->write_next_chunk();
    };
    if (item->second)
      net::async_write(stream_.socket(), http::make_chunk_last(), std::move(on_written));
    else
      net::async_write(stream_.socket(), http::make_chunk(net::buffer(item->first)),
                       std::move(on_written));
  }

  void end_stream() {
    if (stream_closed_) return;
    stream_closed_ = true;
    chunks_.clear();
    close();
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<HttpServer::Impl> server_;
  bool keep_alive_ = false;
  unsigned version_ = 11;
  bool busy_ = false;
  Clock::time_point started_{};
  // stream mode
  std::shared_ptr<http::response<http::empty_body>> stream_header_;
  std::shared_ptr<http::response_serializer<http::empty_body>> serializer_;
  std::deque<std::pair<std::string, bool>> chunks_;
  bool writing_ = false;
  bool stream_closed_ = false;
};

std::shared_ptr<HttpStream> Session::Exchange::stream(int status,
                                                      const std::string& content_type) {
  if (done_) return nullptr;
  done_ = true;
  session_->start_stream(status, content_type, request_);
  return std::make_shared<Stream>(session_);
}

void HttpServer::Impl::accept() {
  acceptor.async_accept(net::make_strand(ioc),
                        [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                          if (!self->accepting || !self->acceptor.is_open()) return;
                          if (!ec) {
                            const bool full = self->sessions.size() >= self->limits.max_connections;
                            std::make_shared<Session>(std::move(socket), self)->start(full);
                          }
                          self->accept();
                        });
}

HttpServer::HttpServer(HttpLimits limits, HttpHandlers handlers)
    : impl_(std::make_shared<Impl>(limits, std::move(handlers))) {}

HttpServer::~HttpServer() {
  // Pending handlers hold the Impl: cancel everything and let them finish, or it never goes.
  impl_->accepting = false;
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
  if (impl_->signals) impl_->signals->cancel(ignored);
  auto sessions = impl_->sessions;
  for (auto* session : sessions) session->close();
  impl_->ioc.restart();
  impl_->ioc.poll();
}

std::string HttpServer::listen(const std::string& address, int port) {
  beast::error_code ec;
  auto ip = net::ip::make_address(address, ec);
  if (ec) return "'" + address + "' is not an IP address";
  tcp::endpoint endpoint{ip, static_cast<unsigned short>(port)};
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return "cannot listen on " + address + ":" + std::to_string(port) + ": " + ec.message();
  impl_->bound_port = acceptor.local_endpoint().port();
  impl_->accept();
  return {};
}

int HttpServer::port() const { return impl_->bound_port; }

void HttpServer::run() { impl_->ioc.run(); }

void HttpServer::post(std::function<void()> work) { net::post(impl_->ioc, std::move(work)); }

void HttpServer::stop_accepting() {
  impl_->accepting = false;
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
  auto sessions = impl_->sessions;  // closing may erase
  for (auto* session : sessions) session->close_if_idle();
}

std::size_t HttpServer::open_connections() const { return impl_->sessions.size(); }

void HttpServer::stop() { impl_->ioc.stop(); }

void HttpServer::after(std::chrono::milliseconds delay, std::function<void()> work) {
  auto timer = std::make_shared<net::steady_timer>(impl_->ioc, delay);
  timer->async_wait([timer, work = std::move(work)](beast::error_code ec) {
    if (!ec) work();
  });
}

void HttpServer::on_signals(std::vector<int> signals, std::function<void(int)> handler) {
  impl_->signals.emplace(impl_->ioc);
  for (int signal : signals) impl_->signals->add(signal);
  impl_->signal_handler = std::move(handler);
  impl_->wait_signal();
}

void HttpServer::Impl::wait_signal() {
  signals->async_wait([self = shared_from_this()](beast::error_code ec, int signal) {
    if (ec) return;
    self->signal_handler(signal);
    self->wait_signal();
  });
}

}  // namespace tightloop
