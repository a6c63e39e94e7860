// `tightloop serve`: the daemon. An HTTP/JSON API (Boost.Beast, on its own I/O thread) in front
// of a Runtime; requests reach the books through the runtime's ingress actor in batches.
// README.md "tightloop serve" documents the routes, config, signals and exit codes.
#pragma once

#include <iosfwd>
#include <string>

namespace tightloop {

struct ServeOptions {
  std::string config_path;
  std::string listen;  // "HOST:PORT"; empty: the config's server.address and server.port
};

// Runs until SIGTERM or SIGINT (a second one exits at once). Exit codes: 0 stopped cleanly,
// 2 bad config, listen address or token (a coded message on `err`, nothing started).
int run_serve(const ServeOptions& options, std::ostream& err);

}  // namespace tightloop
