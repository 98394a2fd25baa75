#include "copy_command.h"

#include <storage/copy.h>

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <string>

namespace treffpunkt::server {
namespace {

constexpr std::string_view copy_usage =
    "Usage: treffpunkt copy --from DIR --to postgresql://USER@HOST/DATABASE\n"
    "  copies DIR/treffpunkt.db (SQLite) into an empty PostgreSQL database, all or nothing,\n"
    "  and prints the rows of each table; a treffpunkt serve may keep running on DIR (what it\n"
    "  writes after the copy began is not copied). docs/operations.md has the whole move.\n";

}  // namespace

int copy_database(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
  std::string from;
  std::string to;
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      out << copy_usage;
      return 0;
    }
    if ((arg == "--from" || arg == "--to") && i + 1 < args.size() && !args[i + 1].empty()) {
      (arg == "--from" ? from : to) = std::string(args[++i]);
      continue;
    }
    if (arg == "--from" || arg == "--to") {
      err << "treffpunkt copy: " << arg << " wants "
          << (arg == "--from" ? "a data folder" : "a PostgreSQL URL") << "\n\n"
          << copy_usage;
    } else {
      err << "treffpunkt copy: unknown argument '" << arg << "'\n\n" << copy_usage;
    }
    return 2;
  }
  if (from.empty() || to.empty()) {
    err << "treffpunkt copy: " << (from.empty() ? "--from DIR" : "--to URL") << " is missing\n\n"
        << copy_usage;
    return 2;
  }
  auto copied = storage::copy_to_postgres(from, to);
  if (!copied) {
    err << "treffpunkt copy: " << copied.error().message << '\n';
    return 1;
  }
  // The URL may hold a password: the target is named as the connection describes it.
  out << "Copied " << from << "/treffpunkt.db into the " << copied->target << ":\n";
  std::size_t width = 5;  // "total"
  for (const auto& t : copied->tables) width = std::max(width, t.name.size());
  std::int64_t total = 0;
  for (const auto& t : copied->tables) {
    out << "  " << t.name << std::string(width - t.name.size() + 2, ' ') << t.rows << '\n';
    total += t.rows;
  }
  out << "  total" << std::string(width - 5 + 2, ' ') << total << '\n'
      << "The row counts of every table agree on both sides (rsvp_counts, filled as the RSVPs "
         "were copied: with a count of them).\n";
  return 0;
}

}  // namespace treffpunkt::server
