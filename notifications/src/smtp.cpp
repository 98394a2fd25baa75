#include <curl/curl.h>
#include <notifications/smtp.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/algorithm/string/classification.hpp>  // is_any_of
#include <boost/algorithm/string/trim.hpp>
#include <cstring>
#include <mutex>
#include <stdexcept>

namespace treffpunkt::notifications {
namespace {

/// The message being uploaded: libcurl pulls it in chunks through read_callback.
struct upload {
  std::string_view data;
  std::size_t offset = 0;
};

std::size_t read_callback(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* u = static_cast<upload*>(user);
  const std::size_t n = std::min(size * count, u->data.size() - u->offset);
  std::memcpy(buffer, u->data.data() + u->offset, n);
  u->offset += n;
  return n;
}

/// What the server said during one message (CURLINFO_HEADER_IN carries SMTP replies): the
/// last line, and the first 4xx/5xx line, which names the reason (later ones are QUIT's).
struct replies {
  std::string last;
  std::string first_error;
};

int debug_callback(CURL* /*handle*/, curl_infotype type, char* data, std::size_t size, void* user) {
  if (type != CURLINFO_HEADER_IN) return 0;
  std::string_view line(data, size);
  line = boost::algorithm::trim_right_copy_if(line, boost::algorithm::is_any_of("\r\n"));
  if (line.empty()) return 0;
  auto* r = static_cast<replies*>(user);
  r->last = std::string(line.substr(0, 500));
  if (r->first_error.empty() && (line.front() == '4' || line.front() == '5')) {
    r->first_error = r->last;
  }
  return 0;
}

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw std::runtime_error("curl_global_init failed");
    }
  });
}

std::string angle(std::string_view address) { return "<" + std::string(address) + ">"; }

/// Called by libcurl during a transfer, also while it waits for a reply (about once a
/// second then); a non-zero return aborts it with CURLE_ABORTED_BY_CALLBACK.
int progress_callback(void* user, curl_off_t /*dltotal*/, curl_off_t /*dlnow*/,
                      curl_off_t /*ultotal*/, curl_off_t /*ulnow*/) {
  return static_cast<const std::atomic<bool>*>(user)->load(std::memory_order_relaxed) ? 1 : 0;
}

}  // namespace

struct smtp_sender::impl {
  smtp_config config;
  CURL* handle = nullptr;
  replies reply;
  std::array<char, CURL_ERROR_SIZE> error_buffer{};
  /// Set by interrupt() from another thread; read by progress_callback.
  std::atomic<bool> interrupted{false};

  explicit impl(smtp_config c) : config(std::move(c)) {
    global_init();
    handle = curl_easy_init();
    if (handle == nullptr) throw std::runtime_error("curl_easy_init failed");
  }
  ~impl() { curl_easy_cleanup(handle); }
  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;

  delivery send_one(const outgoing& m);
};

delivery smtp_sender::impl::send_one(const outgoing& m) {
  // Options are set for each message; the handle keeps its connection cache, so consecutive
  // messages to the same server reuse one connection (a new MAIL FROM on it).
  if (interrupted.load()) return delivery{delivery_status::temporary, "sending was interrupted"};
  CURL* h = handle;
  upload body{m.data, 0};
  curl_slist* recipients = curl_slist_append(nullptr, angle(m.recipient).c_str());
  reply = {};
  error_buffer[0] = '\0';
  const std::string from = angle(config.mail_from);
  curl_easy_setopt(h, CURLOPT_URL, config.url.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, recipients);
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(h, CURLOPT_READFUNCTION, read_callback);
  curl_easy_setopt(h, CURLOPT_READDATA, &body);
  curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(m.data.size()));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // never SIGALRM on the dispatcher thread
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, static_cast<long>(config.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT, static_cast<long>(config.timeout.count()));
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, progress_callback);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &interrupted);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer.data());
  curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);  // needed for the debug callback, which logs nothing
  curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, debug_callback);
  curl_easy_setopt(h, CURLOPT_DEBUGDATA, &reply);
  const long use_ssl = config.starttls == smtp_config::tls::required        ? CURLUSESSL_ALL
                       : config.starttls == smtp_config::tls::opportunistic ? CURLUSESSL_TRY
                                                                            : CURLUSESSL_NONE;
  curl_easy_setopt(h, CURLOPT_USE_SSL, use_ssl);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, config.verify_peer ? 1L : 0L);
  curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, config.verify_peer ? 2L : 0L);
  if (!config.user.empty()) curl_easy_setopt(h, CURLOPT_USERNAME, config.user.c_str());
  if (!config.password.empty()) curl_easy_setopt(h, CURLOPT_PASSWORD, config.password.c_str());

  const CURLcode rc = curl_easy_perform(h);
  curl_slist_free_all(recipients);
  long code = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);

  if (rc == CURLE_OK) return delivery{delivery_status::sent, reply.last};
  std::string detail = error_buffer[0] != '\0' ? error_buffer.data() : curl_easy_strerror(rc);
  if (!reply.first_error.empty()) detail += " (server: " + reply.first_error + ")";
  // A refused or missing AUTH (RFC 4954 §6: 530, 534, 535, 538) is the configuration's fault,
  // not the message's: keep it for a retry once the admin has fixed it.
  const bool auth_problem =
      rc == CURLE_LOGIN_DENIED || code == 530 || code == 534 || code == 535 || code == 538;
  const bool permanent = code >= 500 && code < 600 && !auth_problem;
  return delivery{permanent ? delivery_status::permanent : delivery_status::temporary, detail};
}

smtp_sender::smtp_sender(smtp_config config) : impl_(std::make_unique<impl>(std::move(config))) {}
smtp_sender::~smtp_sender() = default;

void smtp_sender::interrupt() { impl_->interrupted.store(true); }
void smtp_sender::resume() { impl_->interrupted.store(false); }

std::vector<delivery> smtp_sender::send(std::span<const outgoing> batch) {
  std::vector<delivery> out;
  out.reserve(batch.size());
  for (const auto& m : batch) out.push_back(impl_->send_one(m));
  return out;
}

}  // namespace treffpunkt::notifications
