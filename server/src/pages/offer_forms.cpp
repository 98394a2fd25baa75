// The members' side of exchange offers: proposing one to a unit (/units/{slug}/propose), seeing
// and revising or withdrawing one's proposal (/me/proposals/{id}), and a unit's wishes
// (/units/{slug}/wishes). The form is read into what the JSON API reads from its bodies
// (usecases::offer_input), checked by the same rules. Every page here is personal.
#include <usecases/offers.h>
#include <web/offer_pages.h>

#include "../api/api_bodies.h"  // parse_local
#include "../problem.h"
#include "../request_context.h"
#include "../responses.h"
#include "../routes.h"
#include "page_handlers.h"
#include "page_views.h"

namespace treffpunkt::server {
namespace {

using web::field_error;

/// Before the area's handlers: a form needs a login and the page's CSRF token. Pages that
/// need a login send anonymous readers there themselves (the wishes are public).
std::optional<http_response> need_member_for_forms(const request_context& ctx) {
  if (ctx.method() != "POST") return std::nullopt;
  if (!ctx.member()) return to_login(ctx.path());
  if (!ctx.csrf_valid()) {
    return personal_html(403, web::render_forbidden(page_context_of(ctx)), ctx.lang());
  }
  return std::nullopt;
}

http_response page_html(const request_context& ctx, unsigned status, std::string body) {
  auto r = personal_html(status, std::move(body), ctx.lang());
  ctx.set_csrf_cookie(r);
  return r;
}

web::offer_form read_offer_form(const request_context& ctx) {
  web::offer_form f;
  f.title = ctx.form_value("title");
  f.description = ctx.form_value("description");
  f.format = ctx.form_value("format");
  f.location = ctx.form_value("location");
  f.online_url = ctx.form_value("online_url");
  f.duration = ctx.form_value("duration");
  for (std::size_t i = 0; i < f.dates.size(); ++i) {
    f.dates.at(i) = ctx.form_value("date" + std::to_string(i + 1));
    f.times.at(i) = ctx.form_value("time" + std::to_string(i + 1));
  }
  f.flexible = !ctx.form_value("flexible").empty();
  f.capacity = ctx.form_value("capacity");
  f.show_host = !ctx.form_value("show_host").empty();
  f.wish = ctx.form_value("wish");
  return f;
}

/// The form filled from a stored proposal.
web::offer_form form_of(const storage::offer_draft& d) {
  web::offer_form f;
  f.title = d.title;
  f.description = d.description;
  f.format = std::string(storage::to_string(d.format));
  f.location = d.location;
  f.online_url = d.online_url;
  f.duration = std::to_string(std::chrono::duration_cast<std::chrono::minutes>(d.duration).count());
  for (std::size_t i = 0; i < d.dates.size() && i < f.dates.size(); ++i) {
    f.dates.at(i) = date::format("%Y-%m-%d", d.dates.at(i));
    f.times.at(i) = date::format("%H:%M", d.dates.at(i));
  }
  f.flexible = d.dates.empty();
  if (d.capacity) f.capacity = std::to_string(*d.capacity);
  f.show_host = d.show_host;
  if (d.wish) f.wish = std::to_string(d.wish->value);
  return f;
}

/// The offer the form asks for, or the errors next to its fields.
std::variant<storage::offer_draft, std::vector<field_error>> check_form(const request_context& ctx,
                                                                        const web::offer_form& f,
                                                                        const std::string& zone) {
  const auto l = ctx.lang();
  usecases::offer_input in;
  in.title = f.title;
  in.description = f.description;
  in.format = f.format;
  in.location = f.location;
  in.online_url = f.online_url;
  in.show_host = f.show_host;
  if (const auto minutes = parse_id(f.duration)) in.duration_minutes = *minutes;
  if (!f.capacity.empty()) {
    const auto places = parse_id(f.capacity);
    if (!places) return std::vector<field_error>{web::offer_error(l, "capacity")};
    in.capacity = *places;
  }
  if (const auto wish = parse_id(f.wish)) in.wish = *wish;
  if (!f.flexible) {
    for (std::size_t i = 0; i < f.dates.size(); ++i) {
      if (f.dates.at(i).empty() && f.times.at(i).empty()) continue;
      const auto t = parse_local(f.dates.at(i) + "T" + f.times.at(i), false);
      if (!t) return std::vector<field_error>{web::offer_error(l, "dates")};
      in.dates.push_back(*t);
    }
    // Neither dates nor "flexible": they forgot one or the other.
    if (in.dates.empty()) return std::vector<field_error>{web::offer_error(l, "dates")};
  }
  auto draft = usecases::offer_draft_of(in, zone, ctx.now());
  if (!draft) return std::vector<field_error>{web::offer_error(l, draft.error().field)};
  return std::move(*draft);
}

/// The error a store failure of a proposal is shown as, or none for a failure that is no
/// mistake of the form (then the store's own answer).
std::optional<field_error> form_error_of(const storage::error& e, web::language l) {
  if (e.code == storage::errc::limit_reached)
    return field_error{"title", web::offer_text(l, "o_err_limit")};
  if (e.field == "wish") return field_error{"title", web::offer_text(l, "o_err_wish")};
  if (e.code == storage::errc::conflict)
    return field_error{"title", web::offer_text(l, "o_err_decided")};
  if (e.code == storage::errc::invalid) {
    return web::offer_error(l, e.field.empty() ? std::string_view("title") : e.field);
  }
  return std::nullopt;
}

http_response store_failure(const request_context& ctx, const storage::error& e) {
  const auto why = problem_of(e);
  if (why.status == 404 || why.status == 403) return not_found_page(ctx);
  return http_response::text(why.status, why.message + "\n");
}

web::offer_form_view form_view(const request_context& ctx, const calendar::unit& u) {
  web::offer_form_view v;
  v.unit = web::unit_summary{u.slug, u.name, u.description};
  v.zone = u.zone;
  v.csrf = ctx.csrf_token();
  v.action = "/units/" + u.slug + "/propose";
  return v;
}

/// The text of the wish `id` (of unit `u`) if it is open, for the form's line about it.
std::string open_wish_text(const request_context& ctx, const calendar::unit& u,
                           std::string_view id) {
  const auto wish = parse_id(id);
  if (!wish) return {};
  const auto w = ctx.store().wish_by_id(storage::wish_id{*wish});
  return w && w->open && w->unit == u.id ? w->text : std::string();
}

std::optional<storage::proposal> own_proposal(const request_context& ctx, const route_params& p) {
  const auto id = parse_id(p["id"]);
  auto found = id ? ctx.store().proposal_by_id(storage::proposal_id{*id}) : std::nullopt;
  if (!found || found->proposer != ctx.member()->id) return std::nullopt;
  return found;
}

http_response proposal_page(const request_context& ctx, const storage::proposal& p, unsigned status,
                            std::optional<web::offer_form> typed, std::vector<field_error> errors) {
  const auto u = ctx.store().unit_by_id(p.unit);
  if (!u) return not_found_page(ctx);
  auto v = form_view(ctx, *u);
  v.proposal = p.id.value;
  v.action = "/me/proposals/" + std::to_string(p.id.value);
  const bool undecided = p.state == storage::proposal_state::waiting ||
                         p.state == storage::proposal_state::changes_requested;
  v.editable = undecided;
  v.form = typed ? std::move(*typed) : form_of(p.draft);
  if (p.draft.wish) {
    if (const auto w = ctx.store().wish_by_id(*p.draft.wish)) v.wish_text = w->text;
  }
  web::proposal_status s;
  s.state = std::string(storage::to_string(p.state));
  s.message = p.message;
  s.can_withdraw = undecided;
  if (p.event) {
    if (const auto e = ctx.store().event_by_id(*p.event)) {
      s.event_href = "/manage/offers/" + std::to_string(e->id.value);
    }
  }
  v.status = std::move(s);
  v.errors = std::move(errors);
  const auto done = ctx.plain_query("done");
  if (done == "sent") v.notice = web::offer_text(ctx.lang(), "o_done_sent");
  if (done == "withdrawn") v.notice = web::offer_text(ctx.lang(), "o_done_withdrawn");
  return page_html(ctx, status, web::render_offer_form(page_context_of(ctx), v));
}

http_response wishes_page(const request_context& ctx, const calendar::unit& u, unsigned status,
                          std::string typed, std::vector<field_error> errors) {
  web::wishes_view v;
  v.unit = web::unit_summary{u.slug, u.name, u.description};
  v.logged_in = ctx.member().has_value();
  const bool responsible =
      ctx.member() && ctx.store().may_edit(storage::actor::of(ctx.member()->id), u.id);
  for (const auto& w : ctx.store().open_wishes(u.id)) {
    const bool own = ctx.member() && w.wisher == ctx.member()->id;
    v.wishes.push_back({w.id.value, w.text, own || responsible});
  }
  v.text = std::move(typed);
  v.errors = std::move(errors);
  if (v.logged_in) v.csrf = ctx.csrf_token();
  const auto done = ctx.plain_query("done");
  if (done == "posted") v.notice = web::offer_text(ctx.lang(), "w_done_posted");
  if (done == "closed") v.notice = web::offer_text(ctx.lang(), "w_done_closed");
  auto page = page_context_of(ctx);
  return page_html(ctx, status, web::render_wishes(page, v));
}

}  // namespace

namespace offer_forms {

http_response propose_form(const request_context& ctx, const route_params& p) {
  const auto u = ctx.store().unit_by_slug(p["slug"]);
  if (!u) return not_found_page(ctx);
  if (!ctx.member()) return to_login(ctx.path());
  auto v = form_view(ctx, *u);
  v.form.wish = ctx.plain_query("wish");
  v.wish_text = open_wish_text(ctx, *u, v.form.wish);
  if (v.wish_text.empty()) v.form.wish.clear();
  return page_html(ctx, 200, web::render_offer_form(page_context_of(ctx), v));
}

http_response propose(const request_context& ctx, const route_params& p) {
  const auto u = ctx.store().unit_by_slug(p["slug"]);
  if (!u) return not_found_page(ctx);
  auto v = form_view(ctx, *u);
  v.form = read_offer_form(ctx);
  v.wish_text = open_wish_text(ctx, *u, v.form.wish);
  auto checked = check_form(ctx, v.form, u->zone);
  if (auto* errors = std::get_if<std::vector<field_error>>(&checked)) {
    v.errors = std::move(*errors);
    return page_html(ctx, 422, web::render_offer_form(page_context_of(ctx), v));
  }
  auto made = ctx.store().propose_offer(
      u->id, ctx.member()->id, std::get<storage::offer_draft>(std::move(checked)), ctx.now());
  if (!made) {
    const auto error = form_error_of(made.error(), ctx.lang());
    if (!error) return store_failure(ctx, made.error());
    v.errors.push_back(*error);
    const unsigned status = made.error().code == storage::errc::limit_reached ? 429 : 422;
    return page_html(ctx, status, web::render_offer_form(page_context_of(ctx), v));
  }
  return see_other("/me/proposals/" + std::to_string(made->id.value) + "?done=sent");
}

http_response proposal(const request_context& ctx, const route_params& p) {
  if (!ctx.member()) return to_login(ctx.path());
  const auto found = own_proposal(ctx, p);
  if (!found) return not_found_page(ctx);
  return proposal_page(ctx, *found, 200, std::nullopt, {});
}

http_response revise(const request_context& ctx, const route_params& p) {
  const auto found = own_proposal(ctx, p);
  if (!found) return not_found_page(ctx);
  const auto u = ctx.store().unit_by_id(found->unit);
  if (!u) return not_found_page(ctx);
  auto typed = read_offer_form(ctx);
  auto checked = check_form(ctx, typed, u->zone);
  if (auto* errors = std::get_if<std::vector<field_error>>(&checked)) {
    return proposal_page(ctx, *found, 422, std::move(typed), std::move(*errors));
  }
  auto revised = ctx.store().revise_proposal(
      found->id, ctx.member()->id, std::get<storage::offer_draft>(std::move(checked)), ctx.now());
  if (!revised) {
    const auto error = form_error_of(revised.error(), ctx.lang());
    if (!error) return store_failure(ctx, revised.error());
    return proposal_page(ctx, *found, 422, std::move(typed), {*error});
  }
  return see_other("/me/proposals/" + std::to_string(found->id.value) + "?done=sent");
}

http_response withdraw(const request_context& ctx, const route_params& p) {
  const auto found = own_proposal(ctx, p);
  if (!found) return not_found_page(ctx);
  auto withdrawn = ctx.store().withdraw_proposal(found->id, ctx.member()->id, ctx.now());
  if (!withdrawn) {
    const auto error = form_error_of(withdrawn.error(), ctx.lang());
    if (!error) return store_failure(ctx, withdrawn.error());
    return proposal_page(ctx, *found, 409, std::nullopt, {*error});
  }
  return see_other("/me/proposals/" + std::to_string(found->id.value) + "?done=withdrawn");
}

http_response wishes(const request_context& ctx, const route_params& p) {
  const auto u = ctx.store().unit_by_slug(p["slug"]);
  if (!u) return not_found_page(ctx);
  return wishes_page(ctx, *u, 200, {}, {});
}

http_response post_wish(const request_context& ctx, const route_params& p) {
  const auto u = ctx.store().unit_by_slug(p["slug"]);
  if (!u) return not_found_page(ctx);
  const auto l = ctx.lang();
  auto typed = ctx.form_value("text");
  auto text = usecases::wish_text(typed);
  if (!text) {
    return wishes_page(ctx, *u, 422, std::move(typed),
                       {{"text", web::offer_text(l, "w_err_text")}});
  }
  auto made = ctx.store().post_wish(u->id, ctx.member()->id, std::move(*text), ctx.now());
  if (!made) {
    if (made.error().code != storage::errc::limit_reached) {
      return store_failure(ctx, made.error());
    }
    return wishes_page(ctx, *u, 429, std::move(typed),
                       {{"text", web::offer_text(l, "w_err_limit")}});
  }
  return see_other("/units/" + u->slug + "/wishes?done=posted");
}

http_response close_wish(const request_context& ctx, const route_params& p) {
  const auto id = parse_id(p["id"]);
  if (!id) return not_found_page(ctx);
  auto closed = ctx.store().close_wish(storage::wish_id{*id}, storage::actor::of(ctx.member()->id),
                                       ctx.now());
  if (!closed) return store_failure(ctx, closed.error());
  const auto u = ctx.store().unit_by_id(closed->unit);
  return see_other("/units/" + (u ? u->slug : std::string()) + "/wishes?done=closed");
}

}  // namespace offer_forms

area offer_routes() {
  return {
      "offers",
      {"/me/proposals"},
      {
          {"GET", "/units/{slug}/propose", offer_forms::propose_form},
          {"POST", "/units/{slug}/propose", offer_forms::propose},
          {"GET", "/units/{slug}/wishes", offer_forms::wishes},
          {"POST", "/units/{slug}/wishes", offer_forms::post_wish},
          {"POST", "/wishes/{id}/close", offer_forms::close_wish},
          {"GET", "/me/proposals/{id}", offer_forms::proposal},
          {"POST", "/me/proposals/{id}", offer_forms::revise},
          {"POST", "/me/proposals/{id}/withdraw", offer_forms::withdraw},
      },
      text_not_found,
      text_method_not_allowed,
      need_member_for_forms,
  };
}

}  // namespace treffpunkt::server
