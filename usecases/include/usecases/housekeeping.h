#pragma once
/// Periodic clean-up while the server runs: unconfirmed guest RSVPs (and a guest's address
/// with them) are deleted once their link has expired (store::expire_guest_rsvps), so the
/// store keeps no address nobody confirmed; sent and failed mail (addresses and text) is
/// deleted `outbox_retention` after it went out (store::expire_outbox); declined and withdrawn
/// proposals and closed wishes `offers_retention` after that (store::expire_offers); the
/// counts of feed fetches after storage::feed_fetch_retention (store::expire_feed_fetches).
/// Once told how (ask_about_series), it also asks the responsibles of series nobody has
/// edited or confirmed for a while whether they still happen (series_confirmations.h).

#include <calendar/clock.h>
#include <storage/store.h>
#include <usecases/context.h>
#include <usecases/series_confirmations.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace treffpunkt::usecases {

/// How long the outbox keeps a sent or failed message (for the admin's view and questions
/// like "did my reminder go out?"). Longer than the longest reminder (28 days), so that a
/// reminder's dedupe key is never freed while its occurrence is still ahead.
inline constexpr std::chrono::days outbox_retention{30};

/// How long a declined or withdrawn proposal and a closed wish stay: time for the member to
/// read the answer and copy their text, and for the responsibles to remember what they said.
inline constexpr std::chrono::days offers_retention{90};

/// What asking about stale series needs besides the store: after how long, where the links
/// in the mails point to, and how mail leaves.
struct series_questions {
  std::chrono::days after{default_confirm_series_after};
  std::string base_url;  ///< without a trailing slash
  mail_settings mail;
};

class housekeeping {
 public:
  /// `store` must outlive this object. `log` receives one line per round that removed something.
  housekeeping(storage::store& store, std::chrono::milliseconds every,
               std::function<void(std::string_view)> log = {}, calendar::clock clock = {});
  ~housekeeping();
  housekeeping(const housekeeping&) = delete;
  housekeeping& operator=(const housekeeping&) = delete;

  /// Runs a first round at once, then one every `every`, on its own thread.
  void start();
  /// Ends the thread; idempotent.
  void stop();
  /// One round on the caller's thread; returns how many guest RSVPs were removed (old mail
  /// is removed too, and logged). Skipped (0) while another instance on the same database
  /// runs its round (store::try_exclusive).
  int run_once();
  /// From now on every round also asks about stale series (ask_series_confirmations), the
  /// next one at once (the server knows its base URL only once it listens). Thread-safe.
  void ask_about_series(series_questions q);

 private:
  storage::store& store_;
  std::chrono::milliseconds every_;
  std::function<void(std::string_view)> log_;
  calendar::clock clock_;
  /// run_once's work, under the lock.
  int round();
  /// The stale-series round of run_once, when asked to (ask_about_series).
  void ask_series(calendar::utc_seconds now);

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool run_now_ = false;  ///< a round is wanted before `every_` has passed
  std::optional<series_questions> questions_;
  std::thread thread_;
};

}  // namespace treffpunkt::usecases
