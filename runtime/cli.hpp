// The `tightloop` command line (CLI11): run, serve, error-codes, order-format, --help,
// --version. Exit codes: 0 done (failed orders included), 2 bad command line (CLI-001, every
// parse error), config or orders file (nothing executed), 3 a book halted, 4 the results could
// not be written (OUT-001).
#pragma once

#include <iosfwd>

namespace tightloop {

inline constexpr int exit_ok = 0;
inline constexpr int exit_bad_input = 2;
inline constexpr int exit_book_halted = 3;
inline constexpr int exit_output_failed = 4;

// `run --orders -` reads std::cin.
int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);
// The same with `in` as standard input.
int run_cli(int argc, const char* const* argv, std::istream& in, std::ostream& out,
            std::ostream& err);

}  // namespace tightloop
