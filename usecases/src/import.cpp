#include <usecases/import.h>

#include <iterator>
#include <string>
#include <utility>

#include "mail_writer.h"

namespace treffpunkt::usecases {

storage::result<storage::import_summary> import_events(const context& ctx, calendar::unit_id u,
                                                       std::vector<calendar::file_event> events,
                                                       const storage::actor& who, bool dry_run) {
  std::vector<storage::imported_event> stated;
  stated.reserve(events.size());
  for (auto& f : events) stated.push_back({std::move(f.ev), f.stated.kind});
  const mail_writer mails(ctx);
  const std::string name = mails.unit_name(u);
  auto summary = ctx.store.import_events(
      u, std::move(stated), who, ctx.now, dry_run,
      [&](const std::vector<storage::imported_change>& changes) {
        storage::mail_plan plan;
        for (const auto& c : changes) {
          auto one = c.event_cancelled ? mails.event_cancel_plan(c.update.before, c.update.after,
                                                                 c.upcoming, name)
                                       : mails.event_update_plan(c.update, name);
          std::move(one.drop.begin(), one.drop.end(), std::back_inserter(plan.drop));
          std::move(one.queue.begin(), one.queue.end(), std::back_inserter(plan.queue));
        }
        return plan;
      });
  if (summary && !dry_run && summary->updated > 0) mails.queued();
  return summary;
}

}  // namespace treffpunkt::usecases
