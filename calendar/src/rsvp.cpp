#include <calendar/rsvp.h>

namespace treffpunkt::calendar {

std::string_view to_string(rsvp_answer a) {
  switch (a) {
    case rsvp_answer::yes:
      return "yes";
    case rsvp_answer::no:
      return "no";
    case rsvp_answer::maybe:
      return "maybe";
  }
  return "no";
}

std::optional<rsvp_answer> parse_rsvp_answer(std::string_view text) {
  if (text == "yes") return rsvp_answer::yes;
  if (text == "no") return rsvp_answer::no;
  if (text == "maybe") return rsvp_answer::maybe;
  return std::nullopt;
}

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
