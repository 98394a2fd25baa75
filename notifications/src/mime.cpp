#include <date/date.h>
#include <notifications/mime.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace treffpunkt::notifications {
namespace {

constexpr std::string_view crlf = "\r\n";

bool is_atext(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

/// RFC 5322 §3.2.3 dot-atom: atext runs separated by single dots.
bool is_dot_atom(std::string_view s) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  char previous = 0;
  for (const char c : s) {
    if (c == '.') {
      if (previous == '.') return false;
    } else if (!is_atext(c)) {
      return false;
    }
    previous = c;
  }
  return true;
}

/// RFC 1035 §2.3.1 labels (letters, digits, hyphens inside), at least two of them.
bool is_domain(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  int labels = 0;
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t dot = std::min(s.find('.', start), s.size());
    const std::string_view label = s.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (const char c : label) {
      const bool ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) return false;
    }
    ++labels;
    start = dot + 1;
  }
  return labels >= 2;
}

bool is_printable_ascii(std::string_view s) {
  return std::ranges::all_of(s, [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x20 && u <= 0x7e;
  });
}

constexpr std::string_view base64_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// The two characters of every 12-bit value: two lookups write the four characters of three
/// bytes.
constexpr std::array<char, 2 * 4096> base64_pairs = [] {
  std::array<char, 2 * 4096> t{};
  for (std::size_t v = 0; v < 4096; ++v) {
    t[2 * v] = base64_alphabet[v >> 6];
    t[2 * v + 1] = base64_alphabet[v & 63];
  }
  return t;
}();

/// Writes the base64 of `bytes` (RFC 4648 §4, with padding) to `out`, which has room for
/// base64_size(bytes.size()) characters; returns the end of what it wrote. No bounds checks
/// or reallocation per character: this encodes every calendar attachment.
char* base64_to(std::string_view bytes, char* out) {
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t whole = bytes.size() / 3 * 3;
  for (std::size_t i = 0; i < whole; i += 3) {
    const std::uint32_t v =
        (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8) | in[i + 2];
    std::memcpy(out, &base64_pairs[2 * (v >> 12)], 2);
    std::memcpy(out + 2, &base64_pairs[2 * (v & 0xFFF)], 2);
    out += 4;
  }
  const std::size_t rest = bytes.size() - whole;
  if (rest != 0) {
    const std::uint32_t v =
        (std::uint32_t{in[whole]} << 16) | (rest == 2 ? std::uint32_t{in[whole + 1]} << 8 : 0);
    out[0] = base64_alphabet[(v >> 18) & 63];
    out[1] = base64_alphabet[(v >> 12) & 63];
    out[2] = rest == 2 ? base64_alphabet[(v >> 6) & 63] : '=';
    out[3] = '=';
    out += 4;
  }
  return out;
}

constexpr std::size_t base64_size(std::size_t bytes) { return (bytes + 2) / 3 * 4; }

std::string base64(std::string_view bytes) {
  std::string out(base64_size(bytes.size()), '\0');
  base64_to(bytes, out.data());
  return out;
}

/// The bytes quoted_printable writes as they are (RFC 2045 §6.7 rules 2 and 3): printable
/// ASCII but "=", and space and tab, which are escaped only at the end of a line.
constexpr std::array<bool, 256> qp_plain = [] {
  std::array<bool, 256> t{};
  for (std::size_t c = 33; c <= 126; ++c) t[c] = true;
  t['='] = false;
  t[' '] = true;
  t['\t'] = true;
  return t;
}();

/// The longest prefix of `text` of at most `max` octets that ends on a UTF-8 boundary.
std::size_t utf8_cut(std::string_view text, std::size_t max) {
  if (max >= text.size()) return text.size();
  std::size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return cut;
}

/// The METHOD property of an iCalendar object, or empty.
std::string_view ics_method(std::string_view ics) {
  std::size_t pos = 0;
  while (pos < ics.size()) {
    const std::size_t end = std::min(ics.find('\n', pos), ics.size());
    std::string_view line = ics.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.starts_with("METHOD:")) return line.substr(7);
    pos = end + 1;
  }
  return {};
}

bool valid_message_id(std::string_view id) {
  const std::size_t at = id.find('@');
  if (at == std::string_view::npos || id.size() > 250) return false;
  return is_dot_atom(id.substr(0, at)) && is_domain(id.substr(at + 1));
}

bool valid_unsubscribe_url(std::string_view url) {
  const std::size_t scheme = url.starts_with("https://") ? 8 : url.starts_with("http://") ? 7 : 0;
  if (scheme == 0 || url.size() <= scheme || url.size() > 2000) return false;
  if (!is_printable_ascii(url)) return false;
  return url.find_first_of(" <>\"") == std::string_view::npos;
}

/// FNV-1a, for a boundary that is the same for the same message.
std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 14695981039346656037ULL;
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

void append_header(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  out += value;
  out += crlf;
}

}  // namespace

bool valid_address(std::string_view address) {
  if (address.size() > 254) return false;
  const std::size_t at = address.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64) return false;
  return is_dot_atom(address.substr(0, at)) && is_domain(address.substr(at + 1));
}

std::string strip_controls(std::string_view text) {
  // Names and subjects seldom hold anything to strip: copied whole when no byte is a control
  // or can start one of the sequences below.
  const bool clean = std::ranges::none_of(text, [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c < 0x20 || c == 0x7f || c == 0xC2 || c == 0xE2;
  });
  if (clean) return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\r' || c == '\n' || c == '\t') {
      out += ' ';
    } else if (c < 0x20 || c == 0x7f) {
      continue;
    } else if (c == 0xC2 && i + 1 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
               static_cast<unsigned char>(text[i + 1]) <= 0x9f) {
      ++i;  // C1 control (U+0080..U+009F), e.g. NEL, which some readers take as a line end
    } else if (c == 0xE2 && i + 2 < text.size() &&
               static_cast<unsigned char>(text[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(text[i + 2]) == 0xA8 ||
                static_cast<unsigned char>(text[i + 2]) == 0xA9)) {
      out += ' ';  // U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR
      i += 2;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string encode_header_text(std::string_view text, std::size_t used) {
  std::string out;
  // Plain ASCII that cannot be mistaken for an encoded-word: folded at spaces (RFC 5322 §2.2.3).
  if (is_printable_ascii(text) && text.find("=?") == std::string_view::npos) {
    std::size_t line = used;
    std::size_t pos = 0;
    bool first = true;
    while (pos <= text.size()) {
      const std::size_t space = std::min(text.find(' ', pos), text.size());
      const std::string_view word = text.substr(pos, space - pos);
      if (!first) {
        if (line + 1 + word.size() > 78 && line > 1) {
          out += "\r\n";
          line = 0;
        }
        out += ' ';
        ++line;
      }
      out += word;
      line += word.size();
      first = false;
      pos = space + 1;
    }
    return out;
  }
  // RFC 2047 §2: an encoded-word is at most 75 octets, a line holding one at most 76.
  constexpr std::size_t overhead = 12;  // "=?UTF-8?B?" and "?="
  std::size_t avail = used + overhead + 4 <= 76 ? 76 - used - overhead : 0;
  bool fold = avail == 0;  // no room left on the header's first line
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (fold) {
      out += "\r\n ";
      avail = 75 - overhead;
    }
    std::size_t take = utf8_cut(text.substr(pos), avail / 4 * 3);
    if (take == 0) take = std::min<std::size_t>(4, text.size() - pos);  // never loop forever
    out += "=?UTF-8?B?";
    out += base64(text.substr(pos, take));
    out += "?=";
    pos += take;
    fold = true;
  }
  return out;
}

std::string format_mailbox(const mailbox& m, std::size_t used) {
  const std::string name = strip_controls(m.name);
  if (name.empty()) return "<" + m.address + ">";
  std::string phrase;
  if (is_printable_ascii(name) && name.find("=?") == std::string::npos) {
    phrase = "\"";
    for (const char c : name) {
      if (c == '"' || c == '\\') phrase += '\\';
      phrase += c;
    }
    phrase += '"';
  } else {
    phrase = encode_header_text(name, used);
  }
  return phrase + " <" + m.address + ">";
}

std::string quoted_printable(std::string_view text) {
  static constexpr std::string_view hex = "0123456789ABCDEF";
  // A soft line break "=" keeps every line at 76 octets at most (RFC 2045 §6.7 rule 5): at
  // most 75 octets of content before it.
  constexpr std::size_t max_length = 75;
  std::string out;
  out.reserve(text.size() * 11 / 10);
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::size_t length = 0;
    std::size_t i = 0;
    while (i < line.size()) {
      // A run of bytes written as they are goes in at once, up to where the line is full.
      std::size_t run = i;
      while (run < line.size() && qp_plain[static_cast<unsigned char>(line[run])]) ++run;
      if (run == line.size() && run > i && (line.back() == ' ' || line.back() == '\t')) --run;
      while (i < run) {
        if (length == max_length) {
          out += "=\r\n";
          length = 0;
        }
        const std::size_t take = std::min(run - i, max_length - length);
        out.append(line.data() + i, take);
        i += take;
        length += take;
      }
      if (i == line.size()) break;
      const auto c = static_cast<unsigned char>(line[i]);
      if (length + 3 > max_length) {
        out += "=\r\n";
        length = 0;
      }
      const std::array<char, 3> escaped{'=', hex[c >> 4], hex[c & 15]};
      out.append(escaped.data(), escaped.size());
      length += 3;
      ++i;
    }
    if (end == text.size()) break;
    out += crlf;
    pos = end + 1;
  }
  return out;
}

std::string base64_lines(std::string_view bytes) {
  // 57 bytes make one full line of 76 characters (RFC 2045 §6.8), so each line is encoded
  // straight into its place and nothing is copied twice.
  constexpr std::size_t line_bytes = 57;
  const std::size_t lines = (bytes.size() + line_bytes - 1) / line_bytes;
  std::string out(base64_size(bytes.size()) + lines * crlf.size(), '\0');
  char* at = out.data();
  for (std::size_t i = 0; i < bytes.size(); i += line_bytes) {
    at = base64_to(bytes.substr(i, line_bytes), at);
    *at++ = '\r';
    *at++ = '\n';
  }
  return out;
}

std::string format_date(calendar::utc_seconds t) {
  static constexpr std::array<const char*, 7> weekdays{"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto day = date::floor<date::days>(t);
  const date::year_month_day ymd(day);
  const date::hh_mm_ss hms(t - day);
  const date::weekday wd(day);
  std::array<char, 64> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%s, %u %s %d %02d:%02d:%02d +0000",
                weekdays[wd.c_encoding()], static_cast<unsigned>(ymd.day()),
                months[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buffer.data();
}

result<std::string> render(const mail& m) {
  if (!valid_address(m.from.address)) {
    return error{errc::invalid_address, "invalid sender address", "from"};
  }
  if (!valid_address(m.to.address)) {
    return error{errc::invalid_address, "invalid recipient address", "to"};
  }
  for (const auto& [field, text] :
       {std::pair<std::string_view, std::string_view>{"from", m.from.name},
        {"to", m.to.name},
        {"subject", m.subject},
        {"text", m.text},
        {"html", m.html}}) {
    if (!valid_utf8(text)) return error{errc::invalid_value, "not UTF-8", std::string(field)};
  }
  if (!valid_message_id(m.message_id)) {
    return error{errc::invalid_value, "invalid Message-ID", "message_id"};
  }
  if (!m.unsubscribe_url.empty() && !valid_unsubscribe_url(m.unsubscribe_url)) {
    return error{errc::invalid_value, "the unsubscribe URL must be a plain http(s) URL",
                 "unsubscribe"};
  }
  if (m.invitation) {
    const std::string_view want = calendar::method_name(m.invitation->method);
    if (ics_method(m.invitation->ics) != want || !valid_utf8(m.invitation->ics)) {
      return error{errc::method_mismatch, "the calendar part's METHOD is not " + std::string(want),
                   "invitation"};
    }
  }

  std::array<char, 17> hash{};
  std::snprintf(hash.data(), hash.size(), "%016llx",
                static_cast<unsigned long long>(fnv1a(m.message_id)));
  // "=_" never occurs in quoted-printable or base64 output, so no body can contain the boundary.
  const std::string boundary = std::string("=_treffpunkt_") + hash.data();

  std::string out;
  out.reserve(m.text.size() * 2 + m.html.size() * 2 + 1024 +
              (m.invitation ? m.invitation->ics.size() * 2 : 0));
  append_header(out, "Date", format_date(m.date));
  append_header(out, "From", format_mailbox(m.from, 6));
  append_header(out, "To", format_mailbox(m.to, 4));
  append_header(out, "Subject", encode_header_text(strip_controls(m.subject), 9));
  append_header(out, "Message-ID", "<" + m.message_id + ">");
  append_header(out, "MIME-Version", "1.0");
  if (!m.unsubscribe_url.empty()) {
    append_header(out, "List-Unsubscribe", "<" + m.unsubscribe_url + ">");
    // RFC 8058 §3.1: one-click only for an https URI. An http one (a demo on 127.0.0.1) is
    // still a link to follow (RFC 2369), but no mail client may POST to it unasked.
    if (m.unsubscribe_url.starts_with("https://")) {
      append_header(out, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
    }
  }
  append_header(out, "Auto-Submitted", "auto-generated");  // RFC 3834 §5: no auto-replies
  append_header(out, "Content-Type", "multipart/alternative; boundary=\"" + boundary + "\"");
  out += crlf;

  const auto part = [&](std::string_view type, std::string_view encoding, std::string_view body) {
    out += "--";
    out += boundary;
    out += crlf;
    append_header(out, "Content-Type", type);
    append_header(out, "Content-Transfer-Encoding", encoding);
    out += crlf;
    out += body;
    if (!body.ends_with(crlf)) out += crlf;
  };
  part("text/plain; charset=utf-8", "quoted-printable", quoted_printable(m.text));
  part("text/html; charset=utf-8", "quoted-printable", quoted_printable(m.html));
  if (m.invitation) {
    // RFC 6047 §2.4: the part's method parameter equals the METHOD property inside.
    part("text/calendar; charset=utf-8; method=" +
             std::string(calendar::method_name(m.invitation->method)),
         "base64", base64_lines(m.invitation->ics));
  }
  out += "--";
  out += boundary;
  out += "--";
  out += crlf;
  return out;
}

}  // namespace treffpunkt::notifications
