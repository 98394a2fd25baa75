#include "render.h"

#include <calendar/time.h>  // parse_iso_date
#include <web/assets.h>

#include <array>
#include <charconv>
#include <map>
#include <memory>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include "catalog.h"
#include "embedded.h"

namespace treffpunkt::web::detail {

namespace {

/// `raw` with every {{t.key}} replaced by the catalog's text in `l`, HTML-escaped as Mustache
/// would have escaped it. The texts are the same for every page: put in once per language
/// instead of copying the whole catalog into every page's data. An unknown key, as a missing
/// Mustache variable, gives nothing.
std::string localize(std::string_view raw, language l) {
  static constexpr std::string_view open = "{{t.";
  std::string out;
  out.reserve(raw.size() + raw.size() / 4);
  while (true) {
    const auto at = raw.find(open);
    const auto close = at == std::string_view::npos ? at : raw.find("}}", at);
    if (close == std::string_view::npos) break;
    out += raw.substr(0, at);
    const auto key = raw.substr(at + open.size(), close - at - open.size());
    const auto value = text(l, key);
    if (value != key) out += mu::html_escape(std::string(value));
    raw.remove_prefix(close + 2);
  }
  out += raw;
  return out;
}

/// The partials the templates name ({{> session_list}}), by the file each one is.
constexpr std::array<std::pair<std::string_view, std::string_view>, 3> partials = {{
    {"session_list", "sessions.mustache"},
    {"offer_list", "offers.mustache"},
    {"rsvp_area", "rsvp.mustache"},
}};

/// `text` with every {{> name}} of `partials` replaced by that template's text: the Mustache
/// engine parses a partial anew each time it renders one (for the occurrence page, more than
/// half of its cost), a template with the partial's text in place is parsed once. The
/// partials name no partials themselves; any other partial tag is a bug of this folder.
std::string with_partials(std::string_view name, std::string text,
                          const std::unordered_map<std::string, std::string>& all) {
  for (const auto& [partial, file] : partials) {
    const std::string tag = "{{> " + std::string(partial) + "}}";
    const auto& body = all.at(std::string(file));
    for (auto at = text.find(tag); at != std::string::npos; at = text.find(tag, at + body.size())) {
      text.replace(at, tag.size(), body);
    }
  }
  if (text.find("{{>") != std::string::npos) {
    throw std::logic_error(std::string(name) + ": a partial that is not in `partials`");
  }
  return text;
}

/// Every embedded template in both languages, with the partials in place, made once.
const std::unordered_map<std::string, std::string>& localized_templates(language l) {
  static const auto build = [](language which) {
    std::unordered_map<std::string, std::string> plain;
    for (const auto& f : embedded_templates()) {
      plain.emplace(std::string(f.name), localize(f.text(), which));
    }
    std::unordered_map<std::string, std::string> all;
    for (const auto& [name, text] : plain) all.emplace(name, with_partials(name, text, plain));
    return all;
  };
  static const auto de = build(language::de);
  static const auto en = build(language::en);
  return l == language::en ? en : de;
}

/// Parsed templates by name and language, one set per thread: parsing costs more than
/// rendering, and a mustache object keeps state (its error) while it renders, so threads do
/// not share one.
std::unordered_map<std::string, std::unique_ptr<mu::mustache>>& parsed_templates() {
  thread_local std::unordered_map<std::string, std::unique_ptr<mu::mustache>> templates;
  return templates;
}

std::string parsed_key(std::string_view name, language l) {
  return std::string(tag(l)) + ":" + std::string(name);
}

mu::mustache& parsed(std::string_view name, language l) {
  auto& templates = parsed_templates();
  const auto key = parsed_key(name, l);
  auto found = templates.find(key);
  if (found == templates.end()) {
    auto tmpl = std::make_unique<mu::mustache>(localized(name, l));
    if (!tmpl->is_valid()) {
      throw std::logic_error(std::string(name) + ": " + tmpl->error_message());
    }
    found = templates.emplace(key, std::move(tmpl)).first;
  }
  return *found->second;
}

}  // namespace

const std::string& localized(std::string_view name, language l) {
  const auto& all = localized_templates(l);
  const auto found = all.find(std::string(name));
  if (found == all.end()) throw std::logic_error("no template " + std::string(name));
  return found->second;
}

std::string render(std::string_view name, mu::data& data, language l) {
  auto& tmpl = parsed(name, l);
  auto out = tmpl.render(data);
  if (!tmpl.is_valid()) {
    const std::string what = std::string(name) + ": " + tmpl.error_message();
    parsed_templates().erase(parsed_key(name, l));  // its error would stick: parse it anew
    throw std::logic_error(what);
  }
  return out;
}

std::string page(const page_context& ctx, std::string_view title, std::string_view body_template,
                 mu::data& data) {
  const std::string content = render(body_template, data, ctx.lang);
  const language other = ctx.lang == language::de ? language::en : language::de;
  std::string switch_href = ctx.path + "?";
  if (!ctx.query.empty()) switch_href += ctx.query + "&";
  switch_href += "lang=" + std::string(tag(other));
  mu::data layout{mu::data::type::object};
  layout.set("lang", std::string(tag(ctx.lang)));
  layout.set("title", std::string(title));
  layout.set("css", asset_url("style.css"));
  layout.set("js", asset_url("app.js"));
  layout.set("logged_in", ctx.logged_in);
  layout.set("can_manage", ctx.can_manage);
  layout.set("is_admin", ctx.is_admin);
  layout.set("content", content);
  layout.set("switch_href", switch_href);
  layout.set("switch_lang", std::string(tag(other)));
  return render("layout.mustache", layout, ctx.lang);
}

std::optional<int> parse_int(std::string_view s) {
  int n = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return n;
}

std::optional<date::year_month_day> parse_day(std::string_view s) {
  const auto day = calendar::parse_iso_date(s);
  if (!day || day->year() < date::year{1971} || day->year() > date::year{2199}) return std::nullopt;
  return day;
}

std::optional<std::chrono::minutes> parse_clock(std::string_view s) {
  if (s.size() == 8 && s.substr(5) == ":00") s = s.substr(0, 5);
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  const auto h = parse_int(s.substr(0, 2));
  const auto m = parse_int(s.substr(3, 2));
  if (!h || !m || *h < 0 || *h > 23 || *m < 0 || *m > 59) return std::nullopt;
  return std::chrono::hours(*h) + std::chrono::minutes(*m);
}

void set_errors(mu::data& d, const std::vector<field_error>& errors, std::string_view prefix) {
  std::map<std::string, std::string> by_field;
  mu::data list{mu::data::type::list};
  for (const auto& e : errors) {
    auto& m = by_field[e.field];
    if (!m.empty()) m += " ";
    m += e.message;
    mu::data item{mu::data::type::object};
    item.set("message", e.message);
    item.set("anchor", std::string(prefix) + "f-" + e.field);
    list.push_back(item);
  }
  for (const auto& [field, message] : by_field) {
    d.set(field + "_invalid", true);
    d.set(field + "_error", message);
  }
  d.set("errors", list);
  d.set("has_errors", !errors.empty());
}

void set_unit(mu::data& d, const unit_summary& u) {
  d.set("unit_slug", u.slug);
  d.set("unit_name", u.name);
}

std::string archived_text(calendar::utc_seconds since, language l) {
  const date::local_days day{date::floor<date::days>(since).time_since_epoch()};
  return fill(text(l, "unit_archived"), {{"date", format_date(day, l)}});
}

}  // namespace treffpunkt::web::detail
