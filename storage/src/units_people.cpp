// Part of store: see store_impl.h.
#include <calendar/expand.h>

#include <algorithm>
#include <boost/algorithm/string/case_conv.hpp>
#include <boost/algorithm/string/classification.hpp>  // is_space
#include <boost/algorithm/string/trim.hpp>
#include <charconv>
#include <chrono>
#include <functional>
#include <locale>
#include <string>
#include <vector>

#include "event_rows.h"
#include "outbox.h"
#include "people_rows.h"
#include "rights.h"
#include "store_impl.h"

namespace treffpunkt::storage {
namespace {

/// Slugs appear in URLs (/units/{slug}, /units/{slug}.ics): keep them to what needs no
/// escaping and reads well.
bool valid_slug(std::string_view s) {
  if (s.empty() || s.size() > 40) return false;
  return std::all_of(s.begin(), s.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
  });
}

constexpr std::string_view unit_columns =
    "id, slug, name, description, colour, zone, contact, archived";

calendar::unit unit_from(const sql::statement& s) {
  calendar::unit u;
  u.id = calendar::unit_id{s.int64(0)};
  u.slug = s.text(1);
  u.name = s.text(2);
  u.description = s.text(3);
  u.colour = s.text(4);
  u.zone = s.text(5);
  u.contact = s.text(6);
  if (const auto when = s.optional_int64(7)) u.archived = utc_from_db(*when);
  return u;
}

// ---- reminder preferences, as stored ------------------------------------------------------

using std::chrono::minutes;

constexpr minutes shortest_reminder{5};
constexpr minutes longest_reminder = std::chrono::days{28};
constexpr std::size_t most_reminders = 5;

/// reminder_preferences.offsets: minutes, longest first, comma-separated ("1440,120");
/// "" when reminders are off.
std::string offsets_to_db(const std::vector<minutes>& offsets) {
  std::string out;
  for (const minutes m : offsets) {
    if (!out.empty()) out += ',';
    out += std::to_string(m.count());
  }
  return out;
}

std::vector<minutes> offsets_from_db(std::string_view text, person_id p) {
  std::vector<minutes> out;
  while (!text.empty()) {
    const auto comma = std::min(text.find(','), text.size());
    const std::string_view item = text.substr(0, comma);
    minutes::rep value = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
    // Written by offsets_to_db from checked values: anything else is a broken invariant.
    if (ec != std::errc{} || end != item.data() + item.size()) {
      throw sql::failure::bad_data("reminder_preferences of person " + std::to_string(p.value) +
                                   ": '" + std::string(text) + "'");
    }
    out.emplace_back(value);
    text.remove_prefix(std::min(comma + 1, text.size()));
  }
  return out;
}

/// The stored choice of `p`, or nothing if they made none.
std::optional<std::vector<minutes>> read_reminder_choice(sql::connection& c, person_id p) {
  auto& s = c.prepare("SELECT offsets FROM reminder_preferences WHERE person_id = ?");
  s.bind(1, p.value);
  std::optional<std::string> text;
  if (s.step()) text = s.text(0);
  s.reset();
  if (!text) return std::nullopt;
  return offsets_from_db(*text, p);
}

std::optional<person> read_person(sql::connection& c, std::string_view where, const auto& binder) {
  auto& s = c.prepare("SELECT " + std::string(person_columns) + " FROM people WHERE " +
                      std::string(where));
  binder(s);
  std::optional<person> found;
  if (s.step()) found = person_from(s);
  s.reset();
  return found;
}

/// The occurrences `p` is going to that start after `now` and are not cancelled, by event, as
/// the write transaction on `c` sees them.
std::vector<places_in_event> upcoming_places(sql::connection& c, person_id p,
                                             calendar::utc_seconds now) {
  std::vector<std::pair<calendar::event_id, std::string>> rows;
  {
    auto& s = c.prepare(
        "SELECT event_id, occurrence_key FROM rsvps WHERE person_id = ? AND state = 'going' "
        "ORDER BY event_id, occurrence_key");
    s.bind(1, p.value);
    while (s.step()) rows.emplace_back(calendar::event_id{s.int64(0)}, s.text(1));
  }
  std::vector<places_in_event> out;
  for (const auto& [id, text] : rows) {
    if (out.empty() || out.back().event.id != id) {
      auto e = load_event(c, id);
      if (!e) continue;
      out.push_back({std::move(*e), {}});
    }
    auto& place = out.back();
    if (place.event.id != id) continue;  // the event was not found
    const auto key = calendar::occurrence_key::parse(text);
    if (!key) continue;
    const auto o = calendar::find_occurrence(place.event, *key);
    if (!o || o->cancelled || o->start <= now) continue;
    place.keys.push_back(*key);
  }
  std::erase_if(out, [](const places_in_event& e) { return e.keys.empty(); });
  return out;
}

bool exists(sql::connection& c, std::string_view query, std::int64_t id) {
  auto& s = c.prepare(query);
  s.bind(1, id);
  const bool found = s.step();
  s.reset();
  return found;
}

}  // namespace

// The classic locale: ASCII white space (SP, \t..\r) and ASCII letters only, whatever the
// process's global locale is.
std::string trimmed(std::string_view s) {
  return std::string(
      boost::algorithm::trim_copy_if(s, boost::algorithm::is_space(std::locale::classic())));
}

std::string normalise_email(std::string_view email) {
  return boost::algorithm::to_lower_copy(trimmed(email), std::locale::classic());
}

bool looks_like_email(std::string_view e) {
  if (e.empty() || e.size() > 254) return false;
  if (std::count(e.begin(), e.end(), '@') != 1) return false;
  const auto at = e.find('@');
  if (at == 0 || at + 1 == e.size()) return false;
  return std::none_of(e.begin(), e.end(), [](char ch) {
    const auto u = static_cast<unsigned char>(ch);
    return u <= 0x20 || u == 0x7f;
  });
}

person person_from(const sql::statement& s, int first) {
  person p;
  p.id = person_id{s.int64(first)};
  p.name = s.text(first + 1);
  p.email = s.text(first + 2);
  p.language = s.text(first + 3);
  p.admin = s.int64(first + 4) != 0;
  p.guest = s.int64(first + 5) != 0;
  p.created = utc_from_db(s.int64(first + 6));
  p.notices = s.int64(first + 7) != 0;
  return p;
}

bool person_exists(sql::connection& c, person_id p) {
  return exists(c, "SELECT 1 FROM people WHERE id = ?", p.value);
}

bool is_admin(sql::connection& c, const actor& who) {
  if (who.is_system()) return true;
  return exists(c, "SELECT 1 FROM people WHERE id = ? AND admin = 1", who.person()->value);
}

bool may_edit_unit(sql::connection& c, const actor& who, calendar::unit_id u) {
  if (is_admin(c, who)) return true;
  auto& s = c.prepare("SELECT 1 FROM responsibles WHERE unit_id = ? AND person_id = ?");
  s.bind(1, u.value).bind(2, who.person()->value);
  const bool found = s.step();
  s.reset();
  return found;
}

bool hosts_event(sql::connection& c, const actor& who, calendar::event_id e) {
  if (who.is_system()) return false;
  auto& s = c.prepare("SELECT 1 FROM event_hosts WHERE event_id = ? AND person_id = ?");
  s.bind(1, e.value).bind(2, who.person()->value);
  const bool found = s.step();
  s.reset();
  return found;
}

// ---- units ------------------------------------------------------------------------------

namespace {

/// What every unit must be: a name, a known zone, a contact that is an address (or none).
result<void> check_unit(const calendar::unit& u) {
  if (trimmed(u.name).empty()) return error{errc::invalid, "a unit needs a name", "name"};
  if (!calendar::is_known_zone(u.zone)) {
    return error{errc::invalid, "unknown time zone '" + u.zone + "'", "zone"};
  }
  if (!u.contact.empty() && !looks_like_email(normalise_email(u.contact))) {
    return error{errc::invalid, "the contact must be an email address", "contact"};
  }
  return {};
}

}  // namespace

result<calendar::unit> store::create_unit(calendar::unit u, const actor& who) {
  if (!valid_slug(u.slug)) {
    return error{errc::invalid, "a slug has 1 to 40 characters a-z, 0-9 and '-'", "slug"};
  }
  if (auto ok = check_unit(u); !ok) return ok.error();
  if (!u.contact.empty()) u.contact = normalise_email(u.contact);
  // Units, people and follows carry no caller-supplied time: the store's clock dates them.
  const auto now = impl_->clock.now();
  return impl_->write([&](sql::connection& c) -> result<calendar::unit> {
    if (!is_admin(c, who)) return error{errc::forbidden, "only admins create units"};
    auto& taken = c.prepare("SELECT 1 FROM units WHERE slug = ?");
    taken.bind(1, u.slug);
    const bool duplicate = taken.step();
    taken.reset();
    if (duplicate) return error{errc::conflict, "the slug '" + u.slug + "' is taken", "slug"};
    u.id = calendar::unit_id{
        c.prepare_insert("INSERT INTO units (slug, name, description, colour, zone, "
                         "contact) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(1, u.slug)
            .bind(2, u.name)
            .bind(3, u.description)
            .bind(4, u.colour)
            .bind(5, u.zone)
            .bind(6, u.contact)
            .insert()};
    u.archived.reset();
    impl::touch_units();  // the feed of all units may now name one more (store::feed_stamp)
    impl::audit(c, who, "create_unit", u.id, std::nullopt, u.slug, now);
    return u;
  });
}

result<calendar::unit> store::update_unit(calendar::unit u, const actor& who) {
  if (auto ok = check_unit(u); !ok) return ok.error();
  if (!u.contact.empty()) u.contact = normalise_email(u.contact);
  const auto now = impl_->clock.now();
  return impl_->write([&](sql::connection& c) -> result<calendar::unit> {
    auto& find = c.prepare("SELECT " + std::string(unit_columns) + " FROM units WHERE id = ?");
    find.bind(1, u.id.value);
    std::optional<calendar::unit> old;
    if (find.step()) old = unit_from(find);
    find.reset();
    if (!old) return error{errc::not_found, "no such unit"};
    if (!may_edit_unit(c, who, u.id)) {
      return error{errc::forbidden, "only the unit's responsibles and admins edit a unit"};
    }
    const bool admin = is_admin(c, who);
    if (!admin && (u.name != old->name || u.zone != old->zone || u.contact != old->contact ||
                   u.colour != old->colour)) {
      return error{errc::forbidden,
                   "a unit's responsibles change its description; name, zone and contact are "
                   "the admins'"};
    }
    c.prepare(
         "UPDATE units SET name = ?, description = ?, colour = ?, zone = ?, contact = ? "
         "WHERE id = ?")
        .bind(1, u.name)
        .bind(2, u.description)
        .bind(3, u.colour)
        .bind(4, u.zone)
        .bind(5, u.contact)
        .bind(6, u.id.value)
        .run();
    impl::bump_unit_version(c, u.id);
    impl::audit(c, who, "update_unit", u.id, std::nullopt, old->slug, now);
    u.slug = old->slug;  // URLs name it: never changes
    u.archived = old->archived;
    return u;
  });
}

result<calendar::unit> store::set_archived(calendar::unit_id id, bool archived, const actor& who,
                                           calendar::utc_seconds now) {
  return impl_->write([&](sql::connection& c) -> result<calendar::unit> {
    auto& find = c.prepare("SELECT " + std::string(unit_columns) + " FROM units WHERE id = ?");
    find.bind(1, id.value);
    std::optional<calendar::unit> u;
    if (find.step()) u = unit_from(find);
    find.reset();
    if (!u) return error{errc::not_found, "no such unit"};
    if (!is_admin(c, who)) return error{errc::forbidden, "only admins archive units"};
    if (u->archived.has_value() == archived) return *u;  // nothing changes
    if (archived) {
      c.prepare("UPDATE units SET archived = ? WHERE id = ?")
          .bind(1, to_db(now))
          .bind(2, id.value)
          .run();
      u->archived = now;
    } else {
      c.prepare("UPDATE units SET archived = NULL WHERE id = ?").bind(1, id.value).run();
      u->archived.reset();
    }
    impl::bump_unit_version(c, id);
    impl::audit(c, who, archived ? "archive_unit" : "restore_unit", id, std::nullopt, u->slug, now);
    return *u;
  });
}

std::shared_ptr<const store::impl::units_snapshot> store::impl::current_units(std::uint64_t stamp) {
  {
    const std::lock_guard lock(units_mutex);
    if (units_memo && units_memo->stamp == stamp) return units_memo;
  }
  auto fresh = std::make_shared<units_snapshot>();
  fresh->stamp = stamp;
  {
    reader r(*this);
    static const std::string query =
        "SELECT " + std::string(unit_columns) + ", version FROM units ORDER BY id";
    auto& s = r->prepare(query);
    while (s.step()) {
      fresh->units.push_back(unit_from(s));
      fresh->versions.push_back(s.int64(8));
    }
    s.reset();
  }
  const std::lock_guard lock(units_mutex);
  // A thread that read an older stamp must not push back a newer snapshot.
  if (!units_memo || units_memo->stamp <= stamp) units_memo = fresh;
  return fresh;
}

std::vector<calendar::unit> store::units() const {
  return impl_->current_units(feed_stamp())->units;
}

std::optional<calendar::unit> store::unit_by_slug(std::string_view slug) const {
  const auto all = impl_->current_units(feed_stamp());
  for (const auto& u : all->units) {
    if (u.slug == slug) return u;
  }
  return std::nullopt;
}

std::optional<calendar::unit> store::unit_by_id(calendar::unit_id id) const {
  const auto all = impl_->current_units(feed_stamp());
  for (const auto& u : all->units) {
    if (u.id == id) return u;
  }
  return std::nullopt;
}

std::int64_t store::unit_version(calendar::unit_id id) const {
  const auto all = impl_->current_units(feed_stamp());
  for (std::size_t i = 0; i < all->units.size(); ++i) {
    if (all->units[i].id == id) return all->versions[i];
  }
  return 0;  // no such unit: a version no real unit has
}

std::int64_t store::data_version() const {
  impl::reader r(*impl_);
  // Unit versions start at 1, only grow, and units are never deleted: their sum grows with
  // every write to any unit and with every new unit, and never repeats.
  auto& s = r->prepare("SELECT COALESCE(SUM(version), 0) FROM units");
  std::int64_t version = 0;
  if (s.step()) version = s.int64(0);
  s.reset();
  return version;
}

// ---- people, roles, follows -------------------------------------------------------------

result<person> store::ensure_person(std::string_view email, std::string_view name,
                                    std::string_view language) {
  const std::string address = normalise_email(email);
  if (!looks_like_email(address)) {
    return error{errc::invalid, "'" + address + "' is not an email address", "email"};
  }
  if (language != "de" && language != "en") {
    return error{errc::invalid, "language must be de or en", "language"};
  }
  const auto now = impl_->clock.now();
  return impl_->write([&](sql::connection& c) -> result<person> {
    if (auto known = read_person(c, "email = ?", [&](sql::statement& s) { s.bind(1, address); })) {
      return *known;
    }
    person p;
    p.name = std::string(name);
    p.email = address;
    p.language = std::string(language);
    p.created = now;
    p.id = person_id{
        c.prepare_insert("INSERT INTO people (email, name, language, created) VALUES (?, ?, ?, ?)")
            .bind(1, p.email)
            .bind(2, p.name)
            .bind(3, p.language)
            .bind(4, to_db(now))
            .insert()};
    impl::audit(c, actor::system(), "create_person", std::nullopt, std::nullopt,
                "person " + std::to_string(p.id.value), now);
    return p;
  });
}

std::optional<person> store::person_by_email(std::string_view email) const {
  const std::string address = normalise_email(email);
  impl::reader r(*impl_);
  return read_person(*r, "email = ?", [&](sql::statement& s) { s.bind(1, address); });
}

std::optional<person> store::person_by_id(person_id id) const {
  impl::reader r(*impl_);
  return read_person(*r, "id = ?", [&](sql::statement& s) { s.bind(1, id.value); });
}

result<void> store::set_admin(person_id p, bool admin, const actor& who) {
  const auto now = impl_->clock.now();
  return impl_->write([&](sql::connection& c) -> result<void> {
    if (!is_admin(c, who)) return error{errc::forbidden, "only admins appoint admins"};
    c.prepare("UPDATE people SET admin = ?, version = version + 1 WHERE id = ?")
        .bind(1, admin ? 1 : 0)
        .bind(2, p.value)
        .run();
    if (c.changes() == 0) return error{errc::not_found, "no such person"};
    impl::audit(c, who, admin ? "grant_admin" : "revoke_admin", std::nullopt, std::nullopt,
                "person " + std::to_string(p.value), now);
    return {};
  });
}

result<void> store::add_responsible(calendar::unit_id u, person_id p, const actor& who) {
  const auto now = impl_->clock.now();
  return impl_->write([&](sql::connection& c) -> result<void> {
    // Appointing responsibles is an admin's job (docs/security.md: admins name responsibles),
    // so a responsible cannot co-opt others.
    if (!is_admin(c, who)) return error{errc::forbidden, "only admins assign responsibles"};
    if (!exists(c, "SELECT 1 FROM units WHERE id = ?", u.value)) {
      return error{errc::not_found, "no such unit"};
    }
    if (!person_exists(c, p)) {
      return error{errc::not_found, "no such person"};
    }
    c.insert_or_ignore("INTO responsibles (unit_id, person_id) VALUES (?, ?)")
        .bind(1, u.value)
        .bind(2, p.value)
        .run();
    impl::audit(c, who, "add_responsible", u, std::nullopt, "person " + std::to_string(p.value),
                now);
    return {};
  });
}

result<void> store::remove_responsible(calendar::unit_id u, person_id p, const actor& who) {
  const auto now = impl_->clock.now();
  return impl_->write([&](sql::connection& c) -> result<void> {
    if (!is_admin(c, who)) return error{errc::forbidden, "only admins assign responsibles"};
    auto& remove = c.prepare("DELETE FROM responsibles WHERE unit_id = ? AND person_id = ?");
    remove.bind(1, u.value).bind(2, p.value).run();
    if (c.changes() == 0) return error{errc::not_found, "not a responsible of this unit"};
    impl::audit(c, who, "remove_responsible", u, std::nullopt, "person " + std::to_string(p.value),
                now);
    return {};
  });
}

std::vector<person> store::responsibles(calendar::unit_id u) const {
  impl::reader r(*impl_);
  auto& s = r->prepare(
      "SELECT p.id, p.name, p.email, p.language, p.admin, p.guest, p.created, p.notices "
      "FROM responsibles r JOIN people p ON p.id = r.person_id WHERE r.unit_id = ? "
      "ORDER BY p.id");
  s.bind(1, u.value);
  std::vector<person> out;
  while (s.step()) out.push_back(person_from(s));
  return out;
}

bool store::may_edit(const actor& who, calendar::unit_id u) const {
  if (who.is_system()) return true;
  impl::reader r(*impl_);
  return may_edit_unit(*r, who, u);
}

result<void> store::set_follow(person_id p, calendar::unit_id u, bool follow) {
  const auto now = impl_->clock.now();
  return impl_->write([&](sql::connection& c) -> result<void> {
    if (!person_exists(c, p)) {
      return error{errc::not_found, "no such person"};
    }
    if (!exists(c, "SELECT 1 FROM units WHERE id = ?", u.value)) {
      return error{errc::not_found, "no such unit"};
    }
    if (follow) {
      c.insert_or_ignore("INTO follows (person_id, unit_id, created) VALUES (?, ?, ?)")
          .bind(1, p.value)
          .bind(2, u.value)
          .bind(3, to_db(now))
          .run();
    } else {
      c.prepare("DELETE FROM follows WHERE person_id = ? AND unit_id = ?")
          .bind(1, p.value)
          .bind(2, u.value)
          .run();
    }
    if (c.changes() == 0) return {};  // already so: the personal feed did not change
    // The personal feed shows followed units: its cache key is the person's version.
    c.prepare("UPDATE people SET version = version + 1 WHERE id = ?").bind(1, p.value).run();
    impl::audit(c, actor::of(p), follow ? "follow" : "unfollow", u, std::nullopt, "", now);
    return {};
  });
}

std::vector<calendar::unit_id> store::follows(person_id p) const {
  impl::reader r(*impl_);
  auto& s = r->prepare("SELECT unit_id FROM follows WHERE person_id = ? ORDER BY unit_id");
  s.bind(1, p.value);
  std::vector<calendar::unit_id> out;
  while (s.step()) out.push_back(calendar::unit_id{s.int64(0)});
  return out;
}

// ---- reminder preferences -----------------------------------------------------------------

std::vector<std::chrono::minutes> store::default_reminder_offsets() {
  return {std::chrono::hours{24}, std::chrono::hours{2}};
}

result<void> store::set_reminder_offsets(person_id p, std::vector<std::chrono::minutes> before) {
  return set_reminder_offsets(p, std::move(before), impl_->clock.now(), reminder_mails{});
}

result<void> store::set_reminder_offsets(person_id p, std::vector<std::chrono::minutes> before,
                                         calendar::utc_seconds now, const reminder_mails& mails) {
  std::sort(before.begin(), before.end(), std::greater<>());
  before.erase(std::unique(before.begin(), before.end()), before.end());
  if (before.size() > most_reminders) {
    return error{errc::invalid,
                 "at most " + std::to_string(most_reminders) + " different reminders", "reminders"};
  }
  for (const minutes m : before) {
    if (m < shortest_reminder || m > longest_reminder) {
      return error{errc::invalid,
                   "a reminder is 5 minutes to 28 days before, not " + std::to_string(m.count()) +
                       " minutes",
                   "reminders"};
    }
  }
  const std::string text = offsets_to_db(before);
  return impl_->write([&](sql::connection& c) -> result<void> {
    const auto who = read_person(c, "id = ?", [&](sql::statement& s) { s.bind(1, p.value); });
    if (!who) return error{errc::not_found, "no such person"};
    c.prepare(
         "INSERT INTO reminder_preferences (person_id, offsets) VALUES (?, ?) "
         "ON CONFLICT (person_id) DO UPDATE SET offsets = excluded.offsets")
        .bind(1, p.value)
        .bind(2, text)
        .run();
    impl::audit(c, actor::of(p), "set_reminders", std::nullopt, std::nullopt,
                text.empty() ? "off" : "minutes=" + text, now);
    if (!mails) return {};
    // The reminders already queued follow the new choice (issue 15): those of offsets no
    // longer chosen go, new ones are planned for what the person is going to.
    reminder_plan plan;
    try {
      plan = mails(*who, before, upcoming_places(c, p, now));
    } catch (const std::exception& failure) {
      return error{errc::invalid, std::string("cannot compose the reminders: ") + failure.what()};
    }
    for (const auto& prefix : plan.drop) {
      if (prefix.empty()) continue;
      // A range on the key's index, as drop_queued_in.
      auto& queued = c.prepare(sql::text_for(c.dialect(), [](sql::dialect d) {
        return "SELECT id, dedupe_key FROM outbox WHERE dedupe_key >= ?1 AND dedupe_key < ?2 "
               "AND " +
               sql::unindexed(d, "state") + " = 'queued'";
      }));
      queued.bind(1, prefix).bind(2, prefix_end(prefix));
      std::vector<std::int64_t> doomed;
      while (queued.step()) {
        if (std::find(plan.keep.begin(), plan.keep.end(), queued.text(1)) == plan.keep.end()) {
          doomed.push_back(queued.int64(0));
        }
      }
      for (const auto id : doomed) {
        c.prepare("DELETE FROM outbox WHERE id = ? AND state = 'queued'").bind(1, id).run();
      }
    }
    for (const auto& m : plan.queue) {
      if (auto refused = unqueueable(m)) return *refused;
      enqueue_in(c, m, now);
    }
    return {};
  });
}

std::vector<std::chrono::minutes> store::reminder_offsets(person_id p) const {
  impl::reader r(*impl_);
  auto choice = read_reminder_choice(*r, p);
  return choice ? std::move(*choice) : default_reminder_offsets();
}

bool store::has_reminder_choice(person_id p) const {
  impl::reader r(*impl_);
  return read_reminder_choice(*r, p).has_value();
}

// ---- one-click unsubscribe ----------------------------------------------------------------

result<void> store::set_notices(person_id p, bool on) {
  const auto now = impl_->clock.now();
  return impl_->write([&](sql::connection& c) -> result<void> {
    if (!person_exists(c, p)) return error{errc::not_found, "no such person"};
    c.prepare("UPDATE people SET notices = ? WHERE id = ?")
        .bind(1, on ? 1 : 0)
        .bind(2, p.value)
        .run();
    impl::audit(c, actor::of(p), "set_notices", std::nullopt, std::nullopt, on ? "on" : "off", now);
    return {};
  });
}

result<int> store::unsubscribe(person_id p, const std::vector<std::string>& drop_kinds,
                               calendar::utc_seconds now) {
  return impl_->write([&](sql::connection& c) -> result<int> {
    auto& address = c.prepare("SELECT email FROM people WHERE id = ?");
    address.bind(1, p.value);
    std::optional<std::string> email;
    if (address.step()) email = address.text(0);
    address.reset();
    if (!email) return error{errc::not_found, "no such person"};
    // Off is a choice ("" offsets), as set_reminder_offsets with none.
    c.prepare(
         "INSERT INTO reminder_preferences (person_id, offsets) VALUES (?, '') "
         "ON CONFLICT (person_id) DO UPDATE SET offsets = excluded.offsets")
        .bind(1, p.value)
        .run();
    c.prepare("UPDATE people SET notices = 0 WHERE id = ?").bind(1, p.value).run();
    // Queued, not claimed: a message being sent right now goes out (it cannot be recalled).
    int dropped = 0;
    for (const auto& kind : drop_kinds) {
      auto& drop =
          c.prepare("DELETE FROM outbox WHERE state = 'queued' AND kind = ? AND recipient = ?");
      drop.bind(1, kind).bind(2, *email).run();
      dropped += c.changes();
    }
    impl::audit(c, actor::of(p), "unsubscribed", std::nullopt, std::nullopt,
                "dropped=" + std::to_string(dropped), now);
    return dropped;
  });
}

}  // namespace treffpunkt::storage
