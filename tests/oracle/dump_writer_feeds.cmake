# Runs the writer's unit tests with TREFFPUNKT_FEED_DUMP set, so that the feeds they write land
# in DIR for the oracles to read (tests/calendar/ical_writer_test.cpp, `dumped`).
#   cmake -DCALENDAR_TESTS=path/to/calendar_tests -DDIR=out -P dump_writer_feeds.cmake
file(REMOVE_RECURSE "${DIR}")
file(MAKE_DIRECTORY "${DIR}")
set(ENV{TREFFPUNKT_FEED_DUMP} "${DIR}")
execute_process(
  COMMAND "${CALENDAR_TESTS}" "--gtest_filter=IcalWriter.*"
  RESULT_VARIABLE result
  OUTPUT_VARIABLE output
  ERROR_VARIABLE output)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "calendar_tests failed (${result}):\n${output}")
endif()
file(GLOB feeds "${DIR}/*.ics")
list(LENGTH feeds count)
if(count EQUAL 0)
  message(FATAL_ERROR "calendar_tests left no feeds in ${DIR}: is TREFFPUNKT_FEED_DUMP still read?")
endif()
message(STATUS "${count} feeds from the writer's tests in ${DIR}")
