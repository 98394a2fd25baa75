#include <notifications/message.h>
#include <notifications/reminders.h>
#include <usecases/rsvps.h>

#include <exception>
#include <optional>
#include <vector>

#include "mail_writer.h"

namespace treffpunkt::usecases {
namespace mail = notifications;

storage::result<storage::rsvp_change> answer_rsvp(const context& ctx, const calendar::event& e,
                                                  const calendar::occurrence_key& key,
                                                  const storage::person& me,
                                                  calendar::rsvp_answer answer) {
  const mail_writer mails(ctx);
  // Read before the write: the callback runs inside the write transaction.
  const auto offsets = ctx.store.reminder_offsets(me.id);
  const std::string name = mails.unit_name(e.unit);
  // A yes is nearly always a place: its confirmation and reminders are composed here, before
  // the write, so that the write lock (which every RSVP waits for) is held for the SQL only.
  // Inside, they are queued only if the write came out as foreseen, from the event as it was
  // read; anything else (a waitlist, a promotion, an event changed meanwhile) is composed
  // there from what the transaction sees.
  std::optional<std::vector<storage::outbox_message>> foreseen;
  if (answer == calendar::rsvp_answer::yes) {
    try {
      foreseen = mails.going_mails(e, key, name, me, offsets);
    } catch (const std::exception&) {
      // Composed again inside, where a failure rolls the write back and says why.
    }
  }
  auto change = ctx.store.set_rsvp(
      e.id, key, me.id, answer, ctx.now,
      [&](const storage::rsvp_change& c, const calendar::event& current) {
        if (foreseen && c.rsvp.state == storage::rsvp_state::going && c.promoted.empty() &&
            c.rsvp.key == key && current == e) {
          return std::move(*foreseen);
        }
        return mails.rsvp_mails(c, current, name, me, offsets);
      },
      mail::reminder_prefix(e.id, key, me.id.value));
  if (change) mails.queued();
  return change;
}

storage::result<storage::guest_rsvp> request_guest_rsvp(
    const context& ctx, const calendar::event& e, const calendar::occurrence_key& key,
    std::string_view name, std::string_view email, calendar::rsvp_answer answer,
    std::string_view language) {
  const mail_writer mails(ctx);
  const std::string unit = mails.unit_name(e.unit);
  auto request = ctx.store.request_guest_rsvp(
      e.id, key, name, email, answer, ctx.now, language,
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
        extra.link = std::string(ctx.base_url) + "/rsvp/confirm/" + g.confirm_token;
        const auto lang = mail::language_from_tag(guest.language);
        const auto hours = std::chrono::duration_cast<std::chrono::hours>(g.expires - ctx.now);
        extra.expires_in =
            std::to_string(hours.count()) + (lang == mail::language::en ? " hours" : " Stunden");
        // Keyed by the link's hash: each new link is a new mail, the same one is never sent
        // twice.
        plan.queue.push_back(mails.compose(
            mail::message_kind::guest_rsvp_link, current, *o, unit, guest,
            "guest:" + slot + ":" + short_hash(g.confirm_token), ctx.now, {}, false, &extra));
        return plan;
      });
  if (request) mails.queued();
  return request;
}

storage::result<storage::rsvp_change> confirm_guest_rsvp(const context& ctx,
                                                         std::string_view token) {
  const mail_writer mails(ctx);
  auto change = ctx.store.confirm_guest_rsvp(
      token, ctx.now, [&](const storage::rsvp_change& c, const calendar::event& current) {
        // The guest and their settings were committed by the request: read them as they are.
        const auto who = ctx.store.person_by_id(c.rsvp.person);
        if (!who || who->email.empty()) return std::vector<storage::outbox_message>{};
        return mails.rsvp_mails(c, current, mails.unit_name(current.unit), *who,
                                ctx.store.reminder_offsets(who->id));
      });
  if (change) mails.queued();
  return change;
}

}  // namespace treffpunkt::usecases
