// tightloop's public API in one include: `#include <tightloop/tightloop.hpp>` (installed as
// include/tightloop/tightloop.hpp; the headers below keep the source tree's relative paths
// under include/tightloop/, which the exported targets and tightloop.pc put on the include
// path).
#pragma once

#include "config/config.hpp"           // Config, VenueConfig, BookConfig, MarketData
#include "config/config_loader.hpp"    // load_config_file, load_config_text, parse_config
#include "messages/amount.hpp"         // Amount, parse_amount, format
#include "messages/order.hpp"          // Order, Operation, Side
#include "messages/order_json.hpp"     // decode_order: an order from its JSON wire form
#include "messages/order_result.hpp"   // OrderResult, BookResult
#include "messages/result_json.hpp"    // results as the binary prints them
#include "runtime/log_sinks.hpp"       // init_logging: the binary's stderr or file sink
#include "runtime/runtime.hpp"         // Runtime: the actor system and its books
