# Sanitizer flags in an INTERFACE target, linked PRIVATE like the warnings.
add_library(treffpunkt_sanitizers INTERFACE)
add_library(treffpunkt::sanitizers ALIAS treffpunkt_sanitizers)
if(TREFFPUNKT_SANITIZE)
  target_compile_options(treffpunkt_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(treffpunkt_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
