# Installs BUILD into PREFIX (emptied first) and checks what a packager or operator gets: the
# program in bin/ that runs and says VERSION, and the docs in share/doc/treffpunkt/.
file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD}" --prefix "${PREFIX}"
                RESULT_VARIABLE installed OUTPUT_QUIET)
if(NOT installed EQUAL 0)
  message(FATAL_ERROR "cmake --install failed: ${installed}")
endif()
execute_process(COMMAND "${PREFIX}/bin/treffpunkt" --version
                RESULT_VARIABLE ran OUTPUT_VARIABLE said)
if(NOT ran EQUAL 0 OR NOT said STREQUAL "treffpunkt ${VERSION}\n")
  message(FATAL_ERROR "the installed program said '${said}' (${ran})")
endif()
foreach(doc README.md operations.md api.md security.md)
  if(NOT EXISTS "${PREFIX}/share/doc/treffpunkt/${doc}")
    message(FATAL_ERROR "${doc} was not installed")
  endif()
endforeach()
file(GLOB_RECURSE everything RELATIVE "${PREFIX}" "${PREFIX}/*")
list(LENGTH everything count)
if(NOT count EQUAL 5)
  message(FATAL_ERROR "installed more or less than the program and four docs: ${everything}")
endif()
file(REMOVE_RECURSE "${PREFIX}")
