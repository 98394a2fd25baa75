#include "render.h"

#include <web/assets.h>

#include <stdexcept>

#include "catalog.h"
#include "embedded.h"

namespace treffpunkt::web::detail {

std::string_view template_text(std::string_view name) {
  for (const auto& f : embedded_templates()) {
    if (f.name == name) return f.text();
  }
  throw std::logic_error("no template " + std::string(name));
}

mu::data translations(language l) {
  mu::data t{mu::data::type::object};
  for (const auto& m : catalog()) t.set(std::string(m.key), std::string(text(l, m.key)));
  return t;
}

std::string render(std::string_view name, mu::data& data) {
  data.set("session_list",
           mu::partial([] { return std::string(template_text("sessions.mustache")); }));
  mu::mustache tmpl{std::string(template_text(name))};
  if (!tmpl.is_valid()) throw std::logic_error(std::string(name) + ": " + tmpl.error_message());
  auto out = tmpl.render(data);
  if (!tmpl.is_valid()) throw std::logic_error(std::string(name) + ": " + tmpl.error_message());
  return out;
}

std::string page(const page_context& ctx, std::string_view title, std::string_view body_template,
                 mu::data& data) {
  const auto t = translations(ctx.lang);
  data.set("t", t);
  const std::string content = render(body_template, data);
  const language other = ctx.lang == language::de ? language::en : language::de;
  std::string switch_href = ctx.path + "?";
  if (!ctx.query.empty()) switch_href += ctx.query + "&";
  switch_href += "lang=" + std::string(tag(other));
  mu::data layout{mu::data::type::object};
  layout.set("t", t);
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
  return render("layout.mustache", layout);
}

}  // namespace treffpunkt::web::detail
