#pragma once
/// RFC 5322 / MIME message writing: encoded headers, quoted-printable and base64 bodies, and
/// the checks that keep a name, subject or address from injecting a header. Pure functions;
/// no clock is read (the Date is passed in), so the same input gives the same bytes.

#include <calendar/ical_writer.h>  // imip_method
#include <calendar/text.h>         // valid_utf8
#include <calendar/time.h>
#include <notifications/error.h>

#include <optional>
#include <string>
#include <string_view>

namespace treffpunkt::notifications {

/// A display name and an address, as in `"Jürgen Müller" <juergen@example.org>`.
struct mailbox {
  std::string name;  ///< may be empty; any UTF-8; control characters are stripped
  std::string address;
};

/// An iMIP body (RFC 6047): what calendar::write_imip wrote, and the method it was asked for.
struct calendar_part {
  calendar::imip_method method = calendar::imip_method::request;
  std::string ics;
};

/// Everything that goes into one message, already in the recipient's language.
struct mail {
  mailbox from;
  mailbox to;
  std::string subject;
  std::string text;  ///< text/plain body, UTF-8, "\n" line ends
  std::string html;  ///< text/html body, UTF-8, a complete document
  std::optional<calendar_part> invitation;
  /// The unsubscribe URL (List-Unsubscribe, RFC 2369), http or https; an https one also gets
  /// List-Unsubscribe-Post (RFC 8058 one-click). Empty for messages that need none (login
  /// links, confirmations the recipient asked for).
  std::string unsubscribe_url;
  calendar::utc_seconds date{};
  /// "local@domain" without the angle brackets; unique per message (e.g. from the outbox
  /// dedupe key), so a retried message keeps its Message-ID.
  std::string message_id;
};

/// True for a plain addr-spec we are willing to send to: ASCII, one `@`, a dot-atom local part
/// of at most 64 octets, a domain of LDH labels with a dot, at most 254 octets in all.
bool valid_address(std::string_view address);

/// calendar::valid_utf8, under the name server/ knows: well-formed UTF-8 (RFC 3629: no
/// overlong forms, no surrogates, nothing above U+10FFFF).
using calendar::valid_utf8;

/// `text` with every control character (C0, DEL, C1) removed; CR, LF and TAB become one space
/// each. What is left cannot end a header line.
std::string strip_controls(std::string_view text);

/// RFC 2047 encoded-words (`=?UTF-8?B?...?=`, each at most 75 octets, never splitting a UTF-8
/// sequence) for an unstructured header value, folded with CRLF SP; plain ASCII stays as is.
/// `used` is the length of the header name and ": " already on the line.
std::string encode_header_text(std::string_view text, std::size_t used);

/// A mailbox as a header value: `Name <addr>` with the name quoted or encoded as needed.
std::string format_mailbox(const mailbox& m, std::size_t used);

/// RFC 2045 §6.7 quoted-printable with CRLF line ends and lines of at most 76 octets.
std::string quoted_printable(std::string_view text);

/// RFC 2045 §6.8 base64 in lines of 76 characters with CRLF.
std::string base64_lines(std::string_view bytes);

/// The RFC 5322 §3.3 date-time, always in UTC: "Wed, 25 Nov 2026 19:46:46 +0000".
std::string format_date(calendar::utc_seconds t);

/// The message as it goes over SMTP (CRLF line ends): headers, then multipart/alternative
/// with text/plain, text/html and, for an invitation, text/calendar with `method=` equal to
/// the METHOD inside. Errors: invalid_address (field "from"/"to"), invalid_value (texts that
/// are not UTF-8, an unsubscribe URL that is not http(s), a bad Message-ID), method_mismatch.
result<std::string> render(const mail& m);

}  // namespace treffpunkt::notifications
