# The public headers and every project header they include, found by following the
# `#include "dir/file.hpp"` lines that name a file of the source tree (angle-bracket includes
# are dependencies: CAF, Boost, nlohmann_json). Used at install time (TightloopInstall.cmake),
# so the installed set follows the headers as they are when installing, with no reconfigure.
# Run by cmake_install.cmake, where no policy is set: this file's own (include() scopes it).
cmake_policy(VERSION 3.16)

function(tightloop_header_closure out_var source_dir)
  set(pending ${ARGN})
  set(found "")
  while(pending)
    list(POP_FRONT pending header)
    if(header IN_LIST found)
      continue()
    endif()
    if(NOT EXISTS "${source_dir}/${header}")
      message(FATAL_ERROR "tightloop: public header ${header} does not exist")
    endif()
    list(APPEND found "${header}")
    file(STRINGS "${source_dir}/${header}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
    foreach(line IN LISTS lines)
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*\"([^\"]+)\".*" "\\1" included "${line}")
      if(EXISTS "${source_dir}/${included}")
        list(APPEND pending "${included}")
      endif()
    endforeach()
  endwhile()
  list(SORT found)
  set(${out_var} "${found}" PARENT_SCOPE)
endfunction()

# install(CODE) body: copies the closure of `roots` to <prefix>/<destination>/<relative path>.
function(tightloop_install_header_closure source_dir destination)
  tightloop_header_closure(headers "${source_dir}" ${ARGN})
  foreach(header IN LISTS headers)
    get_filename_component(dir "${header}" DIRECTORY)
    file(INSTALL DESTINATION "${CMAKE_INSTALL_PREFIX}/${destination}/${dir}" TYPE FILE
         FILES "${source_dir}/${header}")
  endforeach()
endfunction()
