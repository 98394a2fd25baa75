#include <fcntl.h>
#include <notifications/maildir.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <system_error>

namespace treffpunkt::notifications {
namespace {

std::string hostname() {
  std::array<char, 256> buffer{};
  if (gethostname(buffer.data(), buffer.size() - 1) != 0) return "localhost";
  std::string out;
  // '/' and ':' are not allowed in a Maildir name (the latter starts the info part).
  for (const char c : std::string_view(buffer.data())) out += (c == '/' || c == ':') ? '_' : c;
  return out.empty() ? "localhost" : out;
}

std::string zero_padded(unsigned long long value, std::size_t width) {
  std::string digits = std::to_string(value);
  if (digits.size() < width) digits.insert(0, width - digits.size(), '0');
  return digits;
}

}  // namespace

std::string maildir_name(std::chrono::system_clock::time_point at, long pid, unsigned long counter,
                         std::string_view host) {
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(at.time_since_epoch()).count();
  std::string name = std::to_string(micros / 1'000'000) + ".M" +
                     zero_padded(static_cast<unsigned long long>(micros % 1'000'000), 6) + "P" +
                     std::to_string(pid) + "Q" + zero_padded(counter, 10) + ".";
  name += host;
  return name;
}

maildir_sender::maildir_sender(std::filesystem::path dir)
    : dir_(std::move(dir)), host_(hostname()) {
  for (const char* sub : {"tmp", "new", "cur"}) std::filesystem::create_directories(dir_ / sub);
}

std::vector<delivery> maildir_sender::send(std::span<const outgoing> batch) {
  std::vector<delivery> out;
  out.reserve(batch.size());
  for (const auto& m : batch) out.push_back(write_one(m));
  return out;
}

delivery maildir_sender::write_one(const outgoing& m) {
  // The classic unique name: time, pid and a counter, then the host.
  const std::string name = maildir_name(std::chrono::system_clock::now(),
                                        static_cast<long>(getpid()), ++counter_, host_);
  const auto tmp = dir_ / "tmp" / name;
  const auto fail = [&](std::string_view what) {
    const std::string reason =
        std::string(what) + " " + tmp.string() + ": " + std::generic_category().message(errno);
    ::unlink(tmp.c_str());
    return delivery{delivery_status::temporary, reason};
  };
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return fail("cannot create");
  std::size_t done = 0;
  while (done < m.data.size()) {
    const ssize_t n = ::write(fd, m.data.data() + done, m.data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      return fail("cannot write");
    }
    done += static_cast<std::size_t>(n);
  }
  // On disk before it becomes visible: a message the outbox marks sent is really there.
  if (::fsync(fd) != 0) {
    ::close(fd);
    return fail("cannot sync");
  }
  ::close(fd);
  const auto target = dir_ / "new" / name;
  if (::rename(tmp.c_str(), target.c_str()) != 0) return fail("cannot move");
  // The rename itself is durable only once the directory is synced: the outbox marks the
  // message sent right after this returns.
  if (const int dir = ::open((dir_ / "new").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
  return delivery{delivery_status::sent, "delivered to " + target.string()};
}

}  // namespace treffpunkt::notifications
