// The iCalendar reader (`treffpunkt import`, files from Google, Outlook, Thunderbird, Apple):
// read_events on the input; what it accepts must survive a round trip through write_feed
// (the feed reads back, with as many events), and expands within the limits.

#include <calendar/expand.h>
#include <calendar/ical_reader.h>
#include <calendar/ical_writer.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace calendar = treffpunkt::calendar;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto events = calendar::read_events(text);
  if (!events) return 0;
  for (const auto& e : *events) {
    const auto first = calendar::to_utc(e.start, e.zone);
    (void)calendar::expand(e, first - std::chrono::days(1), first + std::chrono::days(800));
  }
  calendar::feed_info info;
  info.name = "fuzz";
  const auto feed = calendar::write_feed(info, *events);
  const auto again = calendar::read_events(feed);
  if (!again) {
    std::fprintf(stderr,
                 "FINDING: the feed written from an accepted input does not read back: %s\n%s\n",
                 again.error().what().c_str(), feed.c_str());
    std::abort();
  }
  if (again->size() != events->size()) {
    std::fprintf(stderr, "FINDING: %zu events read, %zu after write_feed and reading again\n%s\n",
                 events->size(), again->size(), feed.c_str());
    std::abort();
  }
  return 0;
}
