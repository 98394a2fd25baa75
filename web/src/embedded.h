#pragma once
/// The templates and static assets compiled into the library (embed.cmake writes the
/// definitions at build time).

#include <cstddef>
#include <span>
#include <string_view>

namespace treffpunkt::web::detail {

struct embedded_file {
  std::string_view name;  ///< file name, "style.css"
  std::string_view hash;  ///< first 12 hex digits of the SHA-256 of the bytes
  const unsigned char* bytes = nullptr;
  std::size_t size = 0;

  std::string_view text() const { return {reinterpret_cast<const char*>(bytes), size}; }
};

/// web/templates/*.mustache
std::span<const embedded_file> embedded_templates();
/// web/static/*
std::span<const embedded_file> embedded_static();

}  // namespace treffpunkt::web::detail
