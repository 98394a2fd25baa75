#include <usecases/store_outbox.h>

#include <exception>
#include <utility>

namespace treffpunkt::usecases {
namespace {

namespace n = notifications;

n::error from_store(const storage::error& e) {
  return n::error{
      e.code == storage::errc::unavailable ? n::errc::unavailable : n::errc::invalid_value,
      e.message};
}

}  // namespace

n::result<std::vector<n::queued_mail>> store_outbox::claim_due(calendar::utc_seconds now,
                                                               std::chrono::seconds lease,
                                                               int max) {
  auto claimed = store_.claim_due(now, lease, max);
  if (!claimed) return from_store(claimed.error());
  std::vector<n::queued_mail> out;
  out.reserve(claimed->size());
  for (auto& e : *claimed) {
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
