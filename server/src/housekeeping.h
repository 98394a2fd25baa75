#pragma once
/// Periodic clean-up while the server runs: unconfirmed guest RSVPs (and a guest's address
/// with them) are deleted once their link has expired (store::expire_guest_rsvps), so the
/// store keeps no address nobody confirmed.

#include <storage/store.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string_view>
#include <thread>

namespace treffpunkt::server {

class housekeeping {
 public:
  /// `store` must outlive this object. `log` receives one line per round that removed something.
  housekeeping(storage::store& store, std::chrono::milliseconds every,
               std::function<void(std::string_view)> log = {});
  ~housekeeping();
  housekeeping(const housekeeping&) = delete;
  housekeeping& operator=(const housekeeping&) = delete;

  /// Runs a first round at once, then one every `every`, on its own thread.
  void start();
  /// Ends the thread; idempotent.
  void stop();
  /// One round on the caller's thread; returns how many guest RSVPs were removed.
  int run_once();

 private:
  storage::store& store_;
  std::chrono::milliseconds every_;
  std::function<void(std::string_view)> log_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace treffpunkt::server
