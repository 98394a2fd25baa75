// The "still happening?" page and the flags of unconfirmed series (web/confirm_pages.h).
#include <web/confirm_pages.h>
#include <web/i18n.h>

#include "catalog.h"
#include "render.h"

namespace treffpunkt::web {

namespace detail {

mu::data unconfirmed_data(const std::vector<unconfirmed_flag>& flags, language l) {
  mu::data list{mu::data::type::list};
  for (const auto& f : flags) {
    mu::data item{mu::data::type::object};
    item.set("id", std::to_string(f.event.value));
    item.set("title", f.title);
    item.set("unit", f.unit_name);
    item.set("asked_text", fill(text(l, "c_asked_on"), {{"date", format_date(f.asked, l)}}));
    item.set("confirm_label", fill(text(l, "c_confirm_label"), {{"title", f.title}}));
    list.push_back(item);
  }
  return list;
}

}  // namespace detail

std::string render_confirm_series(const page_context& ctx, const confirm_series_view& view) {
  using namespace detail;
  const auto l = ctx.lang;
  mu::data d{mu::data::type::object};
  set_unit(d, view.unit);
  const std::string heading = fill(text(l, "c_title"), {{"title", view.title}});
  d.set("heading", heading);
  d.set("id", std::to_string(view.event.value));
  d.set("rule", view.rule);
  d.set("since", format_date(view.since, l));
  d.set("since_iso", date::format("%F", view.since));
  d.set("has_asked", view.asked.has_value());
  d.set("unconfirmed", view.unconfirmed && view.asked.has_value());
  if (view.asked) {
    d.set("asked_text", fill(text(l, view.unconfirmed ? "c_unconfirmed" : "c_asked"),
                             {{"date", format_date(*view.asked, l)}}));
  }
  mu::data next{mu::data::type::list};
  for (const auto& s : view.next) {
    mu::data item{mu::data::type::object};
    item.set("when", format_span(s.start, s.end, s.all_day, l));
    item.set("iso", s.all_day ? date::format("%F", date::floor<date::days>(s.start))
                              : date::format("%Y-%m-%dT%H:%M", s.start));
    next.push_back(item);
  }
  d.set("next", next);
  d.set("open", view.open);
  d.set("confirmed_now", view.confirmed_now);
  d.set("csrf", view.csrf);
  return page(ctx, heading, "manage_confirm.mustache", d);
}

}  // namespace treffpunkt::web
