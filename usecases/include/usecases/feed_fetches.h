#pragma once
/// Feed fetches counted in memory on the feeds' hot path and written to the store in batches
/// (store::add_feed_fetches): per feed, UTC day and family of calendar apps, never an address
/// or a User-Agent (docs/security.md). A batch is written every few seconds by a thread of its
/// own and once more on a clean stop; a crash loses at most the counts of one interval.

#include <calendar/client.h>
#include <calendar/time.h>
#include <storage/fetches.h>
#include <storage/store.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace treffpunkt::usecases {

class fetch_counter {
 public:
  /// `store` must outlive this object. `log` receives a line when a batch could not be written.
  explicit fetch_counter(storage::store& store, std::function<void(std::string_view)> log = {});
  /// Ends the thread (stop()).
  ~fetch_counter();
  fetch_counter(const fetch_counter&) = delete;
  fetch_counter& operator=(const fetch_counter&) = delete;

  /// Counts one answered fetch (200, or 304 when `not_modified`) of `feed` by `family` at
  /// `now`. Cheap and thread-safe: one short lock and a hash map; no SQLite, never waits for
  /// a batch being written.
  void count(const storage::feed_ref& feed, calendar::client_family family, bool not_modified,
             calendar::utc_seconds now);

  /// Writes the counts held in memory in one transaction. When that fails they stay held,
  /// added to what comes meanwhile, for the next try (logged). Returns how many rows it wrote.
  std::size_t flush();

  /// Runs flush() every `every` on a thread of its own; starting twice changes nothing.
  void start(std::chrono::milliseconds every);
  /// Ends the thread, then flushes once more (the clean stop's batch). Idempotent.
  void stop();

  /// The feed's counts from `from_day` on, as the pages show them: the store's rows with the
  /// counts still held in memory added, so that a fetch shows at once. May wait for a batch
  /// being written (one transaction), never for the feeds.
  std::vector<storage::feed_fetch_count> counts_of(const storage::feed_ref& feed,
                                                   std::int64_t from_day) const;

  /// How many (feed, day, family) rows wait in memory (tests).
  std::size_t held() const;

  /// How many fetches of `feed` on the day of `now` wait in memory, of every family: a page
  /// cached with it in its key is rendered again after the feed was fetched (the batch's write
  /// moves the store's change stamp once they are written). A lookup per family, no SQLite.
  std::int64_t held_fetches(const storage::feed_ref& feed, calendar::utc_seconds now) const;

 private:
  struct key {
    storage::feed_ref feed;
    std::int64_t day = 0;
    calendar::client_family family = calendar::client_family::other;
    friend bool operator==(const key&, const key&) = default;
  };
  struct key_hash {
    std::size_t operator()(const key& k) const noexcept;
  };
  struct tally {
    std::int64_t fetches = 0;
    std::int64_t not_modified = 0;
    calendar::utc_seconds last{};
  };
  using tallies = std::unordered_map<key, tally, key_hash>;

  /// Adds the counts of `more` to those of `into`.
  static void merge(tallies& into, const tallies& more);

  storage::store& store_;
  std::function<void(std::string_view)> log_;

  /// Guards held_: the only lock of count(), held for a hash map update.
  mutable std::mutex counts_mutex_;
  tallies held_;
  /// Held while a batch is taken from held_ and written, and while counts_of() reads: so a
  /// page never sees a batch twice (in the store and in memory) nor not at all.
  mutable std::mutex batch_mutex_;

  std::mutex thread_mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

/// What one family of apps did with a feed over some days, summed.
struct family_fetches {
  calendar::client_family family = calendar::client_family::other;
  std::int64_t fetches = 0;
  std::int64_t not_modified = 0;
  calendar::utc_seconds last_fetch{};
};

/// The counts summed per family, the most recently fetching family first.
std::vector<family_fetches> by_family(const std::vector<storage::feed_fetch_count>& counts);

}  // namespace treffpunkt::usecases
