#pragma once
/// The languages treffpunkt speaks to people in: German by default, English on request. One
/// type for the pages (web/) and the mails (notifications/), so that a person's choice goes
/// from one to the other as it is, and "de"/"en" are written and read in one place.

#include <optional>
#include <string_view>

namespace treffpunkt::calendar {

enum class language { de, en };

/// "de" or "en": for <html lang>, Content-Language, the `lang` cookie and people.language.
std::string_view tag(language l);

/// The language a tag names by its primary subtag, ASCII case-insensitively ("en", "EN-gb",
/// "de-AT"); none for any other language.
std::optional<language> parse_language(std::string_view tag);

}  // namespace treffpunkt::calendar
