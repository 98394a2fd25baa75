#pragma once
/// What every page of this folder shares (member, manage and admin pages): the embedded
/// templates with the catalog's texts put in, and the layout around a page's body.
/// Private to web/: the Mustache engine stays out of the public headers.

#include <date/date.h>
#include <web/i18n.h>
#include <web/manage_pages.h>  // field_error
#include <web/pages.h>         // page_context

#include <chrono>
#include <kainjow/mustache.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace treffpunkt::web::detail {

namespace mu = kainjow::mustache;

/// The embedded template `name` with the catalog's texts in `l` put in for {{t.key}} (the
/// templates' way to name a text, e.g. {{t.home_title}}) and the partials' text in place of
/// {{> session_list}}, {{> offer_list}} and {{> rsvp_area}}; throws for an unknown name.
const std::string& localized(std::string_view name, language l);

/// Renders template `name` in `l` with `data`. A template that does not parse or render is a
/// bug in this folder, found by the tests.
std::string render(std::string_view name, mu::data& data, language l);

/// The page `body_template` filled with `data`, inside the layout.
std::string page(const page_context& ctx, std::string_view title, std::string_view body_template,
                 mu::data& data);

/// A whole number as typed ("12"); none for anything else.
std::optional<int> parse_int(std::string_view s);
/// "2026-02-03" as <input type="date"> sends it, in the years an event may have.
std::optional<date::year_month_day> parse_day(std::string_view s);
/// "19:00" (or "19:00:00", as some browsers send with a step) as <input type="time"> sends it.
std::optional<std::chrono::minutes> parse_clock(std::string_view s);

/// For each field with an error: `{field}_invalid` and `{field}_error` (the messages, joined),
/// and the list `errors` for the summary at the top (anchors "{prefix}f-{field}").
void set_errors(mu::data& d, const std::vector<field_error>& errors, std::string_view prefix = {});
/// "This unit has been archived since {date}." in `l`, the date in the unit's calendar days.
std::string archived_text(calendar::utc_seconds since, language l);

/// `unit_slug` and `unit_name`.
void set_unit(mu::data& d, const unit_summary& u);

/// The flags of unconfirmed series as the manage unit page and /admin list them
/// (confirm_pages.cpp): id, title, unit, asked_text, confirm_label.
mu::data unconfirmed_data(const std::vector<unconfirmed_flag>& flags, language l);

}  // namespace treffpunkt::web::detail
