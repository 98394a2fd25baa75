#include <notifications/message.h>
#include <usecases/series_confirmations.h>

#include <algorithm>
#include <exception>
#include <map>

#include "mail_writer.h"

namespace treffpunkt::usecases {
namespace mail = notifications;

std::vector<calendar::occurrence> next_dates(const calendar::event& e, calendar::utc_seconds now,
                                             std::size_t n) {
  std::vector<calendar::occurrence> out;
  if (n == 0) return out;
  // However far ahead (a series may start in years): expand stops walking the rule once it
  // has found enough, and the cancelled dates it finds are overrides, so `n` more than those
  // (and one begun before `now`) are enough. Its step budget keeps any rule from running away.
  calendar::expand_limits limits;
  limits.max_occurrences = n + e.overrides.size() + 1;
  for (auto& o : calendar::expand(e, now, now + std::chrono::days{200 * 366}, limits)) {
    if (o.cancelled || o.start <= now) continue;
    out.push_back(o);
    if (out.size() == n) break;
  }
  return out;
}

bool asked_about(const calendar::event& e, const calendar::unit& u, calendar::utc_seconds now) {
  return e.is_series() && e.status != calendar::event_status::cancelled && !u.archived &&
         !next_dates(e, now, 1).empty();
}

series_status status_of(const calendar::event& e, const calendar::unit& u,
                        const storage::series_confirmation& c, calendar::utc_seconds now) {
  series_status s;
  s.confirmed = c.since();
  if (c.waiting()) {
    s.asked = c.asked;
    if (now - *c.asked >= unconfirmed_after && asked_about(e, u, now)) {
      s.unconfirmed_since = c.asked;
    }
  }
  return s;
}

std::optional<series_status> status_of(const storage::store& store, const calendar::event& e,
                                       calendar::utc_seconds now) {
  if (!e.is_series()) return std::nullopt;
  const auto stamps = store.series_confirmation_of(e.id);
  const auto u = store.unit_by_id(e.unit);
  if (!stamps || !u) return std::nullopt;
  return status_of(e, *u, *stamps, now);
}

std::string confirm_url(std::string_view base_url, calendar::event_id id) {
  return std::string(base_url) + "/manage/events/" + std::to_string(id.value) + "/confirm";
}

confirmation_round ask_series_confirmations(const context& ctx, std::chrono::days after) {
  confirmation_round round;
  const mail_writer writer(ctx);
  std::map<calendar::unit_id, std::optional<calendar::unit>> units;
  for (const auto& stamps : ctx.store.series_confirmations()) {
    const auto since = stamps.since();
    if (stamps.waiting() || ctx.now - since < after) continue;
    const auto e = ctx.store.event_by_id(stamps.event);
    if (!e) continue;
    auto [unit, fresh] = units.try_emplace(e->unit);
    if (fresh) unit->second = ctx.store.unit_by_id(e->unit);
    if (!unit->second || !asked_about(*e, *unit->second, ctx.now)) continue;
    const std::string& unit_name = unit->second->name;
    const std::string stamp = std::to_string(since.time_since_epoch().count());
    auto asked = ctx.store.ask_series_confirmation(
        e->id, since, ctx.now,
        [&](const calendar::event& series, const std::vector<storage::person>& responsibles) {
          storage::mail_plan plan;
          const auto next = next_dates(series, ctx.now, 1);
          if (next.empty()) return plan;  // changed since it was read: nothing to ask about
          mail::facts extra;
          extra.link = confirm_url(ctx.base_url, series.id);
          for (const auto& to : responsibles) {
            if (to.email.find('@') == std::string::npos) continue;
            const auto lang = mail::language_from_tag(to.language);
            // The day of the last edit or confirmation, in the series' zone.
            std::string last =
                mail::format_when(calendar::to_local(since, series.zone), true, lang);
            plan.queue.push_back(writer.compose(
                mail::message_kind::series_confirmation, series, next.front(), unit_name, to,
                dedupe_key(mail::kind_name(mail::message_kind::series_confirmation),
                           std::to_string(series.id.value), to.id.value, stamp),
                ctx.now, std::move(last), false, &extra));
          }
          return plan;
        });
    if (!asked) {
      round.errors.push_back("series " + std::to_string(e->id.value) + ": " +
                             asked.error().message);
    } else if (*asked) {
      ++round.series;
    }
  }
  if (round.series > 0) writer.queued();
  return round;
}

storage::result<storage::series_confirmation> confirm_series(const context& ctx,
                                                             calendar::event_id id,
                                                             const storage::actor& who) {
  const auto e = ctx.store.event_by_id(id);
  if (!e) return storage::error{storage::errc::not_found, "no such event"};
  if (!ctx.store.may_edit(who, e->unit)) {
    return storage::error{storage::errc::forbidden,
                          "only the unit's responsibles and admins confirm its series"};
  }
  const auto u = ctx.store.unit_by_id(e->unit);
  const auto refused = [](std::string why) {
    return storage::error{storage::errc::conflict, std::move(why), "event"};
  };
  if (!e->is_series()) return refused("the event is no series");
  if (e->status == calendar::event_status::cancelled) return refused("the series is cancelled");
  if (!u || u->archived) return refused("the unit is archived");
  if (!asked_about(*e, *u, ctx.now)) return refused("the series has no dates to come");
  return ctx.store.confirm_series(id, who, ctx.now);
}

std::vector<unconfirmed_series> unconfirmed_series_of(const storage::store& store,
                                                      std::optional<calendar::unit_id> u,
                                                      calendar::utc_seconds now) {
  std::vector<unconfirmed_series> out;
  std::map<calendar::unit_id, std::optional<calendar::unit>> units;
  for (const auto& stamps : store.series_confirmations(u)) {
    // Cheap checks first: most series are not waiting for an answer.
    if (!stamps.waiting() || now - *stamps.asked < unconfirmed_after) continue;
    auto e = store.event_by_id(stamps.event);
    if (!e) continue;
    auto [unit, fresh] = units.try_emplace(e->unit);
    if (fresh) unit->second = store.unit_by_id(e->unit);
    if (!unit->second) continue;
    const auto status = status_of(*e, *unit->second, stamps, now);
    if (!status.unconfirmed_since) continue;
    out.push_back({std::move(*e), *unit->second, *status.unconfirmed_since});
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.asked < b.asked; });
  return out;
}

}  // namespace treffpunkt::usecases
