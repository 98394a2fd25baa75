#pragma once
/// Rights checks inside a store transaction (units_people.cpp), so that a write checks the
/// rights it relies on in the same transaction as it writes.

#include <storage/store.h>

#include "sql.h"

namespace treffpunkt::storage {

/// The system, or a person with the admin flag.
bool is_admin(sql::connection& c, const actor& who);

/// Admins may edit every unit; responsibles their own.
bool may_edit_unit(sql::connection& c, const actor& who, calendar::unit_id u);

/// Whether `who` is a person and hosts the event (event_hosts: its approved proposal was
/// theirs). A host may change the event's texts, place and link, cancel it and write to the
/// people coming; nothing else, and nothing of other events.
bool hosts_event(sql::connection& c, const actor& who, calendar::event_id e);

}  // namespace treffpunkt::storage
