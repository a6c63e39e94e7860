#include "runtime/runtime.hpp"

#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <stdexcept>

#include "actors/ingress.hpp"
#include "actors/strategy.hpp"
#include "runtime/actor_system_setup.hpp"
#include "runtime/book.hpp"
#include "actors/logging.hpp"

namespace tightloop {

struct Runtime::Impl {
  Config config;
  std::unique_ptr<ActorSystemConfig> system_config;
  std::unique_ptr<ActorSystem> system;
  std::map<std::string, BookActors, std::less<>> books;
  ingress_actor door;  // spawned at the first post()
  std::mutex door_mutex;

  // Requests posted and not answered yet: shutdown waits for them.
  std::mutex pending_mutex;
  std::condition_variable pending_done;
  std::size_t pending = 0;
  bool shut = false;

  std::mutex subscribers_mutex;
  std::map<std::uint64_t, Runtime::EventCallback> subscribers;
  std::uint64_t next_subscriber = 1;

  void publish(const RuntimeEvent& event) {
    std::lock_guard<std::mutex> lock(subscribers_mutex);
    for (auto& [id, callback] : subscribers) callback(event);
  }

  // Drain every book, wait (bounded) for the answers, then stop everything.
  void shutdown() {
    {
      std::lock_guard<std::mutex> lock(pending_mutex);
      if (shut) return;
      shut = true;
    }
    if (door) {
      ScopedActor self{*system};
      for (auto& [name, book] : books)
        self->request(book.manager, millis(saturating_mul_ms(config.venue_timeout_ms, 4)),
                      drain_atom::value)
            .receive([](bool) {}, [](const CafError&) {});
      std::unique_lock<std::mutex> lock(pending_mutex);
      // Every order in flight finishes within its step deadlines; the bound only guards a bug.
      pending_done.wait_for(lock, std::chrono::milliseconds(saturating_add_ms(
                                      config.reconciliation.deadline_ms,
                                      saturating_mul_ms(config.venue_timeout_ms, 4))),
                            [this] { return pending == 0; });
    }
  }

  explicit Impl(Config cfg) : config(std::move(cfg)) {
    system_config = make_actor_system_config(config.scheduler);
    system = std::make_unique<ActorSystem>(*system_config);
    auto market = std::make_shared<const MarketData>(config.market);
    auto shared = std::make_shared<const Config>(config);
    for (const auto& book : shared->books)
      books.emplace(book.name, spawn_book(*system, shared, book.name, market));
  }

  ~Impl() {
    shutdown();
    if (door) caf::anon_send_exit(door, ExitReason::user_shutdown);
    for (auto& [name, book] : books) stop_book(book);
    books.clear();
    system.reset();  // waits for every actor
  }

  BookActors& book(const std::string& name) {
    auto it = books.find(name);
    if (it == books.end()) throw std::invalid_argument("unknown book '" + name + "'");
    return it->second;
  }

  // Each order can take a venue timeout plus a full reconciliation: the bound is finite.
  std::int64_t stream_timeout_ms(std::size_t entries) const {
    const auto per_entry_ms = saturating_add_ms(config.reconciliation.deadline_ms,
                                                saturating_mul_ms(config.venue_timeout_ms, 4));
    return saturating_mul_ms(per_entry_ms, static_cast<std::int64_t>(entries + 1));
  }

  // One blocking request to a book's supervisor.
  template <class T, class... Args>
  T ask_supervisor(const std::string& book_name, Args&&... args) {
    ScopedActor self{*system};
    T answer{};
    self->request(book(book_name).supervisor, millis(saturating_mul_ms(config.venue_timeout_ms, 4)),
                  std::forward<Args>(args)...)
        .receive([&](T& value) { answer = std::move(value); },
                 [&](const CafError& error) {
                   throw std::runtime_error("book " + book_name + ": " + system->render(error));
                 });
    return answer;
  }
};

Runtime::Runtime(Config config) : impl_(std::make_unique<Impl>(std::move(config))) {
  // The threshold only: sinks belong to the application (init_logging installs ours).
  set_log_level(impl_->config.log.level);
}

Runtime::~Runtime() { impl_->shutdown(); }

void Runtime::shutdown() { impl_->shutdown(); }

const Config& Runtime::config() const { return impl_->config; }

std::size_t Runtime::scheduler_threads() const {
  return scheduler_threads_for(impl_->config.scheduler);
}

std::map<std::string, StreamResult> Runtime::run_streams(
    std::map<std::string, std::vector<StreamEntry>> streams) {
  ScopedActor self{*impl_->system};
  std::map<std::string, StreamResult> results;
  std::vector<std::function<void()>> receivers;
  std::vector<strategy_actor> strategies;
  // Every book starts before we wait for the first answer: books run concurrently.
  for (auto& [name, stream] : streams) {
    auto& actors = impl_->book(name);
    auto timeout_ms = impl_->stream_timeout_ms(stream.size());
    auto strategy =
        impl_->system->spawn(stream_strategy, std::move(stream), actors.manager, timeout_ms);
    strategies.push_back(strategy);
    auto request = self->request(strategy, millis(timeout_ms), run_atom::value);
    receivers.push_back([this, request, name = name, &results]() mutable {
      request.receive([&](StreamResult& result) { results.emplace(name, std::move(result)); },
                      [&](const CafError& error) {
                        throw std::runtime_error("book " + name + " did not finish: " +
                                                 impl_->system->render(error));
                      });
    });
  }
  for (auto& receive : receivers) receive();
  for (auto& strategy : strategies) caf::anon_send_exit(strategy, ExitReason::user_shutdown);
  return results;
}

std::map<std::string, BookResult> Runtime::run(
    std::map<std::string, std::vector<Order>> orders_by_book) {
  std::map<std::string, std::vector<StreamEntry>> streams;
  for (auto& [name, orders] : orders_by_book) {
    auto& stream = streams[name];
    stream.reserve(orders.size());
    for (auto& order : orders) {
      stream.emplace_back();
      stream.back().order = std::move(order);
    }
  }
  std::map<std::string, BookResult> results;
  for (auto& [name, streamed] : run_streams(std::move(streams))) {
    BookResult book = std::move(streamed.book);
    book.results.reserve(streamed.entries.size());
    for (auto& entry : streamed.entries) book.results.push_back(std::move(entry.order));
    results.emplace(name, std::move(book));
  }
  return results;
}

BookResult Runtime::run_book(const std::string& book, std::vector<Order> orders) {
  std::map<std::string, std::vector<Order>> one;
  one.emplace(book, std::move(orders));
  return std::move(run(std::move(one)).at(book));
}

BookStatus Runtime::status(const std::string& book) {
  return impl_->ask_supervisor<BookStatus>(book, status_atom::value);
}

ResumeResult Runtime::resume(const std::string& book) {
  return impl_->ask_supervisor<ResumeResult>(book, resume_atom::value);
}

bool Runtime::inject_fault(const std::string& book, const std::string& venue,
                           const FaultSpec& fault) {
  return impl_->ask_supervisor<bool>(book, fault_atom::value, venue, fault);
}

std::map<std::string, Amount> Runtime::venue_balances(const std::string& book,
                                                      const std::string& venue) {
  return impl_->ask_supervisor<Balances>(book, snapshot_atom::value, venue);
}

bool Runtime::adjust_venue_balance(const std::string& book, const std::string& venue,
                                   const std::string& key, Amount delta_amount) {
  return impl_->ask_supervisor<bool>(book, adjust_atom::value, venue, key, delta_amount);
}

void Runtime::post(std::vector<IngressRequest> requests) {
  ingress_actor door;
  {
    std::lock_guard<std::mutex> lock(impl_->door_mutex);
    if (!impl_->door) {
      IngressBooks books;
      for (const auto& [name, book] : impl_->books)
        books.emplace(name, IngressBook{book.manager, book.supervisor});
      impl_->door = impl_->system->spawn(
          ingress, std::move(books), saturating_mul_ms(impl_->config.venue_timeout_ms, 4));
    }
    door = impl_->door;
  }
  {
    std::lock_guard<std::mutex> lock(impl_->pending_mutex);
    impl_->pending += requests.size();
  }
  // Each answer is counted back, so that shutdown knows when everything was answered.
  for (auto& request : requests) {
    request.done = [impl = impl_.get(), done = std::move(request.done)](IngressReply&& reply) {
      if (done) done(std::move(reply));
      std::lock_guard<std::mutex> lock(impl->pending_mutex);
      if (--impl->pending == 0) impl->pending_done.notify_all();
    };
  }
  caf::anon_send(door, std::make_shared<std::vector<IngressRequest>>(std::move(requests)));
}

void Runtime::submit(const std::string& book, std::vector<Order> orders, SubmitCallback done) {
  if (!impl_->config.find_book(book)) {
    SubmitOutcome outcome;
    outcome.failure = Failure{ErrorCode::ord_unknown_book, "no book '" + book + "'"};
    done(std::move(outcome));
    return;
  }
  for (auto& order : orders) order.book = book;
  IngressRequest request;
  request.kind = IngressKind::batch;
  request.book = book;
  request.orders = std::move(orders);
  request.done = [impl = impl_.get(), book, done = std::move(done)](IngressReply&& reply) {
    SubmitOutcome outcome;
    if (!reply.error.empty()) {
      outcome.failure = Failure{ErrorCode::em_component_down,
                                "book " + book + " did not answer: " + reply.error};
    } else {
      outcome.result = std::move(reply.book);
      for (const auto& result : outcome.result.results) {
        RuntimeEvent event;
        event.book = book;
        event.order = result;
        impl->publish(event);
      }
      if (outcome.result.halt.halted) {
        RuntimeEvent event;
        event.type = RuntimeEvent::Type::halt;
        event.book = book;
        event.halt = outcome.result.halt;
        impl->publish(event);
      }
    }
    done(std::move(outcome));
  };
  std::vector<IngressRequest> one;
  one.push_back(std::move(request));
  post(std::move(one));
}

std::future<SubmitOutcome> Runtime::submit(const std::string& book, std::vector<Order> orders) {
  auto promise = std::make_shared<std::promise<SubmitOutcome>>();
  auto future = promise->get_future();
  submit(book, std::move(orders),
         [promise](SubmitOutcome outcome) { promise->set_value(std::move(outcome)); });
  return future;
}

SubmitOutcome Runtime::positions(const std::string& book) { return submit(book, {}).get(); }

std::uint64_t Runtime::subscribe(EventCallback callback) {
  std::lock_guard<std::mutex> lock(impl_->subscribers_mutex);
  const auto id = impl_->next_subscriber++;
  impl_->subscribers.emplace(id, std::move(callback));
  return id;
}

void Runtime::unsubscribe(std::uint64_t id) {
  std::lock_guard<std::mutex> lock(impl_->subscribers_mutex);
  impl_->subscribers.erase(id);
}

}  // namespace tightloop
