#include "runtime/cli.hpp"

#include <iostream>
#include <string>
#include <vector>

#include "config/config_loader.hpp"
#include "messages/error_code.hpp"
#include "messages/json_number.hpp"
#include "messages/order_json.hpp"
#include "runtime/batch_job.hpp"
#include "runtime/log_sinks.hpp"
#include "config/orders_file.hpp"

namespace tightloop {

namespace {

constexpr const char* usage_text =
    "usage: tightloop run --config FILE --orders FILE [--amounts numbers|strings]\n"
    "       tightloop error-codes | order-format\n"
    "       tightloop --help | --version\n"
    "\n"
    "run          execute the orders file, one batch per book, books in parallel;\n"
    "             stdout: one JSON line per order (its handshake and \"deltas\"), in input\n"
    "             order, then {\"positions\": ...}; amounts are exact decimals, JSON\n"
    "             numbers by default, strings with --amounts strings (for JSON parsers\n"
    "             that read numbers as binary64)\n"
    "error-codes  print the error code registry (Markdown)\n"
    "order-format print the order wire format: fields, types, rules, codes (Markdown)\n"
    "\n"
    "exit codes: 0 batch done (failed orders included), 2 bad command line, config or\n"
    "orders file (nothing executed), 3 a book halted (reconciliation failed), 4 the\n"
    "results could not be written to stdout\n";

int usage_error(std::ostream& err, const std::string& message) {
  err << "tightloop: " << Failure{ErrorCode::cli_usage, message}.describe() << "\n"
      << usage_text;
  return exit_bad_input;
}

// Everything on stdout must arrive: a full disk or a closed pipe is an error, not exit 0.
int written(std::ostream& out, std::ostream& err, int code) {
  out.flush();
  if (out) return code;
  err << "tightloop: "
      << Failure{ErrorCode::out_write_failed, "the results could not be written to stdout"}
             .describe()
      << "\n";
  return exit_output_failed;
}

int run_command(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string config_path, orders_path, amounts_text;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& arg = args[i];
    auto take_value = [&](std::string& into) {
      if (i + 1 >= args.size()) return false;
      into = args[++i];
      return true;
    };
    // A value given twice is refused: which one would win is a guess.
    auto set_once = [&](const char* name, std::string& into, std::string value,
                        const char* what = "a FILE") {
      if (!into.empty()) return usage_error(err, std::string(name) + " given twice");
      if (value.empty()) return usage_error(err, std::string(name) + " needs " + what);
      into = std::move(value);
      return exit_ok;
    };
    int status = exit_ok;
    if (arg == "--config" || arg == "--orders") {
      std::string value;
      if (!take_value(value)) return usage_error(err, arg + " needs a FILE");
      status = set_once(arg.c_str(), arg == "--config" ? config_path : orders_path, value);
    } else if (arg.rfind("--config=", 0) == 0) {
      status = set_once("--config", config_path, arg.substr(9));
    } else if (arg.rfind("--orders=", 0) == 0) {
      status = set_once("--orders", orders_path, arg.substr(9));
    } else if (arg == "--amounts") {
      std::string value;
      if (!take_value(value)) return usage_error(err, "--amounts needs numbers or strings");
      status = set_once("--amounts", amounts_text, value, "numbers or strings");
    } else if (arg.rfind("--amounts=", 0) == 0) {
      status = set_once("--amounts", amounts_text, arg.substr(10), "numbers or strings");
    } else {
      return usage_error(err, "unknown argument '" + arg + "'");
    }
    if (status != exit_ok) return status;
  }
  if (config_path.empty()) return usage_error(err, "run needs --config FILE");
  if (orders_path.empty()) return usage_error(err, "run needs --orders FILE");
  if (!amounts_text.empty() && amounts_text != "numbers" && amounts_text != "strings")
    return usage_error(err, "--amounts must be numbers or strings, got '" + amounts_text + "'");
  const auto amounts = amounts_text == "strings" ? AmountStyle::strings : AmountStyle::numbers;

  auto loaded = load_config_file(config_path);
  if (!loaded.ok()) {
    err << "tightloop: " << loaded.failure.describe() << "\n";
    return exit_bad_input;
  }
  auto orders = read_orders_file(orders_path);
  if (orders.failure.failed()) {
    err << "tightloop: " << orders.failure.describe() << "\n";
    return exit_bad_input;
  }
  if (auto failure = init_logging(loaded.config.log.level, loaded.config.log.file)) {
    err << "tightloop: " << failure->describe() << "\n";
    return exit_bad_input;
  }

  auto output = run_batch_job(loaded.config, orders, amounts);
  if (output.failure.failed()) {
    output.failure.message = "orders file '" + orders_path + "': " + output.failure.message;
    err << "tightloop: " << output.failure.describe() << "\n";
    return exit_bad_input;
  }
  for (const auto& line : output.lines) out << dump_json(line) << '\n';
  return written(out, err, output.halted_books.empty() ? exit_ok : exit_book_halted);
}

}  // namespace

int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return usage_error(err, "missing command");
  const auto& command = args.front();
  if (command == "--help" || command == "-h" || command == "help") {
    out << usage_text;
    return written(out, err, exit_ok);
  }
  if (command == "--version") {
    out << "tightloop " << TIGHTLOOP_VERSION << "\n";
    return written(out, err, exit_ok);
  }
  if (command == "error-codes") {
    out << error_codes_markdown();
    return written(out, err, exit_ok);
  }
  if (command == "order-format") {
    out << order_format_markdown();
    return written(out, err, exit_ok);
  }
  if (command == "run") {
    std::vector<std::string> rest(args.begin() + 1, args.end());
    for (const auto& arg : rest)
      if (arg == "--help" || arg == "-h") {
        out << usage_text;
        return written(out, err, exit_ok);
      }
    return run_command(rest, out, err);
  }
  return usage_error(err, "unknown command '" + command + "'");
}

}  // namespace tightloop
