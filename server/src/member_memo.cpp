#include "member_memo.h"

#include <storage/secrets.h>  // token_hash

#include <algorithm>
#include <mutex>

namespace treffpunkt::server {

template <class T, class Found, class Compute, class Keep, class Answer>
T member_memo::remembered(Found&& found, Compute&& compute, Keep&& keep, Answer&& answer) {
  // The stamp is read before the store is: a write that commits in between moves it, so what
  // is remembered under the older stamp is asked again by the next request (as page_cache).
  const auto stamp = store_.change_stamp();
  {
    const std::shared_lock lock(mutex_);
    if (current_.stamp == stamp) {
      if (auto value = found(current_)) return std::move(*value);
    }
  }
  auto value = compute();
  const std::unique_lock lock(mutex_);
  // Stamps only grow: an older one is a thread that read the store before the last write.
  if (stamp > current_.stamp) current_ = generation{stamp, {}, {}, {}, {}};
  if (stamp == current_.stamp) keep(current_, value);
  return answer(std::move(value));
}

storage::result<storage::person> member_memo::owner(storage::token_kind kind, std::string_view raw,
                                                    calendar::utc_seconds now) {
  const std::string hash = storage::token_hash(raw);
  const std::string key = hash + static_cast<char>('0' + static_cast<int>(kind));
  auto owner = remembered<storage::result<storage::token_owner>>(
      [&](const generation& g) -> std::optional<storage::token_owner> {
        const auto found = g.owners.find(key);
        // Past its expiry a token is asked again, and the store says "expired".
        if (found == g.owners.end() || now >= found->second.expires) return std::nullopt;
        return found->second;
      },
      [&] { return store_.owner_of_token(kind, hash, now); },
      [&](generation& g, const storage::result<storage::token_owner>& value) {
        // Unknown tokens are not remembered: made-up cookies cannot fill the map.
        if (!value) return;
        if (g.owners.size() >= max_entries) g.owners.clear();
        g.owners.insert_or_assign(key, *value);
      },
      [](storage::result<storage::token_owner> value) { return value; });
  if (!owner) return owner.error();
  return std::move(owner->who);
}

bool member_memo::can_manage(const storage::person& p) {
  if (p.admin) return true;
  return remembered<bool>(
      [&](const generation& g) -> std::optional<bool> {
        const auto found = g.managers.find(p.id.value);
        if (found == g.managers.end()) return std::nullopt;
        return found->second;
      },
      [&] {
        const auto me = storage::actor::of(p.id);
        const auto units = store_.units();
        return std::any_of(units.begin(), units.end(),
                           [&](const calendar::unit& u) { return store_.may_edit(me, u.id); });
      },
      [&](generation& g, bool value) {
        if (g.managers.size() >= max_entries) g.managers.clear();
        g.managers.insert_or_assign(p.id.value, value);
      },
      [](bool value) { return value; });
}

bool member_memo::follows(storage::person_id p, std::string_view slug) {
  const auto among = [&](const std::vector<std::string>& slugs) {
    return std::find(slugs.begin(), slugs.end(), slug) != slugs.end();
  };
  return remembered<bool>(
      [&](const generation& g) -> std::optional<bool> {
        const auto found = g.follows.find(p.value);
        if (found == g.follows.end()) return std::nullopt;
        return among(found->second);
      },
      [&] {
        // Slugs never change (store::update_unit); a unit deleted meanwhile is not listed.
        std::vector<std::string> slugs;
        for (const auto id : store_.follows(p)) {
          if (const auto u = store_.unit_by_id(id)) slugs.push_back(u->slug);
        }
        return slugs;
      },
      [&](generation& g, const std::vector<std::string>& slugs) {
        if (g.follows.size() >= max_entries) g.follows.clear();
        g.follows.insert_or_assign(p.value, slugs);
      },
      among);
}

std::optional<storage::rsvp_record> member_memo::rsvp_of(calendar::event_id e,
                                                         const calendar::occurrence_key& key,
                                                         storage::person_id p) {
  const std::string id =
      std::to_string(p.value) + " " + std::to_string(e.value) + " " + key.to_string();
  using answer = std::optional<storage::rsvp_record>;
  return remembered<answer>(
      [&](const generation& g) -> std::optional<answer> {
        const auto found = g.rsvps.find(id);
        if (found == g.rsvps.end()) return std::nullopt;
        return found->second;
      },
      [&] { return store_.rsvp_of(e, key, p); },
      [&](generation& g, const answer& value) {
        if (g.rsvps.size() >= max_entries) g.rsvps.clear();
        g.rsvps.insert_or_assign(id, value);
      },
      [](answer value) { return value; });
}

std::size_t member_memo::size() const {
  const std::shared_lock lock(mutex_);
  return current_.owners.size() + current_.managers.size() + current_.follows.size() +
         current_.rsvps.size();
}

}  // namespace treffpunkt::server
