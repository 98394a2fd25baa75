#pragma once
/// What the server publishes: units and their events, with every feed rendered once.

#include <calendar/event.h>
#include <calendar/time.h>
#include <server/demo.h>
#include <server/http.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace treffpunkt::server {

/// A feed rendered once, with the validators that let clients skip downloading it again.
struct rendered_feed {
  std::shared_ptr<const std::string> body;
  std::string etag;           ///< strong ETag of the bytes, quoted
  std::string last_modified;  ///< HTTP-date of the newest change in it
};

/// An immutable snapshot of everything published. Until the store exists (issue 3) it is
/// built from the demo data; every feed is rendered in the constructor, so a request only
/// looks one up.
class site {
 public:
  /// `base_url` is the public URL without a trailing slash ("https://treffpunkt.example").
  site(std::vector<demo_unit> units, std::string base_url, calendar::utc_seconds now);

  const std::vector<demo_unit>& units() const { return units_; }
  const std::string& base_url() const { return base_url_; }
  /// /calendar.ics
  const rendered_feed& all_units_feed() const { return all_; }
  /// /units/{slug}.ics, or null
  const rendered_feed* unit_feed(std::string_view slug) const;
  /// /events/{id}.ics, or null
  const rendered_feed* event_feed(calendar::event_id id) const;
  /// The home page, rendered once.
  const std::shared_ptr<const std::string>& home_page() const { return home_; }

 private:
  std::vector<demo_unit> units_;
  std::string base_url_;
  rendered_feed all_;
  std::map<std::string, rendered_feed, std::less<>> by_unit_;
  std::map<calendar::event_id, rendered_feed> by_event_;
  std::shared_ptr<const std::string> home_;
};

/// What a request means: looks up feeds and pages and answers conditional requests
/// (If-None-Match, If-Modified-Since -> 304). Knows nothing of sockets.
http_response handle_request(const http_request& request, const site& site);

}  // namespace treffpunkt::server
