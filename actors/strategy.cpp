#include "actors/strategy.hpp"

#include <memory>

#include "actors/join.hpp"

namespace tightloop {

namespace {

using Self = strategy_actor::stateful_pointer<StrategyState>;

}  // namespace

strategy_actor::behavior_type stream_strategy(Self self, std::vector<StreamEntry> stream,
                                              execution_manager_actor manager,
                                              std::int64_t timeout_ms) {
  self->state.stream = std::move(stream);
  self->state.manager = std::move(manager);
  self->state.timeout_ms = timeout_ms;
  return {
      [self](run_atom) -> Promise<StreamResult> {
        // Runs of orders go as one batch each, events one by one, all sent at once: the
        // execution manager takes them in this order. A final empty batch reports positions.
        auto& state = self->state;
        auto& stream = state.stream;
        auto promise = self->make_response_promise<StreamResult>();
        auto result = std::make_shared<StreamResult>();
        result->entries.resize(stream.size());
        // One request per event, one per run of orders, one final empty batch.
        std::size_t requests = 1;
        for (std::size_t i = 0; i < stream.size(); ++i)
          if (stream[i].kind != StreamEntryKind::order || i == 0 ||
              stream[i - 1].kind != StreamEntryKind::order)
            ++requests;
        auto join = Join::expect(requests, [promise, result](const CafError& error) mutable {
          if (error)
            promise.deliver(error);
          else
            promise.deliver(std::move(*result));
        });
        auto timeout = millis(state.timeout_ms);
        auto on_error = [join](const CafError& error) { join->fail(error); };
        std::size_t i = 0;
        while (i < stream.size()) {
          const auto first = i;
          switch (stream[i].kind) {
            case StreamEntryKind::refresh:
              self->request(state.manager, timeout, refresh_atom::value)
                  .then(
                      [join, result, first](RefreshResult& refresh) {
                        result->entries[first].refresh = std::move(refresh);
                        join->arrive();
                      },
                      on_error);
              ++i;
              continue;
            case StreamEntryKind::market:
              self->request(state.manager, timeout, market_atom::value,
                            std::move(stream[i].market))
                  .then([join](bool) { join->arrive(); }, on_error);
              ++i;
              continue;
            case StreamEntryKind::order:
              break;
          }
          std::vector<Order> batch;
          while (i < stream.size() && stream[i].kind == StreamEntryKind::order)
            batch.push_back(std::move(stream[i++].order));
          self->request(state.manager, timeout, submit_atom::value, std::move(batch))
              .then(
                  [join, result, first](BookResult& book) {
                    for (std::size_t k = 0; k < book.results.size(); ++k)
                      result->entries[first + k].order = std::move(book.results[k]);
                    join->arrive();
                  },
                  on_error);
        }
        self->request(state.manager, timeout, submit_atom::value, std::vector<Order>{})
            .then(
                [join, result](BookResult& book) {
                  result->book = std::move(book);
                  join->arrive();
                },
                on_error);
        stream.clear();
        return promise;
      },
  };
}

}  // namespace tightloop
