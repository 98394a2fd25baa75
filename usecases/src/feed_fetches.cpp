#include <usecases/feed_fetches.h>

#include <algorithm>
#include <exception>
#include <map>
#include <string>
#include <utility>

namespace treffpunkt::usecases {

std::size_t fetch_counter::key_hash::operator()(const key& k) const noexcept {
  // Few keys (feeds x days x families): a cheap mix is enough.
  constexpr std::uint64_t odd1 = 0x9E3779B97F4A7C15U;
  constexpr std::uint64_t odd2 = 0xC2B2AE3D27D4EB4FU;
  std::uint64_t h = static_cast<std::uint64_t>(k.feed.id) * odd1;
  h ^= static_cast<std::uint64_t>(k.day) * odd2;
  h ^= (static_cast<std::uint64_t>(k.feed.what) << 8U) | static_cast<std::uint64_t>(k.family);
  return static_cast<std::size_t>(h ^ (h >> 29U));
}

fetch_counter::fetch_counter(storage::store& store, std::function<void(std::string_view)> log)
    : store_(store), log_(std::move(log)) {}

fetch_counter::~fetch_counter() { stop(); }

void fetch_counter::count(const storage::feed_ref& feed, calendar::client_family family,
                          bool not_modified, calendar::utc_seconds now) {
  const key k{feed, storage::fetch_day(now), family};
  const std::lock_guard lock(counts_mutex_);
  auto& t = held_[k];
  ++t.fetches;
  if (not_modified) ++t.not_modified;
  t.last = std::max(t.last, now);
}

void fetch_counter::merge(tallies& into, const tallies& more) {
  for (const auto& [k, t] : more) {
    auto& sum = into[k];
    sum.fetches += t.fetches;
    sum.not_modified += t.not_modified;
    sum.last = std::max(sum.last, t.last);
  }
}

std::size_t fetch_counter::flush() {
  // A read-only data folder: the counts stay in memory (the pages still see them).
  if (store_.read_only()) return 0;
  const std::lock_guard batch(batch_mutex_);
  tallies taken;
  {
    const std::lock_guard lock(counts_mutex_);
    taken.swap(held_);
  }
  if (taken.empty()) return 0;
  std::vector<storage::feed_fetch_count> rows;
  rows.reserve(taken.size());
  for (const auto& [k, t] : taken) {
    rows.push_back({k.feed, k.day, k.family, t.fetches, t.not_modified, t.last});
  }
  auto written = store_.add_feed_fetches(rows);
  if (!written) {
    {
      const std::lock_guard lock(counts_mutex_);
      merge(held_, taken);
    }
    if (log_) {
      log_("feed fetch counts not written, kept for the next try: " + written.error().message);
    }
    return 0;
  }
  return rows.size();
}

void fetch_counter::start(std::chrono::milliseconds every) {
  if (thread_.joinable()) return;
  thread_ = std::thread([this, every] {
    std::unique_lock lock(thread_mutex_);
    while (!wake_.wait_for(lock, every, [this] { return stopping_; })) {
      lock.unlock();
      try {
        flush();
      } catch (const std::exception& e) {
        // The counts of a failed batch are kept (flush); the server keeps serving.
        if (log_) log_(std::string("feed fetch counts not written: ") + e.what());
      }
      lock.lock();
    }
  });
}

void fetch_counter::stop() {
  {
    const std::lock_guard lock(thread_mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  try {
    flush();
  } catch (const std::exception& e) {
    if (log_) log_(std::string("feed fetch counts not written: ") + e.what());
  }
}

std::vector<storage::feed_fetch_count> fetch_counter::counts_of(const storage::feed_ref& feed,
                                                                std::int64_t from_day) const {
  const std::lock_guard batch(batch_mutex_);
  auto rows = store_.feed_fetches(feed, from_day);
  std::vector<std::pair<key, tally>> pending;
  {
    const std::lock_guard lock(counts_mutex_);
    for (const auto& [k, t] : held_) {
      if (k.feed == feed && k.day >= from_day) pending.emplace_back(k, t);
    }
  }
  for (const auto& [k, t] : pending) {
    // (A lambda may not capture a structured binding in clang 14.)
    const auto day = k.day;
    const auto family = k.family;
    const auto same = std::find_if(rows.begin(), rows.end(), [day, family](const auto& r) {
      return r.day == day && r.family == family;
    });
    if (same == rows.end()) {
      rows.push_back({feed, k.day, k.family, t.fetches, t.not_modified, t.last});
    } else {
      same->fetches += t.fetches;
      same->not_modified += t.not_modified;
      same->last_fetch = std::max(same->last_fetch, t.last);
    }
  }
  std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) {
    return a.day != b.day ? a.day < b.day : calendar::name(a.family) < calendar::name(b.family);
  });
  return rows;
}

std::size_t fetch_counter::held() const {
  const std::lock_guard lock(counts_mutex_);
  return held_.size();
}

std::int64_t fetch_counter::held_fetches(const storage::feed_ref& feed,
                                         calendar::utc_seconds now) const {
  const auto day = storage::fetch_day(now);
  std::int64_t sum = 0;
  const std::lock_guard lock(counts_mutex_);
  for (const auto family : calendar::client_families) {
    if (const auto found = held_.find(key{feed, day, family}); found != held_.end()) {
      sum += found->second.fetches;
    }
  }
  return sum;
}

std::vector<family_fetches> by_family(const std::vector<storage::feed_fetch_count>& counts) {
  std::map<calendar::client_family, family_fetches> sums;
  for (const auto& c : counts) {
    auto& s = sums[c.family];
    s.family = c.family;
    s.fetches += c.fetches;
    s.not_modified += c.not_modified;
    s.last_fetch = std::max(s.last_fetch, c.last_fetch);
  }
  std::vector<family_fetches> out;
  out.reserve(sums.size());
  for (const auto& [family, s] : sums) out.push_back(s);
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.last_fetch > b.last_fetch; });
  return out;
}

}  // namespace treffpunkt::usecases
