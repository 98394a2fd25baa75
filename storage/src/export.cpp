// Part of store: see store_impl.h.
#include <boost/json.hpp>
#include <initializer_list>
#include <utility>

#include "store_impl.h"

namespace treffpunkt::storage {
namespace {

namespace json = boost::json;

enum class col { integer, text, boolean };

struct column {
  std::string_view name;
  col type;
};

/// One row as an object, column i of the statement under columns[i].name; NULL as null.
json::object row_of(const sql::statement& s, std::initializer_list<column> columns) {
  json::object row;
  int i = 0;
  for (const column& c : columns) {
    if (s.is_null(i)) {
      row[c.name] = nullptr;
    } else if (c.type == col::integer) {
      row[c.name] = s.int64(i);
    } else if (c.type == col::boolean) {
      row[c.name] = s.int64(i) != 0;
    } else {
      row[c.name] = s.text(i);
    }
    ++i;
  }
  return row;
}

/// All rows of `query` (which selects exactly `columns`, in order), with `id` bound to ?1
/// when given.
json::array rows_of(sql::connection& c, std::string_view query,
                    std::initializer_list<column> columns,
                    std::optional<std::int64_t> id = std::nullopt) {
  auto& s = c.prepare(query);
  if (id) s.bind(1, *id);
  json::array out;
  while (s.step()) out.push_back(row_of(s, columns));
  return out;
}

const std::initializer_list<column> person_columns = {
    {"id", col::integer},         {"email", col::text},      {"name", col::text},
    {"language", col::text},      {"admin", col::boolean},   {"guest", col::boolean},
    {"created", col::integer},    {"version", col::integer}, {"notices", col::boolean},
    {"lag_notices", col::boolean}};

const std::initializer_list<column> rsvp_columns = {
    {"id", col::integer},           {"event_id", col::integer}, {"occurrence_key", col::text},
    {"person_id", col::integer},    {"answer", col::text},      {"state", col::text},
    {"waitlist_seq", col::integer}, {"created", col::integer},  {"updated", col::integer}};

const std::initializer_list<column> audit_columns = {
    {"id", col::integer},  {"at", col::integer},      {"actor_id", col::integer},
    {"action", col::text}, {"unit_id", col::integer}, {"event_id", col::integer},
    {"detail", col::text}};

/// Events with their rdates and overrides nested, by id.
json::array events_of(sql::connection& c) {
  json::array events = rows_of(
      c,
      "SELECT id, unit_id, uid, related_to, sequence, created, last_modified, kind, status, "
      "title, description, location, online_url, zone, all_day, start_local, duration, rrule, "
      "capacity, rsvp_deadline, confirmed, confirm_asked FROM events ORDER BY id",
      {{"id", col::integer},
       {"unit_id", col::integer},
       {"uid", col::text},
       {"related_to", col::text},
       {"sequence", col::integer},
       {"created", col::integer},
       {"last_modified", col::integer},
       {"kind", col::text},
       {"status", col::text},
       {"title", col::text},
       {"description", col::text},
       {"location", col::text},
       {"online_url", col::text},
       {"zone", col::text},
       {"all_day", col::boolean},
       {"start_local", col::integer},
       {"duration", col::integer},
       {"rrule", col::text},
       {"capacity", col::integer},
       {"rsvp_deadline", col::integer},
       {"confirmed", col::integer},
       {"confirm_asked", col::integer}});
  for (auto& value : events) {
    json::object& e = value.as_object();
    const std::int64_t id = e["id"].as_int64();
    json::array rdates;
    auto& r = c.prepare("SELECT start_local FROM event_rdates WHERE event_id = ? ORDER BY 1");
    r.bind(1, id);
    while (r.step()) rdates.push_back(r.int64(0));
    e["rdates"] = std::move(rdates);
    e["overrides"] = rows_of(c,
                             "SELECT occurrence_key, cancelled, start_local, duration, title, "
                             "description, location, online_url, sequence, last_modified "
                             "FROM occurrence_overrides WHERE event_id = ? ORDER BY occurrence_key",
                             {{"occurrence_key", col::text},
                              {"cancelled", col::boolean},
                              {"start_local", col::integer},
                              {"duration", col::integer},
                              {"title", col::text},
                              {"description", col::text},
                              {"location", col::text},
                              {"online_url", col::text},
                              {"sequence", col::integer},
                              {"last_modified", col::integer}},
                             id);
  }
  return events;
}

const std::initializer_list<column> proposal_columns = {
    {"id", col::integer},        {"unit_id", col::integer}, {"person_id", col::integer},
    {"state", col::text},        {"title", col::text},      {"description", col::text},
    {"format", col::text},       {"location", col::text},   {"online_url", col::text},
    {"duration", col::integer},  {"dates", col::text},      {"capacity", col::integer},
    {"show_host", col::boolean}, {"wish_id", col::integer}, {"message", col::text},
    {"event_id", col::integer},  {"created", col::integer}, {"updated", col::integer}};
constexpr std::string_view proposal_select =
    "SELECT id, unit_id, person_id, state, title, description, format, location, online_url, "
    "duration, dates, capacity, show_host, wish_id, message, event_id, created, updated "
    "FROM offer_proposals ";

const std::initializer_list<column> wish_columns = {
    {"id", col::integer},    {"unit_id", col::integer}, {"person_id", col::integer},
    {"text", col::text},     {"open", col::boolean},    {"created", col::integer},
    {"closed", col::integer}};
constexpr std::string_view wish_select =
    "SELECT id, unit_id, person_id, text, open, created, closed FROM wishes ";

}  // namespace

std::string store::export_json() const {
  impl::reader r(*impl_);
  // One snapshot, so that the export is consistent.
  return in_snapshot(*r, [&] {
    sql::connection& c = *r;
    json::object out;
    out["format"] = "treffpunkt-export";
    out["schema_version"] = schema_version();
    out["units"] = rows_of(c,
                           "SELECT id, slug, name, description, colour, zone, version "
                           "FROM units ORDER BY id",
                           {{"id", col::integer},
                            {"slug", col::text},
                            {"name", col::text},
                            {"description", col::text},
                            {"colour", col::text},
                            {"zone", col::text},
                            {"version", col::integer}});
    out["people"] =
        rows_of(c,
                "SELECT id, email, name, language, admin, guest, created, version, notices, "
                "lag_notices "
                "FROM people ORDER BY id",
                person_columns);
    out["responsibles"] =
        rows_of(c, "SELECT unit_id, person_id FROM responsibles ORDER BY unit_id, person_id",
                {{"unit_id", col::integer}, {"person_id", col::integer}});
    out["follows"] = rows_of(
        c, "SELECT person_id, unit_id, created FROM follows ORDER BY person_id, unit_id",
        {{"person_id", col::integer}, {"unit_id", col::integer}, {"created", col::integer}});
    out["reminder_preferences"] =
        rows_of(c, "SELECT person_id, offsets FROM reminder_preferences ORDER BY person_id",
                {{"person_id", col::integer}, {"offsets", col::text}});
    out["events"] = events_of(c);
    out["rsvps"] = rows_of(c,
                           "SELECT id, event_id, occurrence_key, person_id, answer, state, "
                           "waitlist_seq, created, updated FROM rsvps ORDER BY id",
                           rsvp_columns);
    out["attendance_lists"] = rows_of(
        c,
        "SELECT event_id, occurrence_key, recorded_at FROM attendance_lists "
        "ORDER BY event_id, occurrence_key",
        {{"event_id", col::integer}, {"occurrence_key", col::text}, {"recorded_at", col::integer}});
    out["attendance"] = rows_of(c,
                                "SELECT id, event_id, occurrence_key, person_id, walk_in, "
                                "recorded_at FROM attendance ORDER BY id",
                                {{"id", col::integer},
                                 {"event_id", col::integer},
                                 {"occurrence_key", col::text},
                                 {"person_id", col::integer},
                                 {"walk_in", col::text},
                                 {"recorded_at", col::integer}});
    out["event_hosts"] = rows_of(
        c, "SELECT event_id, person_id, public FROM event_hosts ORDER BY event_id",
        {{"event_id", col::integer}, {"person_id", col::integer}, {"public", col::boolean}});
    out["offer_proposals"] =
        rows_of(c, std::string(proposal_select) + "ORDER BY id", proposal_columns);
    out["wishes"] = rows_of(c, std::string(wish_select) + "ORDER BY id", wish_columns);
    out["feed_fetches"] = rows_of(c,
                                  "SELECT feed, day, family, fetches, not_modified, last_fetch "
                                  "FROM feed_fetches ORDER BY feed, day, family",
                                  {{"feed", col::text},
                                   {"day", col::integer},
                                   {"family", col::text},
                                   {"fetches", col::integer},
                                   {"not_modified", col::integer},
                                   {"last_fetch", col::integer}});
    // Tokens are left out on purpose: a backup must not carry credentials, not even hashed
    // ones; after a restore people log in again and rotate their feed secrets.
    out["audit_log"] = rows_of(c,
                               "SELECT id, at, actor_id, action, unit_id, event_id, detail "
                               "FROM audit_log ORDER BY id",
                               audit_columns);
    return json::serialize(out);
  });
}

result<std::string> store::export_person_json(person_id p) const {
  impl::reader r(*impl_);
  return in_snapshot(*r, [&]() -> result<std::string> {
    sql::connection& c = *r;
    json::array found =
        rows_of(c,
                "SELECT id, email, name, language, admin, guest, created, version, notices, "
                "lag_notices "
                "FROM people WHERE id = ?",
                person_columns, p.value);
    if (found.empty()) return error{errc::not_found, "no such person"};
    json::object out;
    out["format"] = "treffpunkt-person-export";
    out["person"] = std::move(found.front());
    out["follows"] = rows_of(c,
                             "SELECT u.id, u.slug, u.name, f.created FROM follows f "
                             "JOIN units u ON u.id = f.unit_id WHERE f.person_id = ? "
                             "ORDER BY u.id",
                             {{"unit_id", col::integer},
                              {"slug", col::text},
                              {"name", col::text},
                              {"since", col::integer}},
                             p.value);
    out["responsible_of"] =
        rows_of(c,
                "SELECT u.id, u.slug, u.name FROM responsibles r "
                "JOIN units u ON u.id = r.unit_id WHERE r.person_id = ? "
                "ORDER BY u.id",
                {{"unit_id", col::integer}, {"slug", col::text}, {"name", col::text}}, p.value);
    out["rsvps"] = rows_of(c,
                           "SELECT r.id, r.event_id, e.title, r.occurrence_key, r.answer, "
                           "r.state, r.created, r.updated FROM rsvps r "
                           "JOIN events e ON e.id = r.event_id WHERE r.person_id = ? "
                           "ORDER BY r.id",
                           {{"id", col::integer},
                            {"event_id", col::integer},
                            {"event_title", col::text},
                            {"occurrence_key", col::text},
                            {"answer", col::text},
                            {"state", col::text},
                            {"created", col::integer},
                            {"updated", col::integer}},
                           p.value);
    // Where they were recorded as having come (never who else came).
    out["attendance"] = rows_of(c,
                                "SELECT a.event_id, e.title, a.occurrence_key, a.recorded_at "
                                "FROM attendance a JOIN events e ON e.id = a.event_id "
                                "WHERE a.person_id = ? ORDER BY a.event_id, a.occurrence_key",
                                {{"event_id", col::integer},
                                 {"event_title", col::text},
                                 {"occurrence_key", col::text},
                                 {"recorded_at", col::integer}},
                                p.value);
    out["reminder_preferences"] =
        rows_of(c, "SELECT offsets FROM reminder_preferences WHERE person_id = ?",
                {{"offsets", col::text}}, p.value);
    out["offer_proposals"] =
        rows_of(c, std::string(proposal_select) + "WHERE person_id = ? ORDER BY id",
                proposal_columns, p.value);
    out["wishes"] = rows_of(c, std::string(wish_select) + "WHERE person_id = ? ORDER BY id",
                            wish_columns, p.value);
    out["hosted_events"] =
        rows_of(c, "SELECT event_id, public FROM event_hosts WHERE person_id = ? ORDER BY event_id",
                {{"event_id", col::integer}, {"public", col::boolean}}, p.value);
    // When their personal feed was fetched, per day and calendar app (kept 90 days).
    auto& fetches = c.prepare(sql::text_for(c.dialect(), [](sql::dialect d) {
      return "SELECT " + sql::date_of_day(d, "day") +
             ", family, fetches, not_modified, last_fetch "
             "FROM feed_fetches WHERE feed = ? ORDER BY day, family";
    }));
    fetches.bind(1, feed_ref::of(p).key());
    json::array feed_fetches;
    while (fetches.step()) {
      feed_fetches.push_back(row_of(fetches, {{"date", col::text},
                                              {"family", col::text},
                                              {"fetches", col::integer},
                                              {"not_modified", col::integer},
                                              {"last_fetch", col::integer}}));
    }
    fetches.reset();
    out["feed_fetches"] = std::move(feed_fetches);
    // What they did themselves: the audit lines that name them as the actor.
    out["audit_log"] = rows_of(c,
                               "SELECT id, at, actor_id, action, unit_id, event_id, detail "
                               "FROM audit_log WHERE actor_id = ? ORDER BY id",
                               audit_columns, p.value);
    return json::serialize(out);
  });
}

}  // namespace treffpunkt::storage
