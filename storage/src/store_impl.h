#pragma once
/// The store's state, shared by the source files that implement its parts (units_people.cpp,
/// events.cpp, rsvps.cpp, tokens.cpp, export.cpp).

#include <storage/store.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "event_rows.h"
#include "sql.h"

namespace treffpunkt::storage {

struct store::impl {
  /// SQLite's file; empty on PostgreSQL.
  std::filesystem::path db_path;

  /// Opens a connection for reading (the readers, the change probe): on SQLite read_only, or
  /// immutable in a read-only folder without a WAL; on PostgreSQL a session whose
  /// transactions are read only. Throws sql::failure.
  std::function<std::unique_ptr<sql::connection>()> open_reader;
  /// Opens the writer again when it was lost (PostgreSQL; null on SQLite, whose connection to
  /// its file is never lost). Throws sql::failure.
  std::function<std::unique_ptr<sql::connection>()> open_writer;

  /// Writes are serialised here; each runs in one sql::transaction on `writer`. No writer when
  /// the data folder is read-only (store::open_mode::read_only_fallback): writes then fail.
  /// On PostgreSQL too, one writer per store; the writers of several stores (processes) on one
  /// database serialise on the rows they lock (docs/architecture.md, "Several instances").
  std::mutex write_mutex;
  std::unique_ptr<sql::connection> writer;

  /// Idle read-only connections; reads take one, run, and give it back.
  std::mutex readers_mutex;
  std::vector<std::unique_ptr<sql::connection>> idle_readers;

  /// Grows after every committed write() (see change_stamp()).
  std::atomic<std::uint64_t> local_writes{0};
  /// Grows after every committed write that changed what the public feeds show: one that
  /// bumped a unit's version or created a unit (see feed_stamp()).
  std::atomic<std::uint64_t> local_unit_writes{0};
  /// Set (touch_units) on the thread that runs a write's body when it changes a unit's version
  /// or row; the write clears it before its transaction and counts it after the commit.
  static inline thread_local bool units_touched = false;
  static void touch_units() { units_touched = true; }
  /// change_stamp()'s look at other processes' commits (at most once per interval); the count
  /// of foreign writes noticed so far.
  std::uint64_t probe_foreign();
  /// Throws would_block when this thread is in a memory_only_scope: at the start of every
  /// read, write and probe that would go to the database.
  static void refuse_if_memory_only();
  /// Grows when the probe below sees a commit by any other connection (another process).
  std::atomic<std::uint64_t> foreign_writes{0};
  /// When the probe may run next (steady_clock ticks): at most once per check interval.
  std::atomic<std::int64_t> next_probe{0};
  /// The check interval: store::change_probe_interval, or the shorter one of PostgreSQL.
  std::chrono::milliseconds probe_interval = store::change_probe_interval;
  /// Guards `probe` and `probe_version`; only ever try-locked, so a request never waits.
  std::mutex probe_mutex;
  /// A read connection of its own for data_version() (which is per connection on SQLite).
  std::unique_ptr<sql::connection> probe;
  std::int64_t probe_version = -1;

  /// Group commit (docs/architecture.md, "Writes"): the writer commits with synchronous=NORMAL,
  /// which in WAL mode writes the transaction to the WAL without an fsync, and write() returns
  /// only once an fdatasync of the WAL made the commit durable. Writes that commit while another
  /// waits for its fsync share the next one: one fsync per group, not one per write. -1: no
  /// group commit (a read-only folder, or the WAL could not be opened; the writer then runs
  /// with synchronous=FULL and every commit syncs itself).
  int wal_fd = -1;
  std::filesystem::path wal_path;
  /// Commits made (under write_mutex), and how many of them are known durable.
  std::atomic<std::uint64_t> committed{0};
  /// Writes those commits held (a grouped commit holds several; store::durability).
  std::atomic<std::uint64_t> writes_kept{0};
  std::mutex sync_mutex;
  std::condition_variable synced_cv;
  bool syncing = false;                 ///< guarded by sync_mutex: one fsync at a time
  std::uint64_t synced = 0;             ///< guarded by sync_mutex
  std::atomic<std::uint64_t> syncs{0};  ///< fsyncs made (store::durable_syncs)

  /// One write waiting for its group (write() on SQLite with group commit): the caller's body
  /// and where its outcome goes, behind two plain function pointers (no allocation per write).
  struct queued_write {
    void* state = nullptr;
    /// Runs the body on the writer; true if it succeeded and its changes are to be kept.
    bool (*run)(void* state, sql::connection& c) = nullptr;
    /// Sets the caller's outcome to this error (its changes were not kept).
    void (*fail)(void* state, const error& e) = nullptr;
    std::exception_ptr thrown;  ///< anything but sql::failure the body threw, for the caller
    bool kept = false;          ///< the body succeeded and its changes are in the group
    bool done = false;          ///< guarded by group_mutex
    std::uint64_t seq = 0;      ///< the group's commit if kept, else 0
  };
  /// Writes that arrive together share one transaction, not only one fsync: the first waiting
  /// write runs every body queued behind it (up to max_group), each in a savepoint of its own,
  /// and commits once; the others wait for it. Returns the commit that holds `w` (0: none).
  std::uint64_t run_grouped(queued_write& w);
  /// Runs `group` in one transaction on the writer (under write_mutex); the commit's number.
  std::uint64_t commit_group(const std::vector<queued_write*>& group);
  static constexpr std::size_t max_group = 64;
  std::mutex group_mutex;
  std::condition_variable group_cv;
  std::deque<queued_write*> group_queue;  ///< guarded by group_mutex; the front leads

  /// Returns once commit number `seq` is durable: syncs the WAL itself, or waits for the sync
  /// under way and then, if that did not cover `seq`, for the next one.
  result<void> make_durable(std::uint64_t seq);
  /// Opens the WAL for make_durable (after the writer switched to WAL and wrote); false if it
  /// cannot, and the caller keeps synchronous=FULL.
  bool open_wal();

  /// Events by id as last loaded (event_by_id, RSVPs): see event_cache.
  event_cache events;

  /// Every unit with its version, as read under one store::feed_stamp(): each write to a
  /// unit's row or version moves that stamp (touch_units), so a snapshot of the current stamp
  /// is what the table holds. units(), unit_by_slug, unit_by_id and unit_version answer from
  /// it: every RSVP, feed and page asks for a unit, and units change seldom.
  struct units_snapshot {
    std::uint64_t stamp = 0;
    std::vector<calendar::unit> units;
    std::vector<std::int64_t> versions;  ///< of units[i]
  };
  std::mutex units_mutex;
  std::shared_ptr<const units_snapshot> units_memo;  ///< guarded by units_mutex
  /// The snapshot of `stamp` (store::feed_stamp(), read by the caller before this is called:
  /// a write that commits in between moves it, and what is kept under the older stamp is read
  /// again by the next call).
  std::shared_ptr<const units_snapshot> current_units(std::uint64_t stamp);

  /// settings.installation_secret, read once at open (it never changes).
  std::string secret;
  /// The time of writes that carry none of the caller's (store::open).
  calendar::clock clock;

  explicit impl(std::filesystem::path path) : db_path(std::move(path)) {}
  ~impl();
  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;

  /// A read connection for the caller's scope.
  class reader {
   public:
    explicit reader(impl& owner);
    ~reader();
    reader(const reader&) = delete;
    reader& operator=(const reader&) = delete;
    sql::connection& operator*() { return *conn_; }
    sql::connection* operator->() { return conn_.get(); }

   private:
    impl& owner_;
    std::unique_ptr<sql::connection> conn_;
  };

  /// Runs `body(writer)` in one write transaction and commits it; SQL failures and rollbacks
  /// come back as errors (constraint -> conflict, full/read-only/busy/io -> unavailable).
  /// `body` returns result<T>; a failed result rolls the transaction back.
  ///
  /// With `rerun`, a transaction that PostgreSQL rolled back as a deadlock or serialization
  /// failure (SQLSTATE 40P01, 40001: two processes' writers waited for each other's locks, e.g.
  /// an RSVP that promotes someone whose account is being deleted) runs again, up to
  /// max_write_attempts times, instead of failing the request. Only for a body that can run
  /// twice: everything it writes derives from its arguments and what it reads, and it changes
  /// nothing outside the transaction (write_rerunnable). SQLite never fails so.
  template <class F, bool wait_for_sync = true, bool rerun = false>
  auto write(F&& body) -> std::invoke_result_t<F, sql::connection&>;
  /// write() with `rerun`.
  template <class F>
  auto write_rerunnable(F&& body) -> std::invoke_result_t<F, sql::connection&> {
    return write<F, true, true>(std::forward<F>(body));
  }
  static constexpr int max_write_attempts = 4;
  /// A write that returns once committed, without waiting for the fsync that makes it durable
  /// (the next durable write's covers it): only for writes whose loss in a power cut changes
  /// nothing anyone was told, e.g. the outbox's claims (a claim lost with the machine makes
  /// the message queued again, which it would be after its lease anyway). Runs again after a
  /// deadlock, as write_rerunnable: the body must be one that can.
  template <class F>
  auto write_unsynced(F&& body) -> std::invoke_result_t<F, sql::connection&>;

  /// Appends one line to the audit log (inside a write).
  static void audit(sql::connection& c, const actor& who, std::string_view action,
                    std::optional<calendar::unit_id> unit, std::optional<calendar::event_id> event,
                    std::string_view detail, calendar::utc_seconds now);
  /// Bumps the unit's data version (inside a write).
  static void bump_unit_version(sql::connection& c, calendar::unit_id unit);
};

/// Maps an SQL failure to a store error.
error to_error(const sql::failure& f);

template <class F>
auto store::impl::write_unsynced(F&& body) -> std::invoke_result_t<F, sql::connection&> {
  return write<F, false, true>(std::forward<F>(body));
}

template <class F, bool wait_for_sync, bool rerun>
auto store::impl::write(F&& body) -> std::invoke_result_t<F, sql::connection&> {
  using outcome_type = std::invoke_result_t<F, sql::connection&>;
  refuse_if_memory_only();
  if (wal_fd >= 0) {
    // SQLite with group commit: this write joins the writes waiting with it in one transaction
    // (run_grouped), then waits for the fsync that makes that transaction durable.
    struct call {
      F* body;
      std::optional<outcome_type> out;
    } me{&body, std::nullopt};
    queued_write w;
    w.state = &me;
    w.run = [](void* state, sql::connection& c) {
      auto& m = *static_cast<call*>(state);
      m.out.emplace((*m.body)(c));
      return static_cast<bool>(*m.out);
    };
    w.fail = [](void* state, const error& e) { static_cast<call*>(state)->out.emplace(e); };
    const std::uint64_t seq = run_grouped(w);
    if (w.thrown) std::rethrow_exception(w.thrown);
    if (wait_for_sync && seq != 0) {
      if (auto synced_now = make_durable(seq); !synced_now) return synced_now.error();
    }
    return std::move(*me.out);
  }
  std::uint64_t seq = 0;  // this write's commit, once made
  auto outcome = [&]() -> std::invoke_result_t<F, sql::connection&> {
    const std::lock_guard lock(write_mutex);
    if (!writer) {
      return error{errc::unavailable,
                   "the data folder " + db_path.parent_path().string() + " is read-only"};
    }
    for (int attempt = 1;; ++attempt) {
      try {
        if (writer->broken() && open_writer) writer = open_writer();
        units_touched = false;
        sql::transaction txn(*writer);
        auto done = body(*writer);
        if (done) {
          txn.commit();
          if (units_touched) local_unit_writes.fetch_add(1, std::memory_order_release);
          // Every committed write moves the count (caches then check their unit's version,
          // one query, and keep what is still current). After the commit, never before: a
          // cache that took the old count and then read the old rows is told by the new count
          // to read again, whereas a count moved before the commit could let it keep the old
          // rows under the new.
          local_writes.fetch_add(1, std::memory_order_release);
          writes_kept.fetch_add(1, std::memory_order_relaxed);
          seq = committed.fetch_add(1, std::memory_order_acq_rel) + 1;
        }
        return done;
      } catch (const sql::failure& f) {
        // Rolled back already (txn's destructor). The other transaction of the deadlock went
        // on and will soon commit: a short, growing pause, then this one again.
        if (rerun && f.is_serialization() && attempt < max_write_attempts) {
          std::this_thread::sleep_for(std::chrono::milliseconds(attempt * 2));
          continue;
        }
        return to_error(f);
      }
    }
  }();
  // Outside the write lock: the next writes commit while this one waits for its fsync, and
  // share the next.
  if (wait_for_sync && seq != 0 && wal_fd >= 0) {
    if (auto synced_now = make_durable(seq); !synced_now) return synced_now.error();
  }
  return outcome;
}

/// Runs `body()` in one read transaction on a reader connection, so that everything it reads
/// is one snapshot (an event and its children, an export), and returns what it returns.
template <class F>
auto in_snapshot(sql::connection& c, F&& body) -> std::invoke_result_t<F> {
  c.begin_snapshot();
  try {
    auto out = std::forward<F>(body)();
    c.exec("COMMIT");
    return out;
  } catch (...) {
    c.exec("ROLLBACK");
    throw;
  }
}

/// Unix seconds <-> time points as stored.
inline std::int64_t to_db(calendar::utc_seconds t) { return t.time_since_epoch().count(); }
inline std::int64_t to_db(calendar::local_seconds t) { return t.time_since_epoch().count(); }
inline calendar::utc_seconds utc_from_db(std::int64_t v) {
  return calendar::utc_seconds(std::chrono::seconds(v));
}
inline calendar::local_seconds local_from_db(std::int64_t v) {
  return calendar::local_seconds(std::chrono::seconds(v));
}

}  // namespace treffpunkt::storage
