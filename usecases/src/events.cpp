#include <calendar/expand.h>
#include <notifications/message.h>
#include <notifications/reminders.h>
#include <usecases/events.h>

#include <algorithm>
#include <iterator>

#include "mail_writer.h"

namespace treffpunkt::usecases {
namespace mail = notifications;

storage::result<calendar::event> change_occurrence(const context& ctx, const calendar::event& e,
                                                   calendar::occurrence_override o,
                                                   const storage::actor& who) {
  const mail_writer mails(ctx);
  // Read before the write: the occurrence as the members have it now.
  const auto key = o.key;
  const auto before = calendar::find_occurrence(e, key);
  const std::string name = mails.unit_name(e.unit);
  std::optional<calendar::local_seconds> previous_start;
  if (before) previous_start = before->local_start;
  auto changed = ctx.store.set_override(
      e.id, std::move(o), who, ctx.now,
      [&](const calendar::event& after, const std::vector<storage::attendee>& going) {
        const auto* now_changed = after.find_override(key);
        const std::string version =
            std::to_string(now_changed ? now_changed->sequence : after.sequence);
        auto out = mails.occurrence_mails(after, key, previous_start, name, going, version);
        // Followers whose calendar lags and who are not going (lag_notices.h).
        std::vector<storage::person_id> told;
        told.reserve(going.size());
        for (const auto& a : going) told.push_back(a.who.id);
        mails.add_lag_notices(out, e, after, name, told, version, key);
        return out;
      },
      mail::reminder_prefix(e.id, key));
  if (changed) mails.queued();
  return changed;
}

storage::result<calendar::event> update_event(const context& ctx, calendar::event edited,
                                              const storage::actor& who) {
  const mail_writer mails(ctx);
  const std::string name = mails.unit_name(edited.unit);
  auto changed = ctx.store.update_event(
      std::move(edited), who, ctx.now,
      [&](const storage::event_update& u) { return mails.event_update_plan(u, name); });
  if (changed) mails.queued();
  return changed;
}

storage::result<calendar::event> cancel_event(const context& ctx, const calendar::event& e,
                                              const storage::actor& who) {
  const mail_writer mails(ctx);
  const std::string name = mails.unit_name(e.unit);
  auto cancelled =
      ctx.store.cancel_event(e.id, who, ctx.now,
                             [&](const calendar::event& before, const calendar::event& after,
                                 const std::vector<storage::occurrence_going>& upcoming) {
                               return mails.event_cancel_plan(before, after, upcoming, name);
                             });
  if (cancelled) mails.queued();
  return cancelled;
}

storage::result<std::pair<calendar::event, calendar::event>> split_event(
    const context& ctx, const calendar::event& e, const calendar::occurrence_key& from,
    const storage::actor& who) {
  const mail_writer mails(ctx);
  auto split = ctx.store.split_event(
      e.id, from, who, ctx.now,
      [&](const calendar::event& old_series, const calendar::event& new_series,
          const std::vector<storage::occurrence_going>& moved) {
        storage::mail_plan plan;
        for (const auto& occ : moved) {
          // Reminders are keyed by event id: those under the old id would never be dropped by
          // a later change of the new series.
          plan.drop.push_back(mail::reminder_prefix(old_series.id, occ.key));
          const auto o = calendar::find_occurrence(new_series, occ.key);
          if (!o || o->cancelled) continue;
          for (const auto& a : occ.going) {
            if (a.who.email.empty()) continue;
            mails.add_reminders(plan.queue, new_series, *o, a.who,
                                ctx.store.reminder_offsets(a.who.id));
          }
        }
        return plan;
      });
  if (split) mails.queued();
  return split;
}

storage::result<std::pair<calendar::event, calendar::event>> change_from(
    const context& ctx, const calendar::event& e, const calendar::occurrence_key& from,
    const event_changes& changes, const storage::actor& who) {
  // The changes on the split as it would be, before anything is written.
  auto preview = calendar::split_series(e, from, "preview");
  if (!preview) {
    const bool missing = preview.error().code == calendar::errc::not_found;
    return storage::error{missing ? storage::errc::not_found : storage::errc::invalid,
                          preview.error().what(), "occurrence"};
  }
  if (auto applied = apply_event_changes(preview->second, changes, false); !applied) {
    return storage::error{storage::errc::invalid, applied.error().message, applied.error().field};
  }
  auto split = split_event(ctx, e, from, who);
  if (!split) return split.error();
  auto edited = split->second;
  if (auto applied = apply_event_changes(edited, changes, false); !applied) {
    return storage::error{storage::errc::invalid, applied.error().message, applied.error().field};
  }
  auto changed = update_event(ctx, std::move(edited), who);
  if (!changed) return changed.error();
  return std::pair{std::move(split->first), std::move(*changed)};
}

storage::result<int> message_attendees(const context& ctx, const calendar::event& e,
                                       const calendar::occurrence_key& key,
                                       const storage::person& sender, std::string_view subject,
                                       std::string_view body) {
  const mail_writer mails(ctx);
  const auto o = calendar::find_occurrence(e, key);
  if (!o) return storage::error{storage::errc::not_found, "no such occurrence", "occurrence"};
  const std::string name = mails.unit_name(e.unit);
  mail::facts extra;
  extra.sender_name = sender.name.empty() ? sender.email : sender.name;
  extra.subject = std::string(subject);
  extra.body = std::string(body);
  // The same text from the same person in the same second is a double click: one message.
  const std::string message_id =
      short_hash(std::to_string(sender.id.value) + "\n" + extra.subject + "\n" + extra.body + "\n" +
                 std::to_string(ctx.now.time_since_epoch().count()));
  const std::string slot = std::to_string(e.id.value) + ":" + key.to_string();
  auto queued = ctx.store.queue_for_attendees(
      e.id, key, storage::actor::of(sender.id),
      [&](const std::vector<storage::attendee>& people) {
        std::vector<storage::outbox_message> out;
        for (const auto& a : people) {
          if (a.who.email.empty() || !a.who.notices) continue;  // unsubscribed: no messages
          out.push_back(mails.compose(mail::message_kind::responsibles_message, e, *o, name, a.who,
                                      dedupe_key("message", slot, a.who.id.value, message_id),
                                      ctx.now, {}, false, &extra));
        }
        return out;
      },
      ctx.now);
  if (queued) mails.queued();
  return queued;
}

}  // namespace treffpunkt::usecases
