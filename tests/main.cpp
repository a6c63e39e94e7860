// doctest's main, after installing the runtime's log sink on stderr (as the binary does), so
// that log lines from actors under test read like the daemon's.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "runtime/log_sinks.hpp"

int main(int argc, char** argv) {
  tightloop::init_logging("info", "");
  return doctest::Context(argc, argv).run();
}
