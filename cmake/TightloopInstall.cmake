# Install and package (issue #12): `cmake --install <build> --prefix P` and `cpack -G DEB`.
# Included at the end of the top-level CMakeLists.txt, after every target exists.
#
# Layout under the prefix (lib/ is CMAKE_INSTALL_LIBDIR: lib/x86_64-linux-gnu when configured
# with CMAKE_INSTALL_PREFIX=/usr):
#   bin/tightloop
#   include/tightloop/tightloop.hpp          the umbrella: #include <tightloop/tightloop.hpp>
#   include/tightloop/{messages,config,runtime,actors}/*.hpp
#                                            the public headers and what they include, at their
#                                            source-tree paths; include/tightloop is on the
#                                            consumer's include path so that their
#                                            #include "messages/order.hpp" lines resolve
#   lib/libtightloop_model.a, lib/libtightloop_runtime.a
#   lib/cmake/tightloop/                     tightloopConfig.cmake, ...ConfigVersion.cmake,
#                                            tightloopTargets*.cmake, FindCAF.cmake
#   lib/pkgconfig/tightloop.pc
#   lib/systemd/system/tightloop.service
#   share/doc/tightloop/                     README.md, docs/{ORDER_FORMAT.md,openapi.json},
#                                            config/README.md, actors/venues/README.md,
#                                            messages/ERROR_CODES.md, copyright, changelog.gz,
#                                            examples/{default.json,default-orders.jsonl,serve.json}
#   share/doc/libtightloop-dev/              copyright, changelog.gz (the -dev package's own)
#   share/man/man1/tightloop.1.gz
#
# Static libraries, not shared: tightloop is 0.x and its headers change every week (the
# structs in messages/ are the API), so a shared library would promise an ABI and a soname it
# cannot keep. Static archives promise nothing beyond the source API; the price is that the
# consumer links tightloop's dependencies itself. The exported targets carry them as
# INTERFACE_LINK_LIBRARIES (CAF::core, CAF::io, Boost::log, Boost::log_setup,
# nlohmann_json::nlohmann_json, Boost::headers, Threads::Threads), tightloopConfig.cmake finds
# them, and tightloop.pc lists them in Libs. The header-only CLI11 is the binary's alone and is
# not exported.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(TIGHTLOOP_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/tightloop")
set(TIGHTLOOP_INSTALL_HEADERDIR "${CMAKE_INSTALL_INCLUDEDIR}/tightloop")
set(TIGHTLOOP_INSTALL_DOCDIR "${CMAKE_INSTALL_DATAROOTDIR}/doc/tightloop")
set(TIGHTLOOP_INSTALL_DEV_DOCDIR "${CMAKE_INSTALL_DATAROOTDIR}/doc/libtightloop-dev")
# Relative to the prefix (P/lib/systemd/system; /usr/lib/systemd/system in the package).
set(TIGHTLOOP_INSTALL_SYSTEMDDIR "lib/systemd/system" CACHE STRING
    "Where the systemd unit is installed, relative to the prefix")
set(TIGHTLOOP_PACKAGE_MAINTAINER
    "tightloop maintainers <maintainers@users.noreply.b-seed-d2c372cd.example>" CACHE STRING
    "The Debian package's Maintainer field")

# --- targets as consumers see them -------------------------------------------------------
# tightloop::tightloop (everything), tightloop::runtime, tightloop::model. The binary is
# `tightloop`, so the umbrella target is tightloop_all with the export name `tightloop`.
set_target_properties(tightloop_model PROPERTIES EXPORT_NAME model)
set_target_properties(tightloop_runtime PROPERTIES EXPORT_NAME runtime)
target_include_directories(tightloop_model PUBLIC
  $<INSTALL_INTERFACE:${TIGHTLOOP_INSTALL_HEADERDIR}>)
# The umbrella header lives in packaging/; in the build tree it is copied to
# <build>/include/tightloop/ so that <tightloop/tightloop.hpp> works there as well.
configure_file(packaging/tightloop.hpp
               ${CMAKE_CURRENT_BINARY_DIR}/include/tightloop/tightloop.hpp COPYONLY)
add_library(tightloop_all INTERFACE)
set_target_properties(tightloop_all PROPERTIES EXPORT_NAME tightloop)
target_link_libraries(tightloop_all INTERFACE tightloop_runtime tightloop_model)
target_include_directories(tightloop_all INTERFACE
  $<BUILD_INTERFACE:${CMAKE_CURRENT_BINARY_DIR}/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
add_library(tightloop::tightloop ALIAS tightloop_all)
add_library(tightloop::runtime ALIAS tightloop_runtime)
add_library(tightloop::model ALIAS tightloop_model)

# --- component dev: libraries, headers, CMake package, pkg-config --------------------------
install(TARGETS tightloop_model tightloop_runtime tightloop_all
        EXPORT tightloopTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
# `cmake --install --strip` and CPACK_STRIP_FILES strip the binary but leave static archives
# alone (CMake keeps their symbol table); without this the archives would ship ~200 MB of
# debug info. --strip-debug keeps the symbols, as Debian's dh_strip does for static libraries.
install(CODE "
  if(CMAKE_INSTALL_DO_STRIP)
    foreach(archive $<TARGET_FILE_NAME:tightloop_model> $<TARGET_FILE_NAME:tightloop_runtime>)
      execute_process(COMMAND \"${CMAKE_STRIP}\" --strip-debug --enable-deterministic-archives
                        --remove-section=.comment --remove-section=.note
                        \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/\${archive}\"
                      COMMAND_ERROR_IS_FATAL ANY)
    endforeach()
  endif()" COMPONENT dev)
install(EXPORT tightloopTargets NAMESPACE tightloop::
        DESTINATION ${TIGHTLOOP_INSTALL_CMAKEDIR} COMPONENT dev)
configure_package_config_file(cmake/tightloopConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/packaging/tightloopConfig.cmake
  INSTALL_DESTINATION ${TIGHTLOOP_INSTALL_CMAKEDIR})
# 0.x: a minor version may break the API, so only the same major.minor is compatible.
write_basic_package_version_file(
  ${CMAKE_CURRENT_BINARY_DIR}/packaging/tightloopConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/packaging/tightloopConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/packaging/tightloopConfigVersion.cmake
              cmake/FindCAF.cmake
        DESTINATION ${TIGHTLOOP_INSTALL_CMAKEDIR} COMPONENT dev)

# The public API: these headers and, found when installing (cmake/TightloopHeaders.cmake),
# every project header they include, so a new #include needs no change here.
set(TIGHTLOOP_PUBLIC_HEADERS
  runtime/runtime.hpp runtime/log_sinks.hpp config/config_loader.hpp
  messages/order_json.hpp messages/result_json.hpp)
install(CODE "
  include(\"${CMAKE_CURRENT_SOURCE_DIR}/cmake/TightloopHeaders.cmake\")
  tightloop_install_header_closure(\"${CMAKE_CURRENT_SOURCE_DIR}\" \"${TIGHTLOOP_INSTALL_HEADERDIR}\"
    ${TIGHTLOOP_PUBLIC_HEADERS})" COMPONENT dev)
install(FILES packaging/tightloop.hpp DESTINATION ${TIGHTLOOP_INSTALL_HEADERDIR} COMPONENT dev)

# pkg-config: the archives, then what they need, in link order (tests/test_install.cpp links
# the example with exactly these flags). The same libraries as the exported targets' links:
# today the archives reference libcaf_core, libboost_log and libboost_thread (log_sinks.cpp uses
# Boost.Thread's thread-specific storage directly); -lcaf_io and -lboost_log_setup cost nothing
# while unused (Debian's gcc links --as-needed). Boost.Log's own dependencies (filesystem, ...)
# come in through libboost_log.so's DT_NEEDED.
set(TIGHTLOOP_PC_DEPENDENCY_LIBS "-lcaf_io -lcaf_core -lboost_log_setup -lboost_log -lboost_thread -lpthread")
# tightloop.pc finds the prefix from its own directory, <prefix>/<libdir>/pkgconfig.
file(RELATIVE_PATH TIGHTLOOP_PC_PREFIX_FROM_PCFILEDIR
     "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
string(REGEX REPLACE "/$" "" TIGHTLOOP_PC_PREFIX_FROM_PCFILEDIR "${TIGHTLOOP_PC_PREFIX_FROM_PCFILEDIR}")
configure_file(packaging/tightloop.pc.in ${CMAKE_CURRENT_BINARY_DIR}/packaging/tightloop.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/packaging/tightloop.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)

# --- component runtime: the binary, its unit, documents ----------------------------------
install(TARGETS tightloop RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
install(FILES scripts/tightloop.service DESTINATION ${TIGHTLOOP_INSTALL_SYSTEMDDIR}
        COMPONENT runtime)
# The documents at their source-tree paths, so that README.md's relative links still work.
foreach(document README.md docs/ORDER_FORMAT.md docs/openapi.json config/README.md
                 actors/venues/README.md messages/ERROR_CODES.md)
  get_filename_component(document_dir "${document}" DIRECTORY)
  install(FILES ${document} DESTINATION ${TIGHTLOOP_INSTALL_DOCDIR}/${document_dir}
          COMPONENT runtime)
endforeach()
install(FILES config/default.json config/default-orders.jsonl config/serve.json
        DESTINATION ${TIGHTLOOP_INSTALL_DOCDIR}/examples COMPONENT runtime)

# Debian policy files: copyright, the changelog and the man page, gzip -9n (no name, no
# timestamp: the same bytes every build), built with everything else.
find_program(TIGHTLOOP_GZIP gzip REQUIRED)
set(TIGHTLOOP_PACKAGING_DIR ${CMAKE_CURRENT_BINARY_DIR}/packaging)
configure_file(packaging/changelog.in ${TIGHTLOOP_PACKAGING_DIR}/changelog @ONLY)
configure_file(packaging/tightloop.1.in ${TIGHTLOOP_PACKAGING_DIR}/tightloop.1 @ONLY)
add_custom_command(
  OUTPUT ${TIGHTLOOP_PACKAGING_DIR}/changelog.gz ${TIGHTLOOP_PACKAGING_DIR}/tightloop.1.gz
  COMMAND ${TIGHTLOOP_GZIP} -9nkf ${TIGHTLOOP_PACKAGING_DIR}/changelog
  COMMAND ${TIGHTLOOP_GZIP} -9nkf ${TIGHTLOOP_PACKAGING_DIR}/tightloop.1
  DEPENDS ${TIGHTLOOP_PACKAGING_DIR}/changelog ${TIGHTLOOP_PACKAGING_DIR}/tightloop.1
  COMMENT "Compressing the changelog and the man page for packaging")
add_custom_target(tightloop_packaging_files ALL
  DEPENDS ${TIGHTLOOP_PACKAGING_DIR}/changelog.gz ${TIGHTLOOP_PACKAGING_DIR}/tightloop.1.gz)
install(FILES ${TIGHTLOOP_PACKAGING_DIR}/tightloop.1.gz
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT runtime)
install(FILES packaging/copyright ${TIGHTLOOP_PACKAGING_DIR}/changelog.gz
        DESTINATION ${TIGHTLOOP_INSTALL_DOCDIR} COMPONENT runtime)
install(FILES packaging/copyright ${TIGHTLOOP_PACKAGING_DIR}/changelog.gz
        DESTINATION ${TIGHTLOOP_INSTALL_DEV_DOCDIR} COMPONENT dev)

# --- CPack: two Debian packages ----------------------------------------------------------
# tightloop        the binary, its systemd unit, man page, documents and example configs;
#                  Depends computed by dpkg-shlibdeps from the binary (libcaf-core0.17,
#                  libboost-log1.74.0, libboost-thread1.74.0, libstdc++6, libc6, ...).
# libtightloop-dev the static libraries, headers, CMake package and tightloop.pc; Depends on
#                  the -dev packages a consumer's build needs (their headers, their .so links).
# Split, because an operator running the daemon needs no compiler-side packages (libcaf-dev
# pulls in all of Boost's headers), and a developer gets a package whose Depends make
# find_package(tightloop) work.
set(CPACK_PACKAGE_NAME tightloop)
set(CPACK_PACKAGE_VENDOR "tightloop")
set(CPACK_PACKAGE_CONTACT "${TIGHTLOOP_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
# No CPACK_PACKAGE_DESCRIPTION_SUMMARY: CPackDeb would put it before each package's own
# synopsis (the first line of CPACK_DEBIAN_<COMPONENT>_DESCRIPTION), twice in one package.
set(CPACK_GENERATOR DEB)
set(CPACK_STRIP_FILES ON)
set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # <name>_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${TIGHTLOOP_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME tightloop)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SUGGESTS libtightloop-dev)
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION
"actor runtime executing trading orders with exact positions
tightloop runs trading orders across simulated crypto venues (exchanges,
lending protocols, staking, DEXes, wallets) on CAF actors, strictly one at a
time per book: route to the venue, apply the execution deltas to the position
monitor, reconcile the monitor with the venue's own ledger. Amounts are exact
decimals with 18 fractional digits.
.
This package contains the tightloop binary (batch runs of order files and the
HTTP/JSON daemon, tightloop serve), its systemd unit, the documentation and
example configurations.")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME libtightloop-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
    "libcaf-dev (>= 0.17), libboost-log-dev (>= 1.74), nlohmann-json3-dev (>= 3.10)")
set(CPACK_DEBIAN_DEV_PACKAGE_SUGGESTS "tightloop, pkg-config, cmake")
set(CPACK_DEBIAN_DEV_DESCRIPTION
"embedding API of the tightloop trading order runtime
tightloop runs trading orders across simulated crypto venues on CAF actors,
one at a time per book, and keeps positions exact. The embedding API starts
the actor system, runs orders on books and reports results, positions and
valuation.
.
This package contains the static libraries, the headers, the CMake package
(find_package(tightloop), target tightloop::tightloop) and a pkg-config file.")
# `cpack --config CPackSourceConfig.cmake`: the sources without VCS data and build trees.
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/\\.git/" "/build/" "/build-[^/]*/" "__pycache__")
include(CPack)

# --- tests/test_install.cpp ---------------------------------------------------------------
if(TARGET tightloop_tests)
  target_compile_definitions(tightloop_tests PRIVATE
    TIGHTLOOP_BUILD_DIR="${CMAKE_CURRENT_BINARY_DIR}"
    TIGHTLOOP_CMAKE_COMMAND="${CMAKE_COMMAND}"
    TIGHTLOOP_CPACK_COMMAND="${CMAKE_CPACK_COMMAND}"
    TIGHTLOOP_CXX_COMPILER="${CMAKE_CXX_COMPILER}"
    TIGHTLOOP_INSTALL_LIBDIR="${CMAKE_INSTALL_LIBDIR}"
    TIGHTLOOP_SANITIZED=$<BOOL:${TIGHTLOOP_SANITIZE}>)
endif()
