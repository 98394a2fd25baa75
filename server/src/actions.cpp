#include "actions.h"

#include <calendar/expand.h>
#include <calendar/ical_writer.h>
#include <notifications/message.h>
#include <notifications/reminders.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <iterator>
#include <stdexcept>

#include "auth.h"  // short_hash: a message's dedupe key, a guest link's id
#include "signed_token.h"

namespace treffpunkt::server {
namespace mail = notifications;

namespace {

/// The outbox kinds that carry List-Unsubscribe: what an unsubscribe drops from the queue.
std::vector<std::string> unsubscribable_kinds() {
  std::vector<std::string> out;
  for (const auto k : {mail::message_kind::reminder, mail::message_kind::moved,
                       mail::message_kind::cancelled, mail::message_kind::responsibles_message}) {
    out.emplace_back(mail::kind_name(k));
  }
  return out;
}

}  // namespace

std::optional<std::string> guest_name(std::string_view typed) {
  const auto space = [](char c) { return c == ' ' || c == '\t'; };
  while (!typed.empty() && space(typed.front())) typed.remove_prefix(1);
  while (!typed.empty() && space(typed.back())) typed.remove_suffix(1);
  if (typed.empty() || !mail::valid_utf8(typed)) return std::nullopt;
  std::size_t characters = 0;
  for (const char c : typed) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) return std::nullopt;  // one line: no CR, LF, TAB or others
    if ((u & 0xC0) != 0x80) ++characters;
  }
  // C1 controls and the Unicode line and paragraph separators break a line too.
  for (const std::string_view bad : {"\u2028", "\u2029"}) {
    if (typed.find(bad) != std::string_view::npos) return std::nullopt;
  }
  for (std::size_t i = 0; i + 1 < typed.size(); ++i) {
    const auto b = static_cast<unsigned char>(typed[i + 1]);
    if (static_cast<unsigned char>(typed[i]) == 0xC2 && b >= 0x80 && b <= 0x9F) {
      return std::nullopt;
    }
  }
  if (characters > 100) return std::nullopt;
  return std::string(typed);
}

std::optional<std::string> guest_email(std::string_view typed) {
  const auto space = [](char c) { return c == ' ' || c == '\t'; };
  while (!typed.empty() && space(typed.front())) typed.remove_prefix(1);
  while (!typed.empty() && space(typed.back())) typed.remove_suffix(1);
  std::string address(typed);
  std::transform(address.begin(), address.end(), address.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
  if (!mail::valid_address(address)) return std::nullopt;
  return address;
}

actions::actions(storage::store& store, const rsvp_mail_options& mail, std::string_view base_url,
                 calendar::utc_seconds now)
    : store_(store), mail_(mail), base_url_(base_url), now_(now) {}

std::string actions::unit_name(calendar::unit_id u) const {
  const auto found = store_.unit_by_id(u);
  return found ? found->name : std::string();
}

void actions::queued() const {
  if (mail_.mail_queued) mail_.mail_queued();
}

storage::result<storage::rsvp_change> actions::rsvp(const calendar::event& e,
                                                    const calendar::occurrence_key& key,
                                                    const storage::person& me,
                                                    calendar::rsvp_answer answer) const {
  // Read before the write: the callback runs inside the write transaction.
  const auto offsets = store_.reminder_offsets(me.id);
  const std::string name = unit_name(e.unit);
  auto change = store_.set_rsvp(
      e.id, key, me.id, answer, now_,
      [&](const storage::rsvp_change& c, const calendar::event& current) {
        return rsvp_mails(c, current, name, me, offsets);
      },
      mail::reminder_prefix(e.id, key, me.id.value));
  if (change) queued();
  return change;
}

storage::result<storage::guest_rsvp> actions::request_guest_rsvp(
    const calendar::event& e, const calendar::occurrence_key& key, std::string_view name,
    std::string_view email, calendar::rsvp_answer answer, std::string_view language) const {
  const std::string unit = unit_name(e.unit);
  auto request = store_.request_guest_rsvp(
      e.id, key, name, email, answer, now_, language,
      [&](const storage::guest_rsvp& g, const calendar::event& current,
          const storage::person& guest) {
        storage::mail_plan plan;
        const auto o = calendar::find_occurrence(current, g.rsvp.key);
        if (!o) return plan;
        const std::string slot = std::to_string(current.id.value) + ":" + g.rsvp.key.to_string() +
                                 ":" + std::to_string(guest.id.value);
        // An earlier link's mail that has not gone out: its link no longer works.
        plan.drop.push_back("guest:" + slot + ":");
        mail::facts extra;
        extra.link = std::string(base_url_) + "/rsvp/confirm/" + g.confirm_token;
        const auto lang = mail::language_from_tag(guest.language);
        const auto hours = std::chrono::duration_cast<std::chrono::hours>(g.expires - now_);
        extra.expires_in =
            std::to_string(hours.count()) + (lang == mail::language::en ? " hours" : " Stunden");
        // Keyed by the link's hash: each new link is a new mail, the same one is never sent
        // twice.
        plan.queue.push_back(compose(mail::message_kind::guest_rsvp_link, current, *o, unit, guest,
                                     "guest:" + slot + ":" + short_hash(g.confirm_token), now_, {},
                                     false, &extra));
        return plan;
      });
  if (request) queued();
  return request;
}

storage::result<storage::rsvp_change> actions::confirm_guest_rsvp(std::string_view token) const {
  auto change = store_.confirm_guest_rsvp(
      token, now_, [&](const storage::rsvp_change& c, const calendar::event& current) {
        // The guest and their settings were committed by the request: read them as they are.
        const auto who = store_.person_by_id(c.rsvp.person);
        if (!who || who->email.empty()) return std::vector<storage::outbox_message>{};
        return rsvp_mails(c, current, unit_name(current.unit), *who,
                          store_.reminder_offsets(who->id));
      });
  if (change) queued();
  return change;
}

storage::result<int> actions::unsubscribe(storage::person_id p) const {
  return store_.unsubscribe(p, unsubscribable_kinds(), now_);
}

storage::result<void> actions::delete_account(storage::person_id p,
                                              const storage::actor& who) const {
  auto deleted = store_.delete_person(
      p, who, now_, [this](const std::vector<storage::released_places>& released) {
        storage::mail_plan plan;
        for (const auto& r : released) {
          promotion_mails(plan.queue, r.promoted, r.event, unit_name(r.event.unit));
        }
        return plan;
      });
  if (deleted) queued();
  return deleted;
}

std::string actions::unsubscribe_url(storage::person_id p) const {
  return std::string(base_url_) + "/unsubscribe/" +
         sign_token(store_.installation_secret(), unsubscribe_purpose, p.value);
}

std::optional<storage::person_id> actions::unsubscriber(const storage::store& store,
                                                        std::string_view token) {
  const auto id = verify_token(store.installation_secret(), unsubscribe_purpose, token);
  if (!id) return std::nullopt;
  return storage::person_id{*id};
}

storage::result<calendar::event> actions::change_occurrence(const calendar::event& e,
                                                            calendar::occurrence_override o,
                                                            const storage::actor& who) const {
  // Read before the write: the occurrence as the members have it now.
  const auto key = o.key;
  const auto before = calendar::find_occurrence(e, key);
  const std::string name = unit_name(e.unit);
  std::optional<calendar::local_seconds> previous_start;
  if (before) previous_start = before->local_start;
  auto changed = store_.set_override(
      e.id, std::move(o), who, now_,
      [&](const calendar::event& after, const std::vector<storage::attendee>& going) {
        const auto* now_changed = after.find_override(key);
        const std::string version =
            std::to_string(now_changed ? now_changed->sequence : after.sequence);
        return occurrence_mails(after, key, previous_start, name, going, version);
      },
      mail::reminder_prefix(e.id, key));
  if (changed) queued();
  return changed;
}

storage::result<calendar::event> actions::update_event(calendar::event edited,
                                                       const storage::actor& who) const {
  const std::string name = unit_name(edited.unit);
  auto changed =
      store_.update_event(std::move(edited), who, now_, [&](const storage::event_update& u) {
        storage::mail_plan plan;
        promotion_mails(plan.queue, u.promoted, u.after, name);
        // "edit<master sequence>": unique per write, and never one of set_override's versions
        // (an override's SEQUENCE), so neither notice hides the other by its dedupe key.
        const std::string version = "edit" + std::to_string(u.after.sequence);
        for (const auto& c : u.changed) {
          const auto before = calendar::find_occurrence(u.before, c.previous_key);
          std::optional<calendar::local_seconds> previous_start;
          if (before) previous_start = before->local_start;
          // The reminders planned for the old time (or place) go; occurrence_mails plans
          // them again.
          plan.drop.push_back(mail::reminder_prefix(u.after.id, c.previous_key));
          if (c.previous_key != c.key)
            plan.drop.push_back(mail::reminder_prefix(u.after.id, c.key));
          auto notices = occurrence_mails(u.after, c.key, previous_start, name, c.going, version);
          std::move(notices.begin(), notices.end(), std::back_inserter(plan.queue));
        }
        return plan;
      });
  if (changed) queued();
  return changed;
}

storage::result<calendar::event> actions::cancel_event(const calendar::event& e,
                                                       const storage::actor& who) const {
  const std::string name = unit_name(e.unit);
  auto cancelled = store_.cancel_event(
      e.id, who, now_,
      [&](const calendar::event& before, const calendar::event& after,
          const std::vector<storage::occurrence_going>& upcoming) {
        storage::mail_plan plan;
        // Every reminder of the event: nothing of it takes place any more.
        plan.drop.push_back(mail::reminder_prefix(after.id));
        // One notice per person, about the first upcoming occurrence they were going to (the
        // list is in time order); its CANCEL names the whole UID, so a calendar app removes
        // every occurrence of the series at once (RFC 5546 §3.2.5).
        std::vector<storage::person_id> told;
        for (const auto& occ : upcoming) {
          const auto o = calendar::find_occurrence(before, occ.key);
          if (!o) continue;
          for (const auto& a : occ.going) {
            if (a.who.email.empty() || !a.who.notices ||
                std::find(told.begin(), told.end(), a.who.id) != told.end()) {
              continue;
            }
            told.push_back(a.who.id);
            plan.queue.push_back(compose(mail::message_kind::cancelled, after, *o, name, a.who,
                                         "cancelled:" + std::to_string(after.id.value) +
                                             ":event:" + std::to_string(a.who.id.value) + ":" +
                                             std::to_string(after.sequence),
                                         now_, {}, true));
          }
        }
        return plan;
      });
  if (cancelled) queued();
  return cancelled;
}

storage::result<int> actions::message_attendees(const calendar::event& e,
                                                const calendar::occurrence_key& key,
                                                const storage::person& sender,
                                                std::string_view subject,
                                                std::string_view body) const {
  const auto o = calendar::find_occurrence(e, key);
  if (!o) return storage::error{storage::errc::not_found, "no such occurrence", "occurrence"};
  const std::string name = unit_name(e.unit);
  mail::facts extra;
  extra.sender_name = sender.name.empty() ? sender.email : sender.name;
  extra.subject = std::string(subject);
  extra.body = std::string(body);
  // The same text from the same person in the same second is a double click: one message.
  const std::string message_id =
      short_hash(std::to_string(sender.id.value) + "\n" + extra.subject + "\n" + extra.body + "\n" +
                 std::to_string(now_.time_since_epoch().count()));
  const std::string slot = std::to_string(e.id.value) + ":" + key.to_string();
  auto queued = store_.queue_for_attendees(
      e.id, key, storage::actor::of(sender.id),
      [&](const std::vector<storage::attendee>& people) {
        std::vector<storage::outbox_message> out;
        for (const auto& a : people) {
          if (a.who.email.empty() || !a.who.notices) continue;  // unsubscribed: no messages
          out.push_back(
              compose(mail::message_kind::responsibles_message, e, *o, name, a.who,
                      "message:" + slot + ":" + std::to_string(a.who.id.value) + ":" + message_id,
                      now_, {}, false, &extra));
        }
        return out;
      },
      now_);
  if (queued) this->queued();
  return queued;
}

storage::result<std::pair<calendar::event, calendar::event>> actions::split_event(
    const calendar::event& e, const calendar::occurrence_key& from,
    const storage::actor& who) const {
  const std::string name = unit_name(e.unit);
  auto split =
      store_.split_event(e.id, from, who, now_,
                         [&](const calendar::event& old_series, const calendar::event& new_series,
                             const std::vector<storage::occurrence_going>& moved) {
                           storage::mail_plan plan;
                           for (const auto& occ : moved) {
                             // Reminders are keyed by event id: those under the old id would never
                             // be dropped by a later change of the new series.
                             plan.drop.push_back(mail::reminder_prefix(old_series.id, occ.key));
                             const auto o = calendar::find_occurrence(new_series, occ.key);
                             if (!o || o->cancelled) continue;
                             for (const auto& a : occ.going) {
                               if (a.who.email.empty()) continue;
                               add_reminders(plan.queue, new_series, *o, name, a.who,
                                             store_.reminder_offsets(a.who.id));
                             }
                           }
                           return plan;
                         });
  if (split) queued();
  return split;
}

storage::outbox_message actions::compose(mail::message_kind kind, const calendar::event& e,
                                         const calendar::occurrence& o,
                                         const std::string& unit_name, const storage::person& to,
                                         std::string dedupe_key, calendar::utc_seconds due,
                                         std::string previous_when, bool whole_event,
                                         const mail::facts* extra) const {
  const auto lang = mail::language_from_tag(to.language);
  mail::facts f;
  f.unit_name = unit_name;
  f.event_title = std::string(o.title.empty() ? std::string_view(e.title) : o.title);
  f.when = mail::format_when(o.local_start, e.all_day, lang);
  f.previous_when = std::move(previous_when);
  if (extra != nullptr) {
    f.sender_name = extra->sender_name;
    f.subject = extra->subject;
    f.body = extra->body;
    f.expires_in = extra->expires_in;
  }
  f.location = std::string(o.location);
  f.link = extra != nullptr && !extra->link.empty()
               ? extra->link
               : std::string(base_url_) + "/events/" + std::to_string(e.id.value) + ".ics";
  const std::string_view from = mail_.mail_from;
  const auto at = from.find('@');
  const std::string domain =
      at == std::string_view::npos ? "@localhost" : std::string(from.substr(at));
  std::string id_part = dedupe_key;
  std::replace_if(
      id_part.begin(), id_part.end(),
      [](char ch) {
        return !(std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-');
      },
      '.');
  mail::envelope env{.from = {"treffpunkt", std::string(from)},
                     .to = {to.name, to.email},
                     .date = now_,
                     .message_id = id_part + domain,
                     .unsubscribe_url = {}};
  // One click stops reminders and notices (RFC 8058), without a login.
  if (mail::wants_unsubscribe(kind)) env.unsubscribe_url = unsubscribe_url(to.id);
  std::optional<mail::calendar_part> invitation;
  // A promotion is an invitation too (the place is theirs now), though compose does not insist.
  auto method = mail::required_method(kind);
  if (kind == mail::message_kind::waitlist_promotion) method = calendar::imip_method::request;
  if (method) {
    const calendar::imip_party party{.organizer_name = unit_name,
                                     .organizer_email = std::string(from),
                                     .attendee_name = to.name,
                                     .attendee_email = to.email};
    const std::optional<calendar::occurrence_key> about =
        whole_event ? std::nullopt : std::optional<calendar::occurrence_key>(o.key);
    invitation = mail::calendar_part{*method, calendar::write_imip(*method, e, about, party)};
  }
  auto composed = mail::compose(kind, lang, f, env, invitation);
  if (!composed) {
    throw std::runtime_error(std::string(mail::kind_name(kind)) + ": " + composed.error().message);
  }
  return storage::outbox_message{.kind = std::string(mail::kind_name(kind)),
                                 .recipient = to.email,
                                 .message = std::move(*composed),
                                 .due = due,
                                 .dedupe_key = std::move(dedupe_key)};
}

void actions::add_reminders(std::vector<storage::outbox_message>& out, const calendar::event& e,
                            const calendar::occurrence& o, const std::string& unit_name,
                            const storage::person& to,
                            const std::vector<std::chrono::minutes>& offsets) const {
  for (const auto& r : mail::plan_reminders(e.id, o.key, to.id.value, o.start, offsets, now_)) {
    out.push_back(compose(mail::message_kind::reminder, e, o, unit_name, to, r.dedupe_key, r.due));
  }
}

/// What an RSVP change tells whom: the caller a confirmation (a yes with a place) and their
/// reminders, everyone moved up a promotion. There is no waitlist notice kind (yet).
std::vector<storage::outbox_message> actions::rsvp_mails(
    const storage::rsvp_change& c, const calendar::event& e, const std::string& unit_name,
    const storage::person& me, const std::vector<std::chrono::minutes>& offsets) const {
  std::vector<storage::outbox_message> out;
  const auto o = calendar::find_occurrence(e, c.rsvp.key);
  if (!o) return out;
  const std::string slot = std::to_string(e.id.value) + ":" + c.rsvp.key.to_string();
  const std::string stamp = std::to_string(now_.time_since_epoch().count());
  if (c.rsvp.state == storage::rsvp_state::going) {
    out.push_back(compose(mail::message_kind::rsvp_confirmation, e, *o, unit_name, me,
                          "rsvp:" + slot + ":" + std::to_string(me.id.value) + ":" + stamp, now_));
    add_reminders(out, e, *o, unit_name, me, offsets);
  }
  promotion_mails(out, c.promoted, e, unit_name);
  return out;
}

void actions::promotion_mails(std::vector<storage::outbox_message>& out,
                              const std::vector<storage::rsvp_record>& promoted,
                              const calendar::event& e, const std::string& unit_name) const {
  const std::string stamp = std::to_string(now_.time_since_epoch().count());
  for (const auto& r : promoted) {
    const auto o = calendar::find_occurrence(e, r.key);
    if (!o) continue;
    const auto who = store_.person_by_id(r.person);
    if (!who || who->email.empty()) continue;
    const std::string slot = std::to_string(e.id.value) + ":" + r.key.to_string();
    out.push_back(compose(mail::message_kind::waitlist_promotion, e, *o, unit_name, *who,
                          "promoted:" + slot + ":" + std::to_string(who->id.value) + ":" + stamp,
                          now_));
    add_reminders(out, e, *o, unit_name, *who, store_.reminder_offsets(who->id));
  }
}

/// What a moved, changed or cancelled occurrence tells its going members, each in their
/// language: a cancellation a `cancelled` notice with an iMIP CANCEL; any other change a
/// `moved` notice with an iMIP REQUEST (the override's higher SEQUENCE) and their reminders
/// planned again for the new start (store::set_override dropped the queued ones). Whoever
/// unsubscribed gets no notice, but their reminders (if they turned them on again).
std::vector<storage::outbox_message> actions::occurrence_mails(
    const calendar::event& after, const calendar::occurrence_key& key,
    const std::optional<calendar::local_seconds>& previous_start, const std::string& unit_name,
    const std::vector<storage::attendee>& going, const std::string& version) const {
  std::vector<storage::outbox_message> out;
  const auto o = calendar::find_occurrence(after, key);
  if (!o) return out;
  const std::string slot = std::to_string(after.id.value) + ":" + key.to_string();
  const auto kind = o->cancelled ? mail::message_kind::cancelled : mail::message_kind::moved;
  for (const auto& a : going) {
    const storage::person& who = a.who;
    if (who.email.empty()) continue;
    if (who.notices) {
      std::string previous_when;
      if (previous_start) {
        previous_when = mail::format_when(*previous_start, after.all_day,
                                          mail::language_from_tag(who.language));
      }
      out.push_back(compose(kind, after, *o, unit_name, who,
                            std::string(mail::kind_name(kind)) + ":" + slot + ":" +
                                std::to_string(who.id.value) + ":" + version,
                            now_, previous_when));
    }
    if (!o->cancelled)
      add_reminders(out, after, *o, unit_name, who, store_.reminder_offsets(who.id));
  }
  return out;
}

}  // namespace treffpunkt::server
