#pragma once
/// The store's own identities, distinct types so that one cannot be passed for another
/// (calendar/event.h has the units' and events').

#include <cstdint>

namespace treffpunkt::storage {

struct person_id {
  std::int64_t value = 0;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  friend auto operator<=>(const person_id&, const person_id&) = default;
};

struct proposal_id {
  std::int64_t value = 0;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  friend auto operator<=>(const proposal_id&, const proposal_id&) = default;
};

struct wish_id {
  std::int64_t value = 0;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
  friend auto operator<=>(const wish_id&, const wish_id&) = default;
};

}  // namespace treffpunkt::storage
