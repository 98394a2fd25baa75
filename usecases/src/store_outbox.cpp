#include <notifications/message.h>
#include <notifications/reminders.h>
#include <usecases/store_outbox.h>

#include <exception>
#include <stdexcept>
#include <utility>

#include "mail_writer.h"

namespace treffpunkt::usecases {
namespace {

namespace n = notifications;

n::error from_store(const storage::error& e) {
  return n::error{
      e.code == storage::errc::unavailable ? n::errc::unavailable : n::errc::invalid_value,
      e.message};
}

}  // namespace

composed_due compose_due(const context& ctx, const storage::outbox_entry& queued) {
  const auto ref = n::parse_reminder_key(queued.dedupe_key);
  if (queued.kind != n::kind_name(n::message_kind::reminder) || !ref) {
    throw std::runtime_error("nothing to compose for " + queued.kind + " " + queued.dedupe_key);
  }
  const auto no_longer = [](std::string why) { return composed_due{{}, std::move(why)}; };
  const auto e = ctx.store.event_by_id(ref->event);
  if (!e) return no_longer("the event is gone");
  const auto o = calendar::find_occurrence(*e, ref->key);
  if (!o || o->cancelled) return no_longer("the session is cancelled or gone");
  // A moved session has new reminder keys (its start is part of them); this one's time passed.
  if (o->start != ref->start) return no_longer("the session moved");
  const auto to = ctx.store.person_by_id(storage::person_id{ref->person});
  if (!to || to->email != queued.recipient) return no_longer("the person or address changed");
  const auto rsvp = ctx.store.rsvp_of(e->id, ref->key, to->id);
  if (!rsvp || rsvp->state != storage::rsvp_state::going) return no_longer("no longer going");
  const mail_writer writer(ctx);
  auto m = writer.compose(n::message_kind::reminder, *e, *o, writer.unit_name(e->unit), *to,
                          queued.dedupe_key, queued.due);
  return composed_due{std::move(m.message), {}};
}

void store_outbox::compose_with(mail_settings mail, std::string base_url) {
  auto settings =
      std::make_shared<const composing>(composing{std::move(mail), std::move(base_url)});
  const std::lock_guard lock(composing_mutex_);
  composing_ = std::move(settings);
}

std::shared_ptr<const store_outbox::composing> store_outbox::composing_now() const {
  const std::lock_guard lock(composing_mutex_);
  return composing_;
}

n::result<std::vector<n::queued_mail>> store_outbox::claim_due(calendar::utc_seconds now,
                                                               std::chrono::seconds lease,
                                                               int max) {
  auto claimed = store_.claim_due(now, lease, max);
  if (!claimed) return from_store(claimed.error());
  std::vector<n::queued_mail> out;
  out.reserve(claimed->size());
  std::shared_ptr<const composing> settings;
  for (auto& e : *claimed) {
    if (e.message.empty()) {
      // Queued to be composed now (a reminder). Without the settings yet, it stays claimed
      // and comes back when its lease ends.
      if (!settings) settings = composing_now();
      if (!settings) continue;
      const context ctx{store_, settings->mail, settings->base_url, now};
      try {
        auto composed = compose_due(ctx, e);
        if (composed.message.empty()) {
          // Gone: not a failure of anyone's. If the drop fails, the lease brings it back.
          (void)store_.drop_claimed(e.id);
          continue;
        }
        e.message = std::move(composed.message);
      } catch (const std::exception& failure) {
        (void)store_.mark_failed(e.id, std::string("cannot compose: ") + failure.what());
        continue;
      }
    }
    out.push_back(n::queued_mail{e.id.value, std::move(e.recipient), std::move(e.message),
                                 e.attempts, e.lease_until});
  }
  return out;
}

n::result<void> store_outbox::mark_sent(std::int64_t id, calendar::utc_seconds now) {
  if (auto r = store_.mark_sent(storage::outbox_id{id}, now); !r) return from_store(r.error());
  return {};
}

n::result<void> store_outbox::mark_retry(std::int64_t id, std::string_view error_text,
                                         calendar::utc_seconds next_due) {
  if (auto r = store_.mark_retry(storage::outbox_id{id}, error_text, next_due); !r) {
    return from_store(r.error());
  }
  return {};
}

n::result<void> store_outbox::mark_failed(std::int64_t id, std::string_view error_text) {
  if (auto r = store_.mark_failed(storage::outbox_id{id}, error_text); !r) {
    return from_store(r.error());
  }
  return {};
}

n::result<std::vector<bool>> store_outbox::record(std::span<const n::mail_outcome> outcomes,
                                                  calendar::utc_seconds now) {
  std::vector<storage::outbox_outcome> rows;
  rows.reserve(outcomes.size());
  for (const auto& o : outcomes) {
    const auto what = o.what == n::mail_outcome::kind::sent ? storage::outbox_outcome::kind::sent
                      : o.what == n::mail_outcome::kind::retry
                          ? storage::outbox_outcome::kind::retry
                          : storage::outbox_outcome::kind::failed;
    rows.push_back({storage::outbox_id{o.id}, what, o.error, o.next_due, o.lease_until});
  }
  auto recorded = store_.record_outcomes(rows, now);
  if (!recorded) return from_store(recorded.error());
  return std::move(*recorded);
}

n::result<std::optional<calendar::utc_seconds>> store_outbox::next_due() {
  try {
    return store_.next_due();
  } catch (const std::exception& e) {
    // A read that fails (database unavailable) throws; the dispatcher then sleeps its cap.
    return n::error{n::errc::unavailable, e.what()};
  }
}

}  // namespace treffpunkt::usecases
