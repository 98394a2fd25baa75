#pragma once
/// The outbox for writes inside the store: a change and the email it causes commit together.

#include <storage/store.h>

#include <optional>
#include <string>
#include <string_view>

#include "sql.h"

namespace treffpunkt::storage {

/// Why `m` cannot be queued, if it cannot: it needs a recipient, and either its message or a
/// dedupe key (a message left empty is composed when it is due, from what its key names: the
/// reminders, docs/notifications.md).
std::optional<error> unqueueable(const outbox_message& m);

/// Queues `m` inside the caller's write transaction on `c` (e.g. in set_rsvp's body). Returns
/// false, writing nothing, when a message with the same non-empty dedupe key exists already.
bool enqueue_in(sql::connection& c, const outbox_message& m, calendar::utc_seconds now);

/// Deletes queued messages whose dedupe key starts with `prefix` (non-empty), inside the
/// caller's write transaction; returns how many.
int drop_queued_in(sql::connection& c, std::string_view prefix);

/// The smallest key after every key that starts with `prefix` (non-empty): `dedupe_key >= prefix
/// AND dedupe_key < prefix_end(prefix)` finds them on the key's index, where substr() or LIKE
/// would read every queued message (and the blob in front of its key).
std::string prefix_end(std::string_view prefix);

}  // namespace treffpunkt::storage
