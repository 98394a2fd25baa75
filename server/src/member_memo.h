#pragma once
/// What every request of a logged-in member asks the store the same way: whose session (or API
/// token) it is, whether they may manage a unit (the header's link to /manage), which units
/// they follow, their answer to the occurrence they look at. Remembered while store::change_stamp()
/// stays the same: every committed write of this process moves it at once (a logout, a new
/// responsible, a follow), a write of another process (`treffpunkt person delete`) within
/// store::change_probe_interval. A token is remembered by its SHA-256 only, as the store keeps it,
/// and only until it expires. Everything here answers for one person, asked by their id or token:
/// nothing of one member is ever handed to another.

#include <calendar/event.h>
#include <calendar/time.h>
#include <storage/error.h>
#include <storage/store.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace treffpunkt::server {

class member_memo {
 public:
  explicit member_memo(storage::store& store) : store_(store) {}

  /// The owner of the session or API token `raw` (store::redeem_token, with its errors).
  storage::result<storage::person> owner(storage::token_kind kind, std::string_view raw,
                                         calendar::utc_seconds now);
  /// Whether `p` is an admin or a responsible of some unit.
  bool can_manage(const storage::person& p);
  /// Whether `p` follows the unit `slug` (store::follows).
  bool follows(storage::person_id p, std::string_view slug);
  /// `p`'s RSVP to the occurrence `key` of `e` (store::rsvp_of): what their occurrence page
  /// shows of them.
  std::optional<storage::rsvp_record> rsvp_of(calendar::event_id e,
                                              const calendar::occurrence_key& key,
                                              storage::person_id p);

  /// Answers remembered now (for the tests).
  std::size_t size() const;

 private:
  /// Entries of one kind beyond this start the map over (a stream of new sessions between two
  /// writes cannot grow it forever).
  static constexpr std::size_t max_entries = 4096;

  /// Everything remembered under one change stamp; a newer stamp starts a new generation.
  struct generation {
    std::uint64_t stamp = 0;
    /// By token kind and SHA-256.
    std::unordered_map<std::string, storage::token_owner> owners;
    std::unordered_map<std::int64_t, bool> managers;
    /// The slugs of the units each person follows.
    std::unordered_map<std::int64_t, std::vector<std::string>> follows;
    /// By "person event key".
    std::unordered_map<std::string, std::optional<storage::rsvp_record>> rsvps;
  };

  /// `found(generation)` under a shared lock if the stamp is current; otherwise (or if it
  /// gives none) `answer(compute())`, the value remembered by `keep(generation, value)` unless
  /// a newer stamp came meanwhile.
  template <class T, class Found, class Compute, class Keep, class Answer>
  T remembered(Found&& found, Compute&& compute, Keep&& keep, Answer&& answer);

  storage::store& store_;
  mutable std::shared_mutex mutex_;
  generation current_;
};

}  // namespace treffpunkt::server
