#include "runtime/runtime.hpp"

#include <stdexcept>

#include "actors/strategy.hpp"
#include "runtime/actor_system_setup.hpp"
#include "runtime/book.hpp"

namespace tightloop {

struct Runtime::Impl {
  Config config;
  std::unique_ptr<ActorSystemConfig> system_config;
  std::unique_ptr<ActorSystem> system;
  std::map<std::string, BookActors, std::less<>> books;

  explicit Impl(Config cfg) : config(std::move(cfg)) {
    system_config = make_actor_system_config(config.scheduler);
    system = std::make_unique<ActorSystem>(*system_config);
    auto market = std::make_shared<const MarketData>(config.market);
    for (const auto& book : config.books)
      books.emplace(book.name, spawn_book(*system, config, book, market));
  }

  ~Impl() {
    for (auto& [name, book] : books) stop_book(book);
    books.clear();
    system.reset();  // waits for every actor
  }

  BookActors& book(const std::string& name) {
    auto it = books.find(name);
    if (it == books.end()) throw std::invalid_argument("unknown book '" + name + "'");
    return it->second;
  }

  venue_actor venue(const std::string& book_name, const std::string& venue_name) {
    auto& actors = book(book_name);
    auto it = actors.venues.find(venue_name);
    if (it == actors.venues.end())
      throw std::invalid_argument("unknown venue '" + venue_name + "'");
    return it->second;
  }

  // Each order can take a venue timeout plus an update timeout: the bound is finite.
  caf::duration batch_timeout(std::size_t orders) const {
    const auto per_order_ms = 3 * config.venue_timeout_ms;
    return millis(static_cast<std::int64_t>(orders + 1) * per_order_ms + 60000);
  }
};

Runtime::Runtime(Config config) : impl_(std::make_unique<Impl>(std::move(config))) {}

Runtime::~Runtime() = default;

const Config& Runtime::config() const { return impl_->config; }

std::size_t Runtime::scheduler_threads() const {
  return scheduler_threads_for(impl_->config.scheduler);
}

std::map<std::string, BookResult> Runtime::run(
    std::map<std::string, std::vector<Order>> orders_by_book) {
  ScopedActor self{*impl_->system};
  struct Running {
    std::string book;
    strategy_actor strategy;
    std::size_t orders;
  };
  std::vector<Running> running;
  for (auto& [name, orders] : orders_by_book) {
    auto& actors = impl_->book(name);
    auto count = orders.size();
    running.push_back(
        {name, impl_->system->spawn(order_list_strategy, std::move(orders), actors.manager),
         count});
  }
  // Every book starts before we wait for the first answer: books run concurrently.
  std::vector<decltype(self->request(running.front().strategy, caf::infinite, run_atom::value))>
      requests;
  for (auto& r : running)
    requests.push_back(
        self->request(r.strategy, impl_->batch_timeout(r.orders), run_atom::value));
  std::map<std::string, BookResult> results;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    requests[i].receive(
        [&](BookResult& result) { results.emplace(running[i].book, std::move(result)); },
        [&](const CafError& error) {
          throw std::runtime_error("book " + running[i].book +
                                   " did not finish: " + impl_->system->render(error));
        });
    caf::anon_send_exit(running[i].strategy, ExitReason::user_shutdown);
  }
  return results;
}

BookResult Runtime::run_book(const std::string& book, std::vector<Order> orders) {
  std::map<std::string, std::vector<Order>> one;
  one.emplace(book, std::move(orders));
  return std::move(run(std::move(one)).at(book));
}

std::map<std::string, double> Runtime::venue_balances(const std::string& book,
                                                      const std::string& venue) {
  ScopedActor self{*impl_->system};
  std::map<std::string, double> result;
  self->request(impl_->venue(book, venue), millis(impl_->config.venue_timeout_ms),
                snapshot_atom::value)
      .receive([&](Balances& balances) { result = std::move(balances); },
               [&](const CafError& error) {
                 throw std::runtime_error("venue " + venue + ": " + impl_->system->render(error));
               });
  return result;
}

bool Runtime::adjust_venue_balance(const std::string& book, const std::string& venue,
                                   const std::string& key, double delta_amount) {
  ScopedActor self{*impl_->system};
  bool held = false;
  self->request(impl_->venue(book, venue), millis(impl_->config.venue_timeout_ms),
                adjust_atom::value, key, delta_amount)
      .receive([&](bool ok) { held = ok; },
               [&](const CafError& error) {
                 throw std::runtime_error("venue " + venue + ": " + impl_->system->render(error));
               });
  return held;
}

}  // namespace tightloop
