#include "sqlite.h"

namespace treffpunkt::storage::sql {
namespace {

/// The kind of an SQLite failure, by its primary result code.
failure_kind kind_of(int code) {
  switch (code & 0xff) {
    case SQLITE_CONSTRAINT:
      return failure_kind::constraint;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
      return failure_kind::unavailable;
    default:
      return failure_kind::other;
  }
}

[[noreturn]] void fail(sqlite3* db, int code, std::string_view context) {
  throw failure(sqlite3_extended_errcode(db) != 0 ? sqlite3_extended_errcode(db) : code,
                std::string(context) + ": " + sqlite3_errmsg(db));
}

}  // namespace

failure::failure(int code, const std::string& what)
    : std::runtime_error(what), kind_(kind_of(code)), code_(code) {}

std::string file_uri(const std::filesystem::path& path) {
  // The characters a URI filename must escape (sqlite.org/uri.html); the rest stays as is.
  std::string uri = "file:";
  for (const char c : path.string()) {
    if (c == '%' || c == '?' || c == '#') {
      static constexpr std::string_view hex = "0123456789ABCDEF";
      const auto byte = static_cast<unsigned char>(c);
      uri += '%';
      uri += hex[byte >> 4];
      uri += hex[byte & 0xf];
    } else {
      uri += c;
    }
  }
  return uri;
}

sqlite_statement::sqlite_statement(sqlite3* db, std::string_view sql) : db_(db) {
  const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) fail(db, rc, "prepare '" + std::string(sql.substr(0, 60)) + "'");
}

sqlite_statement::~sqlite_statement() { sqlite3_finalize(stmt_); }

statement& sqlite_statement::bind(int index, std::int64_t value) {
  if (const int rc = sqlite3_bind_int64(stmt_, index, value); rc != SQLITE_OK)
    fail(db_, rc, "bind");
  return *this;
}

statement& sqlite_statement::bind(int index, std::string_view text) {
  const int rc =
      sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

statement& sqlite_statement::bind_blob(int index, std::string_view bytes) {
  const int rc = sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  if (rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

statement& sqlite_statement::bind_null(int index) {
  if (const int rc = sqlite3_bind_null(stmt_, index); rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

bool sqlite_statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_, rc, "step");
}

void sqlite_statement::run() {
  while (step()) {
  }
}

std::int64_t sqlite_statement::insert() {
  run();
  return sqlite3_last_insert_rowid(db_);
}

std::optional<std::int64_t> sqlite_statement::insert_if_new() {
  run();
  // Rows this statement itself inserted (not a trigger's): none when the conflict skipped it.
  if (sqlite3_changes(db_) != 1) return std::nullopt;
  return sqlite3_last_insert_rowid(db_);
}

void sqlite_statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::int64_t sqlite_statement::int64(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::string sqlite_statement::text(int column) const {
  const auto* p = sqlite3_column_text(stmt_, column);
  const int n = sqlite3_column_bytes(stmt_, column);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n))
           : std::string();
}

bool sqlite_statement::is_null(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

sqlite_connection::sqlite_connection(const std::filesystem::path& path, open_mode mode) {
  int flags = SQLITE_OPEN_NOMUTEX;  // each connection is used by one thread at a time
  std::string name = path.string();
  switch (mode) {
    case open_mode::read_write:
      flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
      break;
    case open_mode::read_only:
      flags |= SQLITE_OPEN_READONLY;
      break;
    case open_mode::immutable:
      flags |= SQLITE_OPEN_READONLY | SQLITE_OPEN_URI;
      name = file_uri(path) + "?immutable=1";
      break;
  }
  const int rc = sqlite3_open_v2(name.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw failure(rc, "open " + path.string() + ": " + message);
  }
  sqlite3_extended_result_codes(db_, 1);
  // Waits for another process's writer instead of failing at once.
  sqlite3_busy_timeout(db_, 5000);
  exec("PRAGMA foreign_keys = ON");
}

sqlite_connection::~sqlite_connection() {
  ignoring_.clear();
  cache_.clear();  // statements before the connection
  sqlite3_close(db_);
}

void sqlite_connection::exec(std::string_view sql) {
  const std::string text(sql);
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string what = message ? message : sqlite3_errmsg(db_);
    sqlite3_free(message);
    throw failure(sqlite3_extended_errcode(db_), "exec: " + what);
  }
}

statement& sqlite_connection::prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    it = cache_.emplace(std::string(sql), std::make_unique<sqlite_statement>(db_, sql)).first;
  } else {
    it->second->reset();
  }
  return *it->second;
}

int sqlite_connection::changes() const { return sqlite3_changes(db_); }

statement& sqlite_connection::insert_or_ignore(std::string_view into) {
  return prepare_derived(ignoring_, into, [](std::string_view rest) {
    return "INSERT OR IGNORE " + std::string(rest);
  });
}

void sqlite_connection::begin_write() { exec("BEGIN IMMEDIATE"); }

void sqlite_connection::begin_snapshot() { exec("BEGIN"); }

void sqlite_connection::commit() { exec("COMMIT"); }

void sqlite_connection::rollback() noexcept {
  sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

std::int64_t sqlite_connection::data_version() {
  auto& q = prepare("PRAGMA data_version");
  const std::int64_t version = q.step() ? q.int64(0) : 0;
  q.reset();
  return version;
}

}  // namespace treffpunkt::storage::sql
