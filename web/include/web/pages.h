#pragma once
/// The member pages as pure functions: a view model in, a complete HTML document out. The
/// server reads the store and fills the view models; nothing here knows HTTP or SQL. Every
/// text goes through the template engine's HTML escaping; descriptions are Markdown in safe
/// mode (markdown.h).

#include <calendar/event.h>
#include <calendar/rsvp.h>
#include <calendar/time.h>
#include <date/date.h>
#include <web/fetches.h>
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
  std::string path;         ///< the page's path, "/units/bildung" (for the language switch)
  std::string query;        ///< its query without `lang`, "month=2025-12", or empty
  std::string base_url;     ///< public URL without a trailing slash, for feed links
  bool logged_in = false;   ///< header shows "my page" instead of "log in"
  bool can_manage = false;  ///< a responsible or admin: header links to /manage
  bool is_admin = false;    ///< an admin: header links to /admin too
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
  bool offer = false;  ///< of an exchange offer (calendar::event_kind::exchange_offer)
};

/// An occurrence of an exchange offer in a list of offers: when, and its places if limited.
struct offer {
  session when;
  std::optional<int> capacity;  ///< none: unlimited, and the list says nothing of places
  int going = 0;
};

struct home_view {
  std::vector<unit_summary> units;
  std::vector<session> next;  ///< the next meetings across units, soonest first
  std::vector<offer> offers;  ///< the next exchange offers across units, soonest first
};

struct unit_view {
  unit_summary unit;
  std::vector<std::string> responsibles;  ///< names only, never addresses
  std::vector<session> upcoming;          ///< its meetings in the next ~90 days
  std::vector<offer> offers;              ///< its exchange offers to come, listed apart
  std::vector<std::string> wishes;        ///< its members' open wishes, without names
  /// When it was archived: the page says so and shows only what took place before.
  std::optional<calendar::utc_seconds> archived;
  std::string contact;            ///< an address to write to, if the unit has one
  date::year_month month{};       ///< shown in the month view
  std::vector<session> in_month;  ///< the sessions (meetings and offers) of `month`
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

/// Where a member's RSVP stands (storage::rsvp_state without the guests' `pending`).
enum class rsvp_status { going, waitlisted, maybe, not_going };

/// Why an RSVP form was not taken; the page says so in the reader's language and nothing
/// changed.
enum class rsvp_problem {
  csrf,          ///< the form's token did not match the cookie (403)
  rate_limited,  ///< too many RSVPs in a short time (429)
  bad_answer,    ///< no or an unknown answer (422)
  refused,       ///< the occurrence takes no RSVPs now; occurrence_view::refused says why (409)
  unavailable,   ///< the database could not be written (503)
};

/// What a guest typed into the guest RSVP form, and what is wrong with it (catalog keys,
/// empty: fine), to show it again next to the fields.
struct guest_form {
  std::string name;
  std::string email;
  calendar::rsvp_answer answer = calendar::rsvp_answer::yes;
  std::string name_error;
  std::string email_error;
};

struct occurrence_view {
  session when;
  /// For a moved occurrence: where it was before (its original start, in the event's zone).
  std::optional<calendar::local_seconds> original_start;
  std::string description;  ///< Markdown
  std::string location;     ///< a URL here is shown as an online link
  std::string online_url;
  /// The host of an exchange offer, where the reader may see them (shown publicly, or the reader
  /// answered); empty: none shown.
  std::string host;
  std::optional<int> capacity;  ///< none: unlimited
  int going = 0;
  int waitlisted = 0;
  /// Why no RSVP is taken now; none: the form is shown.
  std::optional<calendar::rsvp_refusal> refused;
  viewer who = viewer::anonymous;
  std::optional<calendar::rsvp_answer> answer;  ///< the member's current answer
  std::optional<rsvp_status> status;            ///< where the member's RSVP stands
  int waitlist_position = 0;                    ///< 1-based while waitlisted
  bool saved = false;                           ///< the member's answer was just saved
  std::optional<rsvp_problem> problem;          ///< a form that was not taken
  std::optional<guest_form> guest;              ///< a guest form to show again
  bool guest_sent = false;  ///< a guest RSVP was taken: the confirmation mail is on its way
  /// The CSRF token for the forms (double submit with the `csrf` cookie). Empty renders an
  /// empty field that with_csrf() fills later, so the page can be cached for everyone.
  std::string csrf;
};

std::string render_home(const page_context& ctx, const home_view& view);
std::string render_unit(const page_context& ctx, const unit_view& view);
std::string render_event(const page_context& ctx, const event_view& view);
std::string render_occurrence(const page_context& ctx, const occurrence_view& view);
/// Only the RSVP area of the occurrence page (the same HTML as in render_occurrence), for a
/// script that sent the form and swaps the area in place.
std::string render_rsvp_area(const page_context& ctx, const occurrence_view& view);

/// One of the member's RSVPs on their own page.
struct my_rsvp {
  session when;
  rsvp_status status = rsvp_status::going;
  int waitlist_position = 0;
};

/// A personal feed link, shown once: right after it was made (the store keeps only a hash).
struct feed_link {
  std::string https;  ///< "https://host/feeds/SECRET.ics"
};

/// What just happened on the member's page.
enum class me_notice {
  none,
  reminders_saved,
  unfollowed,
  csrf,
  reminders_invalid,
  notices_saved,
  delete_unconfirmed,  ///< "Konto löschen" without ticking the confirmation
  delete_last_admin,   ///< the last admin may not delete their account
};

/// The member's own page, /me.
/// One of the member's exchange offers on their page: a proposal, or an offer they host.
struct my_offer {
  std::string title;
  std::string href;   ///< /me/proposals/{id} or /manage/offers/{id}
  std::string state;  ///< a proposal's state ("waiting", ...); "hosting" for an offer they host
};

struct me_view {
  std::string name;
  std::string email;
  std::vector<my_rsvp> rsvps;         ///< upcoming, soonest first
  std::vector<unit_summary> follows;  ///< slug and name
  std::vector<my_offer> offers;       ///< offers they host, then their undecided proposals
  /// Minutes before an occurrence, longest first: the member's choice or the default.
  std::vector<int> reminders;
  bool reminders_chosen = false;  ///< false: `reminders` is the installation's default
  std::vector<int> default_reminders;
  /// Notices of moved or cancelled sessions and messages of responsibles (off after an
  /// unsubscribe link was used).
  bool notices = true;
  /// Lag notices: changes at short notice of followed units' sessions when their calendar app
  /// fetches the feed late (people.lag_notices; usecases/lag_notices.h).
  bool lag_notices = true;
  bool has_feed = false;  ///< a personal feed secret exists
  std::optional<feed_link> new_feed;
  /// The last fetch of their personal feed (any of their links) in the days kept, by which
  /// app; none: not fetched yet (the page then says how to subscribe).
  std::optional<app_fetches> feed_fetched;
  me_notice notice = me_notice::none;
  std::string csrf;
};

std::string render_me(const page_context& ctx, const me_view& view);

/// The unit page for a logged-in member: with a follow / unfollow button.
struct follow_state {
  bool following = false;
  std::string csrf;
  bool csrf_failed = false;  ///< the last follow form was refused for its CSRF token
};
std::string render_unit(const page_context& ctx, const unit_view& view, const follow_state& follow);
/// What the login pages show (the logic is server/src/pages/login_routes.cpp's).
enum class login_state {
  form,           ///< GET /login: the form
  invalid_email,  ///< the form again, with an error next to the address
  sent,           ///< "check your mail"
  rate_limited,   ///< too many links asked for
  csrf_expired,   ///< a form whose CSRF token did not match
  use_form,       ///< a POST that was not a form
  link_invalid,   ///< a malformed login link
  link_expired,   ///< a used or expired login link
  unavailable,    ///< the database could not be read or written
  logout,         ///< GET /logout: "log out on this device?"
  /// GET of an emailed login link: a button that logs in (its POST). Mail scanners that open
  /// links before the member does use nothing up.
  link,
};

struct login_view {
  login_state state = login_state::form;
  std::string email;  ///< what was typed, kept in the form
  std::string csrf;   ///< the forms' CSRF token
  /// Where the login form sends the browser back to once the emailed link is opened (a path
  /// of this site the server has checked), or empty for the home page. (Its `{}` lets
  /// `{state, email, csrf}` leave it out without a missing-initializer warning.)
  std::string next{};
  /// With `link`: the form's target, the link's own path.
  std::string action{};
};

/// The login, "check your mail", link error and logout pages in the shared layout.
std::string render_login(const page_context& ctx, const login_view& view);

/// The page for an unknown unit, event or occurrence (sent with 404).
std::string render_not_found(const page_context& ctx);
/// The page for a request that failed because the data could not be read (sent with 503): a
/// PostgreSQL server down or restarting.
std::string render_unavailable(const page_context& ctx);

/// `html` (a rendered page) with every empty CSRF field filled with `token` (base64url). Page
/// text cannot forge such a field: it is escaped, and Markdown drops raw HTML.
std::string with_csrf(std::string_view html, std::string_view token);
/// Where with_csrf() puts the token in `html`: the offset of each empty CSRF field's value, so
/// that a page cached once is filled per request without searching it again.
std::vector<std::size_t> csrf_slots(std::string_view html);
/// with_csrf(html, token) for `slots` = csrf_slots(html).
std::string with_csrf(std::string_view html, const std::vector<std::size_t>& slots,
                      std::string_view token);

/// The page path of an occurrence: "/events/7/20251202T180000Z".
std::string occurrence_path(calendar::event_id id, const calendar::occurrence_key& key);

}  // namespace treffpunkt::web
