#include <gtest/gtest.h>
#include <web/qr.h>

#include <regex>
#include <string>
#include <vector>

namespace {

namespace web = treffpunkt::web;

/// The module matrix that the SVG's path paints: "M{x} {y}h{n}v1h-{n}z" per run.
std::vector<std::vector<bool>> modules(const std::string& svg, int size) {
  std::vector<std::vector<bool>> m(static_cast<std::size_t>(size),
                                   std::vector<bool>(static_cast<std::size_t>(size)));
  const std::regex run(R"(M(\d+) (\d+)h(\d+)v1h-(\d+)z)");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), run); it != std::sregex_iterator();
       ++it) {
    const int x = std::stoi((*it)[1]);
    const int y = std::stoi((*it)[2]);
    const int n = std::stoi((*it)[3]);
    EXPECT_EQ(n, std::stoi((*it)[4]));
    for (int i = 0; i < n; ++i) {
      m.at(static_cast<std::size_t>(y)).at(static_cast<std::size_t>(x + i)) = true;
    }
  }
  return m;
}

/// A finder pattern (ISO/IEC 18004 §6.3.3) with its top-left corner at (x, y).
bool finder_at(const std::vector<std::vector<bool>>& m, int x, int y) {
  for (int dy = 0; dy < 7; ++dy) {
    for (int dx = 0; dx < 7; ++dx) {
      const bool ring = dx == 0 || dx == 6 || dy == 0 || dy == 6;
      const bool core = dx >= 2 && dx <= 4 && dy >= 2 && dy <= 4;
      if (m[static_cast<std::size_t>(y + dy)][static_cast<std::size_t>(x + dx)] != (ring || core)) {
        return false;
      }
    }
  }
  return true;
}

TEST(QrSvg, HasViewBoxTitleAndFinderPatterns) {
  const auto svg = web::qr_svg("https://treffpunkt.example/units/bildung.ics", "QR <Bildung>");
  ASSERT_TRUE(svg);
  std::smatch box;
  ASSERT_TRUE(std::regex_search(*svg, box, std::regex(R"re(viewBox="0 0 (\d+) (\d+)")re")));
  const int size = std::stoi(box[1]);
  EXPECT_EQ(size, std::stoi(box[2]));
  const int width = size - 8;  // a quiet zone of 4 modules on each side
  EXPECT_EQ((width - 17) % 4, 0) << "a QR code is 17 + 4 * version modules wide";
  EXPECT_GE(width, 21);
  EXPECT_NE(svg->find("<title>QR &lt;Bildung&gt;</title>"), std::string::npos);
  EXPECT_EQ(svg->find("style"), std::string::npos);
  const auto m = modules(*svg, size);
  EXPECT_TRUE(finder_at(m, 4, 4));
  EXPECT_TRUE(finder_at(m, 4 + width - 7, 4));
  EXPECT_TRUE(finder_at(m, 4, 4 + width - 7));
  EXPECT_FALSE(finder_at(m, 4 + width - 7, 4 + width - 7));  // no fourth corner
  // The quiet zone stays white.
  for (int i = 0; i < size; ++i) {
    EXPECT_FALSE(m[0][static_cast<std::size_t>(i)]);
    EXPECT_FALSE(m[static_cast<std::size_t>(i)][3]);
  }
  // Timing pattern (row 6 between the finders) alternates dark and light.
  for (int x = 8; x < width - 8; ++x) {
    EXPECT_EQ(m[4 + 6][static_cast<std::size_t>(4 + x)], x % 2 == 0) << x;
  }
}

TEST(QrSvg, TitleIsEscapedAsThePagesEscapeText) {
  const auto svg = web::qr_svg("https://a.example/u.ics", "Frauen's & \"Co\"");
  ASSERT_TRUE(svg);
  EXPECT_NE(svg->find("<title>Frauen&apos;s &amp; &quot;Co&quot;</title>"), std::string::npos);
}

TEST(QrSvg, LongerTextNeedsALargerCode) {
  const auto small = web::qr_svg("https://a.example/u.ics", "t");
  const auto large = web::qr_svg(std::string(300, 'x'), "t");
  ASSERT_TRUE(small && large);
  EXPECT_LT(small->size(), large->size());
  EXPECT_FALSE(web::qr_svg(std::string(5000, 'x'), "t")) << "beyond version 40";
}

}  // namespace
