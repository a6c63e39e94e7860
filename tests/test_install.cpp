// Installing and packaging (issue #12): `cmake --install` of this build tree, the example
// examples/embed built against the installed package (CMake and pkg-config), and the Debian
// packages from `cpack -G DEB` (lintian, Depends, the example against their contents).
// Real processes, each bounded by /usr/bin/timeout. Each case works in its own directory under
// <build>/test-install/ (ctest runs the cases in parallel), removed when the case reaches its
// end (a failed REQUIRE, e.g. a build that fails, leaves it for inspection).
// Slow for a unit test: the two install cases take ~6 s each (mostly the example's build), the
// package case ~20 s (cpack, lintian, the example). Skipped in the sanitizer build (build-asan/): its archives need -fsanitize at link
// time, which the installed targets do not carry, and the normal build runs these already.
#include <doctest/doctest.h>

#include <filesystem>
#include <sstream>

#include <unistd.h>

#include "tests/test_support.hpp"

using namespace tightloop::test;
namespace fs = std::filesystem;

namespace {

const std::string build_dir = TIGHTLOOP_BUILD_DIR;
const std::string source_dir = TIGHTLOOP_SOURCE_DIR;
const std::string cmake = TIGHTLOOP_CMAKE_COMMAND;
const std::string cpack = TIGHTLOOP_CPACK_COMMAND;
const std::string cxx = TIGHTLOOP_CXX_COMPILER;
const std::string timeout = "/usr/bin/timeout";
const std::string version = "0.1.0";
const std::string libdir = TIGHTLOOP_INSTALL_LIBDIR;  // "lib" unless configured otherwise

// What examples/embed/main.cpp prints for exact_config_json(): the three orders' statuses, the
// book's positions (every subscribed key, exact decimals) and its NAV.
const std::string expected_output =
    "order embed-1 executed\n"
    "order embed-2 executed\n"
    "order embed-3 failed VEN-001\n"
    "position aave:aToken:WETH 3.2\n"
    "position aave:aToken:weETH 0\n"
    "position aave:debtToken:WETH 0\n"
    "position binance:BaseToken:BTC 1.5\n"
    "position binance:BaseToken:USDT 69970\n"
    "position binance:Perp:BTCUSDT 0\n"
    "position wallet:BaseToken:USDC 5000\n"
    "position wallet:BaseToken:USDT 0\n"
    "position wallet:BaseToken:WETH 6\n"
    "position wallet:LST:weETH 0\n"
    "nav 184970\n";

bool skipped_under_sanitizers() {
  if (!TIGHTLOOP_SANITIZED) return false;
  MESSAGE("skipped in the sanitizer build: the installed archives would need -fsanitize when "
          "linking the example; build/ runs this test");
  return true;
}

// `argv` under `timeout --kill-after=10 <seconds>`, stdin from /dev/null. `package` names the
// Debian package bringing argv[0].
ProcessResult run_bounded(const std::vector<std::string>& argv, int seconds,
                          const std::string& package) {
  REQUIRE_MESSAGE(::access(argv[0].c_str(), X_OK) == 0,
                  argv[0] << " is missing: install the Debian package " << package
                          << " (scripts/install-deps does)");
  std::vector<std::string> bounded{timeout, "--kill-after=10", std::to_string(seconds)};
  bounded.insert(bounded.end(), argv.begin(), argv.end());
  return run_program(bounded, "/dev/null", "coreutils");
}

// Runs and REQUIREs exit 0, showing the command's output otherwise.
ProcessResult run_ok(const std::vector<std::string>& argv, int seconds,
                     const std::string& package) {
  auto result = run_bounded(argv, seconds, package);
  std::ostringstream command;
  for (const auto& a : argv) command << a << ' ';
  REQUIRE_MESSAGE(result.exit_code == 0, command.str() << "exited " << result.exit_code
                                                       << "\nstdout:\n" << result.out
                                                       << "\nstderr:\n" << result.err);
  return result;
}

// A fresh directory for one case; the destructor removes it only after passed() (called at
// the end of the case, which a failed REQUIRE never reaches).
class Workspace {
 public:
  explicit Workspace(const std::string& name)
      : path_(fs::path(build_dir) / "test-install" / name) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~Workspace() {
    if (!passed_) return;
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;
  fs::path operator/(const std::string& child) const { return path_ / child; }
  void passed() { passed_ = true; }

 private:
  fs::path path_;
  bool passed_ = false;
};

// `cmake --install <build> --prefix <prefix>`: what a user runs.
void install_into(const fs::path& prefix) {
  run_ok({cmake, "--install", build_dir, "--prefix", prefix.string()}, 300, "cmake");
}

std::vector<std::string> split_words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

// examples/embed configured and built against `prefix` only (CMAKE_PREFIX_PATH), then run on
// the exact config: its output, and that find_package found the package under `prefix`.
void build_and_run_example(const fs::path& prefix, const fs::path& build) {
  const std::string example = source_dir + "/examples/embed";
  auto configured = run_ok({cmake, "-S", example, "-B", build.string(),
                            "-DCMAKE_PREFIX_PATH=" + prefix.string(),
                            "-DCMAKE_CXX_COMPILER=" + cxx},
                           300, "cmake");
  CHECK_MESSAGE(configured.out.find("tightloop " + version + ": " + prefix.string()) !=
                    std::string::npos,
                configured.out);
  run_ok({cmake, "--build", build.string()}, 600, "cmake");
  TempFile config(exact_config_json().dump());
  auto run = run_ok({(build / "tightloop-embed").string(), config.path()}, 120, "tightloop");
  CHECK(run.out == expected_output);
}

}  // namespace

TEST_CASE("install: cmake --install lays out the package and examples/embed builds on it and runs") {
  if (skipped_under_sanitizers()) return;
  Workspace ws("cmake");
  const auto prefix = ws / "prefix";
  install_into(prefix);
  for (const char* file :
       {"bin/tightloop", "include/tightloop/tightloop.hpp", "include/tightloop/runtime/runtime.hpp",
        "include/tightloop/runtime/log_sinks.hpp", "include/tightloop/config/config_loader.hpp",
        "include/tightloop/messages/amount.hpp", "include/tightloop/actors/ingress_request.hpp",
        "LIB/libtightloop_model.a", "LIB/libtightloop_runtime.a",
        "LIB/cmake/tightloop/tightloopConfig.cmake",
        "LIB/cmake/tightloop/tightloopConfigVersion.cmake",
        "LIB/cmake/tightloop/tightloopTargets.cmake", "LIB/cmake/tightloop/FindCAF.cmake",
        "LIB/pkgconfig/tightloop.pc", "lib/systemd/system/tightloop.service",
        "share/doc/tightloop/README.md", "share/doc/tightloop/config/README.md",
        "share/doc/tightloop/docs/ORDER_FORMAT.md", "share/doc/tightloop/copyright",
        "share/doc/tightloop/changelog.gz", "share/doc/tightloop/examples/default.json",
        "share/doc/tightloop/examples/default-orders.jsonl",
        "share/doc/tightloop/examples/serve.json", "share/man/man1/tightloop.1.gz"}) {
    std::string relative = file;
    if (relative.rfind("LIB/", 0) == 0) relative = libdir + relative.substr(3);
    CHECK_MESSAGE(fs::exists(prefix / relative), relative);
  }
  // Only the public headers and what they include: no actor internals.
  CHECK_FALSE(fs::exists(prefix / "include/tightloop/actors/caf_aliases.hpp"));
  CHECK_FALSE(fs::exists(prefix / "include/tightloop/runtime/book.hpp"));
  build_and_run_example(prefix, ws / "build");
  ws.passed();
}

TEST_CASE("install: pkg-config --cflags --libs tightloop compiles and links the example") {
  if (skipped_under_sanitizers()) return;
  Workspace ws("pkg-config");
  const auto prefix = ws / "prefix";
  install_into(prefix);
  auto flags = run_ok({"/usr/bin/env", "PKG_CONFIG_PATH=" + (prefix / libdir / "pkgconfig").string(),
                       "/usr/bin/pkg-config", "--cflags", "--libs", "tightloop"},
                      30, "pkg-config");
  const auto binary = ws / "tightloop-embed";
  std::vector<std::string> compile{cxx, "-std=c++17", source_dir + "/examples/embed/main.cpp",
                                   "-o", binary.string()};
  for (auto& word : split_words(flags.out)) compile.push_back(word);
  run_ok(compile, 600, "g++");
  TempFile config(exact_config_json().dump());
  auto run = run_ok({binary.string(), config.path()}, 120, "tightloop");
  CHECK(run.out == expected_output);
  ws.passed();
}

TEST_CASE("install: cpack -G DEB makes lintian-clean packages and the example builds on them") {
  if (skipped_under_sanitizers()) return;
  Workspace ws("deb");
  const auto packages = ws / "packages";
  run_ok({cpack, "--config", build_dir + "/CPackConfig.cmake", "-G", "DEB", "-B",
          packages.string()},
         900, "cmake");
  const auto runtime_deb = packages / ("tightloop_" + version + "_amd64.deb");
  const auto dev_deb = packages / ("libtightloop-dev_" + version + "_amd64.deb");
  REQUIRE(fs::exists(runtime_deb));
  REQUIRE(fs::exists(dev_deb));

  // No errors; warnings are shown, not failed on (lintian exits 0 unless it finds errors).
  auto lint = run_bounded({"/usr/bin/lintian", "--no-tag-display-limit", runtime_deb.string(),
                           dev_deb.string()},
                          600, "lintian");
  MESSAGE("lintian:\n" << lint.out);
  for (const auto& line : split_lines(lint.out)) CHECK_MESSAGE(line.rfind("E: ", 0) != 0, line);
  CHECK_MESSAGE(lint.exit_code == 0, lint.err);

  auto runtime_info = run_ok({"/usr/bin/dpkg-deb", "-I", runtime_deb.string()}, 60, "dpkg");
  std::string depends;
  for (const auto& line : split_lines(runtime_info.out))
    if (line.rfind(" Depends: ", 0) == 0) depends = line;
  CHECK_MESSAGE(depends.find("libcaf-core0.17") != std::string::npos, runtime_info.out);
  // dpkg-shlibdeps names what the binary links (no libcaf-io0.17: the binary uses no CAF I/O).
  CHECK_MESSAGE(depends.find("libboost-log1.74.0") != std::string::npos, runtime_info.out);
  auto dev_depends = run_ok({"/usr/bin/dpkg-deb", "-f", dev_deb.string(), "Depends"}, 60, "dpkg");
  CHECK_MESSAGE(dev_depends.out.find("libcaf-dev") != std::string::npos, dev_depends.out);

  // Both packages' files, as dpkg would unpack them, used from <root>/usr.
  const auto root = ws / "root";
  run_ok({"/usr/bin/dpkg-deb", "-x", runtime_deb.string(), root.string()}, 120, "dpkg");
  run_ok({"/usr/bin/dpkg-deb", "-x", dev_deb.string(), root.string()}, 120, "dpkg");
  auto shipped = run_ok({(root / "usr/bin/tightloop").string(), "--version"}, 30, "tightloop");
  CHECK(shipped.out == "tightloop " + version + "\n");
  build_and_run_example(root / "usr", ws / "build");
  ws.passed();
}
