#pragma once
/// What members, guests and responsibles do that causes mail: RSVPs (also guests' with their
/// emailed link), changes of one occurrence or of a whole event, cancels and splits; and the
/// one-click unsubscribe that stops such mail.
/// Each queues its mails (confirmations, promotions, reminders, notices; composed here, in the
/// recipient's language) in the write's own transaction, then wakes the dispatcher. The JSON API
/// and the pages both call these, so both send the same mails.

#include <calendar/event.h>
#include <calendar/rsvp.h>
#include <calendar/time.h>
#include <server/api.h>
#include <storage/store.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace treffpunkt::notifications {
enum class message_kind;
struct facts;
}  // namespace treffpunkt::notifications

namespace treffpunkt::server {

/// A guest's name as typed, trimmed, if it is 1 to 100 characters of UTF-8 on one line (no
/// control characters); else none. The API and the guest form check with this.
std::optional<std::string> guest_name(std::string_view typed);

/// A guest's address as typed, trimmed and lower-cased, if mail can be sent to it: a plain
/// ASCII addr-spec (notifications::valid_address; compose refuses anything else); else none.
std::optional<std::string> guest_email(std::string_view typed);

class actions {
 public:
  /// `base_url` (no trailing slash) is the public URL that links in mails point to.
  actions(storage::store& store, const rsvp_mail_options& mail, std::string_view base_url,
          calendar::utc_seconds now);

  /// A member's yes / no / maybe (store::set_rsvp): the member a confirmation when they have a
  /// place, and their reminders; everyone moved up from the waitlist a promotion and theirs. A
  /// "no" drops the member's queued reminders for the occurrence.
  storage::result<storage::rsvp_change> rsvp(const calendar::event& e,
                                             const calendar::occurrence_key& key,
                                             const storage::person& me,
                                             calendar::rsvp_answer answer) const;

  /// A guest's RSVP (store::request_guest_rsvp, pending until confirmed): a `guest_rsvp_link`
  /// mail with the link {base}/rsvp/confirm/{token}, in `language` ("de", "en"; a known
  /// address keeps its own), queued in the same transaction. Asking again drops the earlier
  /// link's mail if it has not gone out yet (that link stops working). `name` and `email`
  /// must already be checked (the store checks again). Errors as the store's.
  storage::result<storage::guest_rsvp> request_guest_rsvp(
      const calendar::event& e, const calendar::occurrence_key& key, std::string_view name,
      std::string_view email, calendar::rsvp_answer answer, std::string_view language) const;

  /// The guest clicked the button of their link (store::confirm_guest_rsvp): the same mails as
  /// rsvp() in the same transaction: a confirmation with an iMIP REQUEST and reminders when
  /// they have a place, promotions when a place moved. Errors as the store's.
  storage::result<storage::rsvp_change> confirm_guest_rsvp(std::string_view token) const;

  /// One click on an unsubscribe link (RFC 8058): the person's reminders and notices off, and
  /// their queued reminders and notices dropped (store::unsubscribe). Returns how many mails
  /// were dropped.
  storage::result<int> unsubscribe(storage::person_id p) const;

  /// Deletes an account (store::delete_person, by the person or an admin): everyone moved up
  /// into a place it freed gets a promotion and their reminders, in the same transaction.
  /// Errors as the store's.
  storage::result<void> delete_account(storage::person_id p, const storage::actor& who) const;
  /// {base}/unsubscribe/{token}: the person's unsubscribe link (signed_token.h), which works
  /// without a login; List-Unsubscribe of each reminder and notice.
  std::string unsubscribe_url(storage::person_id p) const;

  /// The person an unsubscribe link's token names, if the token is genuine.
  static std::optional<storage::person_id> unsubscriber(const storage::store& store,
                                                        std::string_view token);

  /// Moves, changes or cancels one occurrence (store::set_override): its going members a notice
  /// (iMIP REQUEST with the higher SEQUENCE, or CANCEL), and their reminders planned again.
  storage::result<calendar::event> change_occurrence(const calendar::event& e,
                                                     calendar::occurrence_override o,
                                                     const storage::actor& who) const;

  /// Edits a whole event or series (store::update_event; `edited` carries its id): everyone a
  /// raised capacity moves up from a waitlist a promotion and their reminders; everyone going
  /// to an upcoming occurrence whose start, end or location changed a `moved` notice (iMIP
  /// REQUEST with the new SEQUENCE), and their reminders for it planned again.
  storage::result<calendar::event> update_event(calendar::event edited,
                                                const storage::actor& who) const;

  /// Cancels a whole event or series (store::cancel_event): everyone going to an upcoming
  /// occurrence one `cancelled` notice with an iMIP CANCEL of the whole UID (no RECURRENCE-ID),
  /// and every queued reminder of the event dropped.
  storage::result<calendar::event> cancel_event(const calendar::event& e,
                                                const storage::actor& who) const;

  /// A message from the unit's responsibles (`sender`, who must be allowed to edit the unit) to
  /// everyone going to or waiting for the occurrence who has not turned notices off: one
  /// `responsibles_message` each, all queued in one transaction. `subject` and `body` must
  /// already be checked (one line of at most 200 characters; at most 5,000). Returns how many
  /// were queued; the same message sent twice in one second is queued once. Errors: as
  /// store::queue_for_attendees.
  storage::result<int> message_attendees(const calendar::event& e,
                                         const calendar::occurrence_key& key,
                                         const storage::person& sender, std::string_view subject,
                                         std::string_view body) const;

  /// Splits a series "from this occurrence on" (store::split_event): the RSVPs that move to the
  /// new series keep their reminders, dropped under the old event id and planned again under
  /// the new one. Returns {old, new}.
  storage::result<std::pair<calendar::event, calendar::event>> split_event(
      const calendar::event& e, const calendar::occurrence_key& from,
      const storage::actor& who) const;

 private:
  /// One message of `kind` about the occurrence to `to`, with an iMIP part if the kind needs
  /// one. Throws when it cannot be composed: that rolls the write back.
  storage::outbox_message compose(notifications::message_kind kind, const calendar::event& e,
                                  const calendar::occurrence& o, const std::string& unit_name,
                                  const storage::person& to, std::string dedupe_key,
                                  calendar::utc_seconds due, std::string previous_when = {},
                                  bool whole_event = false,
                                  const notifications::facts* extra = nullptr) const;
  /// The reminders of `to` for the occurrence, `offsets` before its start.
  void add_reminders(std::vector<storage::outbox_message>& out, const calendar::event& e,
                     const calendar::occurrence& o, const std::string& unit_name,
                     const storage::person& to,
                     const std::vector<std::chrono::minutes>& offsets) const;
  std::vector<storage::outbox_message> rsvp_mails(
      const storage::rsvp_change& c, const calendar::event& e, const std::string& unit_name,
      const storage::person& me, const std::vector<std::chrono::minutes>& offsets) const;
  std::vector<storage::outbox_message> occurrence_mails(
      const calendar::event& after, const calendar::occurrence_key& key,
      const std::optional<calendar::local_seconds>& previous_start, const std::string& unit_name,
      const std::vector<storage::attendee>& going, const std::string& version) const;
  /// A waitlist promotion and the reminders of each promoted person.
  void promotion_mails(std::vector<storage::outbox_message>& out,
                       const std::vector<storage::rsvp_record>& promoted, const calendar::event& e,
                       const std::string& unit_name) const;
  std::string unit_name(calendar::unit_id u) const;
  void queued() const;

  storage::store& store_;
  const rsvp_mail_options& mail_;
  std::string_view base_url_;
  calendar::utc_seconds now_;
};

}  // namespace treffpunkt::server
