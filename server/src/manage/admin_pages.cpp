// /admin...: units and their responsibles, the outbox, and deleting someone's account on their
// request. Admins only (manage_routes.cpp).
#include <usecases/people.h>
#include <web/manage_pages.h>

#include <algorithm>

#include "../pages/page_views.h"
#include "../problem.h"
#include "../request_context.h"
#include "../responses.h"
#include "manage_handlers.h"

namespace treffpunkt::server {
namespace {

using web::field_error;

/// The outbox page's rows.
constexpr int outbox_rows = 200;

/// The admin page; with a unit form that failed (`form`, `errors`), or a responsible form of
/// unit `failed_slug` that failed (`failed`), answered 422.
http_response admin_page(const request_context& ctx, web::unit_form form,
                         std::vector<field_error> errors, std::string_view failed_slug,
                         const web::admin_unit& failed) {
  web::admin_view v;
  v.form = std::move(form);
  v.errors = std::move(errors);
  v.csrf = ctx.csrf_token();
  v.notice = done_notice(ctx);
  for (const auto& u : ctx.store().units()) {
    web::admin_unit a;
    if (u.slug == failed_slug) a = failed;
    a.unit = summary(u);
    a.zone = u.zone;
    for (const auto& p : ctx.store().responsibles(u.id)) {
      a.responsibles.push_back(
          {p.id.value, p.name.empty() ? p.email : p.name + " <" + p.email + ">"});
    }
    v.units.push_back(std::move(a));
  }
  v.clashes =
      clash_warnings(usecases::all_clashes(ctx.store(), ctx.now(), ctx.now() + date::days{90}),
                     calendar::default_zone);
  for (const auto& s : usecases::unconfirmed_series_of(ctx.store(), std::nullopt, ctx.now())) {
    v.unconfirmed.push_back(unconfirmed_flag_of(s));
  }
  const bool failed_any = !v.errors.empty() || !failed_slug.empty();
  return manage_html(ctx, failed_any ? 422 : 200, web::render_admin(page_context_of(ctx), v));
}

bool is_slug(std::string_view s) {
  return s.size() >= 2 && s.size() <= 40 && s.front() != '-' && s.back() != '-' &&
         std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
         });
}

web::admin_person shown(const storage::person& p) {
  return {p.id.value, p.name, p.email, p.created, p.admin, p.guest};
}

/// Whether `p` is an account still there: a deleted one stays as a tombstone whose email is
/// "deleted:<id>", which is no address (store::delete_person).
bool live(const storage::person& p) { return p.email.find('@') != std::string::npos; }

}  // namespace

namespace admin_pages {

http_response home(const request_context& ctx, const route_params&) {
  return admin_page(ctx, {}, {}, {}, {});
}

http_response create_unit(const request_context& ctx, const route_params&) {
  web::unit_form f{ctx.form_value("slug"), ctx.form_value("name"), ctx.form_value("description"),
                   ctx.form_value("zone")};
  std::erase(f.description, '\r');
  std::vector<field_error> errors;
  const auto l = ctx.lang();
  if (!is_slug(f.slug)) {
    errors.push_back({"slug", web::manage_text(l, "a_err_slug")});
  } else if (ctx.store().unit_by_slug(f.slug)) {
    errors.push_back({"slug", web::manage_text(l, "a_err_slug_taken")});
  }
  if (f.name.find_first_not_of(" \t\r\n") == std::string::npos || f.name.size() > 200) {
    errors.push_back({"name", web::manage_text(l, "a_err_name")});
  }
  if (!calendar::is_known_zone(f.zone)) {
    errors.push_back({"zone", web::manage_text(l, "a_err_zone")});
  }
  if (!errors.empty()) return admin_page(ctx, std::move(f), std::move(errors), {}, {});
  calendar::unit u;
  u.slug = f.slug;
  u.name = f.name;
  u.description = f.description;
  u.zone = f.zone;
  auto made = ctx.store().create_unit(std::move(u), manager_actor(ctx));
  if (!made) {
    const auto why = problem_of(made.error());
    if (why.status == 403) return forbidden(ctx);
    errors.push_back(
        {why.status == 409 ? "slug" : (why.field.empty() ? "name" : why.field),
         web::manage_text(l, why.status == 409 ? "a_err_slug_taken" : "m_err_invalid")});
    return admin_page(ctx, std::move(f), std::move(errors), {}, {});
  }
  return see_other("/admin?done=unit");
}

http_response add_responsible(const request_context& ctx, const route_params& p) {
  const auto slug = p["slug"];
  const auto u = ctx.store().unit_by_slug(slug);
  if (!u) return not_found(ctx);
  web::admin_unit typed;
  typed.add_email = ctx.form_value("email");
  typed.add_name = ctx.form_value("name");
  const auto& email = typed.add_email;
  const auto at = email.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == email.size() || email.size() > 254 ||
      email.find_first_of(" \t\r\n<>,") != std::string::npos) {
    typed.errors.push_back({"email", web::manage_text(ctx.lang(), "a_err_email")});
    return admin_page(ctx, {}, {}, slug, typed);
  }
  auto who = ctx.store().ensure_person(email, typed.add_name);
  if (!who) {
    typed.errors.push_back({"email", web::manage_text(ctx.lang(), "a_err_email")});
    return admin_page(ctx, {}, {}, slug, typed);
  }
  if (auto added = ctx.store().add_responsible(u->id, who->id, manager_actor(ctx)); !added) {
    return store_error(ctx, added.error());
  }
  return see_other("/admin?done=responsible");
}

http_response remove_responsible(const request_context& ctx, const route_params& p) {
  const auto u = ctx.store().unit_by_slug(p["slug"]);
  const auto id = parse_id(p["person"]);
  if (!u || !id) return not_found(ctx);
  if (auto removed =
          ctx.store().remove_responsible(u->id, storage::person_id{*id}, manager_actor(ctx));
      !removed) {
    return store_error(ctx, removed.error());
  }
  return see_other("/admin?done=responsible_removed");
}

http_response outbox(const request_context& ctx, const route_params&) {
  web::admin_outbox_view v;
  v.waiting = ctx.store().outbox_depth();
  for (const auto& m : ctx.store().outbox_list(outbox_rows)) {
    std::string state;
    switch (m.state) {
      case storage::outbox_state::queued:
        state = "queued";
        break;
      case storage::outbox_state::sending:
        state = "sending";
        break;
      case storage::outbox_state::sent:
        state = "sent";
        break;
      case storage::outbox_state::failed:
        state = "failed";
        break;
    }
    v.rows.push_back({m.kind, m.recipient, m.due, state, m.attempts, m.last_error});
  }
  return manage_html(ctx, 200, web::render_admin_outbox(page_context_of(ctx), v));
}

/// The search form (GET ?email=, exact address, trimmed and lower-cased by the store) and the
/// person it found.
http_response people(const request_context& ctx, const route_params&) {
  web::admin_people_view v;
  v.query = ctx.query("email").value_or("");
  auto page = page_context_of(ctx);
  // The language switch keeps the search.
  if (!v.query.empty()) page.query = "email=" + url_encode(v.query);
  if (!v.query.empty()) {
    if (const auto found = ctx.store().person_by_email(v.query); found && live(*found)) {
      v.found = shown(*found);
    }
  }
  v.notice = done_notice(ctx);
  v.csrf = ctx.csrf_token();
  return manage_html(ctx, 200, web::render_admin_people(page, v));
}

/// "Konto löschen" for the person of the form's id, with the ticked confirmation; the same as a
/// member's own deletion on /me: the places they held go to the waitlists, with the promotion
/// mails (usecases::delete_account).
http_response delete_person(const request_context& ctx, const route_params&) {
  const auto id = parse_id(ctx.form_value("person"));
  if (!id) return not_found(ctx);
  const auto found = ctx.store().person_by_id(storage::person_id{*id});
  if (!found || !live(*found)) return not_found(ctx);
  web::admin_people_view v;
  v.query = found->email;
  v.found = shown(*found);
  v.csrf = ctx.csrf_token();
  if (ctx.form("confirm") != "yes") {
    v.errors.push_back({"confirm", web::manage_text(ctx.lang(), "a_err_delete_confirm")});
    return manage_html(ctx, 422, web::render_admin_people(page_context_of(ctx), v));
  }
  if (auto done = usecases::delete_account(ctx.use(), found->id, manager_actor(ctx)); !done) {
    if (problem_of(done.error()).status != 409) return store_error(ctx, done.error());
    v.errors.push_back(
        {"person", web::manage_text(ctx.lang(), "a_err_last_admin", {{"email", found->email}})});
    return manage_html(ctx, 409, web::render_admin_people(page_context_of(ctx), v));
  }
  // Never the address in the URL: it would stay in the browser's history and in logs.
  return see_other("/admin/people?done=deleted");
}

}  // namespace admin_pages
}  // namespace treffpunkt::server
