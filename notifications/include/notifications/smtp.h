#pragma once
/// SMTP delivery through libcurl: smtp:// (plain or STARTTLS) and smtps:// (implicit TLS),
/// AUTH with user and password, one connection reused across a batch and between batches.

#include <notifications/mail_sender.h>

#include <chrono>
#include <memory>
#include <string>

namespace treffpunkt::notifications {

struct smtp_config {
  /// "smtp://host:587" or "smtps://host:465"; user and password may be in it
  /// ("smtp://user:pass@host"), percent-encoded.
  std::string url;
  enum class tls { none, opportunistic, required };
  /// STARTTLS on smtp://: none, when offered, or insist (fail temporarily without it).
  tls starttls = tls::opportunistic;
  std::string user;       ///< overrides the URL's user when set
  std::string password;   ///< overrides the URL's password when set
  std::string mail_from;  ///< envelope sender (MAIL FROM), e.g. "treffpunkt@example.org"
  std::chrono::seconds connect_timeout{15};
  std::chrono::seconds timeout{60};  ///< for one whole message, including the connect
  bool verify_peer = true;           ///< TLS certificate and host name checks
};

/// Classifies each message by libcurl's outcome and the server's last reply: 2xx sent;
/// 4xx, refused connections, timeouts, TLS and AUTH failures temporary (the admin can fix the
/// configuration without losing mail); other 5xx permanent, with the reply text.
class smtp_sender final : public mail_sender {
 public:
  explicit smtp_sender(smtp_config config);
  ~smtp_sender() override;
  smtp_sender(const smtp_sender&) = delete;
  smtp_sender& operator=(const smtp_sender&) = delete;
  std::vector<delivery> send(std::span<const outgoing> batch) override;
  /// Aborts the transfer in progress within about a second (libcurl's progress callback).
  void interrupt() override;
  void resume() override;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace treffpunkt::notifications
