#pragma once
/// What members and responsibles do that causes mail: RSVPs and changes of one occurrence.
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
#include <vector>

namespace treffpunkt::notifications {
enum class message_kind;
}

namespace treffpunkt::server {

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

  /// Moves, changes or cancels one occurrence (store::set_override): its going members a notice
  /// (iMIP REQUEST with the higher SEQUENCE, or CANCEL), and their reminders planned again.
  storage::result<calendar::event> change_occurrence(const calendar::event& e,
                                                     calendar::occurrence_override o,
                                                     const storage::actor& who) const;

 private:
  /// One message of `kind` about the occurrence to `to`, with an iMIP part if the kind needs
  /// one. Throws when it cannot be composed: that rolls the write back.
  storage::outbox_message compose(notifications::message_kind kind, const calendar::event& e,
                                  const calendar::occurrence& o, const std::string& unit_name,
                                  const storage::person& to, std::string dedupe_key,
                                  calendar::utc_seconds due, std::string previous_when = {}) const;
  /// The reminders of `to` for the occurrence (none without an https base URL: RFC 8058).
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
      const std::vector<storage::attendee>& going) const;
  std::string unit_name(calendar::unit_id u) const;
  void queued() const;

  storage::store& store_;
  const rsvp_mail_options& mail_;
  std::string_view base_url_;
  calendar::utc_seconds now_;
};

}  // namespace treffpunkt::server
