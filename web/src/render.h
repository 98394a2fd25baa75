#pragma once
/// What every page of this folder shares (member, manage and admin pages): the embedded
/// templates with the catalog's texts put in, and the layout around a page's body.
/// Private to web/: the Mustache engine stays out of the public headers.

#include <web/i18n.h>
#include <web/pages.h>  // page_context

#include <kainjow/mustache.hpp>
#include <string>
#include <string_view>

namespace treffpunkt::web::detail {

namespace mu = kainjow::mustache;

/// The embedded template `name` with the catalog's texts in `l` put in for {{t.key}} (the
/// templates' way to name a text, e.g. {{t.home_title}}); throws for an unknown name.
const std::string& localized(std::string_view name, language l);

/// Renders template `name` in `l` with `data`; the session and offer list partials are
/// available everywhere. A template that does not parse or render is a bug in this folder, found by
/// the tests.
std::string render(std::string_view name, mu::data& data, language l);

/// The page `body_template` filled with `data`, inside the layout.
std::string page(const page_context& ctx, std::string_view title, std::string_view body_template,
                 mu::data& data);

}  // namespace treffpunkt::web::detail
