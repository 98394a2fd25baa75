#include <calendar/expand.h>
#include <notifications/message.h>
#include <notifications/mime.h>
#include <notifications/reminders.h>
#include <usecases/people.h>

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <stdexcept>

#include "mail_writer.h"
#include "signed_token.h"

namespace treffpunkt::usecases {
namespace mail = notifications;

std::string personal_feed_path(std::string_view secret) {
  return "/feeds/" + std::string(secret) + ".ics";
}

storage::issued_token new_feed_secret(const context& ctx, storage::person_id p) {
  ctx.store.revoke_tokens(p, storage::token_kind::feed);
  return ctx.store.issue_token(storage::token_kind::feed, p, feed_secret_ttl, ctx.now);
}

std::string duration_text(std::chrono::seconds ttl, std::string_view language) {
  const bool de = mail::language_from_tag(language) == mail::language::de;
  const auto n = ttl.count();
  if (n >= 120 || n == 60) {
    const auto minutes = n / 60;
    return std::to_string(minutes) +
           (de ? (minutes == 1 ? " Minute" : " Minuten") : (minutes == 1 ? " minute" : " minutes"));
  }
  return std::to_string(n) +
         (de ? (n == 1 ? " Sekunde" : " Sekunden") : (n == 1 ? " second" : " seconds"));
}

storage::result<void> request_login_link(const context& ctx, std::string_view email,
                                         std::string_view next, std::chrono::seconds ttl) {
  if (!mail::valid_address(email)) {
    return storage::error{storage::errc::invalid, "not a valid address", "email"};
  }
  auto who = ctx.store.ensure_person(email, "");
  if (!who) {
    if (who.error().code == storage::errc::unavailable) return who.error();
    throw std::runtime_error("cannot record the person: " + who.error().message);
  }
  storage::issued_token issued;
  try {
    issued = ctx.store.issue_token(storage::token_kind::login, who->id, ttl, ctx.now);
  } catch (const std::runtime_error& e) {
    // Its write failed (the person exists: ensured above).
    return storage::error{storage::errc::unavailable, e.what()};
  }
  const auto lang = mail::language_from_tag(who->language);
  mail::facts f;
  f.link = std::string(ctx.base_url) + "/login/" + issued.raw;
  // Where the link brings the browser back to rides along in the link (checked again there).
  if (!next.empty()) {
    f.link += "?next=" + boost::urls::encode(boost::urls::string_view(next.data(), next.size()),
                                             boost::urls::unreserved_chars + '/');
  }
  f.expires_in = duration_text(ttl, who->language);
  const std::string_view from = ctx.mail.from;
  mail::envelope env{.from = {"treffpunkt", std::string(from)},
                     .to = {who->name, who->email},
                     .date = ctx.now,
                     .message_id = "login." + issued.id + std::string(from.substr(from.find('@'))),
                     .unsubscribe_url = {}};
  auto composed = mail::compose(mail::message_kind::login_link, lang, f, env);
  if (!composed) {
    throw std::runtime_error("cannot compose the login mail: " + composed.error().message);
  }
  storage::outbox_message m{.kind = std::string(mail::kind_name(mail::message_kind::login_link)),
                            .recipient = who->email,
                            .message = std::move(*composed),
                            .due = ctx.now,
                            .dedupe_key = "login:" + issued.id};
  if (auto queued = ctx.store.enqueue(m, ctx.now); !queued) {
    if (queued.error().code == storage::errc::unavailable) return queued.error();
    throw std::runtime_error("cannot queue the login mail: " + queued.error().message);
  }
  mail_writer(ctx).queued();
  return {};
}

bool end_session(const context& ctx, std::string_view raw) {
  if (raw.empty() || raw.size() > 512) return false;
  // store::redeem_token reads a session without a write; the time only decides expiry.
  auto who = ctx.store.redeem_token(storage::token_kind::session, raw, ctx.now);
  if (!who) return false;
  // A token's id is the short hash of its raw value (storage::token_info::id).
  return ctx.store.revoke_token(who->id, storage::token_kind::session, short_hash(raw));
}

storage::result<void> set_reminders(const context& ctx, storage::person_id p,
                                    std::vector<std::chrono::minutes> before) {
  const mail_writer mails(ctx);
  auto done = ctx.store.set_reminder_offsets(
      p, std::move(before), ctx.now,
      [&](const storage::person& who, const std::vector<std::chrono::minutes>& chosen,
          const std::vector<storage::places_in_event>& going) {
        storage::reminder_plan plan;
        if (who.email.empty()) return plan;
        for (const auto& [e, keys] : going) {
          for (const auto& key : keys) {
            const auto o = calendar::find_occurrence(e, key);
            if (!o) continue;
            // Every queued reminder of the person for it goes, but those of the new choice
            // (also one whose time has just passed, which the dispatcher is about to send);
            // add_reminders then queues what is new and still ahead.
            plan.drop.push_back(mail::reminder_prefix(e.id, key, who.id.value));
            for (const auto m : chosen) {
              plan.keep.push_back(mail::reminder_key(e.id, key, who.id.value, o->start, m));
            }
            mails.add_reminders(plan.queue, e, *o, who, chosen);
          }
        }
        return plan;
      });
  if (done) mails.queued();
  return done;
}

storage::result<int> unsubscribe(const context& ctx, storage::person_id p) {
  return ctx.store.unsubscribe(p, unsubscribable_kinds(), ctx.now);
}

std::optional<storage::person_id> unsubscriber(const storage::store& store,
                                               std::string_view token) {
  const auto id = verify_token(store.installation_secret(), unsubscribe_purpose, token);
  if (!id) return std::nullopt;
  return storage::person_id{*id};
}

storage::result<void> delete_account(const context& ctx, storage::person_id p,
                                     const storage::actor& who) {
  const mail_writer mails(ctx);
  auto deleted = ctx.store.delete_person(
      p, who, ctx.now, [&](const std::vector<storage::released_places>& released) {
        storage::mail_plan plan;
        for (const auto& r : released) {
          mails.promotion_mails(plan.queue, r.promoted, r.event, mails.unit_name(r.event.unit));
        }
        return plan;
      });
  if (deleted) mails.queued();
  return deleted;
}

}  // namespace treffpunkt::usecases
