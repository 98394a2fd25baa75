#pragma once
/// What people do with their account and its links: ask for a login link, end a session, turn
/// mail off by one click, get a new personal feed link, delete their account (or an admin does).

#include <calendar/time.h>
#include <storage/store.h>
#include <usecases/context.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace treffpunkt::usecases {

/// Feed secrets do not expire: a subscription keeps working until the member makes a new link.
inline constexpr std::chrono::seconds feed_secret_ttl = std::chrono::days(100 * 365);

/// The path of the personal feed for `secret`: "/feeds/{secret}.ics".
std::string personal_feed_path(std::string_view secret);

/// A new secret for the person's personal feed, with every earlier one revoked (their links
/// stop working). The store keeps only its hash: `raw` can be shown this once.
storage::issued_token new_feed_secret(const context& ctx, storage::person_id p);

/// A login link for `email` (a person is recorded if the address is new): a `login_link` mail
/// with {base}/login/{token}, and `?next=` (a path of this site, checked by the caller) when
/// given, valid for `ttl`, queued in the outbox. Known and unknown addresses take the same way.
/// Errors: invalid when `email` (trimmed, lower-cased) is no plain address, unavailable when
/// the store cannot write.
storage::result<void> request_login_link(const context& ctx, std::string_view email,
                                         std::string_view next, std::chrono::seconds ttl);

/// "15 Minuten" / "15 minutes": how long a link is valid, in `language` ("de", "en").
std::string duration_text(std::chrono::seconds ttl, std::string_view language);

/// Ends the session whose cookie value is `raw` (that session only: the person's other devices
/// stay logged in). False when it is no valid session.
bool end_session(const context& ctx, std::string_view raw);

/// The person's new reminder choice (store::set_reminder_offsets: 5 minutes to 28 days, at most
/// 5; none turns reminders off), and in the same transaction the reminders already queued
/// follow it: for every occurrence still to come that they are going to, those of offsets no
/// longer chosen are dropped (unless a dispatcher took them already) and those of new offsets
/// queued, unless their time has passed. Errors as the store's (invalid, field "reminders").
storage::result<void> set_reminders(const context& ctx, storage::person_id p,
                                    std::vector<std::chrono::minutes> before);

/// One click on an unsubscribe link (RFC 8058): the person's reminders and notices off, and
/// their queued reminders and notices dropped (store::unsubscribe). Returns how many mails
/// were dropped.
storage::result<int> unsubscribe(const context& ctx, storage::person_id p);

/// The person an unsubscribe link's token names, if the token is genuine (signed with this
/// installation's secret).
std::optional<storage::person_id> unsubscriber(const storage::store& store, std::string_view token);

/// Deletes an account (store::delete_person, by the person or an admin): everyone moved up into
/// a place it freed gets a promotion and their reminders, in the same transaction. Errors as the
/// store's (conflict for the last admin).
storage::result<void> delete_account(const context& ctx, storage::person_id p,
                                     const storage::actor& who);

}  // namespace treffpunkt::usecases
