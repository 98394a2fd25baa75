#pragma once
/// People as stored, shared by the store's parts that find or create people (units_people.cpp
/// defines these; rsvps.cpp creates guests): one rule for what an address is, so that a guest
/// and a member with one address are one person.

#include <storage/store.h>

#include <string>
#include <string_view>

#include "sql.h"

namespace treffpunkt::storage {

/// `s` without leading and trailing ASCII white space.
std::string trimmed(std::string_view s);

/// Trimmed and ASCII lower-cased, as people.email is kept.
std::string normalise_email(std::string_view email);

/// Not RFC 5321 in full (that is the mail server's job): enough to refuse what is surely not
/// an address and could break a header, a URL or the uniqueness of people.email. Expects a
/// normalised address.
bool looks_like_email(std::string_view email);

/// The columns person_from reads, in order, for "SELECT ... FROM people".
inline constexpr std::string_view person_columns =
    "id, name, email, language, admin, guest, created, notices";

/// The person in columns first .. first+7 of `s`, selected as person_columns.
person person_from(const sql::statement& s, int first = 0);

/// Whether there is a person with this id.
bool person_exists(sql::connection& c, person_id p);

}  // namespace treffpunkt::storage
