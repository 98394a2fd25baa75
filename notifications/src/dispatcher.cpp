#include <notifications/dispatcher.h>

#include <algorithm>
#include <cmath>

namespace treffpunkt::notifications {

std::chrono::seconds retry_delay(int attempts, double unit_random) {
  constexpr double base = 60.0;
  constexpr double cap = 6.0 * 3600.0;
  const double raw = std::min(cap, base * std::pow(2.0, std::clamp(attempts, 0, 30)));
  const double jitter = 0.8 + 0.4 * std::clamp(unit_random, 0.0, 1.0);
  return std::chrono::seconds(static_cast<std::int64_t>(std::llround(raw * jitter)));
}

result<std::vector<bool>> outbox_port::record(std::span<const mail_outcome> outcomes,
                                              calendar::utc_seconds now) {
  std::vector<bool> recorded;
  recorded.reserve(outcomes.size());
  for (const auto& o : outcomes) {
    result<void> done;
    switch (o.what) {
      case mail_outcome::kind::sent:
        done = mark_sent(o.id, now);
        break;
      case mail_outcome::kind::retry:
        done = mark_retry(o.id, o.error, o.next_due);
        break;
      case mail_outcome::kind::failed:
        done = mark_failed(o.id, o.error);
        break;
    }
    if (!done && done.error().code == errc::unavailable) return done.error();
    recorded.push_back(static_cast<bool>(done));
  }
  return recorded;
}

dispatcher::dispatcher(outbox_port& outbox, mail_sender& sender, dispatcher_options options)
    : outbox_(outbox), sender_(sender), options_(std::move(options)), random_(options_.seed) {}

dispatcher::~dispatcher() { stop(); }

calendar::utc_seconds dispatcher::now() const {
  if (options_.clock) return options_.clock();
  return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

void dispatcher::say(std::string_view what) const {
  if (options_.log) options_.log(what);
}

bool dispatcher::record_sent_earlier() {
  std::erase_if(sent_unrecorded_, [this](std::int64_t id) {
    const auto recorded = outbox_.mark_sent(id, now());
    if (recorded) return true;
    if (recorded.error().code == errc::unavailable) return false;  // still: try next round
    // Gone, or no longer being sent (another dispatcher took it after the lease): nothing this
    // process can record any more.
    say("outbox: sent message " + std::to_string(id) +
        " cannot be recorded: " + recorded.error().message);
    return true;
  });
  return sent_unrecorded_.empty();
}

dispatcher::round dispatcher::run_once() {
  const round r = run_round(false);
  finish_recording();
  return r;
}

void dispatcher::finish_recording() {
  if (!recording_done_.valid()) return;
  const auto done = recording_done_.get();
  recorded(recording_, done);
  recording_.clear();
}

void dispatcher::recorded(const std::vector<mail_outcome>& outcomes,
                          const result<std::vector<bool>>& done) {
  if (!done) {
    say("outbox: cannot record " + std::to_string(outcomes.size()) +
        " messages: " + done.error().message);
    if (done.error().code == errc::unavailable) {
      for (const auto& o : outcomes) {
        if (o.what == mail_outcome::kind::sent) sent_unrecorded_.push_back(o.id);
      }
    }
    return;
  }
  for (std::size_t i = 0; i < outcomes.size(); ++i) {
    if (i < done->size() && (*done)[i]) continue;
    say("outbox: cannot record message " + std::to_string(outcomes[i].id) +
        ": no such outbox message being sent");
  }
}

dispatcher::round dispatcher::run_round(bool overlap) {
  round r;
  // Sent but not recorded in an earlier round (the store was unavailable): recorded before
  // anything else is claimed.
  if (!record_sent_earlier()) return r;
  auto claimed = outbox_.claim_due(now(), options_.lease, options_.batch);
  if (!claimed) {
    say("outbox: cannot claim: " + claimed.error().message);
    return r;
  }
  if (claimed->empty()) return r;
  r.claimed = static_cast<int>(claimed->size());

  std::vector<outgoing> batch;
  batch.reserve(claimed->size());
  for (auto& m : *claimed) batch.push_back(outgoing{m.recipient, std::move(m.data)});
  const auto results = sender_.send(batch);

  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<mail_outcome> outcomes;
  outcomes.reserve(claimed->size());
  for (std::size_t i = 0; i < claimed->size(); ++i) {
    const auto& m = (*claimed)[i];
    const delivery d = i < results.size()
                           ? results[i]
                           : delivery{delivery_status::temporary, "sender returned no result"};
    if (d.status == delivery_status::sent) {
      outcomes.push_back({m.id, mail_outcome::kind::sent, {}, {}, m.lease_until});
      ++r.sent;
    } else if (d.status == delivery_status::permanent || m.attempts + 1 >= options_.max_attempts) {
      outcomes.push_back({m.id, mail_outcome::kind::failed, d.detail, {}, m.lease_until});
      ++r.failed;
    } else {
      outcomes.push_back({m.id, mail_outcome::kind::retry, d.detail,
                          now() + retry_delay(m.attempts, unit(random_)), m.lease_until});
      ++r.retried;
    }
    if (d.status != delivery_status::sent) {
      say("outbox: message " + std::to_string(m.id) + " to " + m.recipient + ": " + d.detail);
    }
  }
  // The previous round's outcomes, recorded while this batch went out.
  finish_recording();
  // One write for the whole batch. The one window for a duplicate: accepted by the server,
  // then the process dies before this commits; the lease expires and the message goes out
  // again (docs/notifications.md). The batch was sent before any of it is recorded either
  // way, so recording it at once widens that window by nothing; recording it while the next
  // batch goes out widens it by one batch, as a second dispatcher thread would.
  if (overlap) {
    recording_ = std::move(outcomes);
    recording_done_ = std::async(std::launch::async,
                                 [this, at = now()] { return outbox_.record(recording_, at); });
  } else {
    recorded(outcomes, outbox_.record(outcomes, now()));
  }
  return r;
}

void dispatcher::start() {
  const std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  sender_.resume();
  thread_ = std::thread([this] { loop(); });
}

void dispatcher::wake() {
  {
    const std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wakeup_.notify_one();
}

void dispatcher::stop() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wakeup_.notify_one();
  // A hung SMTP server would hold the join for the sender's whole timeout; the interrupted
  // messages are recorded as temporary failures and retried after the restart.
  if (thread_.joinable()) {
    sender_.interrupt();
    thread_.join();
  }
}

std::chrono::milliseconds dispatcher::sleep_time(bool claimed_nothing) {
  using std::chrono::milliseconds;
  const auto next = outbox_.next_due();
  if (!next) {
    say("outbox: cannot read the next due time: " + next.error().message);
    return options_.idle;
  }
  if (!*next) return options_.idle;
  // Due times are whole seconds: sleep to the exact second (the system clock's own precision
  // when no test clock is set), so that a claim at wake-up finds the message due.
  const auto current =
      options_.clock ? std::chrono::time_point_cast<milliseconds>(options_.clock())
                     : std::chrono::time_point_cast<milliseconds>(std::chrono::system_clock::now());
  const auto wait = std::chrono::time_point_cast<milliseconds>(**next) - current;
  // Something due that this round did not get (the claim failed, or another process's clock
  // runs ahead): no busy loop, but a second's pause.
  if (wait <= milliseconds(0) && claimed_nothing)
    return std::min(options_.idle, milliseconds(1000));
  return std::clamp(wait, milliseconds(0), options_.idle);
}

void dispatcher::loop() {
  for (;;) {
    {
      const std::lock_guard lock(mutex_);
      if (stopping_) break;
      woken_ = false;
    }
    // In a backlog (full batches), the next batch goes out while this one's outcomes are
    // recorded; otherwise everything is recorded before the pause.
    const round r = run_round(true);
    if (r.claimed >= options_.batch) continue;  // more may be due: no pause
    finish_recording();
    const auto pause = sleep_time(r.claimed == 0);
    std::unique_lock lock(mutex_);
    wakeup_.wait_for(lock, pause, [this] { return stopping_ || woken_; });
  }
  finish_recording();  // never leave a batch's outcomes behind
}

}  // namespace treffpunkt::notifications
