#include <web/markdown.h>
#include <web/offer_pages.h>

#include <string>

#include "catalog.h"
#include "render.h"

namespace treffpunkt::web {
namespace {

namespace mu = detail::mu;
using detail::fill;
using detail::page;
using detail::set_errors;
using detail::set_unit;
using detail::text;

/// The lengths the offer form offers, in minutes.
constexpr std::array<int, 8> durations{30, 45, 60, 90, 120, 180, 240, 360};

std::string duration_text(int minutes, language l) {
  if (minutes % 60 == 0 && minutes >= 120) {
    return fill(text(l, "o_hours"), {{"n", std::to_string(minutes / 60)}});
  }
  return fill(text(l, "o_minutes"), {{"n", std::to_string(minutes)}});
}

std::string_view state_key(std::string_view state) {
  if (state == "changes_requested") return "o_state_changes_requested";
  if (state == "approved") return "o_state_approved";
  if (state == "declined") return "o_state_declined";
  if (state == "withdrawn") return "o_state_withdrawn";
  return "o_state_waiting";
}

std::string format_text(std::string_view format, language l) {
  if (format == "online") return std::string(text(l, "o_format_online"));
  if (format == "both") return std::string(text(l, "o_format_both"));
  return std::string(text(l, "o_format_in_person"));
}

void set_notice(mu::data& d, const std::string& notice) {
  d.set("has_notice", !notice.empty());
  d.set("notice", notice);
}

}  // namespace

std::string offer_text(language l, std::string_view key) { return std::string(text(l, key)); }

field_error offer_error(language l, std::string_view field) {
  const std::string key = "o_err_" + std::string(field);
  const auto message = text(l, key);
  return {std::string(field), std::string(message == key ? text(l, "o_err_invalid") : message)};
}

std::string render_offer_form(const page_context& ctx, const offer_form_view& view) {
  const auto l = ctx.lang;
  const auto& f = view.form;
  mu::data d{mu::data::type::object};
  set_unit(d, view.unit);
  set_errors(d, view.errors);
  set_notice(d, view.notice);
  d.set("heading", view.proposal ? fill(text(l, "o_revise_title"), {{"title", f.title}})
                                 : std::string(text(l, "o_propose_title")));
  d.set("action", view.action);
  d.set("editable", view.editable);
  d.set("csrf", view.csrf);
  d.set("title", f.title);
  d.set("description", f.description);
  d.set("format_in_person", f.format != "online" && f.format != "both");
  d.set("format_online", f.format == "online");
  d.set("format_both", f.format == "both");
  d.set("location", f.location);
  d.set("online_url", f.online_url);
  mu::data choices{mu::data::type::list};
  for (const int minutes : durations) {
    mu::data c{mu::data::type::object};
    c.set("value", std::to_string(minutes));
    c.set("label", duration_text(minutes, l));
    c.set("selected", f.duration == std::to_string(minutes));
    choices.push_back(c);
  }
  d.set("durations", choices);
  mu::data slots{mu::data::type::list};
  for (std::size_t i = 0; i < f.dates.size(); ++i) {
    const auto n = std::to_string(i + 1);
    mu::data slot{mu::data::type::object};
    slot.set("n", n);
    slot.set("date", f.dates.at(i));
    slot.set("time", f.times.at(i));
    slot.set("date_label", fill(text(l, "o_f_date_n"), {{"n", n}}));
    slot.set("time_label", fill(text(l, "o_f_time_n"), {{"n", n}}));
    slots.push_back(slot);
  }
  d.set("slots", slots);
  d.set("flexible", f.flexible);
  d.set("zone_note", fill(text(l, "m_zone_note"), {{"zone", view.zone}}));
  d.set("capacity", f.capacity);
  d.set("show_host", f.show_host);
  d.set("wish", f.wish);
  d.set("has_wish", !view.wish_text.empty());
  d.set("wish_line", fill(text(l, "o_for_wish"), {{"wish", view.wish_text}}));
  d.set("submit", std::string(text(l, view.proposal ? "o_send_again" : "o_send")));
  if (view.status) {
    const auto& s = *view.status;
    mu::data status{mu::data::type::object};
    status.set("state", s.state);
    status.set("state_text", std::string(text(l, state_key(s.state))));
    status.set("has_message", !s.message.empty());
    status.set("message", s.message);
    status.set("has_event", !s.event_href.empty());
    status.set("event_href", s.event_href);
    d.set("status", status);
    d.set("can_withdraw", s.can_withdraw);
  } else {
    d.set("status", false);
    d.set("can_withdraw", false);
  }
  if (view.proposal) {
    d.set("withdraw_action", "/me/proposals/" + std::to_string(*view.proposal) + "/withdraw");
  }
  return page(ctx, text(l, view.proposal ? "o_your_offers" : "o_propose_title"),
              "offer_form.mustache", d);
}

std::string render_manage_proposals(const page_context& ctx, const manage_proposals_view& view) {
  const auto l = ctx.lang;
  mu::data d{mu::data::type::object};
  set_notice(d, view.notice);
  mu::data list{mu::data::type::list};
  for (const auto& p : view.waiting) {
    mu::data item{mu::data::type::object};
    item.set("id", std::to_string(p.id));
    item.set("title", p.title);
    item.set("unit_name", p.unit.name);
    item.set("proposed_by", fill(text(l, "o_proposed_by"), {{"name", p.proposer}}));
    item.set(
        "created",
        format_date(date::local_days{date::floor<date::days>(p.created).time_since_epoch()}, l));
    item.set("iso", date::format("%Y-%m-%d", date::floor<date::days>(p.created)));
    list.push_back(item);
  }
  d.set("waiting", list);
  d.set("has_waiting", !view.waiting.empty());
  return page(ctx, text(l, "o_proposals"), "manage_proposals.mustache", d);
}

std::string render_manage_proposal(const page_context& ctx, const manage_proposal_view& view) {
  const auto l = ctx.lang;
  mu::data d{mu::data::type::object};
  set_unit(d, view.unit);
  set_errors(d, view.errors);
  d.set("title", view.title);
  d.set("proposed_by", fill(text(l, "o_proposed_by"), {{"name", view.proposer}}));
  d.set("host_line", std::string(text(l, view.show_host ? "o_host_public" : "o_host_private")));
  d.set("has_wish", !view.wish_text.empty());
  d.set("wish_line", fill(text(l, "o_for_wish"), {{"wish", view.wish_text}}));
  d.set("description_html", view.description_html);
  d.set("format_text", format_text(view.format, l));
  d.set("has_location", !view.location.empty());
  d.set("location", view.location);
  d.set("has_online_url", !view.online_url.empty());
  d.set("online_url", view.online_url);
  d.set("duration_text", duration_text(view.duration_minutes, l));
  mu::data dates{mu::data::type::list};
  for (std::size_t i = 0; i < view.dates.size(); ++i) {
    const auto& x = view.dates.at(i);
    mu::data item{mu::data::type::object};
    item.set("n", std::to_string(i + 1));
    item.set("value", x.value);
    item.set("label", x.label);
    item.set("checked", view.start_choice == x.value);
    dates.push_back(item);
  }
  d.set("other_checked", view.start_choice == "other" || view.dates.empty());
  d.set("dates", dates);
  d.set("has_dates", !view.dates.empty());
  d.set("capacity_text",
        view.capacity.empty() ? std::string(text(l, "o_unlimited")) : view.capacity);
  d.set("waiting", view.state == "waiting");
  d.set("state_text", std::string(text(l, state_key(view.state))));
  d.set("action", "/manage/proposals/" + std::to_string(view.id) + "/decision");
  d.set("csrf", view.csrf);
  d.set("zone_note", fill(text(l, "m_zone_note"), {{"zone", view.zone}}));
  d.set("start_date", view.start_date);
  d.set("start_time", view.start_time);
  d.set("approve_capacity", view.approve_capacity);
  d.set("message", view.message);
  return page(ctx, view.title, "manage_proposal.mustache", d);
}

std::string render_host_event(const page_context& ctx, const host_event_view& view) {
  const auto l = ctx.lang;
  mu::data d{mu::data::type::object};
  set_unit(d, view.unit);
  set_errors(d, view.errors);
  set_notice(d, view.notice);
  d.set("heading", fill(text(l, "o_host_title"), {{"title", view.title}}));
  d.set("base", "/manage/offers/" + std::to_string(view.id.value));
  d.set("came_href", view.came_href);
  d.set("has_came", !view.came_href.empty());
  d.set("csrf", view.csrf);
  d.set("cancelled", view.cancelled);
  d.set("has_when", view.when.has_value());
  if (view.when) {
    d.set("when", format_span(view.when->start, view.when->end, view.when->all_day, l));
    d.set("iso", date::format("%Y-%m-%dT%H:%M", view.when->start));
    d.set("public_href", occurrence_path(view.when->event, view.when->key));
  } else {
    d.set("public_href", "/units/" + view.unit.slug);
  }
  mu::data going{mu::data::type::list};
  for (const auto& name : view.going) going.push_back(name);
  mu::data waitlist{mu::data::type::list};
  for (const auto& name : view.waitlist) waitlist.push_back(name);
  d.set("going", going);
  d.set("has_going", !view.going.empty());
  d.set("waitlist", waitlist);
  d.set("has_waitlist", !view.waitlist.empty());
  const auto n = std::to_string(view.going.size());
  d.set("counts", view.capacity ? fill(text(l, "m_going_of"),
                                       {{"going", n}, {"capacity", std::to_string(*view.capacity)}})
                                : fill(text(l, "m_going"), {{"going", n}}));
  d.set("title", view.title);
  d.set("description", view.description);
  d.set("location", view.location);
  d.set("online_url", view.online_url);
  d.set("subject", view.subject);
  d.set("body", view.body);
  return page(ctx, fill(text(l, "o_host_title"), {{"title", view.title}}), "host_event.mustache",
              d);
}

std::string render_wishes(const page_context& ctx, const wishes_view& view) {
  const auto l = ctx.lang;
  mu::data d{mu::data::type::object};
  set_unit(d, view.unit);
  set_errors(d, view.errors);
  set_notice(d, view.notice);
  mu::data list{mu::data::type::list};
  for (const auto& w : view.wishes) {
    mu::data item{mu::data::type::object};
    item.set("id", std::to_string(w.id));
    item.set("text", w.text);
    item.set("can_close", w.can_close);
    list.push_back(item);
  }
  d.set("wishes", list);
  d.set("has_wishes", !view.wishes.empty());
  d.set("logged_in", view.logged_in);
  d.set("text", view.text);
  d.set("csrf", view.csrf);
  d.set("login_href", "/login?next=/units/" + view.unit.slug + "/wishes");
  return page(ctx, std::string(text(l, "w_title")) + " – " + view.unit.name, "wishes.mustache", d);
}

}  // namespace treffpunkt::web
