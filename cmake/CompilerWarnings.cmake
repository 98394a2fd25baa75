# Warnings live in an INTERFACE target that every project target links PRIVATE.
# No -Wnull-dereference: with GCC 12 at -O2 it fires inside libstdc++ (vector::clear, iterators)
# on code that cannot see a null pointer.
add_library(treffpunkt_warnings INTERFACE)
add_library(treffpunkt::warnings ALIAS treffpunkt_warnings)
target_compile_options(treffpunkt_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Wunused -Woverloaded-virtual -Wconversion -Wsign-conversion
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)
# GCC 12 at -O2 and above reports -Wrestrict inside libstdc++'s `"literal" + std::string`
# (GCC bug 105329) and -Wmaybe-uninitialized on engaged std::optional values: noise only.
target_compile_options(treffpunkt_warnings INTERFACE
  $<$<AND:$<CXX_COMPILER_ID:GNU>,$<NOT:$<CONFIG:Debug>>>:-Wno-restrict -Wno-maybe-uninitialized>)
if(TREFFPUNKT_WARNINGS_AS_ERRORS)
  target_compile_options(treffpunkt_warnings INTERFACE -Werror)
endif()
