#include <usecases/housekeeping.h>
#include <usecases/series_confirmations.h>

#include <exception>
#include <string>

namespace treffpunkt::usecases {

housekeeping::housekeeping(storage::store& store, std::chrono::milliseconds every,
                           std::function<void(std::string_view)> log, calendar::clock clock)
    : store_(store), every_(every), log_(std::move(log)), clock_(clock) {}

housekeeping::~housekeeping() { stop(); }

int housekeeping::run_once() {
  // Every instance on one database runs housekeeping; one round at a time does it, the others
  // skip theirs (store::try_exclusive: an advisory lock on PostgreSQL, always on SQLite). Each
  // step is correct twice too (its writes lock what they count), but two rounds at once would
  // do the work twice and could ask about a series twice.
  int removed = 0;
  const auto ran = store_.try_exclusive("housekeeping", [&] { removed = round(); });
  if (!ran && log_) log_("housekeeping skipped: " + ran.error().message);
  return removed;
}

int housekeeping::round() {
  const auto now = clock_.now();
  const int removed = store_.expire_guest_rsvps(now);
  if (removed > 0 && log_) {
    log_("removed " + std::to_string(removed) + " unconfirmed guest RSVP(s) whose link expired");
  }
  const int mails = store_.expire_outbox(now - outbox_retention);
  if (mails > 0 && log_) {
    log_("removed " + std::to_string(mails) + " sent or failed mail(s) older than 30 days");
  }
  const int offers = store_.expire_offers(now - offers_retention);
  if (offers > 0 && log_) {
    log_("removed " + std::to_string(offers) +
         " declined or withdrawn proposal(s) and closed wish(es) older than 90 days");
  }
  // Feed fetch counts: the last 90 days stay (storage/fetches.h).
  const int fetches =
      store_.expire_feed_fetches(storage::fetch_day(now) - storage::feed_fetch_retention.count());
  if (fetches > 0 && log_) {
    log_("removed " + std::to_string(fetches) + " feed fetch count(s) older than 90 days");
  }
  ask_series(now);
  return removed;
}

void housekeeping::ask_about_series(series_questions q) {
  {
    const std::lock_guard lock(mutex_);
    questions_ = std::move(q);
    run_now_ = true;
  }
  wake_.notify_all();
}

void housekeeping::ask_series(calendar::utc_seconds now) {
  std::optional<series_questions> q;
  {
    const std::lock_guard lock(mutex_);
    q = questions_;
  }
  if (!q) return;
  const context ctx{store_, q->mail, q->base_url, now};
  const auto round = ask_series_confirmations(ctx, q->after);
  if (!log_) return;
  if (round.series > 0) {
    log_("asked the responsibles of " + std::to_string(round.series) +
         " series whether they still happen");
  }
  for (const auto& failed : round.errors) log_("cannot ask about " + failed);
}

void housekeeping::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      try {
        run_once();
      } catch (const std::exception& e) {
        // A busy or unavailable store is tried again next round; the server keeps serving.
        if (log_) log_(std::string("housekeeping failed: ") + e.what());
      }
      lock.lock();
      wake_.wait_for(lock, every_, [this] { return stopping_ || run_now_; });
      run_now_ = false;
    }
  });
}

void housekeeping::stop() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace treffpunkt::usecases
