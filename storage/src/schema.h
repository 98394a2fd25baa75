#pragma once
/// The schema's migrations, forward only. Migration i (1-based) brings user_version i-1 to i.

#include <span>
#include <string_view>

namespace treffpunkt::storage {

std::span<const std::string_view> migrations();

}  // namespace treffpunkt::storage
