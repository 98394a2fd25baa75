#pragma once
/// The outbox as the dispatcher sees it (notifications::outbox_port), over storage::store:
/// the one place where notifications/ and storage/ meet, so neither depends on the other.

#include <notifications/dispatcher.h>
#include <storage/store.h>
#include <usecases/context.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace treffpunkt::usecases {

/// What compose_due makes of a message queued to be composed when due.
struct composed_due {
  std::string message;   ///< as it goes over SMTP; empty when it no longer applies
  std::string obsolete;  ///< why it no longer applies (the session or the person changed)
};

/// Composes a message queued without its text (a reminder: mail_writer::add_reminders queues
/// only its key, "reminder:EVENT:OCCURRENCE:PERSON:START:MINUTES") from what is stored at
/// ctx.now: the event, the occurrence, the person and their RSVP. A reminder whose occurrence
/// is gone, cancelled or moved, whose person is gone, has another address, or is no longer
/// going, no longer applies. Throws std::runtime_error for a key it cannot read or a message
/// it cannot compose.
composed_due compose_due(const context& ctx, const storage::outbox_entry& queued);

/// Forwards each call to the store and turns storage errors into notifications errors
/// (unavailable stays unavailable, so the dispatcher retries; anything else is invalid_value).
/// A claimed message queued without its text is composed here (compose_due) once
/// compose_with has said how; one that no longer applies is dropped, one that cannot be
/// composed failed.
class store_outbox final : public notifications::outbox_port {
 public:
  /// `s` must outlive this adapter (and the dispatcher using it).
  explicit store_outbox(storage::store& s) : store_(s) {}
  /// The sender and public URL that messages composed when due are written with; until it is
  /// called (serve knows its URL once it listens), claimed ones go back after their lease.
  void compose_with(mail_settings mail, std::string base_url);
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
  /// compose_with's settings, as one immutable value per call.
  struct composing {
    mail_settings mail;
    std::string base_url;
  };
  std::shared_ptr<const composing> composing_now() const;

  storage::store& store_;
  mutable std::mutex composing_mutex_;
  std::shared_ptr<const composing> composing_;  ///< guarded by composing_mutex_
};

}  // namespace treffpunkt::usecases
