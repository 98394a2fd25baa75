#pragma once
/// Rights checks inside a store transaction (units_people.cpp), so that a write checks the
/// rights it relies on in the same transaction as it writes.

#include <storage/store.h>

#include "sqlite.h"

namespace treffpunkt::storage {

/// The system, or a person with the admin flag.
bool is_admin(sql::connection& c, const actor& who);

/// Admins may edit every unit; responsibles their own.
bool may_edit_unit(sql::connection& c, const actor& who, calendar::unit_id u);

}  // namespace treffpunkt::storage
