#include <calendar/expand.h>
#include <notifications/message.h>
#include <usecases/event_changes.h>
#include <usecases/input.h>
#include <usecases/offers.h>

#include <algorithm>
#include <chrono>

#include "mail_writer.h"

namespace treffpunkt::usecases {
namespace {

namespace mail = notifications;
using std::chrono::minutes;

constexpr std::int64_t most_places = 100000;

result<std::optional<int>> places(const std::optional<std::int64_t>& capacity) {
  if (!capacity) return std::optional<int>{};
  if (*capacity < 1 || *capacity > most_places) {
    return error{errc::invalid, "capacity must lie between 1 and 100000", "capacity"};
  }
  return std::optional<int>(static_cast<int>(*capacity));
}

/// Whether the wall-clock `start` in `zone` lies after `now`.
result<void> in_future(calendar::local_seconds start, std::string_view zone,
                       calendar::utc_seconds now, std::string_view field) {
  try {
    if (calendar::to_utc(start, zone) > now) return {};
  } catch (const std::exception&) {
    return error{errc::unknown_zone, "the unit's time zone is unknown", std::string(field)};
  }
  return error{errc::out_of_bounds, std::string(field) + " must lie in the future",
               std::string(field)};
}

/// The one occurrence of an offer (a one-off event), for the mails about it.
std::optional<calendar::occurrence> only_occurrence(const calendar::event& e) {
  const auto start = calendar::to_utc(e.start, e.zone);
  auto found = calendar::expand(e, start, start + e.duration + std::chrono::seconds(1));
  if (found.empty()) return std::nullopt;
  return found.front();
}

}  // namespace

result<storage::offer_draft> offer_draft_of(const offer_input& in, std::string_view zone,
                                            calendar::utc_seconds now) {
  storage::offer_draft d;
  if (in.title.find_first_not_of(" \t") == std::string::npos) {
    return error{errc::required, "title is required", "title"};
  }
  const auto format = storage::parse_offer_format(in.format);
  if (!format) {
    return error{errc::invalid, "format must be in_person, online or both", "format"};
  }
  d.format = *format;
  for (const auto& [name, value] :
       {std::pair<std::string_view, const std::string*>{"title", &in.title},
        {"description", &in.description},
        {"location", &in.location},
        {"online_url", &in.online_url}}) {
    if (auto ok = check_event_text(name, *value); !ok) return ok.error();
  }
  d.title = in.title;
  d.description = in.description;
  std::erase(d.description, '\r');
  if (d.format != storage::offer_format::online) {
    if (in.location.find_first_not_of(" \t") == std::string::npos) {
      return error{errc::required, "an offer in person needs a place", "location"};
    }
    d.location = in.location;
  }
  if (d.format != storage::offer_format::in_person) {
    if (in.online_url.empty()) {
      return error{errc::required, "an online offer needs a link", "online_url"};
    }
    d.online_url = in.online_url;
  }
  const auto length = in.duration_minutes.value_or(120);
  if (length < shortest_offer_minutes || length > longest_offer_minutes) {
    return error{errc::out_of_bounds, "duration_minutes must lie between 15 and 720",
                 "duration_minutes"};
  }
  d.duration = minutes(length);
  if (in.dates.size() > storage::max_offer_dates) {
    return error{errc::invalid, "at most three dates", "dates"};
  }
  for (const auto date : in.dates) {
    if (auto ok = in_future(date, zone, now, "dates"); !ok) return ok.error();
    if (std::find(d.dates.begin(), d.dates.end(), date) == d.dates.end()) d.dates.push_back(date);
  }
  std::sort(d.dates.begin(), d.dates.end());
  auto capacity = places(in.capacity);
  if (!capacity) return capacity.error();
  d.capacity = *capacity;
  d.show_host = in.show_host;
  if (in.wish) d.wish = storage::wish_id{*in.wish};
  return d;
}

result<storage::proposal_decision> decision_of(const decision_input& in, std::string_view zone,
                                               calendar::utc_seconds now) {
  using verdict = storage::proposal_decision::verdict;
  storage::proposal_decision d;
  if (in.decision == "approve") {
    d.what = verdict::approve;
    if (!in.start) return error{errc::required, "approving needs a start", "start"};
    if (auto ok = in_future(*in.start, zone, now, "start"); !ok) return ok.error();
    d.start = *in.start;
    auto capacity = places(in.capacity);
    if (!capacity) return capacity.error();
    d.capacity = *capacity;
    return d;
  }
  if (in.decision == "request_changes") {
    d.what = verdict::request_changes;
    auto message = typed_text(in.message, "message", max_decision_message_chars, true);
    if (!message) return message.error();
    d.message = std::move(*message);
    return d;
  }
  if (in.decision == "decline") {
    d.what = verdict::decline;
    if (in.message.find_first_not_of(" \t\r\n") != std::string::npos) {
      auto message = typed_text(in.message, "message", max_decision_message_chars, true);
      if (!message) return message.error();
      d.message = std::move(*message);
    }
    return d;
  }
  return error{errc::invalid, "decision must be approve, request_changes or decline", "decision"};
}

result<std::string> wish_text(std::string_view typed) {
  return typed_text(typed, "text", max_wish_chars, false);
}

std::string proposal_url(std::string_view base_url, storage::proposal_id id) {
  return std::string(base_url) + "/me/proposals/" + std::to_string(id.value);
}

storage::result<storage::proposal> decide_proposal(const context& ctx, storage::proposal_id id,
                                                   const storage::actor& who,
                                                   const storage::proposal_decision& d) {
  const mail_writer mails(ctx);
  auto decided =
      ctx.store.decide_proposal(id, who, d, ctx.now, [&](const storage::decided_proposal& x) {
        storage::mail_plan plan;
        const std::string slot = "proposal:" + std::to_string(x.after.id.value);
        const auto version = std::to_string(x.after.updated.time_since_epoch().count());
        if (x.event) {
          const auto o = only_occurrence(*x.event);
          if (!o) throw std::runtime_error("the approved offer has no occurrence");
          mail::facts extra;
          extra.link = std::string(ctx.base_url) + "/events/" + std::to_string(x.event->id.value) +
                       "/" + o->key.to_string();
          plan.queue.push_back(mails.compose(
              mail::message_kind::offer_approved, *x.event, *o, x.unit_name, x.proposer,
              dedupe_key("offer_approved", slot, x.proposer.id.value, version), ctx.now, {}, false,
              &extra));
          if (x.wisher && !x.wisher->email.empty()) {
            plan.queue.push_back(mails.compose(
                mail::message_kind::wish_answered, *x.event, *o, x.unit_name, *x.wisher,
                dedupe_key("wish_answered", slot, x.wisher->id.value, version), ctx.now, {}, false,
                &extra));
          }
          return plan;
        }
        // Sent back or declined: no event; the mail speaks of the proposal.
        const bool declined = x.after.state == storage::proposal_state::declined;
        const auto kind = declined ? mail::message_kind::offer_declined
                                   : mail::message_kind::offer_changes_requested;
        std::string link = proposal_url(ctx.base_url, x.after.id);
        if (declined) {
          const auto unit = ctx.store.unit_by_id(x.after.unit);
          link = std::string(ctx.base_url) + "/units/" + (unit ? unit->slug : std::string());
        }
        plan.queue.push_back(mails.compose_plain(
            kind, x.proposer, x.unit_name, x.after.draft.title, x.after.message, link,
            dedupe_key(mail::kind_name(kind), slot, x.proposer.id.value, version)));
        return plan;
      });
  if (decided) mails.queued();
  return decided;
}

}  // namespace treffpunkt::usecases
