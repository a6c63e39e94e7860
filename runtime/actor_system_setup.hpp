// Actor system configuration from the runtime's config.
#pragma once

#include <cstddef>
#include <memory>

#include "config/config.hpp"
#include "actors/caf_aliases.hpp"

namespace tightloop {

// Scheduler threads: config value, or one per core when 0 (CAF's own default of max(4, cores)
// costs a quarter of one book's throughput on a 2-core machine).
std::size_t scheduler_threads_for(const SchedulerConfig& scheduler);

std::unique_ptr<ActorSystemConfig> make_actor_system_config(const SchedulerConfig& scheduler);

}  // namespace tightloop
