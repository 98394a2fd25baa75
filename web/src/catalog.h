#pragma once
/// Every text of the pages, in German and English. Templates see them as {{t.KEY}}; code
/// fills "{n}"-style slots with fill().

#include <web/i18n.h>

#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace treffpunkt::web::detail {

struct message {
  std::string_view key;
  std::string_view de;
  std::string_view en;
};

/// All messages, each key once.
std::span<const message> catalog();

/// The manage and admin pages' messages (catalog_manage.cpp), part of catalog().
std::span<const message> manage_catalog();

/// The exchange offers' and wishes' messages (catalog_offers.cpp), part of catalog().
std::span<const message> offers_catalog();

/// The "still happening?" page's and flags' messages (catalog_confirm.cpp), part of catalog().
std::span<const message> confirm_catalog();
/// How calendar apps fetch feeds (catalog_fetches.cpp), part of catalog().
std::span<const message> fetches_catalog();

/// The text of `key` in `l`; the key itself if unknown (a test keeps that from happening).
std::string_view text(language l, std::string_view key);

/// `pattern` with each "{name}" replaced by its value.
std::string fill(std::string_view pattern,
                 std::initializer_list<std::pair<std::string_view, std::string_view>> values);

}  // namespace treffpunkt::web::detail
