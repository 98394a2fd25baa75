#pragma once
/// RSVPs: a member's yes / no / maybe, and a guest's, which counts once its emailed link is
/// confirmed (double opt-in). Each queues its mails (context.h) in the RSVP's transaction.

#include <calendar/event.h>
#include <calendar/rsvp.h>
#include <calendar/time.h>
#include <storage/store.h>
#include <usecases/context.h>

#include <string_view>

namespace treffpunkt::usecases {

/// How long a guest's emailed link is valid (as the store keeps it).
inline constexpr std::chrono::hours guest_link_ttl{48};

/// A member's answer (store::set_rsvp): the member a confirmation with an iMIP REQUEST when
/// they have a place, and their reminders; everyone moved up from the waitlist a promotion and
/// theirs. A "no" drops the member's queued reminders for the occurrence. Errors as the store's
/// (occurrence_cancelled, occurrence_past, rsvp_closed, not_found, unavailable, ...).
storage::result<storage::rsvp_change> answer_rsvp(const context& ctx, const calendar::event& e,
                                                  const calendar::occurrence_key& key,
                                                  const storage::person& me,
                                                  calendar::rsvp_answer answer);

/// A guest's answer (store::request_guest_rsvp, pending until confirmed): a `guest_rsvp_link`
/// mail with the link {base}/rsvp/confirm/{token}, in `language` ("de", "en"; a known address
/// keeps its own). Asking again drops the earlier link's mail if it has not gone out yet (that
/// link stops working). `name` and `email` must be checked already (input.h; the store checks
/// again). Errors as the store's; conflict when the address has answered already.
storage::result<storage::guest_rsvp> request_guest_rsvp(
    const context& ctx, const calendar::event& e, const calendar::occurrence_key& key,
    std::string_view name, std::string_view email, calendar::rsvp_answer answer,
    std::string_view language);

/// The guest pressed the button of their link (store::confirm_guest_rsvp): the same mails as
/// answer_rsvp() when they have a place or a place moved. Errors as the store's (not_found,
/// expired, occurrence_cancelled, ...).
storage::result<storage::rsvp_change> confirm_guest_rsvp(const context& ctx,
                                                         std::string_view token);

}  // namespace treffpunkt::usecases
