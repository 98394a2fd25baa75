#pragma once
/// Moving a data folder's SQLite database into PostgreSQL (`treffpunkt copy`, issue 18): every
/// table, row by row, ids, blobs, NULLs and times exactly as they are, in one PostgreSQL
/// transaction.

#include <storage/error.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace treffpunkt::storage {

/// One table copied, and its rows (the same number on both sides: copy_to_postgres checks).
/// A table derived from others (rsvp_counts: the RSVPs counted per occurrence) is not copied
/// row by row but made by PostgreSQL's triggers as its source table is copied; its rows are
/// those PostgreSQL holds then, checked against a count of the source table's rows.
struct copied_table {
  std::string name;
  std::int64_t rows = 0;
};

/// What a copy did: where to (the target as connection::describe() says it: no user, no
/// password), and each table with its rows, by name.
struct copy_report {
  std::string target;
  std::vector<copied_table> tables;
};

/// Copies DIR/treffpunkt.db into the empty PostgreSQL database at `url` (postgresql://...).
///
/// The source is opened read only and read in one snapshot, so a `treffpunkt serve` may keep
/// running on it (what it writes after the snapshot is not copied). Its schema must be the one
/// this build writes. The target gets that schema (pg_migrate) and must hold no rows in any
/// table. The tables are the source's, in an order that puts each before the tables that
/// refer to it; the identity sequences are moved past the largest id copied. The row counts
/// are compared per table before the commit; on any failure nothing is committed.
///
/// Errors: invalid (not a PostgreSQL URL; a source at an older schema, with what to do),
/// not_found (no treffpunkt.db in DIR), schema_too_new (either side written by a newer
/// treffpunkt), conflict (the target holds data: the tables that do are named; or PostgreSQL
/// refused a row: its table and key are named), unavailable (either database cannot be
/// read or reached).
result<copy_report> copy_to_postgres(const std::filesystem::path& data_dir, const std::string& url);

}  // namespace treffpunkt::storage
