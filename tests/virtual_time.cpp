#include "tests/virtual_time.hpp"

#include <stdexcept>

#include "runtime/actor_system_setup.hpp"

namespace tightloop::test {

namespace detail {

void require_reply(bool ready, bool taken) {
  if (taken) throw std::logic_error("PendingReply::take: the reply was already taken");
  if (!ready)
    throw std::logic_error(
        "PendingReply::take: no reply yet (run() or advance_to_next_timer() first)");
}

}  // namespace detail

VirtualTime::VirtualTime() : VirtualTime(make_actor_system_config(SchedulerConfig{})) {}

VirtualTime::VirtualTime(std::unique_ptr<ActorSystemConfig> config) : config_(std::move(config)) {
  config_->set("scheduler.policy", caf::atom("testing"));
  system_ = std::make_unique<ActorSystem>(*config_);
  sched_ = &dynamic_cast<caf::scheduler::test_coordinator&>(system_->scheduler());
  self_.emplace(*system_);
}

VirtualTime::~VirtualTime() {
  shutdown();
  self_.reset();
  run();
  // Members go next: the system (its destructor waits for every actor), then the config.
}

std::size_t VirtualTime::run() { return sched_->run(); }

bool VirtualTime::advance_to_next_timer() {
  if (!sched_->trigger_timeout()) return false;
  run();
  return true;
}

VirtualTimePoint VirtualTime::now() const { return sched_->clock().now(); }

std::size_t VirtualTime::pending_timers() const { return sched_->clock().schedule().size(); }

void VirtualTime::track(const BookActors& book) {
  track(book.supervisor);  // first: killed before it sees its children go down and restarts them
  track(book.manager);
  track(book.updater);
  track(book.monitor);
  for (const auto& [name, venue] : book.venues) track(venue);
}

void VirtualTime::shutdown() {
  for (const auto& actor : tracked_) caf::anon_send_exit(actor, ExitReason::kill);
  tracked_.clear();
  run();
  sched_->clock().cancel_all();
  run();
}

}  // namespace tightloop::test
