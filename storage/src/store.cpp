#include <fcntl.h>         // open: the WAL, for group commit
#include <openssl/rand.h>  // RAND_bytes: the installation secret
#include <storage/store.h>
#include <sys/stat.h>  // fstat, stat: is our WAL descriptor still the WAL?
#include <unistd.h>    // access, fdatasync

#include <algorithm>
#include <array>
#include <boost/throw_exception.hpp>
#include <cerrno>
#include <chrono>
#include <mutex>
#include <system_error>

#include "pg_schema.h"
#include "postgres.h"
#include "schema.h"
#include "sqlite.h"
#include "store_impl.h"

namespace treffpunkt::storage {
namespace {

// boost::system::error_category has a protected non-virtual destructor by design.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "treffpunkt.storage"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::not_found:
        return "not found";
      case errc::conflict:
        return "conflict";
      case errc::forbidden:
        return "forbidden";
      case errc::invalid:
        return "invalid";
      case errc::occurrence_cancelled:
        return "the occurrence is cancelled";
      case errc::occurrence_past:
        return "the occurrence has already started";
      case errc::rsvp_closed:
        return "RSVPs are closed";
      case errc::expired:
        return "expired";
      case errc::schema_too_new:
        return "database written by a newer version";
      case errc::unavailable:
        return "database unavailable";
      case errc::limit_reached:
        return "limit reached";
      case errc::not_started:
        return "the occurrence has not started yet";
    }
    return "unknown storage error";
  }
};
#pragma GCC diagnostic pop

int user_version(sql::connection& c) {
  auto& version_query = c.prepare("PRAGMA user_version");
  version_query.step();
  const int version = version_query.integer(0);
  version_query.reset();
  return version;
}

error too_new(const std::filesystem::path& path, int version) {
  return error{errc::schema_too_new,
               path.string() + " has schema version " + std::to_string(version) +
                   ", this treffpunkt knows up to " + std::to_string(migrations().size()) +
                   ": use a newer treffpunkt or restore a backup"};
}

/// Brings the database to the newest schema, one transaction per migration.
result<void> migrate(sql::connection& c, const std::filesystem::path& path) {
  const int version = user_version(c);
  const auto all = migrations();
  if (version > static_cast<int>(all.size())) return too_new(path, version);
  for (auto i = static_cast<std::size_t>(version); i < all.size(); ++i) {
    sql::transaction txn(c);
    c.exec(all[i]);
    if (all[i].find("PRAGMA writable_schema") != std::string_view::npos) {
      // The schema text was edited in place: other connections must read it again, which a
      // new schema_version tells them (SQLite's documentation requires the bump).
      auto& schema_version = c.prepare("PRAGMA schema_version");
      schema_version.step();
      const std::int64_t next = schema_version.int64(0) + 1;
      schema_version.reset();
      c.exec("PRAGMA schema_version = " + std::to_string(next));
    }
    c.exec("PRAGMA user_version = " + std::to_string(i + 1));
    txn.commit();
  }
  return {};
}

/// How an SQLite store opens its readers.
std::function<std::unique_ptr<sql::connection>()> sqlite_opener(std::filesystem::path db,
                                                                sql::open_mode mode) {
  return [db = std::move(db), mode]() -> std::unique_ptr<sql::connection> {
    return std::make_unique<sql::sqlite_connection>(db, mode);
  };
}

constexpr std::size_t secret_size = 32;

std::string read_secret(sql::connection& c) {
  auto& s = c.prepare("SELECT value FROM settings WHERE name = 'installation_secret'");
  std::string secret = s.step() ? s.text(0) : std::string();
  s.reset();
  if (secret.size() != secret_size) {
    throw sql::failure::bad_data("settings.installation_secret is not 32 bytes");
  }
  return secret;
}

/// The installation's secret (settings.installation_secret): made with 32 random bytes on the
/// first open. INSERT OR IGNORE: of two processes opening a new database at once, the first
/// one's secret stays, and both read that one.
std::string read_or_make_secret(sql::connection& c) {
  std::array<unsigned char, secret_size> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed: no randomness for the installation secret");
  }
  c.insert_or_ignore("INTO settings (name, value) VALUES ('installation_secret', ?)")
      .bind_blob(1, std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()))
      .run();
  return read_secret(c);
}

/// Whether this process may write DIR/treffpunkt.db and the files SQLite keeps beside it.
/// access() answers for our user, and with EROFS on a read-only mount.
bool writable(const std::filesystem::path& dir, const std::filesystem::path& db) {
  std::error_code ec;
  return ::access(dir.c_str(), W_OK) == 0 &&
         (!std::filesystem::exists(db, ec) || ::access(db.c_str(), W_OK) == 0);
}

/// Opens DB for reading only, from a folder that cannot be written: no writer, no migrations,
/// no new secret. Without a -wal file, SQLite is told the file cannot change (immutable=1),
/// because it could create neither the WAL nor its index there.
result<std::unique_ptr<store::impl>> open_for_reading(const std::filesystem::path& db) {
  std::error_code ec;
  if (!std::filesystem::exists(db, ec)) {
    return error{errc::unavailable, "the data folder " + db.parent_path().string() +
                                        " is read-only and has no treffpunkt.db to read"};
  }
  auto state = std::make_unique<store::impl>(db);
  const bool has_wal = std::filesystem::exists(db.string() + "-wal", ec);
  const auto read_mode = has_wal ? sql::open_mode::read_only : sql::open_mode::immutable;
  state->open_reader = sqlite_opener(db, read_mode);
  try {
    auto reader = state->open_reader();
    const int version = user_version(*reader);
    const auto newest = static_cast<int>(migrations().size());
    if (version > newest) return too_new(db, version);
    if (version < newest) {
      return error{errc::unavailable, db.string() + " has schema version " +
                                          std::to_string(version) + " and needs migrating to " +
                                          std::to_string(newest) +
                                          ", which needs a writable data folder"};
    }
    state->secret = read_secret(*reader);
    state->idle_readers.push_back(std::move(reader));
  } catch (const sql::failure& f) {
    if (has_wal) {
      return error{errc::unavailable,
                   "cannot read " + db.string() + " from a read-only folder: " + f.what() +
                       " (a write-ahead log was left by a process that did not finish; start "
                       "treffpunkt once with the folder writable)"};
    }
    return error{errc::unavailable, f.what()};
  }
  return state;
}

}  // namespace

const std::string& store::installation_secret() const { return impl_->secret; }

const boost::system::error_category& storage_category() noexcept {
  static const category instance;
  return instance;
}

boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), storage_category()};
}

void throw_exception_from_error(const error& e, const boost::source_location& loc) {
  boost::throw_exception(std::runtime_error(e.message), loc);
}

bool is_unavailable(const std::exception& e) noexcept {
  const auto* failure = dynamic_cast<const sql::failure*>(&e);
  return failure != nullptr && failure->is_unavailable();
}

error to_error(const sql::failure& f) {
  if (f.is_constraint()) return error{errc::conflict, f.what()};
  return error{errc::unavailable, f.what()};
}

store::impl::~impl() {
  if (wal_fd >= 0) ::close(wal_fd);
}

bool store::impl::open_wal() {
  wal_path = db_path;
  wal_path += "-wal";
  wal_fd = ::open(wal_path.c_str(), O_RDONLY | O_CLOEXEC);  // NOLINT(*-vararg): POSIX open
  return wal_fd >= 0;
}

std::uint64_t store::impl::run_grouped(queued_write& w) {
  std::unique_lock queue(group_mutex);
  group_queue.push_back(&w);
  group_cv.wait(queue, [&] { return w.done || group_queue.front() == &w; });
  if (w.done) return w.seq;
  // First in line: this thread runs the group, its own write first.
  const auto n = static_cast<std::ptrdiff_t>(std::min(group_queue.size(), max_group));
  const std::vector<queued_write*> group(group_queue.begin(), group_queue.begin() + n);
  queue.unlock();
  std::uint64_t seq = 0;
  {
    const std::lock_guard lock(write_mutex);
    seq = commit_group(group);
  }
  queue.lock();
  for (auto* member : group) {
    member->seq = member->kept ? seq : 0;
    member->done = true;
  }
  group_queue.erase(group_queue.begin(), group_queue.begin() + n);
  queue.unlock();
  group_cv.notify_all();
  return w.seq;
}

std::uint64_t store::impl::commit_group(const std::vector<queued_write*>& group) {
  if (!writer) {
    const error refused{errc::unavailable,
                        "the data folder " + db_path.parent_path().string() + " is read-only"};
    for (auto* member : group) member->fail(member->state, refused);
    return 0;
  }
  // Alone, a write needs no savepoint: its transaction is its own (as without group commit).
  const bool alone = group.size() == 1;
  try {
    units_touched = false;
    sql::transaction txn(*writer);
    bool any_kept = false;
    for (auto* member : group) {
      if (!alone) writer->prepare("SAVEPOINT member").run();
      bool kept = false;
      try {
        kept = member->run(member->state, *writer);
      } catch (const sql::failure& f) {
        // A constraint undoes only its statement, and the savepoint the rest of this write;
        // anything else (disk full, I/O) may have ended the transaction: the whole group goes.
        if (!f.is_constraint() || alone) throw;
        member->fail(member->state, to_error(f));
      } catch (...) {
        if (alone) throw;
        member->thrown = std::current_exception();
      }
      if (!alone) {
        if (!kept) writer->prepare("ROLLBACK TO member").run();
        writer->prepare("RELEASE member").run();
      }
      member->kept = kept;
      any_kept = any_kept || kept;
    }
    if (!any_kept) return 0;  // txn's destructor rolls back: nothing to commit
    txn.commit();
    // A member rolled back to its savepoint may have set it: one needless revalidation.
    if (units_touched) local_unit_writes.fetch_add(1, std::memory_order_release);
    writes_kept.fetch_add(
        static_cast<std::uint64_t>(std::ranges::count_if(group, &queued_write::kept)),
        std::memory_order_relaxed);
    // As in write(): the count moves after the commit, never before.
    local_writes.fetch_add(1, std::memory_order_release);
    return committed.fetch_add(1, std::memory_order_acq_rel) + 1;
  } catch (const sql::failure& f) {
    // Rolled back (txn's destructor): nothing of the group was saved, and every write in it
    // is told so, including those whose own body had succeeded.
    const error failed = to_error(f);
    for (auto* member : group) {
      member->kept = false;
      if (!member->thrown) member->fail(member->state, failed);
    }
    return 0;
  } catch (...) {
    // Only alone (above): the caller's body threw, and the caller rethrows it.
    group.front()->kept = false;
    group.front()->thrown = std::current_exception();
    return 0;
  }
}

result<void> store::impl::make_durable(std::uint64_t seq) {
  std::unique_lock lock(sync_mutex);
  while (synced < seq) {
    if (syncing) {
      synced_cv.wait(lock);
      continue;
    }
    // Leader: every commit made so far has its frames in the WAL (written by its commit), so
    // one fdatasync makes all of them durable, whoever waits for them.
    syncing = true;
    const auto upto = committed.load(std::memory_order_acquire);
    lock.unlock();
    int failed = 0;
    // fdatasync works on the file, not the descriptor: ours syncs what the writer wrote. If
    // the WAL was removed and made anew (every connection to it closed: not while we run, but
    // cheap to rule out), ours would sync a file nobody reads: open it again first.
    struct stat ours {};
    struct stat theirs {};
    if (::fstat(wal_fd, &ours) != 0 || ::stat(wal_path.c_str(), &theirs) != 0 ||
        ours.st_ino != theirs.st_ino || ours.st_dev != theirs.st_dev) {
      const int again = ::open(wal_path.c_str(), O_RDONLY | O_CLOEXEC);  // NOLINT(*-vararg)
      if (again >= 0) {
        ::dup2(again, wal_fd);
        ::close(again);
      }
    }
    if (::fdatasync(wal_fd) != 0) failed = errno;
    syncs.fetch_add(1, std::memory_order_relaxed);
    lock.lock();
    syncing = false;
    if (failed == 0) synced = std::max(synced, upto);
    synced_cv.notify_all();
    if (failed != 0) {
      // Committed (and visible) but not known durable: the caller is told the write failed,
      // as SQLite would tell it with synchronous=FULL; a retry writes it again.
      return error{errc::unavailable, "the write could not be made durable: " +
                                          std::system_category().message(failed)};
    }
  }
  return {};
}

namespace {
/// Whether this thread is in a memory_only_scope.
thread_local bool memory_only = false;
}  // namespace

memory_only_scope::memory_only_scope() : outer_(memory_only) { memory_only = true; }
memory_only_scope::~memory_only_scope() { memory_only = outer_; }

void store::impl::refuse_if_memory_only() {
  if (memory_only) throw would_block{};
}

store::impl::reader::reader(impl& owner) : owner_(owner) {
  refuse_if_memory_only();
  {
    const std::lock_guard lock(owner_.readers_mutex);
    while (!conn_ && !owner_.idle_readers.empty()) {
      conn_ = std::move(owner_.idle_readers.back());
      owner_.idle_readers.pop_back();
      if (conn_->broken()) conn_.reset();  // a PostgreSQL session that ended while idle
    }
  }
  if (!conn_) conn_ = owner_.open_reader();
}

store::impl::reader::~reader() {
  if (conn_->broken()) return;  // a lost PostgreSQL session: the next reader opens a new one
  const std::lock_guard lock(owner_.readers_mutex);
  owner_.idle_readers.push_back(std::move(conn_));
}

void store::impl::audit(sql::connection& c, const actor& who, std::string_view action,
                        std::optional<calendar::unit_id> unit,
                        std::optional<calendar::event_id> event, std::string_view detail,
                        calendar::utc_seconds now) {
  auto& s = c.prepare(
      "INSERT INTO audit_log (at, actor_id, action, unit_id, event_id, detail) "
      "VALUES (?, ?, ?, ?, ?, ?)");
  s.bind(1, to_db(now));
  if (const auto p = who.person()) {
    s.bind(2, p->value);
  } else {
    s.bind_null(2);
  }
  s.bind(3, action);
  if (unit) {
    s.bind(4, unit->value);
  } else {
    s.bind_null(4);
  }
  if (event) {
    s.bind(5, event->value);
  } else {
    s.bind_null(5);
  }
  s.bind(6, detail);
  s.run();
}

void store::impl::bump_unit_version(sql::connection& c, calendar::unit_id unit) {
  c.prepare("UPDATE units SET version = version + 1 WHERE id = ?").bind(1, unit.value).run();
  touch_units();
}

std::uint64_t store::change_stamp() const {
  // Both only grow, so their sum changes whenever either does.
  const auto foreign = impl_->probe_foreign();
  return impl_->local_writes.load(std::memory_order_acquire) + foreign;
}

std::uint64_t store::feed_stamp() const {
  const auto foreign = impl_->probe_foreign();
  return impl_->local_unit_writes.load(std::memory_order_acquire) + foreign;
}

std::uint64_t store::impl::probe_foreign() {
  // Other processes (`treffpunkt import`, a second instance) write to the file behind our
  // back; PRAGMA data_version on a connection of our own tells whether anyone committed since
  // its last call (sql::connection::data_version; PostgreSQL's snapshot on the server). That
  // costs a lock of the WAL index, so at most once per interval, and only by the one thread
  // that wins the try_lock: the others go on with the last known stamp.
  const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  const bool due = now >= next_probe.load(std::memory_order_relaxed);
  // A thread that may not go to the database leaves a due probe to one that may: until then
  // the last known stamp could be older than the interval promises.
  if (due) refuse_if_memory_only();
  if (due && probe_mutex.try_lock()) {
    const std::lock_guard lock(probe_mutex, std::adopt_lock);
    next_probe.store(
        now +
            std::chrono::duration_cast<std::chrono::steady_clock::duration>(probe_interval).count(),
        std::memory_order_relaxed);
    try {
      if (!probe) probe = open_reader();
      const std::int64_t version = probe->data_version();
      // Our own writer's commits move it too: one extra revalidation, harmless.
      if (probe_version != -1 && version != probe_version) {
        foreign_writes.fetch_add(1, std::memory_order_release);
      }
      probe_version = version;
    } catch (const sql::failure&) {
      // Cannot tell: say "changed", so callers revalidate rather than serve stale data.
      probe.reset();
      probe_version = -1;
      foreign_writes.fetch_add(1, std::memory_order_release);
    }
  }
  return foreign_writes.load(std::memory_order_acquire);
}

result<bool> store::try_exclusive(std::string_view name, const std::function<void()>& work) {
  // The lock's key: FNV-1a of the name, the same in every process and build (std::hash need
  // not be), under a prefix of ours so that other users of advisory locks on the database
  // are unlikely to collide with it.
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char ch : "treffpunkt:" + std::string(name)) {
    hash = (hash ^ static_cast<unsigned char>(ch)) * 1099511628211ULL;
  }
  const auto key = static_cast<std::int64_t>(hash);
  // A reader's session holds it: advisory locks are no writes, and the writer stays free for
  // the work's own writes (each its own transaction, as always).
  std::optional<impl::reader> session;
  try {
    session.emplace(*impl_);
    if (!(*session)->try_lock_named(key)) return false;
  } catch (const sql::failure& f) {
    return error{errc::unavailable, f.what()};
  }
  struct unlock_after {
    impl::reader& session;
    std::int64_t key;
    ~unlock_after() {
      try {
        session->unlock_named(key);
      } catch (const sql::failure&) {
        // The session is lost, and its lock with it.
      }
    }
  } const unlock{*session, key};
  work();
  return true;
}

store::store(std::unique_ptr<impl> i) : impl_(std::move(i)) {}
store::~store() = default;

store::durability_counts store::durability() const {
  return {impl_->committed.load(std::memory_order_relaxed),
          impl_->writes_kept.load(std::memory_order_relaxed),
          impl_->syncs.load(std::memory_order_relaxed)};
}

int store::schema_version() { return static_cast<int>(migrations().size()); }

bool store::read_only() const { return !impl_->writer; }

result<std::unique_ptr<store>> store::open_postgres(const std::string& url, calendar::clock clock) {
  if (!url.starts_with("postgresql://") && !url.starts_with("postgres://")) {
    return error{errc::invalid, "not a PostgreSQL URL (postgresql://...)", "database"};
  }
  try {
    auto state = std::make_unique<impl>(std::filesystem::path());
    const auto session = [url](bool read_only) -> std::unique_ptr<sql::connection> {
      auto c = std::make_unique<pg::connection>(url);
      // Readers cannot write by mistake, as SQLite's read-only connections cannot.
      if (read_only) c->exec("SET default_transaction_read_only = on");
      // A write returns once it is durable, whatever the server's default: PostgreSQL groups
      // the WAL flushes of concurrent commits itself, as impl::make_durable does on SQLite.
      if (!read_only) c->exec("SET synchronous_commit = on");
      return c;
    };
    state->open_reader = [session] { return session(true); };
    state->open_writer = [session] { return session(false); };
    state->writer = state->open_writer();
    if (auto migrated = pg_migrate(static_cast<pg::connection&>(*state->writer)); !migrated) {
      return migrated.error();
    }
    state->secret = read_or_make_secret(*state->writer);
    // Other instances on the same database are the usual case here, not an exception: their
    // writes show within a quarter second (a snapshot query, one round trip).
    state->probe_interval = postgres_change_probe_interval;
    // Durability is PostgreSQL's (synchronous_commit on: a commit returns once its WAL is
    // flushed, and the server groups the flushes of concurrent commits itself): no wal_fd.
    state->clock = clock;
    return std::unique_ptr<store>(new store(std::move(state)));
  } catch (const sql::failure& f) {
    return error{errc::unavailable, f.what()};
  }
}

result<std::unique_ptr<store>> store::open(const std::filesystem::path& data_dir,
                                           if_read_only fallback, calendar::clock clock) {
  const auto db = data_dir / "treffpunkt.db";
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (!ec && !writable(data_dir, db)) {
    ec = std::make_error_code(std::errc::read_only_file_system);
  }
  if (ec) {
    if (fallback == if_read_only::open_for_reading) {
      auto state = open_for_reading(db);
      if (!state) return state.error();
      (*state)->clock = clock;
      return std::unique_ptr<store>(new store(std::move(*state)));
    }
    return error{errc::unavailable,
                 "the data folder " + data_dir.string() + " cannot be written: " + ec.message()};
  }
  try {
    auto state = std::make_unique<impl>(db);
    state->writer = std::make_unique<sql::sqlite_connection>(db);
    state->open_reader = sqlite_opener(db, sql::open_mode::read_only);
    auto& writer = *state->writer;
    // WAL: readers never wait for the writer. synchronous=FULL until the WAL is open for
    // group commit (below): a committed transaction survives a crash of the process and of the
    // machine.
    writer.exec("PRAGMA journal_mode = WAL");
    writer.exec("PRAGMA synchronous = FULL");
    // Deleted rows (a deleted account, expired guests and mail) are overwritten with zeros,
    // not left readable in free pages of the file.
    writer.exec("PRAGMA secure_delete = ON");
    if (auto migrated = migrate(writer, db); !migrated) return migrated.error();
    state->secret = read_or_make_secret(writer);
    // Group commit: the commit itself no longer syncs; impl::write syncs the WAL (once for
    // every write that committed meanwhile) before it returns. As durable as FULL for every
    // write that returned; a write that did not return yet may be lost with the machine, as
    // with FULL.
    if (state->open_wal()) writer.exec("PRAGMA synchronous = NORMAL");
    state->clock = clock;
    return std::unique_ptr<store>(new store(std::move(state)));
  } catch (const sql::failure& f) {
    return error{errc::unavailable, f.what()};
  }
}

}  // namespace treffpunkt::storage
