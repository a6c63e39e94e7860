// The tightloop daemon entry: everything lives in run_cli so that tests can drive it too.
#include <iostream>

#include "runtime/cli.hpp"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  return tightloop::run_cli(argc, argv, std::cout, std::cerr);
}
