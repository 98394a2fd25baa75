// The RSVP forms of an occurrence page: POST /events/{id}/{key}/rsvp (a member's answer) and
// /events/{id}/{key}/guest-rsvp (a guest's, confirmed by an emailed link). The same use cases,
// limits and refusals as the JSON API's.
#include <calendar/rsvp.h>
#include <usecases/input.h>
#include <usecases/rsvps.h>
#include <web/pages.h>

#include "../problem.h"
#include "../request_context.h"
#include "../responses.h"
#include "../services.h"
#include "page_handlers.h"
#include "page_views.h"

namespace treffpunkt::server {
namespace {

/// The event and occurrence a form posted to /events/{id}/{key} is for; none if either is
/// unknown.
struct posted {
  calendar::event event;
  calendar::occurrence_key key;
  calendar::occurrence occurrence;
};

std::optional<posted> posted_occurrence(const request_context& ctx, const route_params& p) {
  const auto id = parse_id(p["id"]);
  const auto key = calendar::occurrence_key::parse(p["key"]);
  const auto e = id ? ctx.store().event_by_id(calendar::event_id{*id}) : std::nullopt;
  if (!e || !key) return std::nullopt;
  auto o = calendar::find_occurrence(*e, *key);
  if (!o) return std::nullopt;
  return posted{*e, *key, *o};
}

/// Whether `s` is empty or white space only (a name field left empty).
bool trimmed_empty(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

/// The refusals of an RSVP the page says as "takes no answers now".
bool is_refusal(const problem& p) {
  return p.code == "occurrence_cancelled" || p.code == "occurrence_past" || p.code == "rsvp_closed";
}

/// Takes one RSVP from the shared allowance (the JSON API's too): per `who`, then per client
/// address. Zero seconds: go ahead; else how long to wait.
std::chrono::seconds take_rsvp(const request_context& ctx, const std::string& who) {
  auto wait = ctx.app().rsvps_by_person.take(who);
  if (wait.count() == 0) wait = ctx.app().rsvps_by_address.take(ctx.request().remote_address);
  return wait;
}

}  // namespace

namespace rsvp_forms {

http_response answer(const request_context& ctx, const route_params& p) {
  const auto target = posted_occurrence(ctx, p);
  if (!target) return not_found_page(ctx);
  // Named, not bound: lambdas below use them (clang 14 cannot capture structured bindings).
  const auto& e = target->event;
  const auto& key = target->key;
  const auto& o = target->occurrence;
  const std::string back = web::occurrence_path(e.id, key);
  if (!ctx.member()) return to_login(back);
  // The script that sends the form asks for the RSVP area alone (app.js).
  const bool fragment = ctx.form("fragment") == "rsvp";
  auto page = page_context_of(ctx);
  page.path = back;
  page_builder build{ctx.store(), ctx.now()};

  // Answers with the page (or the area) as it now stands, with `problem` if not taken.
  const auto answer_page = [&](unsigned status, std::optional<web::rsvp_problem> problem,
                               bool saved) {
    auto v = build.occurrence_view(e.id, key, ctx.member(), ctx.csrf_token());
    if (!v) return not_found_page(ctx);
    v->problem = problem;
    v->saved = saved;
    return personal_html(
        status, fragment ? web::render_rsvp_area(page, *v) : web::render_occurrence(page, *v),
        page.lang);
  };

  if (!ctx.csrf_valid()) {
    // A fresh token (and cookie) in the page shown again, so that sending it once more works.
    auto r = answer_page(403, web::rsvp_problem::csrf, false);
    ctx.set_csrf_cookie(r);
    return r;
  }
  const auto answer = calendar::parse_rsvp_answer(ctx.form_value("answer"));
  if (!answer) return answer_page(422, web::rsvp_problem::bad_answer, false);
  if (calendar::rsvp_refused(e, o, ctx.now())) {
    return answer_page(409, web::rsvp_problem::refused, false);
  }
  if (const auto wait = take_rsvp(ctx, std::to_string(ctx.member()->id.value)); wait.count() > 0) {
    auto r = answer_page(429, web::rsvp_problem::rate_limited, false);
    r.headers.emplace_back("Retry-After", std::to_string(wait.count()));
    return r;
  }
  const auto change = usecases::answer_rsvp(ctx.use(), e, key, *ctx.member(), *answer);
  if (!change) {
    const auto why = problem_of(change.error());
    if (is_refusal(why)) return answer_page(409, web::rsvp_problem::refused, false);
    if (why.status == 404) return not_found_page(ctx);
    if (why.status == 422) return answer_page(422, web::rsvp_problem::bad_answer, false);
    return answer_page(503, web::rsvp_problem::unavailable, false);
  }
  if (fragment) return answer_page(200, std::nullopt, true);
  // Post/redirect/get: a reload shows the page, not "send the form again?".
  return see_other(back + "?rsvp=saved");
}

http_response guest(const request_context& ctx, const route_params& p) {
  const auto target = posted_occurrence(ctx, p);
  if (!target) return not_found_page(ctx);
  // Named, not bound: lambdas below use them (clang 14 cannot capture structured bindings).
  const auto& e = target->event;
  const auto& key = target->key;
  const auto& o = target->occurrence;
  auto page = page_context_of(ctx);
  page.path = web::occurrence_path(e.id, key);
  page_builder build{ctx.store(), ctx.now()};

  // What was typed, shown again with any error next to its field.
  web::guest_form form;
  form.name = ctx.form_value("name");
  form.email = ctx.form_value("email");
  const auto answer = calendar::parse_rsvp_answer(ctx.form_value("answer"));
  if (answer) form.answer = *answer;
  const auto answer_page = [&](unsigned status, std::optional<web::rsvp_problem> problem,
                               bool sent) {
    auto v = build.occurrence_view(e.id, key, ctx.member(), ctx.csrf_token());
    if (!v) return not_found_page(ctx);
    v->problem = problem;
    v->guest_sent = sent;
    if (!sent) v->guest = form;
    return personal_html(status, web::render_occurrence(page, *v), page.lang);
  };

  if (!ctx.csrf_valid()) {
    auto r = answer_page(403, web::rsvp_problem::csrf, false);
    ctx.set_csrf_cookie(r);
    return r;
  }
  const auto name = usecases::guest_name(form.name);
  const auto email = usecases::email_address(form.email);
  if (!name) {
    form.name_error = trimmed_empty(form.name) ? "guest_name_missing" : "guest_name_invalid";
  }
  if (!email) form.email_error = "guest_email_invalid";
  if (!name || !email || !answer) {
    return answer_page(422, answer ? std::nullopt : std::optional(web::rsvp_problem::bad_answer),
                       false);
  }
  if (calendar::rsvp_refused(e, o, ctx.now())) {
    return answer_page(409, web::rsvp_problem::refused, false);
  }
  // As the JSON API's guest RSVPs: per address asked for, then per client address.
  if (const auto wait = take_rsvp(ctx, "guest:" + *email); wait.count() > 0) {
    auto r = answer_page(429, web::rsvp_problem::rate_limited, false);
    r.headers.emplace_back("Retry-After", std::to_string(wait.count()));
    return r;
  }
  const auto pending =
      usecases::request_guest_rsvp(ctx.use(), e, key, *name, *email, *answer, web::tag(page.lang));
  if (!pending) {
    const auto why = problem_of(pending.error());
    // The address has answered already (conflict): the same page as for a new one, so that it
    // tells nobody who comes (the owner of the address changes the answer after logging in).
    if (why.code != "conflict") {
      if (is_refusal(why)) return answer_page(409, web::rsvp_problem::refused, false);
      if (why.status == 404) return not_found_page(ctx);
      if (why.status == 422) {
        if (why.field == "name") form.name_error = "guest_name_invalid";
        if (why.field == "email") form.email_error = "guest_email_invalid";
        return answer_page(422, std::nullopt, false);
      }
      return answer_page(503, web::rsvp_problem::unavailable, false);
    }
  }
  // The page itself, not a redirect: "check your mail" belongs to this answer only.
  return answer_page(200, std::nullopt, true);
}

}  // namespace rsvp_forms
}  // namespace treffpunkt::server
