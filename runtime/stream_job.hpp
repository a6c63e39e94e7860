// `tightloop run --orders -`: orders from standard input, each line run as it arrives.
//
// One Runtime for the whole session. Each line (JSON Lines only) is decoded, routed and run by
// the same steps as an orders file (runtime/batch_job.hpp), and its result line is written and
// flushed as soon as it is done. Consecutive lines of one atomic group are collected until the
// group ends (a line that is not a member, or the end of input) and run together. At the end
// of input: the positions line, as for a file. A line that is not JSON, not an object or a
// malformed event is answered with an error line ({"error_code", "error_message", "line"})
// and the stream goes on (README.md "Orders on standard input").
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "messages/json_number.hpp"
#include "runtime/table_format.hpp"

namespace tightloop {

struct StreamJobResult {
  std::vector<std::string> halted_books;  // at the end
  std::size_t refused_lines = 0;          // answered with an error line
  bool input_failed = false;   // reading `in` failed (not its end): stopped there
  bool output_failed = false;  // a write to `out` failed: stopped there, nothing more read
};

// With RunFormat::table nothing is written until the end of input, then the summary table.
StreamJobResult run_stream_job(const Config& config, std::istream& in, std::ostream& out,
                               AmountStyle amounts, RunFormat format);

}  // namespace tightloop
