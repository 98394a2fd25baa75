#pragma once
/// Where composed messages go: an SMTP server (smtp.h) or a Maildir (maildir.h).

#include <span>
#include <string>
#include <vector>

namespace treffpunkt::notifications {

/// One message to deliver: envelope recipient and the RFC 5322 bytes (CRLF line ends).
struct outgoing {
  std::string recipient;
  std::string data;
};

/// sent: accepted (SMTP 2xx, or in the Maildir). temporary: try again later (4xx, refused,
/// timeout, disk full). permanent: never try again (5xx).
enum class delivery_status { sent, temporary, permanent };

struct delivery {
  delivery_status status = delivery_status::sent;
  std::string detail;  ///< the server's reply or the error, for the outbox's last_error
};

/// Delivers batches. One sender is used by one thread at a time (the dispatcher's).
class mail_sender {
 public:
  virtual ~mail_sender() = default;
  /// One delivery per message, in order. A batch may reuse one connection.
  virtual std::vector<delivery> send(std::span<const outgoing> batch) = 0;
  /// Makes a send() in progress on another thread return soon, its messages not yet sent
  /// reported as temporary failures, and refuses sends (temporary) until resume(): a graceful
  /// stop must not wait for a server that accepted the connection and never answers. Safe to
  /// call from any thread.
  virtual void interrupt() {}
  /// Sends work again after interrupt().
  virtual void resume() {}
};

}  // namespace treffpunkt::notifications
