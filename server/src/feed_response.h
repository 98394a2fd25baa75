#pragma once
/// Rendered feeds and the answers to them, shared by the unit feeds (site.cpp) and the personal
/// feeds (personal_feed.cpp), so that both behave alike for calendar apps.

#include <calendar/event.h>
#include <calendar/time.h>
#include <server/http.h>
#include <server/site.h>

#include <span>
#include <string>
#include <string_view>

namespace treffpunkt::server {

inline constexpr std::string_view public_feed_cache = "public, max-age=300";
/// A member's own feed: no shared cache may keep it.
inline constexpr std::string_view private_feed_cache = "private, max-age=300";

/// A feed's bytes with a strong ETag (FNV-1a of the bytes: the same in every process),
/// Last-Modified from `newest`, and its prebuilt 200 and 304 heads.
rendered make_rendered(std::string body, calendar::utc_seconds newest,
                       std::string_view cache_control = public_feed_cache);

/// The newest LAST-MODIFIED among the events and their overrides.
calendar::utc_seconds newest_change(std::span<const calendar::event* const> events);

/// The feed, or 304 when If-None-Match matches its ETag (or, without If-None-Match,
/// If-Modified-Since is not older than Last-Modified: RFC 9110 §13.1.3).
http_response answer_feed(const http_request& request, const rendered& feed);

}  // namespace treffpunkt::server
