#include <notifications/reminders.h>

#include <algorithm>

namespace treffpunkt::notifications {

std::string reminder_prefix(calendar::event_id event) {
  return "reminder:" + std::to_string(event.value) + ":";
}

std::string reminder_prefix(calendar::event_id event, const calendar::occurrence_key& key) {
  return "reminder:" + std::to_string(event.value) + ":" + key.to_string() + ":";
}

std::string reminder_prefix(calendar::event_id event, const calendar::occurrence_key& key,
                            std::int64_t person) {
  return reminder_prefix(event, key) + std::to_string(person) + ":";
}

std::string reminder_key(calendar::event_id event, const calendar::occurrence_key& key,
                         std::int64_t person, calendar::utc_seconds start,
                         std::chrono::minutes before) {
  return reminder_prefix(event, key, person) + std::to_string(start.time_since_epoch().count()) +
         ":" + std::to_string(before.count());
}

std::vector<planned_reminder> plan_reminders(calendar::event_id event,
                                             const calendar::occurrence_key& key,
                                             std::int64_t person, calendar::utc_seconds start,
                                             std::span<const std::chrono::minutes> offsets,
                                             calendar::utc_seconds now) {
  std::vector<planned_reminder> out;
  if (start <= now) return out;
  for (const auto before : offsets) {
    const calendar::utc_seconds due = start - before;
    if (due < now || before <= std::chrono::minutes(0)) continue;
    out.push_back({before, due, reminder_key(event, key, person, start, before)});
  }
  std::sort(out.begin(), out.end(),
            [](const planned_reminder& a, const planned_reminder& b) { return a.due < b.due; });
  out.erase(std::unique(out.begin(), out.end(),
                        [](const planned_reminder& a, const planned_reminder& b) {
                          return a.due == b.due;
                        }),
            out.end());
  return out;
}

}  // namespace treffpunkt::notifications
