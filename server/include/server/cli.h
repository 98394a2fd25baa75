#pragma once
/// The `treffpunkt` command line: parses arguments and runs a command.

#include <iosfwd>
#include <span>
#include <string_view>

namespace treffpunkt::server {

/// Runs the command named by `args` (without the program name), reading standard input from
/// `in` (only `expand --jsonl` does), writing normal output to `out` and errors to `err`.
/// Returns the process exit code: 0 success, 2 usage error.
int run_cli(std::span<const std::string_view> args, std::istream& in, std::ostream& out,
            std::ostream& err);

/// The same with an empty standard input.
int run_cli(std::span<const std::string_view> args, std::ostream& out, std::ostream& err);

}  // namespace treffpunkt::server
