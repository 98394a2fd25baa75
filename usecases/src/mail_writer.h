#pragma once
/// The mails of the use cases, composed in the recipient's language with their iMIP parts and
/// unsubscribe links: what rsvps.cpp, events.cpp and people.cpp queue in their writes.

#include <calendar/event.h>
#include <calendar/expand.h>
#include <calendar/time.h>
#include <storage/store.h>
#include <usecases/context.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace treffpunkt::notifications {
enum class message_kind;
struct facts;
struct envelope;
}  // namespace treffpunkt::notifications

namespace treffpunkt::usecases {

/// The first 16 hex digits of SHA-256(`text`): names a secret or a text without revealing it;
/// of a raw token, its storage::token_info::id.
std::string short_hash(std::string_view text);

/// The outbox key of a mail about one occurrence (`slot`: "EVENT:OCCURRENCE") to one person:
/// "KIND:EVENT:OCCURRENCE:PERSON:VERSION". The outbox keeps one message per key, so the same
/// change never mails twice.
std::string dedupe_key(std::string_view kind, std::string_view slot, std::int64_t person,
                       std::string_view version);

/// The outbox kinds that carry List-Unsubscribe: what an unsubscribe drops from the queue.
std::vector<std::string> unsubscribable_kinds();

class mail_writer {
 public:
  /// `ctx` must outlive the writer (it is made for one use case).
  explicit mail_writer(const context& ctx) : ctx_(ctx) {}

  /// One message of `kind` about the occurrence to `to`, with an iMIP part if the kind needs
  /// one. Throws when it cannot be composed: that rolls the write back.
  storage::outbox_message compose(notifications::message_kind kind, const calendar::event& e,
                                  const calendar::occurrence& o, const std::string& unit_name,
                                  const storage::person& to, std::string dedupe_key,
                                  calendar::utc_seconds due, std::string previous_when = {},
                                  bool whole_event = false,
                                  const notifications::facts* extra = nullptr) const;

  /// One message of `kind` that is about no occurrence (a decision about a proposal): `title`
  /// and `body` fill {title} and {body}; no iMIP part, no unsubscribe link; due now. Throws
  /// when it cannot be composed.
  storage::outbox_message compose_plain(notifications::message_kind kind, const storage::person& to,
                                        const std::string& unit_name, const std::string& title,
                                        const std::string& body, std::string link,
                                        std::string dedupe_key) const;

  /// The reminders of `to` for the occurrence, `offsets` before its start: their keys only,
  /// composed when due (compose_due).
  void add_reminders(std::vector<storage::outbox_message>& out, const calendar::event& e,
                     const calendar::occurrence& o, const storage::person& to,
                     const std::vector<std::chrono::minutes>& offsets) const;

  /// What an RSVP change tells whom: the member a confirmation (a yes with a place) and their
  /// reminders, everyone moved up a promotion.
  std::vector<storage::outbox_message> rsvp_mails(
      const storage::rsvp_change& c, const calendar::event& e, const std::string& unit_name,
      const storage::person& me, const std::vector<std::chrono::minutes>& offsets) const;

  /// What a member who is going gets: a confirmation and their reminders (none if the event
  /// has no such occurrence). Part of rsvp_mails; answer_rsvp composes it before the write.
  std::vector<storage::outbox_message> going_mails(
      const calendar::event& e, const calendar::occurrence_key& key, const std::string& unit_name,
      const storage::person& me, const std::vector<std::chrono::minutes>& offsets) const;

  /// A waitlist promotion and the reminders of each promoted person.
  void promotion_mails(std::vector<storage::outbox_message>& out,
                       const std::vector<storage::rsvp_record>& promoted, const calendar::event& e,
                       const std::string& unit_name) const;

  /// What a moved, changed or cancelled occurrence tells its going members (see events.h).
  std::vector<storage::outbox_message> occurrence_mails(
      const calendar::event& after, const calendar::occurrence_key& key,
      const std::optional<calendar::local_seconds>& previous_start, const std::string& unit_name,
      const std::vector<storage::attendee>& going, const std::string& version) const;

  /// What an edit of a whole event tells whom (update_event, and an import's update; see
  /// events.h): promotions, `moved` notices of changed occurrences and `cancelled` ones of
  /// newly cancelled occurrences, each under the edit's SEQUENCE; reminders of what changed
  /// dropped and planned again, those of cancelled and gone occurrences dropped.
  storage::mail_plan event_update_plan(const storage::event_update& u,
                                       const std::string& unit_name) const;

  /// What a cancel of a whole event tells whom (cancel_event, and an import's
  /// STATUS:CANCELLED): one `cancelled` notice per person going to an upcoming occurrence, and
  /// every reminder of the event dropped.
  storage::mail_plan event_cancel_plan(const calendar::event& before, const calendar::event& after,
                                       const std::vector<storage::occurrence_going>& upcoming,
                                       const std::string& unit_name) const;

  /// Lag notices (usecases/lag_notices.h, lag_notices.cpp) for a write that turned `before`
  /// into `after`: for each of short_notice_changes (`only`: of that occurrence alone), a
  /// `lag_moved` or `lag_cancelled` to each follower of the unit whose calendar app lags, except
  /// those in `told` (this write sends them a notice, cancel or promotion) and those whose RSVP
  /// to the occurrence was going (they get the usual notice) or no. `whole_event`: one per
  /// person, about the first (a cancel of the whole event). Dedupe keys as the usual notices':
  /// "lag_moved:<event>:<occurrence>:<person>:<version>", whole: "...:<event>:event:...".
  void add_lag_notices(std::vector<storage::outbox_message>& out, const calendar::event& before,
                       const calendar::event& after, const std::string& unit_name,
                       const std::vector<storage::person_id>& told, std::string_view version,
                       const std::optional<calendar::occurrence_key>& only = std::nullopt,
                       bool whole_event = false) const;

  /// {base}/unsubscribe/{token}: the person's one-click unsubscribe link.
  std::string unsubscribe_url(storage::person_id p) const;

  /// The unit's name for mails; empty if it is gone.
  std::string unit_name(calendar::unit_id u) const;

  /// Tells mail_settings::queued that the outbox has new mail (call after the commit).
  void queued() const;

  const context& ctx() const { return ctx_; }

 private:
  /// From treffpunkt to `to`, dated now, with a Message-ID made of the dedupe key.
  notifications::envelope envelope_to(const storage::person& to, std::string_view dedupe_key) const;

  const context& ctx_;
};

}  // namespace treffpunkt::usecases
