#pragma once
/// The default when no SMTP server is configured: messages land in a Maildir (DATA/mail) that
/// any mail client or `mutt -f` can read.

#include <notifications/mail_sender.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

namespace treffpunkt::notifications {

/// A Maildir file name: seconds, microseconds, pid and counter, then the host. The
/// microseconds and the counter have a fixed width, so that names of one process sort in the
/// order they were written (a mail client, or a test, that lists new/ by name sees them in
/// time order).
std::string maildir_name(std::chrono::system_clock::time_point at, long pid, unsigned long counter,
                         std::string_view host);

/// Writes each message to tmp/ and renames it into new/ (the Maildir protocol: readers never
/// see a half-written file), under a name unique across processes and threads.
class maildir_sender final : public mail_sender {
 public:
  /// Creates dir/{tmp,new,cur} if needed; throws std::filesystem::filesystem_error when it
  /// cannot (a start-up failure).
  explicit maildir_sender(std::filesystem::path dir);
  std::vector<delivery> send(std::span<const outgoing> batch) override;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  delivery write_one(const outgoing& m);
  std::filesystem::path dir_;
  std::string host_;
  std::atomic<unsigned long> counter_{0};
};

}  // namespace treffpunkt::notifications
