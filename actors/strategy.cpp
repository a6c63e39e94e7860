#include "actors/strategy.hpp"

#include <memory>

namespace tightloop {

namespace {

using Self = strategy_actor::stateful_pointer<StrategyState>;

struct Collect {
  StreamResult result;
  std::size_t pending = 0;
  Promise<StreamResult> promise;
  CafError error;

  void arrive() {
    if (--pending > 0) return;
    if (error)
      promise.deliver(error);
    else
      promise.deliver(std::move(result));
  }
};

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
        auto collect = std::make_shared<Collect>();
        collect->promise = self->make_response_promise<StreamResult>();
        collect->result.entries.resize(state.stream.size());
        auto timeout = millis(state.timeout_ms);
        auto on_error = [collect](const CafError& error) {
          if (!collect->error) collect->error = error;
          collect->arrive();
        };
        auto& stream = state.stream;
        std::size_t i = 0;
        while (i < stream.size()) {
          const auto first = i;
          switch (stream[i].kind) {
            case StreamEntryKind::refresh:
              ++collect->pending;
              self->request(state.manager, timeout, refresh_atom::value)
                  .then(
                      [collect, first](RefreshResult& refresh) {
                        collect->result.entries[first].refresh = std::move(refresh);
                        collect->arrive();
                      },
                      on_error);
              ++i;
              continue;
            case StreamEntryKind::market:
              ++collect->pending;
              self->request(state.manager, timeout, market_atom::value,
                            std::move(stream[i].market))
                  .then([collect](bool) { collect->arrive(); }, on_error);
              ++i;
              continue;
            case StreamEntryKind::order:
              break;
          }
          std::vector<Order> batch;
          while (i < stream.size() && stream[i].kind == StreamEntryKind::order)
            batch.push_back(std::move(stream[i++].order));
          ++collect->pending;
          self->request(state.manager, timeout, submit_atom::value, std::move(batch))
              .then(
                  [collect, first](BookResult& result) {
                    for (std::size_t k = 0; k < result.results.size(); ++k)
                      collect->result.entries[first + k].order = std::move(result.results[k]);
                    collect->arrive();
                  },
                  on_error);
        }
        ++collect->pending;
        self->request(state.manager, timeout, submit_atom::value, std::vector<Order>{})
            .then(
                [collect](BookResult& result) {
                  collect->result.book = std::move(result);
                  collect->arrive();
                },
                on_error);
        stream.clear();
        return collect->promise;
      },
  };
}

}  // namespace tightloop
