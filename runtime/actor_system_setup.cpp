#include "runtime/actor_system_setup.hpp"

#include <thread>

#include "messages/apply_outcome.hpp"
#include "messages/book_status.hpp"
#include "messages/book_stream.hpp"
#include "messages/fault_spec.hpp"
#include "messages/execution_delta.hpp"
#include "messages/execution_handshake.hpp"
#include "messages/failure.hpp"
#include "messages/market_data.hpp"
#include "messages/order.hpp"
#include "messages/order_result.hpp"
#include "messages/settlement.hpp"

namespace tightloop {

std::size_t scheduler_threads_for(const SchedulerConfig& scheduler) {
  if (scheduler.threads > 0) return static_cast<std::size_t>(scheduler.threads);
  auto cores = std::thread::hardware_concurrency();
  return cores == 0 ? 1 : cores;
}

std::unique_ptr<ActorSystemConfig> make_actor_system_config(const SchedulerConfig& scheduler) {
  auto cfg = std::make_unique<ActorSystemConfig>();
  cfg->set("scheduler.max-threads", scheduler_threads_for(scheduler));
  cfg->set("scheduler.policy", scheduler.policy == "sharing" ? caf::atom("sharing")
                                                             : caf::atom("stealing"));
  // Needed once messages cross a process boundary (middleman) or get serialized.
  cfg->add_message_type<Order>("tightloop.Order");
  cfg->add_message_type<ExecutionHandshake>("tightloop.ExecutionHandshake");
  cfg->add_message_type<ExecutionDelta>("tightloop.ExecutionDelta");
  cfg->add_message_type<Failure>("tightloop.Failure");
  cfg->add_message_type<ApplyOutcome>("tightloop.ApplyOutcome");
  cfg->add_message_type<MarketData>("tightloop.MarketData");
  cfg->add_message_type<OrderResult>("tightloop.OrderResult");
  cfg->add_message_type<BookResult>("tightloop.BookResult");
  cfg->add_message_type<RefreshResult>("tightloop.RefreshResult");
  cfg->add_message_type<StreamEntry>("tightloop.StreamEntry");
  cfg->add_message_type<StreamResult>("tightloop.StreamResult");
  cfg->add_message_type<BookStatus>("tightloop.BookStatus");
  cfg->add_message_type<ResumeResult>("tightloop.ResumeResult");
  cfg->add_message_type<FaultSpec>("tightloop.FaultSpec");
  cfg->add_message_type<Settlement>("tightloop.Settlement");
  cfg->add_message_type<LegsResult>("tightloop.LegsResult");
  return cfg;
}

}  // namespace tightloop
