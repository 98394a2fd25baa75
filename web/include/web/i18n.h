#pragma once
/// The languages of the pages (German by default, English on request) and dates and times as
/// a reader of each expects them, always in the event's own zone.

#include <calendar/time.h>
#include <date/date.h>

#include <optional>
#include <string>
#include <string_view>

namespace treffpunkt::web {

enum class language { de, en };

/// "de" or "en": for <html lang>, Content-Language and the `lang` cookie.
std::string_view tag(language l);

/// The language a tag names ("en", "EN-gb", "de-AT"); none for any other language.
std::optional<language> parse_language(std::string_view tag);

/// The page language: `?lang=` if it names one, else the `lang` cookie, else the best of
/// Accept-Language (RFC 9110 §12.5.4: q-values, first listed wins a tie, q=0 refuses),
/// else German.
language negotiate_language(std::string_view query_lang, std::string_view cookie_lang,
                            std::string_view accept_language);

/// "Di., 2. Dez. 2025" / "Tue, 2 Dec 2025".
std::string format_date(date::local_days day, language l);
/// "Di., 2. Dez. 2025, 19:00" / "Tue, 2 Dec 2025, 19:00" (24-hour clock in both).
std::string format_date_time(calendar::local_seconds t, language l);
/// When an occurrence takes place, in its zone: "Di., 2. Dez. 2025, 19:00–21:00", or with
/// the end's date when it ends on another day; all-day: "Di., 2. Dez. 2025" or a range of
/// dates (`end` is exclusive: midnight after the last day).
std::string format_span(calendar::local_seconds start, calendar::local_seconds end, bool all_day,
                        language l);
/// "Dezember 2025" / "December 2025".
std::string format_month(date::year_month month, language l);
/// "Mo" / "Mon": month-view column headers.
std::string_view weekday_short(date::weekday day, language l);
/// "Montag" / "Monday": for screen readers (<abbr title>).
std::string_view weekday_long(date::weekday day, language l);

}  // namespace treffpunkt::web
