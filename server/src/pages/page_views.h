#pragma once
/// The pages' view models, filled from the store (web/ renders them): what the member pages,
/// the link pages and the manage pages show of units, events and occurrences, and the header
/// every page has (who reads it, in which language).

#include <calendar/event.h>
#include <calendar/expand.h>
#include <calendar/time.h>
#include <date/date.h>
#include <storage/store.h>
#include <web/pages.h>

#include <optional>
#include <string>
#include <string_view>

namespace treffpunkt::server {

class request_context;

/// The context of a page for this request: its language, path, base URL and who reads it
/// (the header: logged in or not, and for a responsible or an admin the links to /manage and
/// /admin; member_memo remembers who may manage).
web::page_context page_context_of(const request_context& ctx);

/// One occurrence of `e` (of unit `u`) as the pages list it.
web::session make_session(const calendar::event& e, const calendar::unit& u,
                          const calendar::occurrence& o);

/// Where an RSVP stands, as the pages say it; none for a pending guest RSVP.
std::optional<web::rsvp_status> status_of(storage::rsvp_state st);

/// What an occurrence page shows of the member who reads it: their RSVP. Everything of them
/// the page shows besides the CSRF token, so that the page can be kept for every member in
/// the same state (member_pages.cpp).
struct member_answer {
  std::optional<calendar::rsvp_answer> answer;
  std::optional<web::rsvp_status> status;
  int waitlist_position = 0;
  /// They answered: they learn who hosts an offer whose host is not named publicly.
  bool sees_host = false;

  /// The state in a few words, for a cache key: " answer=yes status=going 0 host".
  std::string key() const;
};

/// What the page shows of the RSVP `r` (store::rsvp_of); none: the member has not answered.
member_answer answer_from(const std::optional<storage::rsvp_record>& r);

/// Reads the store into the member pages' views at one instant.
struct page_builder {
  storage::store& store;
  calendar::utc_seconds now;

  std::optional<std::string> home(const web::page_context& page) const;
  /// A unit's page with `month` in its month view; `follow` for a member (their button).
  std::optional<std::string> unit(const web::page_context& page, std::string_view slug,
                                  date::year_month month,
                                  const std::optional<web::follow_state>& follow) const;
  std::optional<std::string> event(const web::page_context& page, calendar::event_id id) const;
  /// The occurrence page's view; with `member`, their RSVP form with their answer and `csrf`.
  std::optional<web::occurrence_view> occurrence_view(calendar::event_id id,
                                                      const calendar::occurrence_key& key,
                                                      const std::optional<storage::person>& member,
                                                      const std::string& csrf) const;
  /// The same with what the member's RSVP is (answer_of); none: an anonymous visitor's view.
  std::optional<web::occurrence_view> occurrence_view(calendar::event_id id,
                                                      const calendar::occurrence_key& key,
                                                      const std::optional<member_answer>& member,
                                                      const std::string& csrf) const;
  /// The member's RSVP to the occurrence `key` of `id` (none answered: all empty).
  member_answer answer_of(calendar::event_id id, const calendar::occurrence_key& key,
                          storage::person_id member) const;
  std::optional<std::string> occurrence(const web::page_context& page, calendar::event_id id,
                                        const calendar::occurrence_key& key,
                                        const std::optional<member_answer>& member,
                                        const std::string& csrf, bool saved = false) const;
  /// The member's own page: upcoming RSVPs, follows, reminders, whether a feed link exists.
  web::me_view me(const storage::person& p, const std::string& csrf) const;
};

}  // namespace treffpunkt::server
