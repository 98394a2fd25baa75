#pragma once
/// The schema's migrations, forward only. Migration i (1-based) brings user_version i-1 to i.
/// One that edits the schema text in place (PRAGMA writable_schema) gets its schema_version
/// bumped by the store's migrate().

#include <span>
#include <string_view>

namespace treffpunkt::storage {

std::span<const std::string_view> migrations();

}  // namespace treffpunkt::storage
