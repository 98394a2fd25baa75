#pragma once
/// The static files (CSS, JavaScript) compiled into the program, served under names that
/// carry a hash of their content so that browsers may keep them forever.

#include <optional>
#include <string>
#include <string_view>

namespace treffpunkt::web {

struct asset {
  std::string_view content_type;  ///< "text/css; charset=utf-8"
  std::string_view body;
};

/// The file at `path` ("/static/style.0123456789ab.css"); none for any other path, also for
/// a file's name with an outdated hash.
std::optional<asset> find_asset(std::string_view path);

/// The URL path of a static file by its plain name: "style.css" -> "/static/style.<hash>.css".
/// Empty for an unknown name.
std::string asset_url(std::string_view name);

/// The value of Cache-Control for assets: their URL changes with their content.
inline constexpr std::string_view asset_cache_control = "public, max-age=31536000, immutable";

}  // namespace treffpunkt::web
