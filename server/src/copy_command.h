#pragma once
/// `treffpunkt copy --from DIR --to postgresql://...`: moves a data folder's SQLite database
/// into an empty PostgreSQL database (storage/copy.h; docs/operations.md, issue 18).

#include <iosfwd>
#include <span>
#include <string_view>

namespace treffpunkt::server {

/// Runs the command on its arguments (`args` starts with "copy"): prints each table's rows and
/// returns 0 when the copy committed; 1 when it failed (nothing was copied), 2 for a wrong
/// command line.
int copy_database(std::span<const std::string_view> args, std::ostream& out, std::ostream& err);

}  // namespace treffpunkt::server
