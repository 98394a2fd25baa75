#include <web/assets.h>

#include "embedded.h"

namespace treffpunkt::web {
namespace {

std::string_view content_type_of(std::string_view name) {
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

/// "style.css" + hash -> "style.<hash>.css"
std::string hashed_name(const detail::embedded_file& f) {
  const auto dot = f.name.rfind('.');
  const auto stem = f.name.substr(0, dot);
  const auto ext = dot == std::string_view::npos ? std::string_view{} : f.name.substr(dot);
  return std::string(stem) + "." + std::string(f.hash) + std::string(ext);
}

constexpr std::string_view prefix = "/static/";

}  // namespace

std::optional<asset> find_asset(std::string_view path) {
  if (!path.starts_with(prefix)) return std::nullopt;
  const auto name = path.substr(prefix.size());
  for (const auto& f : detail::embedded_static()) {
    if (hashed_name(f) == name) return asset{content_type_of(f.name), f.text()};
  }
  return std::nullopt;
}

std::string asset_url(std::string_view name) {
  for (const auto& f : detail::embedded_static()) {
    if (f.name == name) return std::string(prefix) + hashed_name(f);
  }
  return {};
}

}  // namespace treffpunkt::web
