#pragma once
/// The languages of the pages (German by default, English on request) and dates and times as
/// a reader of each expects them, always in the event's own zone.

#include <calendar/language.h>
#include <calendar/time.h>
#include <date/date.h>

#include <string>
#include <string_view>

namespace treffpunkt::web {

/// calendar::language: the pages and the mails share one type (an alias, not a copy).
using language = calendar::language;
/// calendar::tag: "de" or "en", for <html lang>, Content-Language and the `lang` cookie.
using calendar::tag;
/// calendar::parse_language: the language a tag names ("en", "EN-gb", "de-AT"), or none.
using calendar::parse_language;

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
