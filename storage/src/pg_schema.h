#pragma once
/// The schema on PostgreSQL: the tables, columns (same names, same order), constraints and
/// indexes that SQLite's migrations (schema.h) have built by their newest version, and the
/// migrations that will follow them, numbered as SQLite's are: a database at version N holds
/// the same schema on both, and "written by a newer treffpunkt" reads the same.

#include <storage/error.h>

#include <span>
#include <string_view>

namespace treffpunkt::storage {

namespace pg {
class connection;
}

/// One step of the PostgreSQL schema: `sql` brings a database to `version`. The first step
/// starts from an empty database and goes straight to the version SQLite had then.
struct pg_migration {
  int version;
  std::string_view sql;
};

std::span<const pg_migration> pg_migrations();

/// The version the newest step brings a database to (the same as migrations().size()).
int pg_schema_version();

/// Brings the database to pg_schema_version() in one transaction, or does nothing when it is
/// there already. Instances that start at once take turns (a transaction-level advisory lock),
/// so it is migrated once. Errors: schema_too_new when a newer treffpunkt wrote the database.
/// SQL failures are thrown as pg::failure.
result<void> pg_migrate(pg::connection& c);

}  // namespace treffpunkt::storage
