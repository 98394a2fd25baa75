#include <notifications/reminders.h>

#include <algorithm>
#include <array>
#include <charconv>

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

namespace {

std::optional<std::int64_t> whole_number(std::string_view text) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<reminder_ref> parse_reminder_key(std::string_view k) {
  // reminder:EVENT:OCCURRENCE:PERSON:START:MINUTES; read the numbers from both ends, so that
  // the occurrence key in the middle may hold anything.
  constexpr std::string_view head = "reminder:";
  if (!k.starts_with(head)) return std::nullopt;
  k.remove_prefix(head.size());
  const auto event_end = k.find(':');
  if (event_end == std::string_view::npos) return std::nullopt;
  const auto event = whole_number(k.substr(0, event_end));
  k.remove_prefix(event_end + 1);
  std::array<std::optional<std::int64_t>, 3> tail;  // minutes, start, person
  for (auto& part : tail) {
    const auto colon = k.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    part = whole_number(k.substr(colon + 1));
    k = k.substr(0, colon);
  }
  const auto key = calendar::occurrence_key::parse(k);
  if (!event || !key || !tail[0] || !tail[1] || !tail[2]) return std::nullopt;
  return reminder_ref{calendar::event_id{*event}, *key, *tail[2],
                      calendar::utc_seconds(std::chrono::seconds(*tail[1])),
                      std::chrono::minutes(*tail[0])};
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
