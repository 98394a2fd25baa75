#include <web/i18n.h>
#include <web/link_pages.h>

#include <string_view>

#include "catalog.h"
#include "render.h"

namespace treffpunkt::web {
namespace {

using detail::fill;
using detail::text;
namespace mu = detail::mu;

/// The heading and notice of a page: texts by catalog key (an empty message: none).
void set_texts(mu::data& d, language l, std::string_view heading, const std::string& message,
               bool error) {
  d.set("heading", std::string(text(l, heading)));
  d.set("has_message", !message.empty());
  d.set("message", message);
  d.set("message_class", error ? "notice notice-error" : "notice notice-success");
  d.set("message_role", error ? "alert" : "status");
}

}  // namespace

std::string render_guest_confirm(const page_context& ctx, const guest_confirm_view& view) {
  const auto l = ctx.lang;
  mu::data d{mu::data::type::object};
  struct shape {
    std::string_view heading;
    std::string message;
    bool error;
    bool button;
  };
  const auto key = [&](std::string_view k) { return std::string(text(l, k)); };
  const shape sh = [&]() -> shape {
    switch (view.state) {
      case guest_link_state::ask:
        return {"gc_title", key("gc_ask"), false, true};
      case guest_link_state::going:
        return {"status_going", key("gc_going"), false, false};
      case guest_link_state::waitlisted:
        return {view.waitlist_position > 0 ? "status_waitlisted_at" : "status_waitlisted",
                key("gc_waitlisted"), false, false};
      case guest_link_state::maybe:
        return {"gc_saved_title", key("status_maybe"), false, false};
      case guest_link_state::not_going:
        return {"gc_saved_title", key("status_not_going"), false, false};
      case guest_link_state::csrf:
        return {"gc_title", key("problem_csrf"), true, true};
      case guest_link_state::refused:
        return {"gc_refused_title", key("problem_refused"), true, false};
      case guest_link_state::expired:
        return {"gc_expired_title", key("gc_expired"), true, false};
      case guest_link_state::unknown:
        return {"gc_unknown_title", key("gc_unknown"), true, false};
      case guest_link_state::unavailable:
        return {"login_unavailable_title", key("problem_unavailable"), true, false};
    }
    return {"gc_title", {}, false, false};
  }();
  set_texts(d, l, sh.heading, sh.message, sh.error);
  // "Du stehst auf der Warteliste (Platz {n})." as a heading, without its full stop.
  std::string heading = fill(text(l, sh.heading), {{"n", std::to_string(view.waitlist_position)}});
  if (heading.ends_with('.')) heading.pop_back();
  d.set("heading", heading);
  d.set("button", sh.button);
  d.set("action", view.action);
  d.set("csrf", view.csrf);
  d.set("has_session", view.when.has_value());
  if (view.when) {
    const auto& s = *view.when;
    d.set("title", s.title);
    d.set("unit_name", s.unit_name);
    d.set("when", format_span(s.start, s.end, s.all_day, l));
    d.set("iso", s.all_day ? date::format("%Y-%m-%d", date::floor<date::days>(s.start))
                           : date::format("%Y-%m-%dT%H:%M", s.start));
    d.set("href", occurrence_path(s.event, s.key));
  }
  return detail::page(ctx, heading, "guest_confirm.mustache", d);
}

std::string render_unsubscribe(const page_context& ctx, const unsubscribe_view& view) {
  const auto l = ctx.lang;
  mu::data d{mu::data::type::object};
  const auto key = [&](std::string_view k) { return std::string(text(l, k)); };
  std::string_view heading = "unsub_title";
  switch (view.state) {
    case unsubscribe_state::ask:
      set_texts(d, l, heading, {}, false);
      break;
    case unsubscribe_state::done:
      heading = "unsub_done_title";
      set_texts(d, l, heading, key("unsub_done"), false);
      break;
    case unsubscribe_state::bad_request:
      set_texts(d, l, heading, key("problem_csrf"), true);
      break;
    case unsubscribe_state::unknown:
      heading = "gc_unknown_title";
      set_texts(d, l, heading, key("unsub_unknown"), true);
      break;
    case unsubscribe_state::unavailable:
      heading = "login_unavailable_title";
      set_texts(d, l, heading, key("problem_unavailable"), true);
      break;
  }
  const bool button =
      view.state == unsubscribe_state::ask || view.state == unsubscribe_state::bad_request;
  d.set("button", button);
  d.set("way_back", button || view.state == unsubscribe_state::done);
  d.set("action", view.action);
  d.set("csrf", view.csrf);
  return detail::page(ctx, text(l, heading), "unsubscribe.mustache", d);
}

}  // namespace treffpunkt::web
