// Part of store: see store_impl.h.
//
// Exchange offers proposed by members, the responsibles' decisions about them, the hosts of the
// events they become, and wishes (storage/offers.h).
#include <charconv>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "event_rows.h"
#include "people_rows.h"
#include "rights.h"
#include "rsvp_rows.h"  // compose_and_queue
#include "store_impl.h"

namespace treffpunkt::storage {

std::string_view to_string(offer_format f) {
  switch (f) {
    case offer_format::in_person:
      return "in_person";
    case offer_format::online:
      return "online";
    case offer_format::both:
      return "both";
  }
  return "in_person";
}

std::optional<offer_format> parse_offer_format(std::string_view s) {
  for (const auto f : {offer_format::in_person, offer_format::online, offer_format::both}) {
    if (s == to_string(f)) return f;
  }
  return std::nullopt;
}

std::string_view to_string(proposal_state s) {
  switch (s) {
    case proposal_state::waiting:
      return "waiting";
    case proposal_state::changes_requested:
      return "changes_requested";
    case proposal_state::approved:
      return "approved";
    case proposal_state::declined:
      return "declined";
    case proposal_state::withdrawn:
      return "withdrawn";
  }
  return "waiting";
}

namespace {

proposal_state state_from_db(std::string_view s) {
  for (const auto v :
       {proposal_state::waiting, proposal_state::changes_requested, proposal_state::approved,
        proposal_state::declined, proposal_state::withdrawn}) {
    if (s == to_string(v)) return v;
  }
  throw sql::failure::bad_data("offer_proposals: unknown state " + std::string(s));
}

/// offer_proposals.dates: local seconds, comma-separated; "" for none (flexible).
std::string dates_to_db(const std::vector<calendar::local_seconds>& dates) {
  std::string out;
  for (const auto d : dates) {
    if (!out.empty()) out += ',';
    out += std::to_string(to_db(d));
  }
  return out;
}

std::vector<calendar::local_seconds> dates_from_db(std::string_view text) {
  std::vector<calendar::local_seconds> out;
  while (!text.empty()) {
    const auto comma = std::min(text.find(','), text.size());
    const std::string_view item = text.substr(0, comma);
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
    if (ec != std::errc{} || end != item.data() + item.size()) {
      throw sql::failure::bad_data("offer_proposals: bad dates " + std::string(text));
    }
    out.push_back(local_from_db(value));
    text.remove_prefix(std::min(comma + 1, text.size()));
  }
  return out;
}

constexpr std::string_view proposal_columns =
    "id, unit_id, person_id, state, title, description, format, location, online_url, "
    "duration, dates, capacity, show_host, wish_id, message, event_id, created, updated";

proposal proposal_from(const sql::statement& s) {
  proposal p;
  p.id = proposal_id{s.int64(0)};
  p.unit = calendar::unit_id{s.int64(1)};
  p.proposer = person_id{s.int64(2)};
  p.state = state_from_db(s.text(3));
  auto& d = p.draft;
  d.title = s.text(4);
  d.description = s.text(5);
  d.format = parse_offer_format(s.text(6)).value_or(offer_format::in_person);
  d.location = s.text(7);
  d.online_url = s.text(8);
  d.duration = std::chrono::seconds(s.int64(9));
  d.dates = dates_from_db(s.text(10));
  if (const auto c = s.optional_int64(11)) d.capacity = static_cast<int>(*c);
  d.show_host = s.int64(12) != 0;
  if (const auto w = s.optional_int64(13)) d.wish = wish_id{*w};
  p.message = s.text(14);
  if (const auto e = s.optional_int64(15)) p.event = calendar::event_id{*e};
  p.created = utc_from_db(s.int64(16));
  p.updated = utc_from_db(s.int64(17));
  return p;
}

/// The proposals "SELECT ... FROM offer_proposals WHERE ..." finds, with `values` bound in
/// order.
std::vector<proposal> proposals_where(sql::connection& c, const std::string& where,
                                      std::initializer_list<std::int64_t> values) {
  auto& s = c.prepare("SELECT " + std::string(proposal_columns) + " FROM offer_proposals " + where);
  int index = 0;
  for (const auto v : values) s.bind(++index, v);
  std::vector<proposal> out;
  try {
    while (s.step()) out.push_back(proposal_from(s));
  } catch (...) {
    s.reset();
    throw;
  }
  s.reset();
  return out;
}

std::optional<proposal> load_proposal(sql::connection& c, proposal_id id) {
  auto found = proposals_where(c, "WHERE id = ?", {id.value});
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

constexpr std::string_view wish_columns =
    "id, unit_id, coalesce(person_id, 0), text, open, created";

wish wish_from(const sql::statement& s) {
  wish w;
  w.id = wish_id{s.int64(0)};
  w.unit = calendar::unit_id{s.int64(1)};
  w.wisher = person_id{s.int64(2)};
  w.text = s.text(3);
  w.open = s.int64(4) != 0;
  w.created = utc_from_db(s.int64(5));
  return w;
}

std::optional<wish> load_wish(sql::connection& c, wish_id id) {
  auto& s = c.prepare("SELECT " + std::string(wish_columns) + " FROM wishes WHERE id = ?");
  s.bind(1, id.value);
  std::optional<wish> out;
  if (s.step()) out = wish_from(s);
  s.reset();
  return out;
}

/// A member who may propose and wish: one who exists, is no guest and was not deleted.
std::optional<person> member_in(sql::connection& c, person_id p) {
  auto& s = c.prepare("SELECT " + std::string(person_columns) +
                      " FROM people WHERE id = ? AND deleted IS NULL");
  s.bind(1, p.value);
  std::optional<person> out;
  if (s.step()) out = person_from(s);
  s.reset();
  return out;
}

/// The count a "SELECT count(*) ..." query finds, with `values` bound in order.
std::int64_t count_of(sql::connection& c, std::string_view query,
                      std::initializer_list<std::int64_t> values) {
  auto& s = c.prepare(query);
  int index = 0;
  for (const auto v : values) s.bind(++index, v);
  s.step();
  const std::int64_t n = s.int64(0);
  s.reset();
  return n;
}

bool unit_exists_in(sql::connection& c, calendar::unit_id u) {
  return count_of(c, "SELECT count(*) FROM units WHERE id = ?", {u.value}) > 0;
}

/// The wish an offer may answer: an open wish of the same unit.
result<void> check_wish(sql::connection& c, const offer_draft& d, calendar::unit_id u) {
  if (!d.wish) return {};
  const auto w = load_wish(c, *d.wish);
  if (!w) return error{errc::not_found, "no such wish", "wish"};
  if (w->unit != u) return error{errc::conflict, "the wish is another unit's", "wish"};
  if (!w->open) return error{errc::conflict, "the wish is closed", "wish"};
  return {};
}

/// Writes the draft's fields into the proposal row `id` (the statement's parameters 1..11).
void bind_draft(sql::statement& s, const offer_draft& d) {
  s.bind(1, d.title);
  s.bind(2, d.description);
  s.bind(3, to_string(d.format));
  s.bind(4, d.location);
  s.bind(5, d.online_url);
  s.bind(6, static_cast<std::int64_t>(d.duration.count()));
  s.bind(7, dates_to_db(d.dates));
  s.bind(8, d.capacity);
  s.bind(9, d.show_host ? 1 : 0);
  if (d.wish) {
    s.bind(10, d.wish->value);
  } else {
    s.bind_null(10);
  }
}

/// The proposal of `p` that may still change (waiting or sent back), or the error to return.
result<proposal> undecided_of(sql::connection& c, proposal_id id, person_id p) {
  auto found = load_proposal(c, id);
  if (!found || found->proposer != p) return error{errc::not_found, "no such proposal of yours"};
  if (found->state != proposal_state::waiting &&
      found->state != proposal_state::changes_requested) {
    return error{errc::conflict,
                 "the proposal is " + std::string(to_string(found->state)) + " already", "state"};
  }
  return std::move(*found);
}

void set_state(sql::connection& c, proposal_id id, proposal_state s, std::string_view message,
               calendar::utc_seconds now) {
  c.prepare("UPDATE offer_proposals SET state = ?, message = ?, updated = ? WHERE id = ?")
      .bind(1, to_string(s))
      .bind(2, message)
      .bind(3, to_db(now))
      .bind(4, id.value)
      .run();
}

std::string unit_name_in(sql::connection& c, calendar::unit_id u) {
  auto& s = c.prepare("SELECT name FROM units WHERE id = ?");
  s.bind(1, u.value);
  std::string name;
  if (s.step()) name = s.text(0);
  s.reset();
  return name;
}

std::string unit_zone_in(sql::connection& c, calendar::unit_id u) {
  auto& s = c.prepare("SELECT zone FROM units WHERE id = ?");
  s.bind(1, u.value);
  std::string zone(calendar::default_zone);
  if (s.step()) zone = s.text(0);
  s.reset();
  return zone;
}

}  // namespace

result<proposal> store::propose_offer(calendar::unit_id u, person_id p, offer_draft d,
                                      calendar::utc_seconds now) {
  return impl_->write([&](sql::connection& c) -> result<proposal> {
    // The proposer's row, locked before the count: two proposals sent through two instances at
    // once cannot both pass the limit (sql::connection::lock_row; nothing on SQLite).
    c.lock_row("people", p.value);
    if (!unit_exists_in(c, u)) return error{errc::not_found, "no such unit", "unit"};
    const auto member = member_in(c, p);
    if (!member || member->guest) {
      return error{errc::forbidden, "only members who logged in may propose offers"};
    }
    const auto open = count_of(c,
                               "SELECT count(*) FROM offer_proposals WHERE person_id = ? "
                               "AND state IN ('waiting', 'changes_requested')",
                               {p.value});
    if (open >= max_open_proposals) {
      return error{errc::limit_reached,
                   "you have " + std::to_string(open) +
                       " proposals waiting for a decision: wait for one, or withdraw one"};
    }
    if (auto ok = check_wish(c, d, u); !ok) return ok.error();
    auto& s = c.prepare_insert(
        "INSERT INTO offer_proposals (title, description, format, location, online_url, "
        "duration, dates, capacity, show_host, wish_id, unit_id, person_id, state, created, "
        "updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'waiting', ?, ?)");
    bind_draft(s, d);
    s.bind(11, u.value).bind(12, p.value).bind(13, to_db(now)).bind(14, to_db(now));
    const proposal_id id{s.insert()};
    impl::audit(c, actor::of(p), "propose_offer", u, std::nullopt, d.title, now);
    return *load_proposal(c, id);
  });
}

result<proposal> store::revise_proposal(proposal_id id, person_id p, offer_draft d,
                                        calendar::utc_seconds now) {
  return impl_->write([&](sql::connection& c) -> result<proposal> {
    auto found = undecided_of(c, id, p);
    if (!found) return found.error();
    if (auto ok = check_wish(c, d, found->unit); !ok) return ok.error();
    auto& s = c.prepare(
        "UPDATE offer_proposals SET title = ?, description = ?, format = ?, location = ?, "
        "online_url = ?, duration = ?, dates = ?, capacity = ?, show_host = ?, wish_id = ?, "
        "state = 'waiting', updated = ? WHERE id = ?");
    bind_draft(s, d);
    s.bind(11, to_db(now)).bind(12, id.value);
    s.run();
    impl::audit(c, actor::of(p), "revise_proposal", found->unit, std::nullopt, d.title, now);
    return *load_proposal(c, id);
  });
}

result<proposal> store::withdraw_proposal(proposal_id id, person_id p, calendar::utc_seconds now) {
  return impl_->write([&](sql::connection& c) -> result<proposal> {
    auto found = undecided_of(c, id, p);
    if (!found) return found.error();
    set_state(c, id, proposal_state::withdrawn, found->message, now);
    impl::audit(c, actor::of(p), "withdraw_proposal", found->unit, std::nullopt, found->draft.title,
                now);
    return *load_proposal(c, id);
  });
}

result<proposal> store::decide_proposal(proposal_id id, const actor& who,
                                        const proposal_decision& d, calendar::utc_seconds now,
                                        const decision_mails& mails) {
  return impl_->write([&](sql::connection& c) -> result<proposal> {
    auto found = load_proposal(c, id);
    if (!found) return error{errc::not_found, "no such proposal"};
    if (!may_edit_unit(c, who, found->unit)) {
      return error{errc::forbidden, "only the unit's responsibles and admins decide proposals"};
    }
    if (found->state != proposal_state::waiting) {
      return error{errc::conflict,
                   "the proposal is " + std::string(to_string(found->state)) +
                       ": only a waiting proposal can be decided",
                   "state"};
    }
    const auto proposer = member_in(c, found->proposer);
    if (!proposer) return error{errc::not_found, "the proposer's account is gone"};
    decided_proposal decided{.after = {},
                             .proposer = *proposer,
                             .unit_name = unit_name_in(c, found->unit),
                             .event = std::nullopt,
                             .answered = std::nullopt,
                             .wisher = std::nullopt};
    using verdict = proposal_decision::verdict;
    if (d.what == verdict::approve) {
      const auto& draft = found->draft;
      calendar::event e;
      e.unit = found->unit;
      e.kind = calendar::event_kind::exchange_offer;
      e.title = draft.title;
      e.description = draft.description;
      if (draft.format != offer_format::online) e.location = draft.location;
      if (draft.format != offer_format::in_person) e.online_url = draft.online_url;
      e.zone = unit_zone_in(c, found->unit);
      e.start = d.start;
      e.duration = draft.duration;
      e.capacity = d.capacity;
      e.created = now;
      e.last_modified = now;
      e.uid = new_uid();
      if (auto valid = calendar::validate(e); !valid) {
        return error{errc::invalid, valid.error().what(), valid.error().field};
      }
      insert_event(c, e);
      c.prepare("INSERT INTO event_hosts (event_id, person_id, public) VALUES (?, ?, ?)")
          .bind(1, e.id.value)
          .bind(2, found->proposer.value)
          .bind(3, draft.show_host ? 1 : 0)
          .run();
      c.prepare(
           "UPDATE offer_proposals SET state = 'approved', event_id = ?, message = '', "
           "updated = ? WHERE id = ?")
          .bind(1, e.id.value)
          .bind(2, to_db(now))
          .bind(3, id.value)
          .run();
      impl::bump_unit_version(c, e.unit);
      // Their personal feed has the offers they host.
      c.prepare("UPDATE people SET version = version + 1 WHERE id = ?")
          .bind(1, found->proposer.value)
          .run();
      impl::audit(c, who, "approve_proposal", e.unit, e.id, e.title, now);
      decided.event = load_event(c, e.id);
      if (draft.wish) {
        decided.answered = load_wish(c, *draft.wish);
        if (decided.answered && decided.answered->wisher.value != 0) {
          decided.wisher = member_in(c, decided.answered->wisher);
        }
        if (!decided.wisher) decided.answered.reset();
      }
    } else {
      const auto state =
          d.what == verdict::decline ? proposal_state::declined : proposal_state::changes_requested;
      set_state(c, id, state, d.message, now);
      impl::audit(c, who,
                  d.what == verdict::decline ? "decline_proposal" : "request_proposal_changes",
                  found->unit, std::nullopt, found->draft.title, now);
    }
    decided.after = *load_proposal(c, id);
    if (mails) {
      if (auto queued = compose_and_queue(
              c, "decision", [&] { return mails(decided); }, now);
          !queued) {
        return queued.error();
      }
    }
    return decided.after;
  });
}

std::optional<proposal> store::proposal_by_id(proposal_id id) const {
  impl::reader r(*impl_);
  return load_proposal(*r, id);
}

std::vector<proposal> store::proposals_of_unit(calendar::unit_id u) const {
  impl::reader r(*impl_);
  return proposals_where(*r,
                         "WHERE unit_id = ? ORDER BY state NOT IN ('waiting', "
                         "'changes_requested'), CASE WHEN state IN ('waiting', "
                         "'changes_requested') THEN created ELSE -updated END, id",
                         {u.value});
}

std::vector<proposal> store::proposals_of_person(person_id p) const {
  impl::reader r(*impl_);
  return proposals_where(*r, "WHERE person_id = ? ORDER BY created DESC, id DESC", {p.value});
}

std::vector<proposal> store::waiting_proposals(const actor& who) const {
  impl::reader r(*impl_);
  if (is_admin(*r, who)) {
    return proposals_where(*r, "WHERE state = 'waiting' ORDER BY created, id", {});
  }
  return proposals_where(*r,
                         "WHERE state = 'waiting' AND unit_id IN (SELECT unit_id FROM "
                         "responsibles WHERE person_id = ?) ORDER BY created, id",
                         {who.person()->value});
}

std::optional<event_host> store::host_of(calendar::event_id e) const {
  impl::reader r(*impl_);
  auto& s = r->prepare(
      "SELECT h.person_id, p.name, h.public FROM event_hosts h JOIN people p "
      "ON p.id = h.person_id WHERE h.event_id = ? AND p.deleted IS NULL");
  s.bind(1, e.value);
  std::optional<event_host> out;
  if (s.step()) out = event_host{person_id{s.int64(0)}, s.text(1), s.int64(2) != 0};
  s.reset();
  return out;
}

std::vector<calendar::event_id> store::hosted_by(person_id p) const {
  impl::reader r(*impl_);
  auto& s = r->prepare("SELECT event_id FROM event_hosts WHERE person_id = ? ORDER BY event_id");
  s.bind(1, p.value);
  std::vector<calendar::event_id> out;
  while (s.step()) out.push_back(calendar::event_id{s.int64(0)});
  s.reset();
  return out;
}

result<wish> store::post_wish(calendar::unit_id u, person_id p, std::string text,
                              calendar::utc_seconds now) {
  return impl_->write([&](sql::connection& c) -> result<wish> {
    // As propose_offer: the wisher's row, locked before the count of their open wishes.
    c.lock_row("people", p.value);
    if (!unit_exists_in(c, u)) return error{errc::not_found, "no such unit", "unit"};
    const auto member = member_in(c, p);
    if (!member || member->guest) {
      return error{errc::forbidden, "only members who logged in may post wishes"};
    }
    const auto open =
        count_of(c, "SELECT count(*) FROM wishes WHERE person_id = ? AND unit_id = ? AND open = 1",
                 {p.value, u.value});
    if (open >= max_open_wishes) {
      return error{errc::limit_reached, "you have " + std::to_string(open) +
                                            " open wishes in this unit: close one first"};
    }
    const wish_id id{
        c.prepare_insert(
             "INSERT INTO wishes (unit_id, person_id, text, created) VALUES (?, ?, ?, ?)")
            .bind(1, u.value)
            .bind(2, p.value)
            .bind(3, text)
            .bind(4, to_db(now))
            .insert()};
    impl::bump_unit_version(c, u);  // the unit page lists open wishes
    impl::audit(c, actor::of(p), "post_wish", u, std::nullopt, "wish " + std::to_string(id.value),
                now);
    return *load_wish(c, id);
  });
}

result<wish> store::close_wish(wish_id id, const actor& who, calendar::utc_seconds now) {
  return impl_->write([&](sql::connection& c) -> result<wish> {
    auto w = load_wish(c, id);
    if (!w) return error{errc::not_found, "no such wish"};
    const bool own = who.person() && w->wisher == *who.person();
    if (!own && !may_edit_unit(c, who, w->unit)) {
      return error{errc::forbidden,
                   "only the wisher, the unit's responsibles and admins close a wish"};
    }
    if (!w->open) return *w;
    c.prepare("UPDATE wishes SET open = 0, closed = ?, person_id = NULL WHERE id = ?")
        .bind(1, to_db(now))
        .bind(2, id.value)
        .run();
    impl::bump_unit_version(c, w->unit);
    impl::audit(c, who, "close_wish", w->unit, std::nullopt, "wish " + std::to_string(id.value),
                now);
    return *load_wish(c, id);
  });
}

std::optional<wish> store::wish_by_id(wish_id id) const {
  impl::reader r(*impl_);
  return load_wish(*r, id);
}

int store::expire_offers(calendar::utc_seconds before) {
  auto expired = impl_->write([&](sql::connection& c) -> result<int> {
    c.prepare(
         "DELETE FROM offer_proposals WHERE state IN ('declined', 'withdrawn') AND updated < ?")
        .bind(1, to_db(before))
        .run();
    int n = c.changes();
    // A proposal that answered a deleted wish keeps its text; its link goes (ON DELETE SET NULL).
    c.prepare("DELETE FROM wishes WHERE open = 0 AND closed < ?").bind(1, to_db(before)).run();
    n += c.changes();
    return n;
  });
  return expired ? *expired : 0;
}

std::vector<wish> store::open_wishes(calendar::unit_id u) const {
  impl::reader r(*impl_);
  auto& s = r->prepare("SELECT " + std::string(wish_columns) +
                       " FROM wishes WHERE unit_id = ? AND open = 1 ORDER BY created, id");
  s.bind(1, u.value);
  std::vector<wish> out;
  while (s.step()) out.push_back(wish_from(s));
  s.reset();
  return out;
}

}  // namespace treffpunkt::storage
