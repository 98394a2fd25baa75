// /api/v1/me/tokens: the caller's API tokens, listed (never the secrets), made and revoked.
#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "../request_context.h"
#include "api_bodies.h"
#include "api_handlers.h"
#include "api_shapes.h"

namespace treffpunkt::server::api_tokens {
namespace json = boost::json;

namespace {

/// How long an API token made with POST /me/tokens is valid (as `treffpunkt token create`).
constexpr std::chrono::seconds api_token_ttl = std::chrono::days(365);

/// A token's id (storage::token_info::id): 16 lower-case hex digits.
bool is_token_id(std::string_view id) {
  return id.size() == 16 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

http_response list(const request_context& ctx, const route_params&) {
  if (auto refused = need_person(ctx)) return *refused;
  json::array out;
  for (const auto& t :
       ctx.store().list_tokens(ctx.who().who->id, storage::token_kind::api, ctx.now())) {
    out.emplace_back(json::object{
        {"id", t.id}, {"created", utc_text(t.created)}, {"expires", utc_text(t.expires)}});
  }
  return json_response(200, json::object{{"tokens", std::move(out)}});
}

http_response create(const request_context& ctx, const route_params&) {
  if (auto refused = need_person(ctx)) return *refused;
  // No fields yet: an empty body or {} (anything else is refused).
  if (!ctx.request().body.empty()) {
    if (auto body = read_body<token_body>(ctx); !body) return error_response(body.error());
  }
  const auto t = ctx.store().issue_token(storage::token_kind::api, ctx.who().who->id, api_token_ttl,
                                         ctx.now());
  return json_response(201, json::object{{"id", t.id},
                                         {"token", t.raw},
                                         {"created", utc_text(ctx.now())},
                                         {"expires", utc_text(t.expires)}});
}

http_response revoke(const request_context& ctx, const route_params& p) {
  if (auto refused = need_person(ctx)) return *refused;
  const auto id = p["token"];
  if (!is_token_id(id) ||
      !ctx.store().revoke_token(ctx.who().who->id, storage::token_kind::api, id)) {
    return error_response({404, "not_found", "you have no API token " + std::string(id), {}});
  }
  return json_response(200, json::object{{"id", id}, {"revoked", true}});
}

}  // namespace treffpunkt::server::api_tokens
