#pragma once
/// Exchange offers: a member proposes what they know to a unit, its responsibles decide, and an
/// approved proposal becomes an event the member hosts; members wish for offers (storage/
/// offers.h). What people type is checked here, the same for the JSON API and the pages; each
/// decision queues its mails (to the proposer, and to the wisher of an answered wish) in its
/// transaction.

#include <calendar/time.h>
#include <storage/store.h>
#include <usecases/context.h>
#include <usecases/error.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace treffpunkt::usecases {

/// An offer as typed, before it is checked: what the API's body and the page's form carry.
struct offer_input {
  std::string title;
  std::string description;
  std::string format;  ///< "in_person", "online", "both"
  std::string location;
  std::string online_url;
  std::optional<std::int64_t> duration_minutes;  ///< none: two hours
  /// Suitable starts, wall clock in the unit's zone (none: flexible).
  std::vector<calendar::local_seconds> dates;
  std::optional<std::int64_t> capacity;  ///< none: unlimited
  bool show_host = false;
  std::optional<std::int64_t> wish;
};

/// Limits of what a proposer and a wisher type.
inline constexpr std::int64_t shortest_offer_minutes = 15;
inline constexpr std::int64_t longest_offer_minutes = std::int64_t{12} * 60;
inline constexpr std::size_t max_wish_chars = 500;
inline constexpr std::size_t max_decision_message_chars = 2000;

/// The offer `in` describes, checked: a title (one line, at most 200 bytes), a description (at
/// most 20,000 bytes), a format, a place when in person or both and an http(s) link when online
/// or both (the rules of events, usecases/event_changes.h), a length of 15 minutes to 12 hours,
/// at most three different dates, each after `now` in `zone`, and 1 to 100,000 places. The
/// first failure names its field ("title", "format", "location", "online_url", "dates",
/// "duration_minutes", "capacity").
result<storage::offer_draft> offer_draft_of(const offer_input& in, std::string_view zone,
                                            calendar::utc_seconds now);

/// A decision as typed: "approve" (with a start, wall clock in the unit's zone, and places),
/// "request_changes" (with a message) or "decline" (a message optional).
struct decision_input {
  std::string decision;
  std::optional<calendar::local_seconds> start;
  std::optional<std::int64_t> capacity;  ///< approve: none = unlimited
  std::string message;
};

/// The decision `in` describes, checked: a known decision; to approve, a start after `now` in
/// `zone` and 1 to 100,000 places or none; to ask for changes, a message (at most 2,000
/// characters, no control characters but line breaks). Errors name "decision", "start",
/// "capacity" or "message".
result<storage::proposal_decision> decision_of(const decision_input& in, std::string_view zone,
                                               calendar::utc_seconds now);

/// A wish as typed, trimmed: 1 to 500 characters on one line. Errors name "text".
result<std::string> wish_text(std::string_view typed);

/// A responsible decides (store::decide_proposal): the proposer gets one mail in their language
/// (approved with the date and a link to the offer, asked for a change with the message and a
/// link to edit it, or declined with the message), and on approval of an offer that answers a
/// wish, the wisher one too. Errors: as store::decide_proposal.
storage::result<storage::proposal> decide_proposal(const context& ctx, storage::proposal_id id,
                                                   const storage::actor& who,
                                                   const storage::proposal_decision& d);

/// Where a proposer sees and edits their proposal: {base}/me/proposals/{id}.
std::string proposal_url(std::string_view base_url, storage::proposal_id id);

}  // namespace treffpunkt::usecases
