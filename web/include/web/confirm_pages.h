#pragma once
/// The page of the "still happening?" mail's link (/manage/events/{id}/confirm, for the unit's
/// responsibles and admins): a series, when it was last edited or confirmed, its next dates,
/// and the button that confirms it. Seeing the page changes nothing; the button does (a POST
/// with the CSRF token), since mail scanners open every link of a mail.

#include <calendar/event.h>
#include <date/date.h>
#include <web/manage_pages.h>
#include <web/pages.h>

#include <optional>
#include <string>
#include <vector>

namespace treffpunkt::web {

struct confirm_series_view {
  unit_summary unit;
  calendar::event_id event;
  std::string title;
  std::string rule;           ///< the rule in words (describe_rule)
  std::vector<session> next;  ///< the next dates that take place, soonest first
  date::local_days since{};   ///< the day of the last edit or confirmation
  /// The day the responsibles were asked, while the question waits for an answer.
  std::optional<date::local_days> asked;
  bool unconfirmed = false;  ///< flagged: unanswered for four weeks
  /// Whether there is anything to confirm: not for a cancelled series, one without dates to
  /// come or one of an archived unit (the page then says so and has no button).
  bool open = true;
  bool confirmed_now = false;  ///< the button was just pressed
  std::string csrf;
};

std::string render_confirm_series(const page_context& ctx, const confirm_series_view& view);

}  // namespace treffpunkt::web
