#pragma once
/// The outbox as the dispatcher sees it (notifications::outbox_port), over storage::store:
/// the one place where notifications/ and storage/ meet, so neither depends on the other.

#include <notifications/dispatcher.h>
#include <storage/store.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace treffpunkt::usecases {

/// Forwards each call to the store and turns storage errors into notifications errors
/// (unavailable stays unavailable, so the dispatcher retries; anything else is invalid_value).
class store_outbox final : public notifications::outbox_port {
 public:
  /// `s` must outlive this adapter (and the dispatcher using it).
  explicit store_outbox(storage::store& s) : store_(s) {}
  notifications::result<std::vector<notifications::queued_mail>> claim_due(
      calendar::utc_seconds now, std::chrono::seconds lease, int max) override;
  notifications::result<void> mark_sent(std::int64_t id, calendar::utc_seconds now) override;
  notifications::result<void> mark_retry(std::int64_t id, std::string_view error,
                                         calendar::utc_seconds next_due) override;
  notifications::result<void> mark_failed(std::int64_t id, std::string_view error) override;
  notifications::result<std::vector<bool>> record(
      std::span<const notifications::mail_outcome> outcomes, calendar::utc_seconds now) override;
  notifications::result<std::optional<calendar::utc_seconds>> next_due() override;

 private:
  storage::store& store_;
};

}  // namespace treffpunkt::usecases
