#include "actions.h"

#include <calendar/expand.h>
#include <calendar/ical_writer.h>
#include <notifications/message.h>
#include <notifications/reminders.h>
#include <openssl/sha.h>  // SHA256: a message's dedupe key

#include <algorithm>
#include <array>
#include <cctype>
#include <iterator>
#include <stdexcept>

namespace treffpunkt::server {
namespace mail = notifications;

actions::actions(storage::store& store, const rsvp_mail_options& mail, std::string_view base_url,
                 calendar::utc_seconds now)
    : store_(store), mail_(mail), base_url_(base_url), now_(now) {}

std::string actions::unit_name(calendar::unit_id u) const {
  const auto found = store_.unit_by_id(u);
  return found ? found->name : std::string();
}

bool actions::notices_allowed() const { return base_url_.starts_with("https://"); }

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
        if (!notices_allowed()) return plan;
        // One notice per person, about the first upcoming occurrence they were going to (the
        // list is in time order); its CANCEL names the whole UID, so a calendar app removes
        // every occurrence of the series at once (RFC 5546 §3.2.5).
        std::vector<storage::person_id> told;
        for (const auto& occ : upcoming) {
          const auto o = calendar::find_occurrence(before, occ.key);
          if (!o) continue;
          for (const auto& a : occ.going) {
            if (a.who.email.empty() ||
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
  if (!notices_allowed()) {
    return storage::error{storage::errc::conflict,
                          "messages to attendees carry List-Unsubscribe, which needs an https "
                          "base URL (RFC 8058)"};
  }
  const auto o = calendar::find_occurrence(e, key);
  if (!o) return storage::error{storage::errc::not_found, "no such occurrence", "occurrence"};
  const std::string name = unit_name(e.unit);
  mail::facts extra;
  extra.sender_name = sender.name.empty() ? sender.email : sender.name;
  extra.subject = std::string(subject);
  extra.body = std::string(body);
  // The same text from the same person in the same second is a double click: one message.
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  const std::string identity = std::to_string(sender.id.value) + "\n" + extra.subject + "\n" +
                               extra.body + "\n" + std::to_string(now_.time_since_epoch().count());
  SHA256(reinterpret_cast<const unsigned char*>(identity.data()), identity.size(), digest.data());
  static constexpr std::string_view hex = "0123456789abcdef";
  std::string message_id;
  for (std::size_t i = 0; i < 8; ++i) {
    message_id += hex[digest[i] >> 4];
    message_id += hex[digest[i] & 0x0F];
  }
  const std::string slot = std::to_string(e.id.value) + ":" + key.to_string();
  auto queued = store_.queue_for_attendees(
      e.id, key, storage::actor::of(sender.id),
      [&](const std::vector<storage::attendee>& people) {
        std::vector<storage::outbox_message> out;
        for (const auto& a : people) {
          if (a.who.email.empty()) continue;
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
  }
  f.location = std::string(o.location);
  f.link = std::string(base_url_) + "/events/" + std::to_string(e.id.value) + ".ics";
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
  if (mail::wants_unsubscribe(kind)) {
    // The member's reminder settings; a one-click (RFC 8058) endpoint does not exist yet.
    env.unsubscribe_url = std::string(base_url_) + "/api/v1/me/reminders";
  }
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
  // Reminders carry List-Unsubscribe, which must be https (RFC 8058): without an https base
  // URL, none are queued.
  if (!notices_allowed()) return;
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
/// planned again for the new start (store::set_override dropped the queued ones). Notices
/// carry List-Unsubscribe, which must be https: without an https base URL, none are sent.
std::vector<storage::outbox_message> actions::occurrence_mails(
    const calendar::event& after, const calendar::occurrence_key& key,
    const std::optional<calendar::local_seconds>& previous_start, const std::string& unit_name,
    const std::vector<storage::attendee>& going, const std::string& version) const {
  std::vector<storage::outbox_message> out;
  if (!notices_allowed()) return out;
  const auto o = calendar::find_occurrence(after, key);
  if (!o) return out;
  const std::string slot = std::to_string(after.id.value) + ":" + key.to_string();
  const auto kind = o->cancelled ? mail::message_kind::cancelled : mail::message_kind::moved;
  for (const auto& a : going) {
    const storage::person& who = a.who;
    if (who.email.empty()) continue;
    std::string previous_when;
    if (previous_start) {
      previous_when =
          mail::format_when(*previous_start, after.all_day, mail::language_from_tag(who.language));
    }
    out.push_back(compose(kind, after, *o, unit_name, who,
                          std::string(mail::kind_name(kind)) + ":" + slot + ":" +
                              std::to_string(who.id.value) + ":" + version,
                          now_, previous_when));
    if (!o->cancelled)
      add_reminders(out, after, *o, unit_name, who, store_.reminder_offsets(who.id));
  }
  return out;
}

}  // namespace treffpunkt::server
