#pragma once
/// Exchange offers proposed by members, and wishes: what a member offers a unit, what the
/// unit's responsibles decide about it, and what members wish someone would offer. Plain
/// values; the store (store.h) keeps them.
///
/// A proposal is `waiting` until a responsible decides: approved (it becomes an event of kind
/// exchange_offer with the proposer as its host), declined, or `changes_requested`, after which
/// the proposer revises it and it waits again. The proposer may withdraw it while undecided.

#include <calendar/event.h>
#include <calendar/time.h>
#include <storage/ids.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace treffpunkt::storage {

/// Where an offer takes place.
enum class offer_format { in_person, online, both };

enum class proposal_state { waiting, changes_requested, approved, declined, withdrawn };

/// A member has at most this many proposals undecided (waiting or sent back to them) at once,
/// and at most this many open wishes per unit.
inline constexpr int max_open_proposals = 3;
inline constexpr int max_open_wishes = 3;

/// At most this many dates a proposer suggests; none means "flexible".
inline constexpr std::size_t max_offer_dates = 3;

/// What the proposer writes, already checked (usecases/offers.h).
struct offer_draft {
  std::string title;
  std::string description;  ///< Markdown, as an event's
  offer_format format = offer_format::in_person;
  std::string location;    ///< in person or both
  std::string online_url;  ///< online or both
  std::chrono::seconds duration{std::chrono::hours(2)};
  /// Wall-clock starts in the unit's zone that suit the proposer, 0 to max_offer_dates.
  std::vector<calendar::local_seconds> dates;
  std::optional<int> capacity;  ///< places; none = unlimited
  /// Whether the host's name may be shown publicly (pages, feeds); else only the unit's
  /// responsibles and the people who answered see it.
  bool show_host = false;
  /// The wish this offer answers, if any (an open wish of the same unit).
  std::optional<wish_id> wish;

  friend bool operator==(const offer_draft&, const offer_draft&) = default;
};

struct proposal {
  proposal_id id;
  calendar::unit_id unit;
  person_id proposer;
  proposal_state state = proposal_state::waiting;
  offer_draft draft;
  /// The last message of a responsible: why they asked for a change or declined.
  std::string message;
  /// The event made on approval.
  std::optional<calendar::event_id> event;
  calendar::utc_seconds created{};
  calendar::utc_seconds updated{};
};

/// How a responsible decides about a waiting proposal.
struct proposal_decision {
  enum class verdict { approve, request_changes, decline };
  verdict what = verdict::approve;
  /// approve: the start (wall clock in the unit's zone), one of the proposer's dates or another.
  calendar::local_seconds start{};
  /// approve: the places, which may differ from what the proposer asked; none = unlimited.
  std::optional<int> capacity;
  /// request_changes, decline: why (shown to the proposer; may be empty for a decline).
  std::string message;
};

/// A member's wish that someone offered something ("Wer hat Erfahrung mit Bürgerhaushalten?").
struct wish {
  wish_id id;
  calendar::unit_id unit;
  person_id wisher;  ///< 0 once their account is deleted
  std::string text;
  bool open = true;
  calendar::utc_seconds created{};
};

/// The host of an event: the member whose approved proposal it came from.
struct event_host {
  person_id person;
  std::string name;  ///< their name as they gave it (may be empty)
  bool shown_publicly = false;
};

std::string_view to_string(offer_format f);
std::optional<offer_format> parse_offer_format(std::string_view s);
std::string_view to_string(proposal_state s);

}  // namespace treffpunkt::storage
