#include "mail_writer.h"

#include <calendar/ical_writer.h>
#include <notifications/message.h>
#include <notifications/reminders.h>
#include <openssl/sha.h>  // SHA256: short_hash

#include <algorithm>
#include <array>
#include <cctype>
#include <iterator>
#include <stdexcept>

#include "signed_token.h"

namespace treffpunkt::usecases {
namespace mail = notifications;

std::string short_hash(std::string_view text) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest.data());
  static constexpr std::string_view hex = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < 8; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0x0F];
  }
  return out;
}

std::string dedupe_key(std::string_view kind, std::string_view slot, std::int64_t person,
                       std::string_view version) {
  std::string key;
  key.reserve(kind.size() + slot.size() + version.size() + 24);
  key.append(kind).append(":").append(slot).append(":");
  key.append(std::to_string(person)).append(":").append(version);
  return key;
}

std::vector<std::string> unsubscribable_kinds() {
  std::vector<std::string> out;
  for (const auto k : {mail::message_kind::reminder, mail::message_kind::moved,
                       mail::message_kind::cancelled, mail::message_kind::responsibles_message,
                       mail::message_kind::lag_moved, mail::message_kind::lag_cancelled}) {
    out.emplace_back(mail::kind_name(k));
  }
  return out;
}

std::string mail_writer::unit_name(calendar::unit_id u) const {
  const auto found = ctx_.store.unit_by_id(u);
  return found ? found->name : std::string();
}

void mail_writer::queued() const {
  if (ctx_.mail.queued) ctx_.mail.queued();
}

std::string mail_writer::unsubscribe_url(storage::person_id p) const {
  return std::string(ctx_.base_url) + "/unsubscribe/" +
         sign_token(ctx_.store.installation_secret(), unsubscribe_purpose, p.value);
}

mail::envelope mail_writer::envelope_to(const storage::person& to,
                                        std::string_view dedupe_key) const {
  const std::string_view from = ctx_.mail.from;
  const auto at = from.find('@');
  const std::string domain =
      at == std::string_view::npos ? "@localhost" : std::string(from.substr(at));
  std::string id_part(dedupe_key);
  std::replace_if(
      id_part.begin(), id_part.end(),
      [](char ch) {
        return !(std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-');
      },
      '.');
  return mail::envelope{.from = {"treffpunkt", std::string(from)},
                        .to = {to.name, to.email},
                        .date = ctx_.now,
                        .message_id = id_part + domain,
                        .unsubscribe_url = {}};
}

storage::outbox_message mail_writer::compose_plain(mail::message_kind kind,
                                                   const storage::person& to,
                                                   const std::string& unit_name,
                                                   const std::string& title,
                                                   const std::string& body, std::string link,
                                                   std::string dedupe_key) const {
  mail::facts f;
  f.unit_name = unit_name;
  f.event_title = title;
  f.body = body;
  f.link = std::move(link);
  auto composed =
      mail::compose(kind, mail::language_from_tag(to.language), f, envelope_to(to, dedupe_key));
  if (!composed) {
    throw std::runtime_error(std::string(mail::kind_name(kind)) + ": " + composed.error().message);
  }
  return storage::outbox_message{.kind = std::string(mail::kind_name(kind)),
                                 .recipient = to.email,
                                 .message = std::move(*composed),
                                 .due = ctx_.now,
                                 .dedupe_key = std::move(dedupe_key)};
}

storage::outbox_message mail_writer::compose(mail::message_kind kind, const calendar::event& e,
                                             const calendar::occurrence& o,
                                             const std::string& unit_name,
                                             const storage::person& to, std::string dedupe_key,
                                             calendar::utc_seconds due, std::string previous_when,
                                             bool whole_event, const mail::facts* extra) const {
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
    f.app = extra->app;
    f.delay = extra->delay;
  }
  f.location = std::string(o.location);
  f.link = extra != nullptr && !extra->link.empty()
               ? extra->link
               : std::string(ctx_.base_url) + "/events/" + std::to_string(e.id.value) + ".ics";
  const std::string_view from = ctx_.mail.from;
  auto env = envelope_to(to, dedupe_key);
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

void mail_writer::add_reminders(std::vector<storage::outbox_message>& out, const calendar::event& e,
                                const calendar::occurrence& o, const storage::person& to,
                                const std::vector<std::chrono::minutes>& offsets) const {
  // Only the key: the reminder is composed when it is due (compose_due, store_outbox), with
  // the session as it stands then. An RSVP costs one message composed rather than three, and
  // the queue holds no text about anyone for the days until the reminder goes.
  for (const auto& r : mail::plan_reminders(e.id, o.key, to.id.value, o.start, offsets, ctx_.now)) {
    out.push_back(
        storage::outbox_message{.kind = std::string(mail::kind_name(mail::message_kind::reminder)),
                                .recipient = to.email,
                                .message = {},
                                .due = r.due,
                                .dedupe_key = r.dedupe_key});
  }
}

/// There is no waitlist notice kind (yet): a "yes" that lands on the waitlist gets no mail.
std::vector<storage::outbox_message> mail_writer::rsvp_mails(
    const storage::rsvp_change& c, const calendar::event& e, const std::string& unit_name,
    const storage::person& me, const std::vector<std::chrono::minutes>& offsets) const {
  std::vector<storage::outbox_message> out;
  if (c.rsvp.state == storage::rsvp_state::going) {
    out = going_mails(e, c.rsvp.key, unit_name, me, offsets);
  }
  promotion_mails(out, c.promoted, e, unit_name);
  return out;
}

std::vector<storage::outbox_message> mail_writer::going_mails(
    const calendar::event& e, const calendar::occurrence_key& key, const std::string& unit_name,
    const storage::person& me, const std::vector<std::chrono::minutes>& offsets) const {
  std::vector<storage::outbox_message> out;
  const auto o = calendar::find_occurrence(e, key);
  if (!o) return out;
  const std::string slot = std::to_string(e.id.value) + ":" + key.to_string();
  const std::string stamp = std::to_string(ctx_.now.time_since_epoch().count());
  out.push_back(compose(mail::message_kind::rsvp_confirmation, e, *o, unit_name, me,
                        dedupe_key("rsvp", slot, me.id.value, stamp), ctx_.now));
  add_reminders(out, e, *o, me, offsets);
  return out;
}

void mail_writer::promotion_mails(std::vector<storage::outbox_message>& out,
                                  const std::vector<storage::rsvp_record>& promoted,
                                  const calendar::event& e, const std::string& unit_name) const {
  const std::string stamp = std::to_string(ctx_.now.time_since_epoch().count());
  for (const auto& r : promoted) {
    const auto o = calendar::find_occurrence(e, r.key);
    if (!o) continue;
    const auto who = ctx_.store.person_by_id(r.person);
    if (!who || who->email.empty()) continue;
    const std::string slot = std::to_string(e.id.value) + ":" + r.key.to_string();
    out.push_back(compose(mail::message_kind::waitlist_promotion, e, *o, unit_name, *who,
                          dedupe_key("promoted", slot, who->id.value, stamp), ctx_.now));
    add_reminders(out, e, *o, *who, ctx_.store.reminder_offsets(who->id));
  }
}

/// A cancellation is a `cancelled` notice with an iMIP CANCEL; any other change a `moved`
/// notice with an iMIP REQUEST (the override's higher SEQUENCE), and the member's reminders
/// planned again for the new start (the store dropped the queued ones). Whoever unsubscribed
/// gets no notice, but their reminders (if they turned them on again).
std::vector<storage::outbox_message> mail_writer::occurrence_mails(
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
                            dedupe_key(mail::kind_name(kind), slot, who.id.value, version),
                            ctx_.now, previous_when));
    }
    if (!o->cancelled) {
      add_reminders(out, after, *o, who, ctx_.store.reminder_offsets(who.id));
    }
  }
  return out;
}

storage::mail_plan mail_writer::event_update_plan(const storage::event_update& u,
                                                  const std::string& unit_name) const {
  storage::mail_plan plan;
  promotion_mails(plan.queue, u.promoted, u.after, unit_name);
  // "edit<master sequence>": unique per write, and never one of set_override's versions (an
  // override's SEQUENCE), so neither notice hides the other by its dedupe key.
  const std::string version = "edit" + std::to_string(u.after.sequence);
  for (const auto* list : {&u.changed, &u.cancelled}) {
    for (const auto& c : *list) {
      const auto before = calendar::find_occurrence(u.before, c.previous_key);
      std::optional<calendar::local_seconds> previous_start;
      if (before) previous_start = before->local_start;
      // The reminders planned for the old time (or place) go; occurrence_mails plans them
      // again unless the occurrence is cancelled now.
      plan.drop.push_back(mail::reminder_prefix(u.after.id, c.previous_key));
      if (c.previous_key != c.key) plan.drop.push_back(mail::reminder_prefix(u.after.id, c.key));
      auto notices = occurrence_mails(u.after, c.key, previous_start, unit_name, c.going, version);
      std::move(notices.begin(), notices.end(), std::back_inserter(plan.queue));
    }
  }
  for (const auto& key : u.gone) plan.drop.push_back(mail::reminder_prefix(u.after.id, key));
  // The unit's followers whose calendar lags, unless told above (lag_notices.cpp).
  std::vector<storage::person_id> told;
  for (const auto& r : u.promoted) told.push_back(r.person);
  for (const auto* list : {&u.changed, &u.cancelled}) {
    for (const auto& c : *list) {
      for (const auto& a : c.going) told.push_back(a.who.id);
    }
  }
  add_lag_notices(plan.queue, u.before, u.after, unit_name, told, version);
  return plan;
}

storage::mail_plan mail_writer::event_cancel_plan(
    const calendar::event& before, const calendar::event& after,
    const std::vector<storage::occurrence_going>& upcoming, const std::string& unit_name) const {
  storage::mail_plan plan;
  // Every reminder of the event: nothing of it takes place any more.
  plan.drop.push_back(mail::reminder_prefix(after.id));
  // One notice per person, about the first upcoming occurrence they were going to (the list is
  // in time order); its CANCEL names the whole UID, so a calendar app removes every occurrence
  // of the series at once (RFC 5546 §3.2.5).
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
      plan.queue.push_back(compose(mail::message_kind::cancelled, after, *o, unit_name, a.who,
                                   "cancelled:" + std::to_string(after.id.value) +
                                       ":event:" + std::to_string(a.who.id.value) + ":" +
                                       std::to_string(after.sequence),
                                   ctx_.now, {}, true));
    }
  }
  // The unit's followers whose calendar lags and who were going to none of it
  // (lag_notices.cpp): one notice each, about the first session of the next 48 hours.
  std::vector<storage::person_id> going;
  for (const auto& occ : upcoming) {
    for (const auto& a : occ.going) going.push_back(a.who.id);
  }
  add_lag_notices(plan.queue, before, after, unit_name, going, std::to_string(after.sequence),
                  std::nullopt, true);
  return plan;
}

}  // namespace treffpunkt::usecases
