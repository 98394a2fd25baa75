#include <qrencode.h>
#include <web/qr.h>

#include <kainjow/mustache.hpp>
#include <memory>
#include <string>
#include <unordered_map>

namespace treffpunkt::web {
namespace {

constexpr int quiet_zone = 4;  // modules of white around the code (ISO/IEC 18004)

/// The drawing itself (qr_svg remembers what it drew).
std::optional<std::string> draw_qr_svg(std::string_view text, std::string_view title);

}  // namespace

std::optional<std::string> qr_svg(std::string_view text, std::string_view title) {
  // The same few feed addresses are drawn again for every member's page: remembered per
  // thread (no lock), a few dozen at most.
  thread_local std::unordered_map<std::string, std::optional<std::string>> drawn;
  std::string key;
  key.reserve(text.size() + title.size() + 1);
  key.append(text).append(1, '\0').append(title);
  if (const auto found = drawn.find(key); found != drawn.end()) return found->second;
  if (drawn.size() >= 64) drawn.clear();
  auto svg = draw_qr_svg(text, title);
  drawn.emplace(std::move(key), svg);
  return svg;
}

namespace {

std::optional<std::string> draw_qr_svg(std::string_view text, std::string_view title) {
  const std::string data(text);  // QRcode_encodeString wants a NUL-terminated string
  const std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
      QRcode_encodeString(data.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), &QRcode_free);
  if (!code) return std::nullopt;
  const int width = code->width;
  const auto size = std::to_string(width + 2 * quiet_zone);
  std::string svg = R"(<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 )";
  svg += size + " " + size + R"(" role="img" shape-rendering="crispEdges"><title>)";
  svg += kainjow::mustache::html_escape(std::string(title));  // as the templates escape
  svg += R"(</title><rect width=")" + size + R"(" height=")" + size + R"(" fill="#fff"/><path d=")";
  // One rectangle per horizontal run of dark modules: a third of the size of one per module.
  for (int y = 0; y < width; ++y) {
    const unsigned char* row = code->data + static_cast<std::ptrdiff_t>(y) * width;
    for (int x = 0; x < width;) {
      if ((row[x] & 1) == 0) {
        ++x;
        continue;
      }
      int run = 1;
      while (x + run < width && (row[x + run] & 1) != 0) ++run;
      svg += "M" + std::to_string(x + quiet_zone) + " " + std::to_string(y + quiet_zone) + "h" +
             std::to_string(run) + "v1h-" + std::to_string(run) + "z";
      x += run;
    }
  }
  svg += R"(" fill="#000"/></svg>)";
  return svg;
}

}  // namespace

}  // namespace treffpunkt::web
