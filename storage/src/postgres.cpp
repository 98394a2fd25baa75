#include "postgres.h"

#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <functional>
#include <limits>
#include <system_error>

namespace treffpunkt::storage::pg {
namespace {

// Type OIDs of the columns read specially (server/catalog/pg_type_d.h, which libpq-dev does
// not ship; these never change).
constexpr Oid bool_oid = 16;
constexpr Oid bytea_oid = 17;
constexpr Oid float4_oid = 700;
constexpr Oid float8_oid = 701;

bool identifier_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}

/// libpq's messages end with a newline (and sometimes more lines of detail), the SQL quoted in
/// them may have some; logs want one line.
std::string one_line(std::string out) {
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  for (char& c : out) {
    if (c == '\n') c = ' ';
  }
  return out;
}

/// The server's notices (e.g. "relation already exists, skipping") would go to stderr; the
/// store has nothing to learn from them.
void ignore_notice(void* /*arg*/, const char* /*message*/) {}

}  // namespace

failure_kind classify(std::string_view sqlstate) {
  const std::string_view cls = sqlstate.substr(0, 2);
  if (cls == "23") return failure_kind::constraint;
  if (sqlstate == "40001" || sqlstate == "40P01") return failure_kind::serialization;
  // 08: connection exceptions; 53: disk full, out of memory, too many connections;
  // 57P01-57P03: the server shuts down or is starting up; 25006: a read-only transaction, as on
  // a standby after a failover. None of them is the request's fault, all can pass.
  if (cls == "08" || cls == "53" || sqlstate == "57P01" || sqlstate == "57P02" ||
      sqlstate == "57P03" || sqlstate == "25006") {
    return failure_kind::unavailable;
  }
  return failure_kind::other;
}

namespace {

/// Just past the '...' or "..." that starts at `at` (a doubled quote is one inside it), or the
/// end. With `backslashes` (an E'...' string) a backslash escapes the next character.
std::size_t quoted_end(std::string_view sql, std::size_t at, bool backslashes) {
  const char quote = sql[at];
  for (std::size_t j = at + 1; j < sql.size(); ++j) {
    if (backslashes && sql[j] == '\\') {
      ++j;
    } else if (sql[j] == quote) {
      if (j + 1 >= sql.size() || sql[j + 1] != quote) return j + 1;
      ++j;
    }
  }
  return sql.size();
}

/// Just past the /* ... */ that starts at `at` (they nest in PostgreSQL), or the end.
std::size_t block_comment_end(std::string_view sql, std::size_t at) {
  int depth = 0;
  for (std::size_t j = at; j + 1 < sql.size(); ++j) {
    if (sql[j] == '/' && sql[j + 1] == '*') {
      ++depth;
      ++j;
    } else if (sql[j] == '*' && sql[j + 1] == '/') {
      ++j;
      if (--depth == 0) return j + 1;
    }
  }
  return sql.size();
}

/// Just past the $tag$ ... $tag$ string that starts at `at` (the tag may be empty), or the
/// end; `at` when the `$` there starts none (a parameter such as $1, or part of a name).
std::size_t dollar_quote_end(std::string_view sql, std::size_t at) {
  if ((at > 0 && identifier_char(sql[at - 1])) ||
      (at + 1 < sql.size() && sql[at + 1] >= '0' && sql[at + 1] <= '9')) {
    return at;
  }
  std::size_t j = at + 1;
  while (j < sql.size() && identifier_char(sql[j])) ++j;
  if (j >= sql.size() || sql[j] != '$') return at;
  const std::string_view tag = sql.substr(at, j - at + 1);
  const std::size_t close = sql.find(tag, j + 1);
  return close == std::string_view::npos ? sql.size() : close + tag.size();
}

/// Just past the literal, quoted identifier or comment that starts at `at`, in which a `?` is
/// no placeholder; `at` when none starts there.
std::size_t opaque_end(std::string_view sql, std::size_t at) {
  const char c = sql[at];
  const char next = at + 1 < sql.size() ? sql[at + 1] : '\0';
  if (c == '\'') {
    const bool escapes = at > 0 && (sql[at - 1] == 'E' || sql[at - 1] == 'e') &&
                         (at < 2 || !identifier_char(sql[at - 2]));
    return quoted_end(sql, at, escapes);
  }
  if (c == '"') return quoted_end(sql, at, false);
  if (c == '-' && next == '-') {
    const std::size_t newline = sql.find('\n', at);
    return newline == std::string_view::npos ? sql.size() : newline;
  }
  if (c == '/' && next == '*') return block_comment_end(sql, at);
  if (c == '$') return dollar_quote_end(sql, at);
  return at;
}

}  // namespace

std::string numbered_placeholders(std::string_view sql, int& count) {
  std::string out;
  out.reserve(sql.size() + 16);
  count = 0;
  for (std::size_t i = 0; i < sql.size();) {
    if (const std::size_t end = opaque_end(sql, i); end > i) {
      out.append(sql.substr(i, end - i));
      i = end;
    } else if (sql[i] == '?') {
      // SQLite's rule: ?NNN is parameter NNN (one value bound once, used in several places),
      // a bare ? the one after the largest so far.
      std::size_t digits_end = i + 1;
      while (digits_end < sql.size() && sql[digits_end] >= '0' && sql[digits_end] <= '9') {
        ++digits_end;
      }
      int number = count + 1;
      if (digits_end > i + 1) {
        const auto [p, ec] = std::from_chars(sql.data() + i + 1, sql.data() + digits_end, number);
        if (ec != std::errc{} || number < 1 || number > 32766) {
          throw failure(failure_kind::other, "",
                        "bad parameter number " + std::string(sql.substr(i, digits_end - i)) +
                            " in " + std::string(sql));
        }
      }
      count = std::max(count, number);
      out += '$';
      out += std::to_string(number);
      i = digits_end;
    } else {
      out += sql[i++];
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// statement

statement::statement(connection& c, std::string name, std::string_view sql)
    : c_(c), name_(std::move(name)), sql_(sql) {
  const std::string numbered = numbered_placeholders(sql, parameters_);
  PGresult* r = PQprepare(c_.conn_, name_.c_str(), numbered.c_str(), parameters_, nullptr);
  if (r == nullptr || PQresultStatus(r) != PGRES_COMMAND_OK) {
    // fail() reads the result; it is freed when the exception has its message.
    try {
      c_.fail(r, "prepare '" + sql_.substr(0, 60) + "'");
    } catch (...) {
      PQclear(r);
      throw;
    }
  }
  PQclear(r);
  values_.resize(static_cast<std::size_t>(parameters_));
  formats_.assign(static_cast<std::size_t>(parameters_), 0);
}

statement::~statement() { PQclear(result_); }

namespace {

std::size_t parameter_slot(int index, int parameters, const std::string& sql) {
  if (index < 1 || index > parameters) {
    throw failure(failure_kind::other, "",
                  "bind: no parameter " + std::to_string(index) + " in '" + sql.substr(0, 60) +
                      "' (it has " + std::to_string(parameters) + ")");
  }
  return static_cast<std::size_t>(index - 1);
}

}  // namespace

statement& statement::bind(int index, std::int64_t value) {
  const auto slot = parameter_slot(index, parameters_, sql_);
  values_[slot] = std::to_string(value);
  formats_[slot] = 0;
  return *this;
}

statement& statement::bind(int index, std::string_view text) {
  const auto slot = parameter_slot(index, parameters_, sql_);
  values_[slot] = std::string(text);
  formats_[slot] = 0;
  return *this;
}

statement& statement::bind_blob(int index, std::string_view bytes) {
  // Binary format: the bytes go as they are, where text format would need bytea's escaping.
  const auto slot = parameter_slot(index, parameters_, sql_);
  values_[slot] = std::string(bytes);
  formats_[slot] = 1;
  return *this;
}

statement& statement::bind_null(int index) {
  const auto slot = parameter_slot(index, parameters_, sql_);
  values_[slot].reset();
  formats_[slot] = 0;
  return *this;
}

void statement::execute() {
  std::vector<const char*> values(values_.size());
  std::vector<int> lengths(values_.size());
  for (std::size_t i = 0; i < values_.size(); ++i) {
    if (values_[i]) {
      values[i] = values_[i]->data();
      lengths[i] = static_cast<int>(values_[i]->size());
    }
  }
  PQclear(result_);
  result_ = PQexecPrepared(c_.conn_, name_.c_str(), parameters_, values.data(), lengths.data(),
                           formats_.data(), 0);
  executed_ = true;
  row_ = -1;
  rows_ = 0;
  changes_ = 0;
  const ExecStatusType status = result_ ? PQresultStatus(result_) : PGRES_FATAL_ERROR;
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    PGresult* failed = result_;
    result_ = nullptr;
    executed_ = false;
    try {
      c_.fail(failed, "run '" + sql_.substr(0, 60) + "'");
    } catch (...) {
      PQclear(failed);
      throw;
    }
  }
  rows_ = PQntuples(result_);
  // Like sqlite3_changes(): only INSERT, UPDATE, DELETE (and MERGE) count, not a SELECT's rows.
  const std::string_view command = PQcmdStatus(result_);
  if (command.starts_with("INSERT") || command.starts_with("UPDATE") ||
      command.starts_with("DELETE") || command.starts_with("MERGE")) {
    const std::string_view tuples = PQcmdTuples(result_);
    std::from_chars(tuples.data(), tuples.data() + tuples.size(), changes_);
    c_.changes_ = changes_;
  }
}

bool statement::step() {
  if (!executed_) execute();
  if (row_ < rows_) ++row_;
  return row_ < rows_;
}

void statement::run() {
  if (!executed_) execute();
  row_ = rows_;
}

std::int64_t statement::insert() {
  if (!step()) {
    throw failure(failure_kind::other, "", "no id returned by '" + sql_.substr(0, 60) + "'");
  }
  const std::int64_t id = int64(0);
  run();
  return id;
}

std::optional<std::int64_t> statement::insert_if_new() {
  if (!step()) return std::nullopt;  // RETURNING id gave no row: the conflict skipped it
  const std::int64_t id = int64(0);
  run();
  return id;
}

void statement::reset() {
  PQclear(result_);
  result_ = nullptr;
  executed_ = false;
  row_ = -1;
  rows_ = 0;
  for (auto& v : values_) v.reset();
  formats_.assign(formats_.size(), 0);
}

namespace {

void check_cell(const PGresult* result, int row, int rows, int column, const std::string& sql) {
  if (result == nullptr || row < 0 || row >= rows) {
    throw failure(failure_kind::other, "", "no current row in '" + sql.substr(0, 60) + "'");
  }
  if (column < 0 || column >= PQnfields(result)) {
    throw failure(failure_kind::other, "",
                  "no column " + std::to_string(column) + " in '" + sql.substr(0, 60) + "'");
  }
}

}  // namespace

bool statement::is_null(int column) const {
  check_cell(result_, row_, rows_, column, sql_);
  return PQgetisnull(result_, row_, column) == 1;
}

std::int64_t statement::int64(int column) const {
  if (is_null(column)) return 0;
  const Oid type = PQftype(result_, column);
  const char* value = PQgetvalue(result_, row_, column);
  const char* end = value + PQgetlength(result_, row_, column);
  if (type == bool_oid) return *value == 't' ? 1 : 0;
  if (type == float4_oid || type == float8_oid) {
    double d = 0;
    const auto [p, ec] = std::from_chars(value, end, d);
    constexpr auto max = static_cast<double>(std::numeric_limits<std::int64_t>::max());
    if (ec == std::errc{} && p == end && std::isfinite(d) && std::fabs(d) < max) {
      return static_cast<std::int64_t>(d);  // toward zero, as SQLite's CAST
    }
  } else {
    std::int64_t out = 0;
    const auto [p, ec] = std::from_chars(value, end, out);
    // A numeric (SUM of a BIGINT, say) may have a fraction: its integer part.
    bool integral = ec == std::errc{} && (p == end || *p == '.');
    for (const char* q = p == end ? end : p + 1; integral && q < end; ++q) {
      integral = *q >= '0' && *q <= '9';
    }
    if (integral) return out;
  }
  throw failure(failure_kind::other, "",
                "column " + std::to_string(column) + " of '" + sql_.substr(0, 60) +
                    "' is not an integer: " + std::string(value, end));
}

std::string statement::text(int column) const {
  if (is_null(column)) return {};
  const char* value = PQgetvalue(result_, row_, column);
  if (PQftype(result_, column) == bytea_oid) {
    std::size_t size = 0;
    unsigned char* bytes = PQunescapeBytea(reinterpret_cast<const unsigned char*>(value), &size);
    if (bytes == nullptr) throw failure(failure_kind::other, "", "out of memory reading a bytea");
    std::string out(reinterpret_cast<const char*>(bytes), size);
    PQfreemem(bytes);
    return out;
  }
  return {value, static_cast<std::size_t>(PQgetlength(result_, row_, column))};
}

// ---------------------------------------------------------------------------------------------
// connection

connection::connection(const std::string& uri, const std::string& database) {
  // Processed in order, a later value replacing an earlier one: the URI (expanded from the
  // first dbname) may set its own timeout and application name; the database given here
  // replaces the URI's; the encoding is always UTF-8, which the store reads and writes.
  std::vector<const char*> keys = {"connect_timeout", "fallback_application_name", "dbname"};
  std::vector<const char*> values = {"10", "treffpunkt", uri.c_str()};
  if (!database.empty()) {
    keys.push_back("dbname");
    values.push_back(database.c_str());
  }
  keys.push_back("client_encoding");
  values.push_back("UTF8");
  keys.push_back(nullptr);
  values.push_back(nullptr);
  conn_ = PQconnectdbParams(keys.data(), values.data(), 1);
  if (conn_ == nullptr) throw failure(failure_kind::unavailable, "", "connect: out of memory");
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = one_line(PQerrorMessage(conn_));  // never null
    PQfinish(conn_);
    conn_ = nullptr;
    // A refused login or a missing database is no more the request's fault than a server
    // that is down: the store cannot work until someone fixes it.
    throw failure(failure_kind::unavailable, "", "connect: " + message);
  }
  PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
}

connection::~connection() {
  cache_.clear();  // the statements free their results before the connection goes
  PQfinish(conn_);
}

void connection::fail(const pg_result* result, std::string_view context) const {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string sqlstate = state ? state : "";
  const char* message = result && *PQresultErrorMessage(result) ? PQresultErrorMessage(result)
                                                                : PQerrorMessage(conn_);
  const std::string what = one_line(std::string(context) + ": " + (message ? message : ""));
  if (sqlstate.empty()) {
    // libpq's own errors have no SQLSTATE, and nearly all say the connection is gone ("server
    // closed the connection unexpectedly"). When it failed writing, libpq has not noticed yet
    // (the status stays OK until it reads); reading now lets broken() tell the truth.
    PQconsumeInput(conn_);
    throw failure(failure_kind::unavailable, sqlstate, what);
  }
  throw failure(PQstatus(conn_) != CONNECTION_OK ? failure_kind::unavailable : classify(sqlstate),
                sqlstate, what);
}

void connection::exec(std::string_view sql) {
  const std::string text(sql);
  PGresult* r = PQexec(conn_, text.c_str());
  const ExecStatusType status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY) {
    try {
      fail(r, "exec '" + text.substr(0, 60) + "'");
    } catch (...) {
      PQclear(r);
      throw;
    }
  }
  PQclear(r);
}

statement& connection::prepare(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    auto made = std::unique_ptr<statement>(
        new statement(*this, "treffpunkt_" + std::to_string(++statements_made_), sql));
    it = cache_.emplace(std::string(sql), std::move(made)).first;
  } else {
    it->second->reset();
  }
  return *it->second;
}

bool connection::broken() const {
  // An idle session learns that it ended (the server's goodbye when it was terminated or shut
  // down, or a closed socket) only by reading: a read that does not wait, no round trip.
  if (PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE) {
    PQconsumeInput(conn_);
  }
  return PQstatus(conn_) != CONNECTION_OK;
}

std::string connection::describe() const {
  const std::string host = PQhost(conn_) ? PQhost(conn_) : "";
  const std::string port = PQport(conn_) ? PQport(conn_) : "";
  std::string out = "PostgreSQL database " + std::string(PQdb(conn_) ? PQdb(conn_) : "");
  if (host.starts_with('/')) {
    out += " on " + host;  // a Unix socket's folder
  } else if (!host.empty()) {
    out += " on " + host + (port.empty() ? "" : ":" + port);
  }
  return out;
}

sql::statement& connection::insert_or_ignore(std::string_view into) {
  return prepare_derived(ignoring_, into, [](std::string_view rest) {
    return "INSERT " + std::string(rest) + " ON CONFLICT DO NOTHING";
  });
}

sql::statement& connection::prepare_insert(std::string_view sql) {
  return prepare_derived(returning_, sql,
                         [](std::string_view text) { return std::string(text) + " RETURNING id"; });
}

void connection::lock_row(std::string_view table, std::int64_t id) {
  prepare_derived(locking_, table,
                  [](std::string_view t) {
                    return "SELECT 1 FROM " + std::string(t) + " WHERE id = ? FOR NO KEY UPDATE";
                  })
      .bind(1, id)
      .run();
}

bool connection::try_lock_named(std::int64_t key) {
  auto& s = prepare("SELECT pg_try_advisory_lock(CAST(? AS BIGINT))");
  s.bind(1, key);
  const bool taken = s.step() && s.int64(0) != 0;
  s.reset();
  return taken;
}

void connection::unlock_named(std::int64_t key) {
  prepare("SELECT pg_advisory_unlock(CAST(? AS BIGINT))").bind(1, key).run();
}

void connection::begin_write() { exec("BEGIN ISOLATION LEVEL READ COMMITTED"); }

void connection::begin_snapshot() { exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); }

void connection::commit() {
  PGresult* r = PQexec(conn_, "COMMIT");
  const ExecStatusType status = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK) {
    // Lost during COMMIT (unavailable), nobody can say whether it committed.
    try {
      fail(r, "commit");
    } catch (...) {
      PQclear(r);
      throw;
    }
  }
  // After an error inside the transaction, PostgreSQL answers COMMIT with ROLLBACK and no
  // error: the caller caught a failure and went on, and nothing of the transaction was saved.
  const bool rolled_back = std::string_view(PQcmdStatus(r)) == "ROLLBACK";
  PQclear(r);
  if (rolled_back) {
    throw failure(failure_kind::other, "25P02",
                  "commit: the transaction had failed before and was rolled back");
  }
}

void connection::rollback() noexcept {
  // Outside a transaction (after a failed COMMIT) PostgreSQL only warns; a lost connection
  // took the transaction with it.
  if (!broken()) PQclear(PQexec(conn_, "ROLLBACK"));
}

std::int64_t connection::data_version() {
  // xmin:xmax:xip-list. Every transaction that wrote has an id, and its end moves xmax or
  // takes it off the in-progress list: the text changes. Transactions of other databases in
  // the cluster move it too, which only costs callers a needless check.
  auto& q = prepare("SELECT CAST(pg_current_snapshot() AS TEXT)");
  const std::string snapshot = q.step() ? q.text(0) : std::string();
  q.reset();
  return static_cast<std::int64_t>(std::hash<std::string>{}(snapshot));
}

// ---------------------------------------------------------------------------------------------
// transaction

transaction::transaction(connection& c, isolation level) : c_(c) {
  switch (level) {
    case isolation::read_committed:
      c_.exec("BEGIN ISOLATION LEVEL READ COMMITTED");
      break;
    case isolation::repeatable_read:
      c_.exec("BEGIN ISOLATION LEVEL REPEATABLE READ");
      break;
    case isolation::serializable:
      c_.exec("BEGIN ISOLATION LEVEL SERIALIZABLE");
      break;
  }
}

transaction::~transaction() {
  if (!done_) c_.rollback();
}

void transaction::commit() {
  done_ = true;  // committed, rolled back or lost: nothing left to roll back
  c_.commit();
}

}  // namespace treffpunkt::storage::pg
