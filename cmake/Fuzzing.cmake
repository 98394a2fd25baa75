# libFuzzer builds (TREFFPUNKT_FUZZ, the `fuzz` preset, clang only): the project libraries get
# coverage instrumentation without libFuzzer's main (-fsanitize=fuzzer-no-link) plus ASan and
# UBSan, through the same INTERFACE target as the sanitizers; the harnesses in tests/fuzz link
# libFuzzer itself (treffpunkt::fuzzer). UBSan does not recover, so a finding stops the fuzzer.
add_library(treffpunkt_fuzzer INTERFACE)
add_library(treffpunkt::fuzzer ALIAS treffpunkt_fuzzer)
if(TREFFPUNKT_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "TREFFPUNKT_FUZZ needs clang (libFuzzer); use the fuzz preset")
  endif()
  if(TREFFPUNKT_SANITIZE)
    message(FATAL_ERROR "TREFFPUNKT_FUZZ brings its own sanitizers; turn TREFFPUNKT_SANITIZE off")
  endif()
  set(fuzz_sanitizers address,undefined)
  # -fno-sanitize=function: clang 14 cannot compile UBSan's function-type check into the
  # coroutines of http_server.cpp ("error: Cannot represent a difference across sections").
  target_compile_options(treffpunkt_sanitizers INTERFACE
    -fsanitize=fuzzer-no-link,${fuzz_sanitizers} -fno-sanitize=function
    -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(treffpunkt_sanitizers INTERFACE -fsanitize=${fuzz_sanitizers})
  target_compile_options(treffpunkt_fuzzer INTERFACE -fsanitize=fuzzer)
  target_link_options(treffpunkt_fuzzer INTERFACE -fsanitize=fuzzer)
endif()
