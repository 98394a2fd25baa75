#include "actions.h"

#include <calendar/expand.h>
#include <calendar/ical_writer.h>
#include <notifications/message.h>
#include <notifications/reminders.h>

#include <algorithm>
#include <cctype>
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
        return occurrence_mails(after, key, previous_start, name, going);
      },
      mail::reminder_prefix(e.id, key));
  if (changed) queued();
  return changed;
}

storage::outbox_message actions::compose(mail::message_kind kind, const calendar::event& e,
                                         const calendar::occurrence& o,
                                         const std::string& unit_name, const storage::person& to,
                                         std::string dedupe_key, calendar::utc_seconds due,
                                         std::string previous_when) const {
  const auto lang = mail::language_from_tag(to.language);
  mail::facts f;
  f.unit_name = unit_name;
  f.event_title = std::string(o.title.empty() ? std::string_view(e.title) : o.title);
  f.when = mail::format_when(o.local_start, e.all_day, lang);
  f.previous_when = std::move(previous_when);
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
    invitation = mail::calendar_part{*method, calendar::write_imip(*method, e, o.key, party)};
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
  if (!base_url_.starts_with("https://")) return;
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
  for (const auto& promoted : c.promoted) {
    const auto who = store_.person_by_id(promoted.person);
    if (!who || who->email.empty()) continue;
    out.push_back(compose(mail::message_kind::waitlist_promotion, e, *o, unit_name, *who,
                          "promoted:" + slot + ":" + std::to_string(who->id.value) + ":" + stamp,
                          now_));
    add_reminders(out, e, *o, unit_name, *who, store_.reminder_offsets(who->id));
  }
  return out;
}

/// What a moved, changed or cancelled occurrence tells its going members, each in their
/// language: a cancellation a `cancelled` notice with an iMIP CANCEL; any other change a
/// `moved` notice with an iMIP REQUEST (the override's higher SEQUENCE) and their reminders
/// planned again for the new start (store::set_override dropped the queued ones). Notices
/// carry List-Unsubscribe, which must be https: without an https base URL, none are sent.
std::vector<storage::outbox_message> actions::occurrence_mails(
    const calendar::event& after, const calendar::occurrence_key& key,
    const std::optional<calendar::local_seconds>& previous_start, const std::string& unit_name,
    const std::vector<storage::attendee>& going) const {
  std::vector<storage::outbox_message> out;
  if (!base_url_.starts_with("https://")) return out;
  const auto o = calendar::find_occurrence(after, key);
  if (!o) return out;
  const auto* changed = after.find_override(key);
  const std::string version = std::to_string(changed ? changed->sequence : after.sequence);
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
