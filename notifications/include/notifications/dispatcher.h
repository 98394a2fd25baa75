#pragma once
/// Drains the outbox on its own thread (never on an io thread: SMTP blocks): claims due
/// messages with a lease, sends them, and records the outcome. The outbox lives in storage/;
/// the dispatcher reaches it through outbox_port, which server/ implements over
/// storage::store, so notifications/ stays independent of storage/ (docs/architecture.md).

#include <calendar/time.h>
#include <notifications/error.h>
#include <notifications/mail_sender.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace treffpunkt::notifications {

/// A claimed outbox message.
struct queued_mail {
  std::int64_t id = 0;
  std::string recipient;
  std::string data;
  int attempts = 0;  ///< failed attempts so far
  /// The claim's lease end, handed back with the outcome (mail_outcome::lease_until).
  std::optional<calendar::utc_seconds> lease_until;
};

/// What became of one claimed message (outbox_port::record).
struct mail_outcome {
  enum class kind { sent, retry, failed };
  std::int64_t id = 0;
  kind what = kind::sent;
  std::string error;                 ///< retry, failed
  calendar::utc_seconds next_due{};  ///< retry
  /// The lease of the claim (queued_mail::lease_until): the store records the outcome only
  /// while the message still holds that claim, not after another dispatcher claimed it anew.
  std::optional<calendar::utc_seconds> lease_until;
};

/// The outbox as the dispatcher needs it; see storage::store::claim_due and friends.
class outbox_port {
 public:
  virtual ~outbox_port() = default;
  virtual result<std::vector<queued_mail>> claim_due(calendar::utc_seconds now,
                                                     std::chrono::seconds lease, int max) = 0;
  virtual result<void> mark_sent(std::int64_t id, calendar::utc_seconds now) = 0;
  virtual result<void> mark_retry(std::int64_t id, std::string_view error,
                                  calendar::utc_seconds next_due) = 0;
  virtual result<void> mark_failed(std::int64_t id, std::string_view error) = 0;
  /// A round's outcomes at once (the store: in one transaction, so that a batch of mail costs
  /// one commit, not one per message). Per outcome, whether it was recorded (false: no longer
  /// being sent). An error (e.g. unavailable) means nothing was recorded. This default records
  /// them one by one.
  virtual result<std::vector<bool>> record(std::span<const mail_outcome> outcomes,
                                           calendar::utc_seconds now);
  /// When the next claim could find something: the earliest due time of a queued message or
  /// lease end of a claimed one; none when nothing is waiting. The default (none) makes the
  /// dispatcher fall back to sleeping its whole `idle` cap.
  virtual result<std::optional<calendar::utc_seconds>> next_due() {
    return std::optional<calendar::utc_seconds>{};
  }
};

/// The wait before the next attempt after `attempts` earlier failures: one minute doubled per
/// failure, at most six hours, times 0.8 + 0.4 * `unit_random` (jitter of +-20%, so that
/// messages that failed together do not come back together). `unit_random` is in [0, 1).
std::chrono::seconds retry_delay(int attempts, double unit_random);

struct dispatcher_options {
  int batch = 10;  ///< messages claimed and sent per round, over one connection
  /// How long a claim holds. Must exceed batch x the sender's per-message timeout, or a slow
  /// batch's messages could be claimed by another dispatcher and sent twice.
  std::chrono::seconds lease{std::chrono::minutes(15)};
  /// The longest sleep between rounds. The dispatcher sleeps until the next message falls due
  /// (outbox_port::next_due) or wake(), but never longer than this, so that messages queued
  /// by another process (which cannot wake it) are still seen.
  std::chrono::milliseconds idle{std::chrono::seconds(60)};
  int max_attempts = 20;  ///< then failed for good (about three days of retries)
  std::function<calendar::utc_seconds()> clock;  ///< empty: the system clock
  std::uint64_t seed = std::random_device{}();   ///< for the jitter
  std::function<void(std::string_view)> log;     ///< empty: silent
};

class dispatcher {
 public:
  dispatcher(outbox_port& outbox, mail_sender& sender, dispatcher_options options = {});
  /// Stops the thread if it runs.
  ~dispatcher();
  dispatcher(const dispatcher&) = delete;
  dispatcher& operator=(const dispatcher&) = delete;

  /// What one round did.
  struct round {
    int claimed = 0;
    int sent = 0;
    int retried = 0;
    int failed = 0;
  };

  /// One claim-send-record round on the caller's thread (tests): when it returns, its
  /// outcomes are recorded.
  round run_once();
  /// Starts the thread: rounds back to back while batches come full, else a sleep until the
  /// next message is due, a wake() or `idle`, whichever comes first.
  void start();
  /// Asks for a round now (a message was just queued).
  void wake();
  /// Interrupts the batch being sent (mail_sender::interrupt: its unsent messages are
  /// recorded as temporary failures, retried later) and joins the thread. Idempotent.
  void stop();

 private:
  void loop();
  /// A round; `overlap`: the outcomes are recorded on another thread while the caller goes on
  /// (the thread's loop, in a backlog: the next batch is sent while this one's outcomes wait
  /// for their fsync). A recording still under way is finished after this round's batch is
  /// sent and before its own outcomes are recorded, so that at most one is ever pending.
  round run_round(bool overlap);
  /// Waits for the recording under way, if any, and handles its result.
  void finish_recording();
  /// Handles the result of recording `outcomes`.
  void recorded(const std::vector<mail_outcome>& outcomes, const result<std::vector<bool>>& done);
  /// How long to sleep after a round that was not full: until the next message is due, at
  /// most `idle`; `claimed_nothing`: the round found nothing (then never no pause at all).
  std::chrono::milliseconds sleep_time(bool claimed_nothing);
  /// Records the messages in `sent_unrecorded_`; true when none is left.
  bool record_sent_earlier();
  void say(std::string_view what) const;
  calendar::utc_seconds now() const;

  outbox_port& outbox_;
  mail_sender& sender_;
  dispatcher_options options_;
  std::mt19937_64 random_;
  /// Accepted by the mail server, but the outbox could not record it (disk full, a read-only
  /// folder). Recorded before anything else is claimed, so that the message, whose lease runs
  /// out, is not claimed and sent a second time while this process lives. Only the thread
  /// that runs rounds touches it.
  std::vector<std::int64_t> sent_unrecorded_;
  /// The outcomes being recorded on another thread (run_round with overlap), and that work.
  std::vector<mail_outcome> recording_;
  std::future<result<std::vector<bool>>> recording_done_;

  std::mutex mutex_;
  std::condition_variable wakeup_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace treffpunkt::notifications
