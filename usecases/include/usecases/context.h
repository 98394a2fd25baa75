#pragma once
/// What every use case needs besides its own arguments: the store it writes to, how mail is
/// sent, where links in mails point to, and the time it happens at.
///
/// A use case is one thing a member, guest, responsible or admin does that changes data and
/// causes mail (an RSVP, a moved session, a deleted account): the write and the mails it queues
/// happen in one transaction, so that a committed change never misses its mail and a mail never
/// goes out for a change that was rolled back. The JSON API, the pages and the CLI all call
/// these, so that each sends the same mails.

#include <calendar/time.h>
#include <storage/store.h>

#include <functional>
#include <string>
#include <string_view>

namespace treffpunkt::usecases {

/// How mail leaves: the sender, and whom to tell that the outbox has something new.
struct mail_settings {
  /// From and envelope sender ("treffpunkt@example.org"); its domain names the Message-IDs.
  std::string from = "treffpunkt@localhost.invalid";
  /// Called after a write that queued mail has committed (wakes the dispatcher). May be empty.
  std::function<void()> queued;
};

struct context {
  storage::store& store;
  const mail_settings& mail;
  /// The public URL without a trailing slash ("https://termine.example.org"): links in mails.
  std::string_view base_url;
  calendar::utc_seconds now;
};

}  // namespace treffpunkt::usecases
