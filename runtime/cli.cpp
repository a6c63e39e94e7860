#include "runtime/cli.hpp"

#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "config/config_loader.hpp"
#include "config/orders_file.hpp"
#include "messages/error_code.hpp"
#include "messages/json_number.hpp"
#include "messages/order_json.hpp"
#include "runtime/batch_job.hpp"
#include "runtime/daemon.hpp"
#include "runtime/log_sinks.hpp"
#include "runtime/stream_job.hpp"
#include "runtime/table_format.hpp"

namespace tightloop {

namespace {

constexpr const char* synopsis_text =
    "usage: tightloop run --config FILE --orders FILE|- [--format json|table]\n"
    "                     [--amounts numbers|strings]\n"
    "       tightloop serve --config FILE [--listen HOST:PORT]\n"
    "       tightloop error-codes | order-format\n"
    "       tightloop --help | --version | COMMAND --help\n";

constexpr const char* description_text =
    "tightloop: an actor runtime that executes trading orders across crypto venues and keeps\n"
    "positions exact.\n"
    "\n"
    "usage: tightloop run --config FILE --orders FILE|- [--format json|table]\n"
    "                     [--amounts numbers|strings]\n"
    "       tightloop serve --config FILE [--listen HOST:PORT]\n"
    "       tightloop error-codes | order-format\n"
    "       tightloop --help | --version | COMMAND --help";

// The top level's usage is the synopsis in its description; a command's is CLI11's.
class Formatter : public CLI::Formatter {
 public:
  std::string make_usage(const CLI::App* app, std::string name) const override {
    return app->get_parent() ? CLI::Formatter::make_usage(app, std::move(name)) : "";
  }
};

constexpr const char* footer_text =
    "exit codes: 0 done (failed orders included), 2 bad command line (CLI-001), config or\n"
    "orders file (nothing executed; on standard input: a line was refused), 3 a book halted\n"
    "(reconciliation failed), 4 the results could not be written to stdout (OUT-001)";

int usage_error(std::ostream& err, const std::string& message) {
  err << "tightloop: " << Failure{ErrorCode::cli_usage, message}.describe() << "\n"
      << synopsis_text;
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

struct RunArgs {
  std::string config, orders;
  std::string amounts = "numbers";
  std::string format = "json";
};

struct ServeArgs {
  std::string config, listen;
};

// A value must not be empty; `choices` (when given): one of them, spelled exactly.
// (CLI11 puts the option's name in front of the message.)
CLI::Validator value_check(std::vector<std::string> choices = {}) {
  return CLI::Validator(
      [choices = std::move(choices)](std::string& value) -> std::string {
        if (choices.empty()) return value.empty() ? "needs a value" : "";
        for (const auto& choice : choices)
          if (value == choice) return "";
        std::string list;
        for (std::size_t i = 0; i < choices.size(); ++i)
          list += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + choices[i];
        return "must be " + list + ", got '" + value + "'";
      },
      "");
}

// Every option: given at most once (which one would win is a guess), its value checked.
CLI::Option* once(CLI::Option* option, CLI::Validator check) {
  return option->multi_option_policy(CLI::MultiOptionPolicy::Throw)->check(std::move(check));
}

// CLI11's parse errors in our words where it helps: the unknown word (command, option,
// argument) is named, an option given twice says so; everything else keeps CLI11's message.
std::string describe(const CLI::ParseError& error, const CLI::App& app, int argc) {
  const std::string what = error.what();
  if (argc <= 1) return "missing command";
  const auto commands = app.get_subcommands();
  if (commands.empty()) {
    const auto rest = app.remaining();
    if (!rest.empty()) {
      const auto& word = rest.front();
      return (word.rfind("-", 0) == 0 ? "unknown option '" : "unknown command '") + word + "'";
    }
    return what;
  }
  const auto& command = *commands.front();
  const auto rest = command.remaining();
  if (!rest.empty()) return command.get_name() + ": unknown argument '" + rest.front() + "'";
  // MultiOptionPolicy::Throw: "--config: At Most 1 required but received 2"
  const auto twice = what.find(": At Most 1 required but received ");
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&error) && twice != std::string::npos)
    return command.get_name() + ": " + what.substr(0, twice) +
           " given more than once (which one would win is a guess)";
  return command.get_name() + ": " + what;
}

int run_command(const RunArgs& args, std::istream& in, std::ostream& out, std::ostream& err) {
  const auto amounts = args.amounts == "strings" ? AmountStyle::strings : AmountStyle::numbers;
  const auto format = args.format == "table" ? RunFormat::table : RunFormat::json;
  const bool from_stdin = args.orders == "-";

  auto loaded = load_config_file(args.config);
  if (!loaded.ok()) {
    err << "tightloop: " << loaded.failure.describe() << "\n";
    return exit_bad_input;
  }
  OrdersFile orders;
  if (!from_stdin) {
    orders = read_orders_file(args.orders);
    if (orders.failure.failed()) {
      err << "tightloop: " << orders.failure.describe() << "\n";
      return exit_bad_input;
    }
  }
  if (auto failure = init_logging(loaded.config.log.level, loaded.config.log.file)) {
    err << "tightloop: " << failure->describe() << "\n";
    return exit_bad_input;
  }

  if (from_stdin) {
    auto result = run_stream_job(loaded.config, in, out, amounts, format);
    if (result.output_failed) return written(out, err, exit_output_failed);
    if (result.input_failed)
      err << "tightloop: "
          << Failure{ErrorCode::inp_unreadable, "standard input could not be read to its end"}
                 .describe()
          << "\n";
    const int code = !result.halted_books.empty()                        ? exit_book_halted
                     : result.refused_lines > 0 || result.input_failed ? exit_bad_input
                                                                         : exit_ok;
    return written(out, err, code);
  }

  auto output = run_batch_job(loaded.config, orders, amounts, format == RunFormat::table);
  if (output.failure.failed()) {
    output.failure.message = "orders file '" + args.orders + "': " + output.failure.message;
    err << "tightloop: " << output.failure.describe() << "\n";
    return exit_bad_input;
  }
  if (format == RunFormat::table)
    write_table(out, output.orders, output.books);
  else
    for (const auto& line : output.lines) out << dump_json(line) << '\n';
  return written(out, err, output.halted_books.empty() ? exit_ok : exit_book_halted);
}

}  // namespace

int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  return run_cli(argc, argv, std::cin, out, err);
}

int run_cli(int argc, const char* const* argv, std::istream& in, std::ostream& out,
            std::ostream& err) {
  CLI::App app{description_text, "tightloop"};
  app.formatter(std::make_shared<Formatter>());
  app.footer(footer_text);
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("tightloop ") + TIGHTLOOP_VERSION,
                       "print the version and exit");

  RunArgs run_args;
  auto* run = app.add_subcommand(
      "run", "execute orders from a file or standard input; results as JSON Lines or a table");
  once(run->add_option("--config", run_args.config, "the config file (config/README.md)"),
       value_check())
      ->required()
      ->type_name("FILE");
  once(run->add_option("--orders", run_args.orders,
                       "a JSON array or JSON Lines file; - : JSON Lines from stdin, each line "
                       "run as it arrives"),
       value_check())
      ->required()
      ->type_name("FILE|-");
  once(run->add_option("--format", run_args.format,
                       "json (default): a JSON line per entry, then the positions; table: a "
                       "summary"),
       value_check({"json", "table"}))
      ->type_name("json|table");
  once(run->add_option("--amounts", run_args.amounts,
                       "JSON amounts as numbers (default) or strings (for binary64 parsers)"),
       value_check({"numbers", "strings"}))
      ->type_name("numbers|strings");

  ServeArgs serve_args;
  auto* serve = app.add_subcommand("serve", "run the HTTP daemon (README.md \"tightloop serve\")");
  once(serve->add_option("--config", serve_args.config, "the config file (config/README.md)"),
       value_check())
      ->required()
      ->type_name("FILE");
  once(serve->add_option("--listen", serve_args.listen,
                         "default: the config's server address and port"),
       value_check())
      ->type_name("HOST:PORT");

  serve->footer(
      "exit codes: 0 stopped cleanly (SIGTERM, SIGINT), 2 bad command line (CLI-001), config,\n"
      "listen address or token (a coded message, nothing started)");

  auto* codes = app.add_subcommand("error-codes", "print the error code registry (Markdown)");
  auto* format = app.add_subcommand(
      "order-format", "print the order wire format: fields, types, rules, codes (Markdown)");
  auto* help = app.add_subcommand("help", "print this help")->group("");
  for (auto* command : {codes, format, help})
    command->footer("exit codes: 0 printed, 4 stdout could not be written (OUT-001)");

  // CLI11 reads `--config=` as --config without a value and takes the next word for it.
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.size() > 3 && arg.rfind("--", 0) == 0 && arg.find('=') == arg.size() - 1)
      return usage_error(err, arg.substr(0, arg.size() - 1) + " needs a value");
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return written(out, err, exit_ok);
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return written(out, err, exit_ok);
  } catch (const CLI::CallForVersion& version) {
    out << version.what() << "\n";
    return written(out, err, exit_ok);
  } catch (const CLI::ParseError& error) {
    return usage_error(err, describe(error, app, argc));
  }

  if (*help) {  // app.help() would print the help of the `help` command
    out << app.get_formatter()->make_help(&app, app.get_name(), CLI::AppFormatMode::Normal);
    return written(out, err, exit_ok);
  }
  if (*codes) {
    out << error_codes_markdown();
    return written(out, err, exit_ok);
  }
  if (*format) {
    out << order_format_markdown();
    return written(out, err, exit_ok);
  }
  if (*serve) return run_serve(ServeOptions{serve_args.config, serve_args.listen}, err);
  return run_command(run_args, in, out, err);
}

}  // namespace tightloop
