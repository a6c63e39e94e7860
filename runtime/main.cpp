// The tightloop daemon entry: everything lives in run_cli so that tests can drive it too.
#include <csignal>
#include <iostream>

#include "runtime/cli.hpp"

int main(int argc, char** argv) {
  // A closed pipe must come back as a write error (OUT-001, exit 4), not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  std::ios::sync_with_stdio(false);
  return tightloop::run_cli(argc, argv, std::cout, std::cerr);
}
