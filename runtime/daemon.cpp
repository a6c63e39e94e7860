#include "runtime/daemon.hpp"

#include <csignal>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <ostream>
#include <thread>
#include <unordered_map>

#include <unistd.h>

#include "actors/logging.hpp"
#include "actors/position/admission.hpp"
#include "config/config_loader.hpp"
#include "config/input_event.hpp"
#include "messages/json_input.hpp"
#include "messages/order_json.hpp"
#include "messages/result_json.hpp"
#include "runtime/api_documents.hpp"
#include "runtime/http_server.hpp"
#include "runtime/log_sinks.hpp"
#include "runtime/metrics.hpp"
#include "runtime/runtime.hpp"

namespace tightloop {

namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

// ---- plain helpers -------------------------------------------------------------------------

HttpResponse json_response(int status, const json& body) {
  HttpResponse response;
  response.status = status;
  response.body = dump_json(body) + "\n";
  return response;
}

// The one error shape of the API.
HttpResponse error_response(int status, ErrorCode code, const std::string& message) {
  return json_response(status, {{"error", {{"code", std::string(to_string(code))},
                                           {"message", message}}}});
}

// Equal tokens, in time that does not depend on where they differ.
bool same_token(const std::string& given, const std::string& expected) {
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < expected.size(); ++i)
    diff |= static_cast<unsigned char>(expected[i] ^ (i < given.size() ? given[i] : 0));
  return diff == 0;
}

struct Target {
  std::string path;
  std::map<std::string, std::string> query;
  bool bad_query = false;
};

Target split_target(const std::string& target) {
  Target out;
  const auto question = target.find('?');
  out.path = target.substr(0, question);
  if (question == std::string::npos) return out;
  std::string rest = target.substr(question + 1);
  std::size_t start = 0;
  while (start <= rest.size()) {
    auto end = rest.find('&', start);
    if (end == std::string::npos) end = rest.size();
    auto part = rest.substr(start, end - start);
    if (!part.empty()) {
      auto eq = part.find('=');
      auto key = part.substr(0, eq);
      if (out.query.count(key)) out.bad_query = true;  // a repeated parameter is a guess
      out.query[key] = eq == std::string::npos ? std::string() : part.substr(eq + 1);
    }
    start = end + 1;
  }
  return out;
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 1;
  while (start <= path.size()) {
    auto end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

// A decimal count for ?since=N.
std::optional<std::uint64_t> parse_count(const std::string& text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

std::optional<std::string> read_token(const ServerConfig& server, std::string& why) {
  if (!server.token_file.empty()) {
    std::ifstream in(server.token_file);
    std::string line;
    if (!in || !std::getline(in, line)) {
      why = "server.token_file '" + server.token_file + "' cannot be read";
      return std::nullopt;
    }
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty()) {
      why = "server.token_file '" + server.token_file + "' holds no token on its first line";
      return std::nullopt;
    }
    return line;
  }
  if (!server.token_env.empty()) {
    const char* value = std::getenv(server.token_env.c_str());
    if (!value || !*value) {
      why = "the environment variable '" + server.token_env + "' (server.token_env) is not set";
      return std::nullopt;
    }
    return std::string(value);
  }
  return std::string();
}

bool is_loopback(const std::string& address) {
  return address == "127.0.0.1" || address == "::1" || address.rfind("127.", 0) == 0 ||
         address == "localhost";
}

// ---- the event stream's memory ------------------------------------------------------------

class EventLog {
 public:
  explicit EventLog(std::size_t retention) : retention_(retention) {}

  void append(json event) {
    event["seq"] = next_;
    add(dump_json(event) + "\n");
  }

  // An event already serialized around its seq: `before` + seq + `after`.
  void append_line(const std::string& before, const std::string& after) {
    add(before + std::to_string(next_) + after + "\n");
  }

 private:
  void add(std::string line) {
    for (auto it = subscribers_.begin(); it != subscribers_.end();) {
      if ((*it)->closed()) {
        it = subscribers_.erase(it);
        continue;
      }
      (*it)->write(line);
      ++it;
    }
    lines_.push_back(std::move(line));
    ++next_;
    if (lines_.size() > retention_) {
      lines_.pop_front();
      ++first_;
    }
  }


 public:
  std::uint64_t first() const { return first_; }  // the oldest kept
  std::uint64_t last() const { return next_ - 1; }  // 0: none yet

  // Everything after `since`, then whatever comes.
  void subscribe(std::uint64_t since, std::shared_ptr<HttpStream> stream) {
    std::string backlog;
    for (std::uint64_t seq = std::max(since + 1, first_); seq < next_; ++seq)
      backlog += lines_[seq - first_];
    if (!backlog.empty()) stream->write(std::move(backlog));
    subscribers_.push_back(std::move(stream));
  }

  std::size_t clients() {
    std::size_t open = 0;
    for (const auto& s : subscribers_) open += s->closed() ? 0 : 1;
    return open;
  }

  void finish_all() {
    for (auto& s : subscribers_) s->finish();
    subscribers_.clear();
  }

 private:
  std::size_t retention_;
  std::deque<std::string> lines_;
  std::uint64_t first_ = 1, next_ = 1;
  std::vector<std::shared_ptr<HttpStream>> subscribers_;
};

// The handshakes of claimed operation ids, to answer a duplicate with (newest `capacity`).
class ResultStore {
 public:
  explicit ResultStore(std::size_t capacity) : capacity_(capacity) {}
  // As text: a parsed JSON tree takes several times the memory, and it is rarely read back.
  void put(const std::string& book, const std::string& id, const std::string& line) {
    auto key = book + '\n' + id;
    if (lines_.emplace(key, line).second) order_.push_back(std::move(key));
    if (order_.size() > capacity_) {
      lines_.erase(order_.front());
      order_.pop_front();
    }
  }
  std::optional<json> find(const std::string& book, const std::string& id) const {
    auto it = lines_.find(book + '\n' + id);
    if (it == lines_.end()) return std::nullopt;
    return parse_json(it->second).value;
  }

 private:
  std::size_t capacity_;
  std::unordered_map<std::string, std::string> lines_;
  std::deque<std::string> order_;
};

// ---- the daemon ---------------------------------------------------------------------------

// Everything here runs on the HTTP I/O thread, callbacks from the books included (they are
// posted there): no locks.
class Daemon {
 public:
  Daemon(const Config& config, std::string token, HttpServer& server)
      : config_(config),
        token_(std::move(token)),
        server_(server),
        events_(static_cast<std::size_t>(config.server.events_retention)),
        results_(static_cast<std::size_t>(config.server.events_retention)),
        market_(config.market),
        orders_(metrics_.counter("tightloop_orders_total", "Orders answered, by book and status.",
                                 {"book", "status"})),
        latency_(metrics_.histogram(
            "tightloop_order_request_seconds",
            "Time from an order request's arrival to its answer, by book.", {"book"},
            {0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.25, 1, 5})),
        attempts_(metrics_.counter("tightloop_reconciliation_attempts_total",
                                   "Reconciliation comparisons run, by book.", {"book"})),
        mismatches_(metrics_.counter("tightloop_reconciliation_mismatches_total",
                                     "Orders whose last comparison found a mismatch, by book.",
                                     {"book"})),
        halted_(metrics_.gauge("tightloop_books_halted", "Books halted now.", {})),
        in_flight_(metrics_.gauge("tightloop_orders_in_flight",
                                  "Orders sent to a book and not answered yet, by book.",
                                  {"book"})),
        queue_depth_(metrics_.gauge("tightloop_ingress_queue_depth",
                                    "Requests handed to the books and not answered yet.", {})),
        http_(metrics_.counter("tightloop_http_requests_total",
                               "HTTP requests answered, by route and status code.",
                               {"route", "code"})),
        stream_clients_(metrics_.gauge("tightloop_event_stream_clients",
                                       "Clients following /v1/events.", {})) {
    for (const auto& book : config.books) {
      halted_books_[book.name] = false;
      in_flight_.set({book.name}, 0);
    }
  }

  void set_runtime(Runtime* runtime) { runtime_ = runtime; }
  bool stopping() const { return stopping_; }

  void handle(HttpRequest request, std::shared_ptr<HttpExchange> exchange);
  HttpResponse refuse(HttpRefusal refusal);
  void done(const HttpRequest& request, int status, std::size_t bytes,
            std::chrono::nanoseconds elapsed);
  void on_signal(int signal);

 private:
  using Reply = std::shared_ptr<IngressReply>;
  // Hands a request to the books; `then` runs on this thread with the answer.
  void ask(IngressKind kind, const std::string& book, std::vector<Order> orders,
           MarketData market, std::function<void(IngressReply&)> then);
  void flush();
  void finish_if_drained();
  void stop_when_closed(Clock::time_point deadline);

  void route(const HttpRequest& request, const Target& target,
             const std::shared_ptr<HttpExchange>& exchange);
  void post_orders(const std::string& book, const HttpRequest& request,
                   const std::shared_ptr<HttpExchange>& exchange);
  void get_positions(const std::string& book, const std::shared_ptr<HttpExchange>& exchange);
  void get_books(const std::shared_ptr<HttpExchange>& exchange);
  void post_resume(const std::string& book, const std::shared_ptr<HttpExchange>& exchange);
  void post_refresh(const HttpRequest& request, const std::shared_ptr<HttpExchange>& exchange);
  void post_market(const HttpRequest& request, const std::shared_ptr<HttpExchange>& exchange);
  void get_events(const Target& target, const std::shared_ptr<HttpExchange>& exchange);

  // The result's line as text, serialized once: the answer, the event and the stored copy
  // share it (serializing was most of the I/O thread's time per order).
  std::string order_line(const std::string& book, OrderResult& result);
  void note_halt(const std::string& book, const HaltInfo& halt);
  std::optional<HttpResponse> parse_body(const HttpRequest& request, json& out,
                                         bool body_optional);

  const Config& config_;
  std::string token_;
  HttpServer& server_;
  Runtime* runtime_ = nullptr;
  bool stopping_ = false;
  int signals_seen_ = 0;

  std::vector<IngressRequest> pending_;  // handed over once per turn of the I/O loop
  bool flush_posted_ = false;
  std::size_t outstanding_ = 0;  // requests handed over and not answered

  EventLog events_;
  ResultStore results_;
  MarketData market_;  // the config's, with every market update merged in
  std::map<std::string, bool> halted_books_;

  MetricsRegistry metrics_;
  Counter& orders_;
  Histogram& latency_;
  Counter& attempts_;
  Counter& mismatches_;
  Gauge& halted_;
  Gauge& in_flight_;
  Gauge& queue_depth_;
  Counter& http_;
  Gauge& stream_clients_;
};

void Daemon::ask(IngressKind kind, const std::string& book, std::vector<Order> orders,
                 MarketData market, std::function<void(IngressReply&)> then) {
  IngressRequest request;
  request.kind = kind;
  request.book = book;
  request.orders = std::move(orders);
  request.market = std::move(market);
  HttpServer* server = &server_;
  auto on_io = std::make_shared<std::function<void(IngressReply&)>>(std::move(then));
  request.done = [server, on_io, this](IngressReply&& reply) {
    auto moved = std::make_shared<IngressReply>(std::move(reply));
    server->post([this, on_io, moved] {
      --outstanding_;
      queue_depth_.set({}, static_cast<double>(outstanding_));
      if (*on_io) (*on_io)(*moved);
      finish_if_drained();
    });
  };
  ++outstanding_;
  queue_depth_.set({}, static_cast<double>(outstanding_));
  pending_.push_back(std::move(request));
  if (!flush_posted_) {
    flush_posted_ = true;
    server_.post([this] { flush(); });
  }
}

void Daemon::flush() {
  flush_posted_ = false;
  if (pending_.empty()) return;
  runtime_->post(std::move(pending_));
  pending_.clear();
}

// ---- routes -------------------------------------------------------------------------------

std::string route_label(const std::string& method, const std::string& path) {
  const auto parts = split_path(path);
  if (parts.size() == 4 && parts[0] == "v1" && parts[1] == "books")
    return method + " /v1/books/{book}/" + parts[3];
  static const std::set<std::string> fixed{
      "/",          "/healthz",     "/readyz",         "/metrics",          "/v1/books",
      "/v1/events", "/v1/refresh",  "/v1/market",      "/v1/error-codes",   "/v1/openapi.json"};
  if (fixed.count(path)) return method + " " + path;
  return "other";
}

void Daemon::done(const HttpRequest& request, int status, std::size_t bytes,
                  std::chrono::nanoseconds elapsed) {
  const auto path = split_target(request.target).path;
  http_.add({route_label(request.method, path), std::to_string(status)});
  if (log_enabled(LogLevel::info))
    log_line(LogLevel::info, "http",
             request.method + " " + request.target + " " + std::to_string(status) + " " +
                 std::to_string(bytes) + "B " +
                 std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(elapsed)
                                    .count()) +
                 "us");
}

HttpResponse Daemon::refuse(HttpRefusal refusal) {
  switch (refusal) {
    case HttpRefusal::body_too_large:
      return error_response(413, ErrorCode::api_body_too_large,
                            "the body is larger than server.max_body_bytes (" +
                                std::to_string(config_.server.max_body_bytes) + ")");
    case HttpRefusal::headers_too_large:
      return error_response(431, ErrorCode::api_headers_too_large,
                            "the headers exceed server.max_header_bytes (" +
                                std::to_string(config_.server.max_header_bytes) + ")");
    case HttpRefusal::too_many_connections:
      return error_response(429, ErrorCode::api_too_many_connections,
                            "server.max_connections (" +
                                std::to_string(config_.server.max_connections) +
                                ") connections are open");
    case HttpRefusal::malformed:
      break;
  }
  return error_response(400, ErrorCode::api_bad_request, "malformed HTTP request");
}

void Daemon::handle(HttpRequest request, std::shared_ptr<HttpExchange> exchange) {
  const auto target = split_target(request.target);
  if (target.path == "/healthz") {
    if (request.method != "GET")
      return exchange->respond(
          error_response(405, ErrorCode::api_method_not_allowed, "/healthz takes GET"));
    return exchange->respond(json_response(200, {{"status", "alive"}}));
  }
  if (target.path == "/readyz") {
    if (request.method != "GET")
      return exchange->respond(
          error_response(405, ErrorCode::api_method_not_allowed, "/readyz takes GET"));
    if (!runtime_ || stopping_)
      return exchange->respond(error_response(
          503, ErrorCode::api_unavailable, stopping_ ? "stopping" : "starting: books loading"));
    return exchange->respond(json_response(200, {{"status", "ready"}}));
  }
  // The status page holds no data: it asks the API with the token the operator types in.
  const bool page = target.path == "/" || target.path == "/index.html";
  if (!token_.empty() && !page) {
    const std::string prefix = "Bearer ";
    const bool has_bearer = request.authorization.rfind(prefix, 0) == 0;
    if (!has_bearer || !same_token(request.authorization.substr(prefix.size()), token_)) {
      auto response = error_response(401, ErrorCode::api_unauthorized,
                                     has_bearer ? "wrong bearer token"
                                                : "an Authorization: Bearer token is required");
      response.headers.emplace_back("WWW-Authenticate", "Bearer");
      return exchange->respond(std::move(response));
    }
  }
  if (target.bad_query)
    return exchange->respond(
        error_response(400, ErrorCode::api_bad_request, "a query parameter is repeated"));
  route(request, target, exchange);
}

void Daemon::route(const HttpRequest& request, const Target& target,
                   const std::shared_ptr<HttpExchange>& exchange) {
  const auto& path = target.path;
  const auto& method = request.method;
  auto wrong_method = [&](const char* allowed) {
    auto response = error_response(405, ErrorCode::api_method_not_allowed,
                                   path + " takes " + allowed + ", not " + method);
    response.headers.emplace_back("Allow", allowed);
    exchange->respond(std::move(response));
  };
  auto no_body = [&]() {
    if (!request.body.empty()) {
      exchange->respond(
          error_response(400, ErrorCode::api_bad_request, method + " " + path + " takes no body"));
      return false;
    }
    return true;
  };
  // Routes that need no book answer even while starting or stopping.
  if (path == "/metrics") {
    if (method != "GET") return wrong_method("GET");
    if (!no_body()) return;
    stream_clients_.set({}, static_cast<double>(events_.clients()));
    HttpResponse response;
    response.content_type = std::string(metrics_content_type);
    response.body = metrics_.render();
    return exchange->respond(std::move(response));
  }
  if (path == "/v1/openapi.json") {
    if (method != "GET") return wrong_method("GET");
    HttpResponse response;
    response.body = std::string(openapi_document());
    return exchange->respond(std::move(response));
  }
  if (path == "/" || path == "/index.html") {
    if (method != "GET") return wrong_method("GET");
    HttpResponse response;
    response.content_type = "text/html; charset=utf-8";
    response.body = std::string(status_page());
    return exchange->respond(std::move(response));
  }
  if (path == "/v1/error-codes") {
    if (method != "GET") return wrong_method("GET");
    json codes = json::array();
    for (const auto& row : error_code_registry())
      codes.push_back({{"code", std::string(row.id)},
                       {"component", std::string(row.component)},
                       {"meaning", std::string(row.meaning)}});
    return exchange->respond(json_response(200, {{"error_codes", std::move(codes)}}));
  }

  const auto parts = split_path(path);
  const bool known = path == "/v1/books" || path == "/v1/refresh" || path == "/v1/market" ||
                     path == "/v1/events" ||
                     (parts.size() == 4 && parts[0] == "v1" && parts[1] == "books" &&
                      (parts[3] == "orders" || parts[3] == "positions" || parts[3] == "resume"));
  if (!known)
    return exchange->respond(error_response(404, ErrorCode::api_no_route, "no route " + path));
  if (!runtime_ || stopping_)
    return exchange->respond(error_response(503, ErrorCode::api_unavailable,
                                            stopping_ ? "the daemon is stopping"
                                                      : "the daemon is starting"));
  if (path == "/v1/books") {
    if (method != "GET") return wrong_method("GET");
    if (!no_body()) return;
    return get_books(exchange);
  }
  if (path == "/v1/refresh") {
    if (method != "POST") return wrong_method("POST");
    return post_refresh(request, exchange);
  }
  if (path == "/v1/market") {
    if (method != "POST") return wrong_method("POST");
    return post_market(request, exchange);
  }
  if (path == "/v1/events") {
    if (method != "GET") return wrong_method("GET");
    if (!no_body()) return;
    return get_events(target, exchange);
  }
  const auto& book = parts[2];
  if (!config_.find_book(book))
    return exchange->respond(
        error_response(404, ErrorCode::api_unknown_book, "no book '" + book + "'"));
  if (parts[3] == "orders") {
    if (method != "POST") return wrong_method("POST");
    return post_orders(book, request, exchange);
  }
  if (parts[3] == "positions") {
    if (method != "GET") return wrong_method("GET");
    if (!no_body()) return;
    return get_positions(book, exchange);
  }
  if (method != "POST") return wrong_method("POST");
  if (!no_body()) return;
  post_resume(book, exchange);
}

std::optional<HttpResponse> Daemon::parse_body(const HttpRequest& request, json& out,
                                               bool body_optional) {
  if (request.body.empty()) {
    if (body_optional) {
      out = json::object();
      return std::nullopt;
    }
    return error_response(400, ErrorCode::api_bad_request, "a JSON body is required");
  }
  if (auto nul = find_nul(request.body))
    return error_response(400, ErrorCode::inp_unreadable,
                          "body: a NUL byte at byte " + std::to_string(*nul));
  auto parsed = parse_json(request.body);
  if (!parsed.ok())
    return error_response(400, ErrorCode::inp_unreadable, "body: " + parsed.error->message);
  out = std::move(parsed.value);
  return std::nullopt;
}

std::string Daemon::order_line(const std::string& book, OrderResult& result) {
  auto& hs = result.handshake;
  orders_.add({book, std::string(to_string(hs.status))});
  attempts_.add({book}, result.reconciliation.attempts);
  if (result.reconciliation.outcome == ReconciliationOutcome::mismatch) mismatches_.add({book});
  const auto& id = hs.order.operation_id;
  if (hs.error_code == ErrorCode::ord_duplicate_operation_id && !id.empty()) {
    auto line = results_.find(book, id).value_or(encode_order_result(result));
    line["duplicate"] = true;
    return dump_json(line);
  }
  std::string line = dump_json(encode_order_result(result));
  if (!id.empty() && claims_operation_id(hs)) results_.put(book, id, line);
  // The event's keys in the sorted order dump_json writes.
  events_.append_line("{\"book\":" + dump_json(json(book)) + ",\"result\":" + line +
                      ",\"seq\":", ",\"type\":\"order\"}");
  return line;
}

void Daemon::note_halt(const std::string& book, const HaltInfo& halt) {
  auto& was = halted_books_[book];
  if (halt.halted == was) return;
  was = halt.halted;
  std::size_t count = 0;
  for (const auto& [name, halted] : halted_books_) count += halted ? 1 : 0;
  halted_.set({}, static_cast<double>(count));
  if (halt.halted)
    events_.append({{"type", "halt"}, {"book", book}, {"halt", encode_halt(halt)}});
  else
    events_.append({{"type", "resume"}, {"book", book}});
}

void Daemon::post_orders(const std::string& book, const HttpRequest& request,
                         const std::shared_ptr<HttpExchange>& exchange) {
  json body;
  if (auto refused = parse_body(request, body, false)) return exchange->respond(*refused);
  if (!body.is_object() && !body.is_array())
    return exchange->respond(error_response(400, ErrorCode::api_bad_request,
                                            "the body must be an order or an array of orders"));
  const bool single = body.is_object();
  if (!single && body.size() > static_cast<std::size_t>(config_.server.max_orders_per_batch))
    return exchange->respond(error_response(
        413, ErrorCode::api_too_many_orders,
        "the batch has " + std::to_string(body.size()) + " orders, more than " +
            "server.max_orders_per_batch (" +
            std::to_string(config_.server.max_orders_per_batch) + ")"));
  std::vector<Order> orders;
  auto decode = [&](const json& entry) {
    Order order;
    if (!entry.is_object()) {
      order.ingress_failure = Failure{ErrorCode::inp_invalid, "an order must be a JSON object"};
    } else {
      auto decoded = decode_order(entry);
      order = std::move(decoded.order);
      order.ingress_failure = decoded.failure;
      // An order may name its book; it must be the path's.
      if (!order.book.empty() && order.book != book && !order.ingress_failure.failed())
        order.ingress_failure = Failure{ErrorCode::ord_unknown_book,
                                        "the order names book '" + order.book +
                                            "' but was posted to book '" + book + "'"};
    }
    order.book = book;
    orders.push_back(std::move(order));
  };
  if (single)
    decode(body);
  else
    for (const auto& entry : body) decode(entry);
  const auto count = orders.size();
  in_flight_.add({book}, static_cast<double>(count));
  const auto started = Clock::now();
  auto finish = [this, book, exchange, started, count](std::vector<OrderResult>& results,
                                                        const HaltInfo* halt,
                                                        const std::string& error) {
    in_flight_.add({book}, -static_cast<double>(count));
    latency_.observe({book}, std::chrono::duration<double>(Clock::now() - started).count());
    if (!error.empty())
      return exchange->respond(error_response(503, ErrorCode::em_component_down,
                                              "book " + book + " did not answer: " + error));
    std::string lines;
    bool halted_now = false;
    for (auto& result : results) {
      const auto code = result.handshake.error_code;
      halted_now = halted_now || code == ErrorCode::em_reconciliation_mismatch ||
                   code == ErrorCode::em_component_down;
      if (!lines.empty()) lines += ',';
      lines += order_line(book, result);
    }
    if (halt) {
      note_halt(book, *halt);
    } else if (halted_now) {
      HaltInfo seen;
      seen.halted = true;
      seen.code = results.back().handshake.error_code;
      seen.reason = results.back().handshake.error_message;
      note_halt(book, seen);
    }
    HttpResponse response;
    response.body = "{\"book\":" + dump_json(json(book)) + ",\"results\":[" + lines + "]}\n";
    exchange->respond(std::move(response));
  };
  if (single) {
    ask(IngressKind::order, book, std::move(orders), {}, [finish](IngressReply& reply) mutable {
      std::vector<OrderResult> results;
      if (reply.error.empty()) results.push_back(std::move(reply.order));
      finish(results, nullptr, reply.error);
    });
    return;
  }
  ask(IngressKind::batch, book, std::move(orders), {}, [finish](IngressReply& reply) mutable {
    finish(reply.book.results, reply.error.empty() ? &reply.book.halt : nullptr, reply.error);
  });
}

json positions_json(const BookResult& result) {
  json out = {{"book", result.book},
              {"positions", encode_positions(result.positions)},
              {"entry_prices", encode_positions(result.entry_prices)},
              {"valuation", encode_valuation(result.valuation)},
              {"halted", result.halt.halted}};
  if (result.halt.halted) out["halt"] = encode_halt(result.halt);
  return out;
}

void Daemon::get_positions(const std::string& book,
                           const std::shared_ptr<HttpExchange>& exchange) {
  ask(IngressKind::positions, book, {}, {}, [this, book, exchange](IngressReply& reply) {
    if (!reply.error.empty())
      return exchange->respond(error_response(503, ErrorCode::em_component_down,
                                              "book " + book + " did not answer: " + reply.error));
    note_halt(book, reply.book.halt);
    exchange->respond(json_response(200, positions_json(reply.book)));
  });
}

void Daemon::get_books(const std::shared_ptr<HttpExchange>& exchange) {
  struct Join {
    json books = json::array();
    std::size_t remaining = 0;
    std::map<std::string, json> by_name;
  };
  auto join = std::make_shared<Join>();
  join->remaining = config_.books.size();
  for (const auto& book : config_.books) {
    const std::string name = book.name;
    ask(IngressKind::status, name, {}, {}, [this, join, name, exchange](IngressReply& reply) {
      json entry = {{"book", name}};
      if (!reply.error.empty()) {
        entry["state"] = "unknown";
        entry["error"] = {{"code", std::string(to_string(ErrorCode::em_component_down))},
                          {"message", reply.error}};
      } else {
        const auto& status = reply.status;
        note_halt(name, status.halt);
        entry["state"] = status.halt.halted ? "halted" : "running";
        entry["dead_venues"] = status.dead_venues;
        if (status.halt.halted) entry["halt"] = encode_halt(status.halt);
      }
      join->by_name[name] = std::move(entry);
      if (--join->remaining != 0) return;
      for (auto& [n, e] : join->by_name) join->books.push_back(std::move(e));
      exchange->respond(json_response(200, {{"books", std::move(join->books)}}));
    });
  }
}

void Daemon::post_resume(const std::string& book, const std::shared_ptr<HttpExchange>& exchange) {
  ask(IngressKind::resume, book, {}, {}, [this, book, exchange](IngressReply& reply) {
    if (!reply.error.empty())
      return exchange->respond(error_response(503, ErrorCode::em_component_down,
                                              "book " + book + " did not answer: " + reply.error));
    const auto& resume = reply.resume;
    json out = {{"book", book},
                {"resumed", resume.resumed},
                {"restarted_venues", resume.restarted_venues},
                {"mismatches", encode_mismatches(resume.mismatches, "reported")}};
    if (resume.failure.failed())
      out["error"] = {{"code", std::string(to_string(resume.failure.code))},
                      {"message", resume.failure.message}};
    if (resume.resumed) {
      HaltInfo running;
      note_halt(book, running);
    }
    exchange->respond(json_response(200, out));
  });
}

void Daemon::post_refresh(const HttpRequest& request,
                          const std::shared_ptr<HttpExchange>& exchange) {
  json body;
  if (auto refused = parse_body(request, body, true)) return exchange->respond(*refused);
  if (!body.is_object())
    return exchange->respond(
        error_response(400, ErrorCode::api_bad_request, "the body must be a JSON object"));
  // The orders file's refresh event, without "event": {"book"?, "timestamp"?}.
  json event = body;
  event["event"] = "refresh";
  MarketData unused = market_;
  InputEvent decoded;
  if (auto failure = decode_event(config_, event, unused, decoded))
    return exchange->respond(error_response(400, failure->code, failure->message));
  std::vector<std::string> books = decoded.books;
  if (books.empty())
    for (const auto& book : config_.books) books.push_back(book.name);
  struct Join {
    json books = json::object();
    std::size_t remaining = 0;
  };
  auto join = std::make_shared<Join>();
  join->remaining = books.size();
  const json timestamp = decoded.timestamp.empty() ? json(nullptr) : json(decoded.timestamp);
  for (const auto& name : books) {
    ask(IngressKind::refresh, name, {}, {},
        [this, join, name, exchange, timestamp](IngressReply& reply) {
          if (!reply.error.empty()) {
            RefreshResult failed;
            failed.failure = Failure{ErrorCode::em_component_down, reply.error};
            join->books[name] = encode_refresh(failed);
          } else {
            join->books[name] = encode_refresh(reply.refresh);
          }
          if (--join->remaining != 0) return;
          json out = {{"event", "refresh"}, {"timestamp", timestamp}, {"books", join->books}};
          events_.append({{"type", "refresh"}, {"refresh", out}});
          exchange->respond(json_response(200, out));
        });
  }
}

void Daemon::post_market(const HttpRequest& request,
                         const std::shared_ptr<HttpExchange>& exchange) {
  json body;
  if (auto refused = parse_body(request, body, false)) return exchange->respond(*refused);
  if (!body.is_object())
    return exchange->respond(
        error_response(400, ErrorCode::api_bad_request, "the body must be a JSON object"));
  json event = body;
  if (event.contains("event"))
    return exchange->respond(error_response(400, ErrorCode::inp_bad_event,
                                            "a market update names no 'event' field"));
  event["event"] = "market";
  MarketData next = market_;
  InputEvent decoded;
  if (auto failure = decode_event(config_, event, next, decoded))
    return exchange->respond(error_response(400, failure->code, failure->message));
  market_ = next;
  struct Join {
    std::size_t remaining = 0;
    std::vector<std::string> failed;
  };
  auto join = std::make_shared<Join>();
  join->remaining = config_.books.size();
  const json timestamp = decoded.timestamp.empty() ? json(nullptr) : json(decoded.timestamp);
  for (const auto& book : config_.books) {
    const std::string name = book.name;
    ask(IngressKind::market, name, {}, market_,
        [this, join, name, exchange, timestamp](IngressReply& reply) {
          if (!reply.error.empty()) join->failed.push_back(name);
          if (--join->remaining != 0) return;
          json out = {{"event", "market"}, {"timestamp", timestamp}};
          if (!join->failed.empty())
            out["error"] = {{"code", std::string(to_string(ErrorCode::em_component_down))},
                            {"message", "not confirmed by every book"},
                            {"books", join->failed}};
          events_.append({{"type", "market"}, {"market", out}});
          exchange->respond(json_response(join->failed.empty() ? 200 : 503, out));
        });
  }
}

void Daemon::get_events(const Target& target, const std::shared_ptr<HttpExchange>& exchange) {
  std::uint64_t since = 0;
  for (const auto& [key, value] : target.query) {
    if (key != "since")
      return exchange->respond(error_response(400, ErrorCode::api_bad_request,
                                              "unknown query parameter '" + key + "'"));
    auto parsed = parse_count(value);
    if (!parsed)
      return exchange->respond(error_response(
          400, ErrorCode::api_bad_request, "since must be a sequence number, got '" + value + "'"));
    since = *parsed;
  }
  if (since > events_.last())
    return exchange->respond(error_response(
        400, ErrorCode::api_bad_request,
        "since=" + std::to_string(since) + " is after the last event (" +
            std::to_string(events_.last()) + "); the daemon may have restarted: use since=0"));
  // since=0 is "everything still kept"; a client that saw N and missed what was dropped after
  // it is told so.
  if (since != 0 && since + 1 < events_.first())
    return exchange->respond(error_response(
        410, ErrorCode::api_events_gone,
        "events after " + std::to_string(since) + " are gone: the oldest kept is " +
            std::to_string(events_.first()) + " (server.events_retention)"));
  auto stream = exchange->stream(200, "application/x-ndjson");
  if (stream) events_.subscribe(since, std::move(stream));
}

// ---- shutdown -----------------------------------------------------------------------------

void Daemon::on_signal(int signal) {
  if (signal == SIGHUP) {
    if (auto failure = reopen_logging())
      std::fprintf(stderr, "tightloop: %s\n", failure->describe().c_str());
    else
      log_line(LogLevel::info, "serve", "log file reopened (SIGHUP)");
    return;
  }
  if (++signals_seen_ > 1) {
    log_line(LogLevel::warning, "serve", "second signal: exiting at once");
    std::_Exit(1);
  }
  log_line(LogLevel::info, "serve",
           std::string("stopping (") + (signal == SIGTERM ? "SIGTERM" : "SIGINT") +
               "): no new requests, the orders in flight finish");
  stopping_ = true;
  server_.stop_accepting();
  if (runtime_)
    for (const auto& book : config_.books) ask(IngressKind::drain, book.name, {}, {}, {});
  finish_if_drained();
}

void Daemon::finish_if_drained() {
  if (!stopping_ || outstanding_ != 0 || !pending_.empty()) return;
  events_.finish_all();
  // The last answers and chunks go out (a connection closes once its answer is written), then
  // the loop ends; a client that does not read its answer is given 10 s.
  stop_when_closed(Clock::now() + std::chrono::seconds(10));
}

void Daemon::stop_when_closed(Clock::time_point deadline) {
  if (server_.open_connections() == 0 || Clock::now() >= deadline) return server_.stop();
  server_.after(std::chrono::milliseconds(10), [this, deadline] { stop_when_closed(deadline); });
}

}  // namespace

int run_serve(const ServeOptions& options, std::ostream& err) {
  auto fail = [&](const Failure& failure) {
    err << "tightloop: " << failure.describe() << "\n";
    return 2;
  };
  auto loaded = load_config_file(options.config_path);
  if (!loaded.ok()) return fail(loaded.failure);
  Config config = std::move(loaded.config);
  if (!options.listen.empty()) {
    const auto colon = options.listen.rfind(':');
    auto port = colon == std::string::npos ? std::nullopt
                                           : parse_count(options.listen.substr(colon + 1));
    if (colon == std::string::npos || colon == 0 || !port || *port > 65535)
      return fail({ErrorCode::cli_usage,
                   "--listen must be HOST:PORT (127.0.0.1:8080), got '" + options.listen + "'"});
    config.server.address = options.listen.substr(0, colon);
    if (config.server.address.size() > 2 && config.server.address.front() == '[' &&
        config.server.address.back() == ']')
      config.server.address = config.server.address.substr(1, config.server.address.size() - 2);
    config.server.port = static_cast<int>(*port);
  }
  std::string why;
  auto token = read_token(config.server, why);
  if (!token) return fail({ErrorCode::srv_cannot_listen, why});
  if (token->empty() && !is_loopback(config.server.address))
    return fail({ErrorCode::srv_cannot_listen,
                 "refusing to listen on " + config.server.address +
                     " without a token: set server.token_file or server.token_env"});
  if (auto failure = init_logging(config.log.level, config.log.file, config.log.rotation_bytes))
    return fail(*failure);

  HttpLimits limits;
  limits.max_body_bytes = static_cast<std::size_t>(config.server.max_body_bytes);
  limits.max_header_bytes = static_cast<std::size_t>(config.server.max_header_bytes);
  limits.max_connections = static_cast<std::size_t>(config.server.max_connections);
  limits.idle_timeout = std::chrono::milliseconds(config.server.idle_timeout_ms);

  std::unique_ptr<Daemon> daemon;
  HttpHandlers handlers;
  handlers.request = [&daemon](HttpRequest request, std::shared_ptr<HttpExchange> exchange) {
    daemon->handle(std::move(request), std::move(exchange));
  };
  handlers.refusal = [&daemon](HttpRefusal refusal) { return daemon->refuse(refusal); };
  handlers.done = [&daemon](const HttpRequest& request, int status, std::size_t bytes,
                            std::chrono::nanoseconds elapsed) {
    daemon->done(request, status, bytes, elapsed);
  };
  HttpServer server(limits, std::move(handlers));
  daemon = std::make_unique<Daemon>(config, *token, server);
  if (auto error = server.listen(config.server.address, config.server.port); !error.empty())
    return fail({ErrorCode::srv_cannot_listen, error});
  server.on_signals({SIGTERM, SIGINT, SIGHUP}, [&daemon](int signal) { daemon->on_signal(signal); });
  // Signals go to the I/O thread's signal_set: block them here so that no other thread (the
  // actor system's) takes them first.
  sigset_t blocked;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGTERM);
  sigaddset(&blocked, SIGINT);
  sigaddset(&blocked, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &blocked, nullptr);
  // The listening line: scripts and tests read the port from it.
  log_line(LogLevel::info, "serve",
           "listening on " + config.server.address + ":" + std::to_string(server.port()));
  err << "tightloop: listening on " << config.server.address << ":" << server.port() << "\n";
  err.flush();

  std::thread io([&server] {
    sigset_t none;
    sigemptyset(&none);
    pthread_sigmask(SIG_SETMASK, &none, nullptr);
    server.run();
  });
  {
    // The books load while /readyz answers 503.
    Runtime runtime(config);
    server.post([&daemon, &runtime] { daemon->set_runtime(&runtime); });
    io.join();
    log_line(LogLevel::info, "serve", "stopped");
  }
  err << "tightloop: stopped\n";
  return 0;
}

}  // namespace tightloop
