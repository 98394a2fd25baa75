#pragma once
/// Periodic clean-up while the server runs: unconfirmed guest RSVPs (and a guest's address
/// with them) are deleted once their link has expired (store::expire_guest_rsvps), so the
/// store keeps no address nobody confirmed; sent and failed mail (addresses and text) is
/// deleted `outbox_retention` after it went out (store::expire_outbox); declined and withdrawn
/// proposals and closed wishes `offers_retention` after that (store::expire_offers); the
/// counts of feed fetches after storage::feed_fetch_retention (store::expire_feed_fetches).

#include <calendar/clock.h>
#include <storage/store.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
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
  /// is removed too, and logged).
  int run_once();

 private:
  storage::store& store_;
  std::chrono::milliseconds every_;
  std::function<void(std::string_view)> log_;
  calendar::clock clock_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace treffpunkt::usecases
