#pragma once
/// The member pages as pure functions: a view model in, a complete HTML document out. The
/// server reads the store and fills the view models; nothing here knows HTTP or SQL. Every
/// text goes through the template engine's HTML escaping; descriptions are Markdown in safe
/// mode (markdown.h).

#include <calendar/event.h>
#include <calendar/rsvp.h>
#include <calendar/time.h>
#include <date/date.h>
#include <web/i18n.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace treffpunkt::web {

/// What every page needs besides its own content.
struct page_context {
  language lang = language::de;
  std::string path;        ///< the page's path, "/units/bildung" (for the language switch)
  std::string query;       ///< its query without `lang`, "month=2025-12", or empty
  std::string base_url;    ///< public URL without a trailing slash, for feed links
  bool logged_in = false;  ///< header shows "my page" instead of "log in"
};

/// A unit as lists show it.
struct unit_summary {
  std::string slug;
  std::string name;
  std::string description;  ///< Markdown
};

/// One occurrence in a list or the month view.
struct session {
  calendar::event_id event;
  calendar::occurrence_key key;
  std::string title;
  std::string unit_name;
  std::string unit_slug;
  calendar::local_seconds start{};  ///< in the event's zone
  calendar::local_seconds end{};
  bool all_day = false;
  bool cancelled = false;
  bool moved = false;
};

struct home_view {
  std::vector<unit_summary> units;
  std::vector<session> next;  ///< the next sessions across units, soonest first
};

struct unit_view {
  unit_summary unit;
  std::vector<std::string> responsibles;  ///< names only, never addresses
  std::vector<session> upcoming;          ///< the next ~90 days
  date::year_month month{};               ///< shown in the month view
  std::vector<session> in_month;          ///< the sessions of `month`
};

struct event_view {
  calendar::event_id id;
  std::string title;
  std::string description;  ///< Markdown
  std::string unit_name;
  std::string unit_slug;
  calendar::event_kind kind = calendar::event_kind::meeting;
  std::string location;
  std::string online_url;
  bool cancelled = false;
  std::vector<session> next;  ///< its next occurrences
};

/// Who looks at an occurrence page, for its RSVP area.
enum class viewer { anonymous, member };

struct occurrence_view {
  session when;
  /// For a moved occurrence: where it was before (its original start, in the event's zone).
  std::optional<calendar::local_seconds> original_start;
  std::string description;  ///< Markdown
  std::string location;     ///< a URL here is shown as an online link
  std::string online_url;
  std::optional<int> capacity;  ///< none: unlimited
  int going = 0;
  int waitlisted = 0;
  /// Why no RSVP is taken now; none: the form is shown.
  std::optional<calendar::rsvp_refusal> refused;
  viewer who = viewer::anonymous;
  std::optional<calendar::rsvp_answer> answer;  ///< the member's current answer
  /// The CSRF token for the forms (double submit with the `csrf` cookie). Empty renders an
  /// empty field that with_csrf() fills later, so the page can be cached for everyone.
  std::string csrf;
};

std::string render_home(const page_context& ctx, const home_view& view);
std::string render_unit(const page_context& ctx, const unit_view& view);
std::string render_event(const page_context& ctx, const event_view& view);
std::string render_occurrence(const page_context& ctx, const occurrence_view& view);
/// The page for an unknown unit, event or occurrence (sent with 404).
std::string render_not_found(const page_context& ctx);

/// `html` (a rendered page) with every empty CSRF field filled with `token` (base64url). Page
/// text cannot forge such a field: it is escaped, and Markdown drops raw HTML.
std::string with_csrf(std::string_view html, std::string_view token);

/// The page path of an occurrence: "/events/7/20251202T180000Z".
std::string occurrence_path(calendar::event_id id, const calendar::occurrence_key& key);

}  // namespace treffpunkt::web
