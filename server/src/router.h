#pragma once
/// Routes: a method, a URL pattern and a handler, on one line, in one table per area of the site
/// (feeds, pages, login, manage, admin, API). The router finds the route of a request, fills the
/// pattern's named segments in, and answers 405 with Allow (and HEAD like GET) from the tables,
/// so that no handler checks its method. A newcomer finds the handler of a URL by searching for
/// its pattern once: it stands in the area's table and nowhere else.

#include <server/http.h>

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace treffpunkt::server {

class request_context;

/// The named segments a request's path filled into its route's pattern ("{id}" -> "7"), still
/// percent-encoded as sent. At most four: no pattern has more.
class route_params {
 public:
  /// The segment named `name` ("id" for "{id}"), empty if the pattern has none.
  std::string_view operator[](std::string_view name) const;
  void add(std::string_view name, std::string_view value);
  void clear() { size_ = 0; }

 private:
  std::array<std::pair<std::string_view, std::string_view>, 4> items_{};
  std::size_t size_ = 0;
};

/// What a route does: the answer to one request whose path matched its pattern.
using handler = http_response (*)(const request_context& ctx, const route_params& params);

struct route {
  /// "GET" (which answers HEAD too), "POST", "PUT", "PATCH" or "DELETE".
  std::string_view method;
  /// Segments are literal ("units"), a name ("{slug}"), or a name with a literal suffix
  /// ("{slug}.ics"); a name matches one segment, also an empty one ("/units/" has the slug "",
  /// which no unit has). Where two patterns match a path,
  /// the one whose first differing segment is more literal wins ("/units/{slug}.ics" over
  /// "/units/{slug}" for "/units/bildung.ics").
  std::string_view pattern;
  handler handle;
};

/// An area of the site: its routes and how it answers what they do not.
struct area {
  std::string_view name;  ///< "api", "pages", ...
  /// Paths at or below these ("/manage" covers "/manage" and "/manage/x") belong to the area
  /// even where no route matches: its not_found answers them.
  std::vector<std::string_view> prefixes;
  std::vector<route> routes;
  /// The answer to a path of the area that no route matches.
  http_response (*not_found)(const request_context& ctx);
  /// The answer to a method no route of the matched pattern takes; `allow` is the Allow value.
  http_response (*method_not_allowed)(const request_context& ctx, std::string_view allow);
  /// Runs before each of the area's handlers (authentication, CSRF); an answer ends the
  /// request there. None: nothing to check.
  std::optional<http_response> (*before)(const request_context& ctx) = nullptr;
};

class router {
 public:
  /// The areas in the order of `fallback`'s precedence; `fallback` answers paths that belong to
  /// no area (its prefixes are ignored).
  router(std::vector<area> areas, area fallback);

  /// What a request for `method` and `path` (percent-encoded, without the query) goes to.
  struct match {
    const area* in = nullptr;      ///< the area that answers (never null)
    const route* found = nullptr;  ///< the route, or null: 404 or 405
    std::string allow;             ///< when the path matched but the method did not
    int pattern = -1;              ///< the matched pattern's index in patterns(), or -1
    route_params params;
  };
  match find(std::string_view method, std::string_view path) const;

  /// Answers a request: its route's handler (after the area's `before`), or the area's 404 or
  /// 405. Sets http_response::route to the pattern's index.
  http_response dispatch(const request_context& ctx) const;

  /// Every distinct pattern of every table, indexed as match::pattern (for metrics labels).
  const std::vector<std::string_view>& patterns() const { return patterns_; }

 private:
  struct segment {
    enum class kind { literal, suffixed, name } type = kind::literal;
    std::string_view text;    ///< the literal, or the name
    std::string_view suffix;  ///< for suffixed: ".ics"
  };
  /// One pattern of the tables with every route that has it (methods may come from one area
  /// only), and the Allow they make up.
  struct pattern_routes {
    std::vector<segment> segments;
    std::vector<const route*> routes;
    const area* in = nullptr;
    std::string allow;  ///< "GET, HEAD, POST"
  };
  /// A path's segments: no pattern has more than `max_segments`.
  static constexpr std::size_t max_segments = 8;
  struct split_path {
    std::array<std::string_view, max_segments> parts{};
    std::size_t size = 0;
    bool too_long = false;
  };
  static split_path split(std::string_view path);
  /// Whether `p` matches the path's segments; fills `params` if so.
  static bool matches(const pattern_routes& p, const split_path& path, route_params& params);
  /// True when `a` is more specific than `b` (both match the same path).
  static bool more_specific(const pattern_routes& a, const pattern_routes& b);
  const area& area_of_path(std::string_view path) const;
  void add(const area& a);

  std::vector<area> areas_;
  area fallback_;
  /// Indexed as match::pattern.
  std::vector<pattern_routes> compiled_;
  std::vector<std::string_view> patterns_;
  /// The patterns by their number of segments and first segment (every pattern starts with a
  /// literal): a path is matched against these only, a handful at most.
  struct first_segment {
    std::string_view literal;
    std::vector<std::size_t> patterns;
  };
  std::array<std::vector<first_segment>, max_segments + 1> by_start_;
};

}  // namespace treffpunkt::server
