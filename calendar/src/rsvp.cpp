#include <calendar/rsvp.h>

namespace treffpunkt::calendar {

std::optional<rsvp_refusal> rsvp_refused(const event& e, const occurrence& o, utc_seconds now) {
  if (o.cancelled || e.status == event_status::cancelled) return rsvp_refusal::cancelled;
  if (now >= o.start) return rsvp_refusal::past;
  if (e.rsvp_deadline && now > o.start - *e.rsvp_deadline) return rsvp_refusal::deadline_passed;
  return std::nullopt;
}

std::size_t places_free(std::optional<int> capacity, std::size_t going) {
  if (!capacity) return static_cast<std::size_t>(-1);
  const auto places = static_cast<std::size_t>(*capacity);
  return going >= places ? 0 : places - going;
}

}  // namespace treffpunkt::calendar
