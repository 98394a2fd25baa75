#include "fetch_views.h"

#include <string>

#include "catalog.h"

namespace treffpunkt::web {

std::string_view app_name(calendar::client_family f, language l) {
  return detail::text(l, "app_" + std::string(calendar::name(f)));
}

std::string_view app_delay(calendar::client_family f, language l) {
  return detail::text(l, "app_delay_" + std::string(calendar::name(f)));
}

namespace detail {

void set_fetches(mu::data& d, const std::vector<app_fetches>& fetches, language l) {
  mu::data list{mu::data::type::list};
  for (const auto& f : fetches) {
    mu::data item{mu::data::type::object};
    item.set("app", std::string(app_name(f.family, l)));
    std::string count = f.fetches == 1
                            ? std::string(text(l, "fetch_count_one"))
                            : fill(text(l, "fetch_count"), {{"n", std::to_string(f.fetches)}});
    count += ", " + fill(text(l, "fetch_unchanged"), {{"n", std::to_string(f.not_modified)}});
    item.set("count", count);
    item.set("last", fill(text(l, "fetch_last"), {{"when", format_date_time(f.last, l)}}));
    item.set("iso", date::format("%FT%R", f.last));
    item.set("delay", std::string(app_delay(f.family, l)));
    list.push_back(item);
  }
  d.set("fetches", list);
  d.set("has_fetches", !fetches.empty());
}

void set_feed_fetched(mu::data& d, const std::optional<app_fetches>& last, bool new_link,
                      language l) {
  d.set("feed_fetched", last.has_value());
  if (!last) {
    d.set("feed_step_link",
          std::string(text(l, new_link ? "me_fetch_step_copy" : "me_fetch_step_make")));
    return;
  }
  d.set("feed_fetched_text",
        fill(text(l, "me_fetch_last"),
             {{"when", format_date_time(last->last, l)}, {"app", app_name(last->family, l)}}));
  d.set("feed_lags", calendar::lags(last->family));
  d.set("feed_lag_text", std::string(app_delay(last->family, l)));
}

}  // namespace detail
}  // namespace treffpunkt::web
