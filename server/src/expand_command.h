#pragma once
/// `treffpunkt expand --jsonl`: recurrence rules expanded one per line, for programs that
/// drive treffpunkt's expansion (the dateutil oracle in tests/rrule, benchmarks; issue 17).

#include <cstddef>
#include <iosfwd>
#include <string>
#include <string_view>

namespace treffpunkt::server {

/// The most occurrences one input line may ask for.
inline constexpr std::size_t expand_max_limit = 10000;

/// One answer line (without the newline) for one input line, `line_number` 1-based: the
/// occurrences of the line's rule, or an error ("line N: ...") when the line is not JSON, a
/// field is missing or malformed, or the rule is refused.
std::string expand_answer(std::string_view line, std::size_t line_number);

/// Reads `in` line by line to its end, writes one answer per line that is not blank to `out`
/// and flushes after each, so that a driver may send one line and wait for its answer.
/// Returns 0 at the end of the input, 1 when `out` fails (the reader went away).
int expand_jsonl(std::istream& in, std::ostream& out);

}  // namespace treffpunkt::server
