#pragma once
/// The pages of exchange offers as pure functions, like pages.h: the form a member proposes an
/// offer with (and revises it in), the responsibles' list of proposals and the page they decide
/// on, and the host's page of their offer. The proposer's name appears only on the
/// responsibles' pages; attendees' names only on the host's page (docs/security.md).

#include <calendar/event.h>
#include <calendar/time.h>
#include <web/i18n.h>
#include <web/manage_pages.h>  // field_error
#include <web/pages.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace treffpunkt::web {

/// The offer form as typed: every value a string, so that it comes back as it was typed.
struct offer_form {
  std::string title;
  std::string description;  ///< Markdown
  std::string format = "in_person";
  std::string location;
  std::string online_url;
  std::string duration = "120";      ///< minutes
  std::array<std::string, 3> dates;  ///< "2026-06-18" each, or empty
  std::array<std::string, 3> times;  ///< "18:00" each
  bool flexible = false;
  std::string capacity;  ///< empty: unlimited
  bool show_host = false;
  std::string wish;  ///< the id of the wish it answers, or empty
};

/// Where a proposal stands, as its proposer sees it above the form.
struct proposal_status {
  std::string state;       ///< "waiting", "changes_requested", "approved", "declined", "withdrawn"
  std::string message;     ///< the responsibles' words, if any
  std::string event_href;  ///< approved: the offer's page
  bool can_withdraw = false;
};

struct offer_form_view {
  unit_summary unit;
  std::string action;    ///< where the form posts
  bool editable = true;  ///< false: a decided proposal, shown without a form
  offer_form form;
  std::string wish_text;                  ///< the wish it answers, if any
  std::string zone;                       ///< the unit's zone, said next to the times
  std::optional<proposal_status> status;  ///< an existing proposal
  std::optional<std::int64_t> proposal;   ///< its id
  std::vector<field_error> errors;
  std::string notice;  ///< what was just done, or empty
  std::string csrf;
};

/// One proposal in the responsibles' list.
struct managed_proposal {
  std::int64_t id = 0;
  unit_summary unit;
  std::string title;
  std::string proposer;  ///< name, or address when they gave none
  calendar::utc_seconds created{};
};

struct manage_proposals_view {
  std::vector<managed_proposal> waiting;  ///< oldest first
  std::string notice;
};

/// A suggested date on the decision page.
struct offer_date {
  std::string value;  ///< "2026-06-18T18:00"
  std::string date;   ///< "2026-06-18"
  std::string time;   ///< "18:00"
  std::string label;  ///< "Donnerstag, 18. Juni 2026, 18:00"
};

struct manage_proposal_view {
  unit_summary unit;
  std::int64_t id = 0;
  std::string state;
  std::string title;
  std::string description_html;  ///< rendered Markdown
  std::string format;            ///< "in_person", "online", "both"
  std::string location;
  std::string online_url;
  int duration_minutes = 0;
  std::vector<offer_date> dates;  ///< empty: flexible
  std::string capacity;           ///< empty: unlimited
  std::string proposer;
  bool show_host = false;
  std::string wish_text;
  std::string zone;
  /// The decision forms' values, kept after an error: `start_choice` is one of the suggested
  /// dates ("2026-06-18T18:00") or "other" (then `start_date` and `start_time`).
  std::string start_choice;
  std::string start_date;
  std::string start_time;
  std::string approve_capacity;
  std::string message;
  std::vector<field_error> errors;
  std::string csrf;
};

/// The host's page of their offer: who comes (names), a message to them, the texts, place and
/// link, and cancelling it.
struct host_event_view {
  unit_summary unit;
  calendar::event_id id;
  std::string title;
  std::string description;
  std::string location;
  std::string online_url;
  std::optional<session> when;  ///< the offer's one occurrence
  bool cancelled = false;
  std::vector<std::string> going;     ///< names, in the order they answered
  std::vector<std::string> waitlist;  ///< names, in order
  /// Once it has started: the page that ticks who came (empty before).
  std::string came_href;
  std::optional<int> capacity;
  std::string subject;  ///< the message form's values, kept after an error
  std::string body;
  std::vector<field_error> errors;
  std::string notice;
  std::string csrf;
};

/// One open wish on a unit's wishes page.
struct wish_item {
  std::int64_t id = 0;
  std::string text;
  bool can_close = false;  ///< the reader wished it, or is a responsible of the unit
};

/// /units/{slug}/wishes: the open wishes, and for a member the form to add one.
struct wishes_view {
  unit_summary unit;
  std::vector<wish_item> wishes;  ///< oldest first
  bool logged_in = false;
  std::string text;  ///< the form's value, kept after an error
  std::vector<field_error> errors;
  std::string notice;
  std::string csrf;
};

std::string render_offer_form(const page_context& ctx, const offer_form_view& view);
std::string render_manage_proposals(const page_context& ctx, const manage_proposals_view& view);
std::string render_manage_proposal(const page_context& ctx, const manage_proposal_view& view);
std::string render_host_event(const page_context& ctx, const host_event_view& view);
std::string render_wishes(const page_context& ctx, const wishes_view& view);

/// The text of catalog message `key` in `l` (offers' texts: "o_..."), for the server's errors.
std::string offer_text(language l, std::string_view key);
/// The error next to an offer form's `field` ("title", "dates", ...) in `l`: its own message,
/// or "please check this value".
field_error offer_error(language l, std::string_view field);

}  // namespace treffpunkt::web
