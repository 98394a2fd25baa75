// Part of store: see store_impl.h.
//
// "Still happening?" (issue 15): when a responsible last said that a series still takes place
// (events.confirmed), and when the unit's responsibles were last asked to say so
// (events.confirm_asked). An edit counts as an answer too: the clock starts at the newer of
// last_modified and confirmed (series_confirmation::since).
#include <string>

#include "event_rows.h"
#include "people_rows.h"
#include "rights.h"
#include "rsvp_rows.h"  // compose_and_queue
#include "store_impl.h"

namespace treffpunkt::storage {
namespace {

/// The columns series_from reads, in order.
constexpr std::string_view stamp_columns =
    "e.id, e.unit_id, e.last_modified, e.confirmed, e.confirm_asked";

/// A series: a rule, or extra dates.
constexpr std::string_view is_series =
    "(e.rrule IS NOT NULL OR EXISTS (SELECT 1 FROM event_rdates r WHERE r.event_id = e.id))";

series_confirmation series_from(const sql::statement& s) {
  series_confirmation out;
  out.event = calendar::event_id{s.int64(0)};
  out.unit = calendar::unit_id{s.int64(1)};
  out.last_modified = utc_from_db(s.int64(2));
  if (const auto v = s.optional_int64(3)) out.confirmed = utc_from_db(*v);
  if (const auto v = s.optional_int64(4)) out.asked = utc_from_db(*v);
  return out;
}

/// The stamps of event `id` read on `c` (inside a write: as the write sees them).
std::optional<series_confirmation> stamps_in(sql::connection& c, calendar::event_id id) {
  static const std::string q =
      "SELECT " + std::string(stamp_columns) + " FROM events e WHERE e.id = ?";
  auto& s = c.prepare(q);
  s.bind(1, id.value);
  std::optional<series_confirmation> out;
  if (s.step()) out = series_from(s);
  s.reset();
  return out;
}

}  // namespace

std::vector<series_confirmation> store::series_confirmations(
    std::optional<calendar::unit_id> u) const {
  // Statements are cached by their text: one text for all units, one for a unit.
  static const std::string all =
      "SELECT " + std::string(stamp_columns) +
      " FROM events e JOIN units u ON u.id = e.unit_id WHERE e.status = 'confirmed' AND "
      "u.archived IS NULL AND " +
      std::string(is_series) + " ORDER BY e.id";
  static const std::string one =
      "SELECT " + std::string(stamp_columns) +
      " FROM events e JOIN units u ON u.id = e.unit_id WHERE e.status = 'confirmed' AND "
      "u.archived IS NULL AND " +
      std::string(is_series) + " AND e.unit_id = ? ORDER BY e.id";
  impl::reader r(*impl_);
  auto& s = r->prepare(u ? one : all);
  if (u) s.bind(1, u->value);
  std::vector<series_confirmation> out;
  while (s.step()) out.push_back(series_from(s));
  s.reset();
  return out;
}

std::optional<series_confirmation> store::series_confirmation_of(calendar::event_id id) const {
  impl::reader r(*impl_);
  return stamps_in(*r, id);
}

result<series_confirmation> store::confirm_series(calendar::event_id id, const actor& who,
                                                  calendar::utc_seconds now) {
  return impl_->write([&](sql::connection& c) -> result<series_confirmation> {
    const auto e = load_event_for_write(c, id);
    if (!e) return error{errc::not_found, "no such event"};
    if (!may_edit_unit(c, who, e->unit)) {
      return error{errc::forbidden, "only the unit's responsibles and admins confirm its series"};
    }
    if (!e->is_series()) return error{errc::conflict, "the event is no series", "event"};
    if (e->status == calendar::event_status::cancelled) {
      return error{errc::conflict, "the series is cancelled", "event"};
    }
    c.prepare("UPDATE events SET confirmed = ? WHERE id = ?")
        .bind(1, to_db(now))
        .bind(2, id.value)
        .run();
    impl::audit(c, who, "confirm_series", e->unit, e->id, e->title, now);
    return *stamps_in(c, id);
  });
}

result<bool> store::ask_series_confirmation(calendar::event_id id, calendar::utc_seconds since,
                                            calendar::utc_seconds now,
                                            const confirmation_mails& mails) {
  return impl_->write([&](sql::connection& c) -> result<bool> {
    const auto e = load_event_for_write(c, id);
    if (!e) return error{errc::not_found, "no such event"};
    const auto stamps = stamps_in(c, id);
    // Edited, confirmed or asked since the caller looked: the question is not (or no longer)
    // due, and whoever looks next sees the new stamps.
    if (!e->is_series() || e->status == calendar::event_status::cancelled ||
        stamps->since() != since || stamps->waiting()) {
      return false;
    }
    c.prepare("UPDATE events SET confirm_asked = ? WHERE id = ?")
        .bind(1, to_db(now))
        .bind(2, id.value)
        .run();
    if (mails) {
      std::vector<person> responsibles;
      {
        static const std::string q = "SELECT " + std::string(person_columns) +
                                     " FROM responsibles r JOIN people p ON p.id = r.person_id "
                                     "WHERE r.unit_id = ? AND p.deleted IS NULL ORDER BY p.id";
        auto& s = c.prepare(q);
        s.bind(1, e->unit.value);
        while (s.step()) responsibles.push_back(person_from(s));
        s.reset();
      }
      if (auto queued = compose_and_queue(
              c, "confirmation", [&] { return mails(*e, responsibles); }, now);
          !queued) {
        return queued.error();
      }
    }
    return true;
  });
}

}  // namespace treffpunkt::storage
