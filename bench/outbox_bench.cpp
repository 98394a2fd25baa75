/// outbox_bench DIR [MESSAGES] [BATCH]: the store's cost per outbox claim and per outcome batch,
/// for callgrind (bench/README.md, "outbox claims"). Queues MESSAGES (default 1,000) messages of
/// about 5 KB in a new store in DIR, then claims them BATCH (default 4) at a time with
/// claim_due and records each batch as sent with record_outcomes, until none is left. Run it
/// under `valgrind --tool=callgrind` and divide the inclusive cost of store::claim_due and
/// store::record_outcomes by their calls (printed at the end).

#include <storage/store.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

using namespace treffpunkt;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: outbox_bench DIR [MESSAGES] [BATCH]\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  const int messages = argc > 2 ? std::atoi(argv[2]) : 1000;
  const int batch = argc > 3 ? std::atoi(argv[3]) : 4;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto opened = storage::store::open(dir);
  if (!opened) {
    std::fprintf(stderr, "open: %s\n", opened.error().message.c_str());
    return 1;
  }
  auto& store = **opened;
  const calendar::utc_seconds now{std::chrono::seconds(1'800'000'000)};
  std::string body;
  while (body.size() < 5000) body += "Subject line and a body of the message, repeated. ";
  for (int i = 0; i < messages; ++i) {
    const storage::outbox_message m{.kind = "rsvp_confirmation",
                                    .recipient = "person" + std::to_string(i) + "@example.org",
                                    .message = body + std::to_string(i),
                                    .due = now,
                                    .dedupe_key = "bench:" + std::to_string(i)};
    if (!store.enqueue(m, now)) return 1;
  }
  int claims = 0;
  int outcomes = 0;
  std::size_t bytes = 0;
  for (;;) {
    auto claimed = store.claim_due(now, std::chrono::seconds(900), batch);
    if (!claimed) return 1;
    ++claims;
    if (claimed->empty()) break;
    std::vector<storage::outbox_outcome> sent;
    for (const auto& e : *claimed) {
      bytes += e.message.size();
      sent.push_back({e.id, storage::outbox_outcome::kind::sent, {}, {}, e.lease_until});
    }
    if (!store.record_outcomes(sent, now)) return 1;
    ++outcomes;
  }
  std::printf("claims=%d outcome_batches=%d bytes=%zu\n", claims, outcomes, bytes);
  return bytes > 0 ? 0 : 1;
}
