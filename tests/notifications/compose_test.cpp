// Message composition: headers that cannot be injected into, RFC 2047 names and subjects, the
// MIME structure, iMIP methods that agree, and texts in both languages.
#include <gtest/gtest.h>
#include <notifications/message.h>
#include <notifications/mime.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <random>

#include "mail_fixture.h"

namespace treffpunkt::notifications {
namespace {

using namespace testing;

/// The header block (up to the first empty line), unfolded lines kept as they are.
std::string headers_of(const std::string& message) {
  return message.substr(0, message.find("\r\n\r\n") + 2);
}

std::vector<std::string> lines_of(std::string_view s) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos < s.size()) {
    const std::size_t end = std::min(s.find("\r\n", pos), s.size());
    out.emplace_back(s.substr(pos, end - pos));
    pos = end + 2;
  }
  return out;
}

mail sample_mail() {
  return mail{.from = {"treffpunkt", "noreply@treffpunkt.example"},
              .to = {"Jürgen Müller", "juergen@example.org"},
              .subject = "Erinnerung: Grüße 🎉",
              .text = "Hallo",
              .html = "<p>Hallo</p>",
              .invitation = std::nullopt,
              .unsubscribe_url = "",
              .date = utc(2025, 11, 25, 19, 46, 46),
              .message_id = "m1@treffpunkt.example"};
}

TEST(MailHeaders, AddressesAreValidatedStrictly) {
  for (const char* ok : {"anna@example.org", "a.b+tag@sub.example.org", "x_y@ex-ample.de"}) {
    EXPECT_TRUE(valid_address(ok)) << ok;
  }
  for (const char* bad :
       {"", "anna", "@example.org", "anna@", "anna@localhost", "an na@example.org",
        "anna@example.org\r\nBcc: eve@example.org", "anna@example.org>", "<anna@example.org>",
        "anna..b@example.org", ".anna@example.org", "anna@-example.org", "anna@exa_mple.org",
        "jürgen@example.org", "a\"b@example.org", "anna@example.org,eve@example.org"}) {
    EXPECT_FALSE(valid_address(bad)) << bad;
  }
  EXPECT_FALSE(valid_address(std::string(65, 'a') + "@example.org"));
}

TEST(MailHeaders, CrLfInNamesAndSubjectsCannotInjectAHeader) {
  mail m = sample_mail();
  m.to.name = "Eve\r\nBcc: victim@example.org";
  m.from.name = "Evil\nX-Injected: 1";
  m.subject = "Hallo\r\nBcc: victim2@example.org\r\n\r\nbody";
  const auto rendered = render(m);
  ASSERT_TRUE(rendered) << rendered.error().message;
  for (const auto& line : lines_of(headers_of(*rendered))) {
    EXPECT_FALSE(line.starts_with("Bcc")) << line;
    EXPECT_FALSE(line.starts_with("X-Injected")) << line;
    EXPECT_EQ(line.find('\n'), std::string::npos);
    EXPECT_EQ(line.find('\r'), std::string::npos);
  }
  EXPECT_NE(rendered->find("Subject: Hallo  Bcc: victim2@example.org    body\r\n"),
            std::string::npos);
}

TEST(MailHeaders, ControlCharactersInAddressesAreRejected) {
  mail m = sample_mail();
  m.to.address = "juergen@example.org\r\nBcc: victim@example.org";
  const auto rendered = render(m);
  ASSERT_FALSE(rendered);
  EXPECT_EQ(rendered.error().code, errc::invalid_address);
  EXPECT_EQ(rendered.error().field, "to");
  m = sample_mail();
  m.from.address = "noreply@treffpunkt.example\n";
  EXPECT_EQ(render(m).error().field, "from");
}

TEST(MailHeaders, StripControlsRemovesEveryLineBreakKind) {
  EXPECT_EQ(strip_controls("a\r\nb\tc\x01"
                           "d\x7f"),
            "a  b cd");
  EXPECT_EQ(strip_controls("x\xc2\x85y"), "xy");                // NEL
  EXPECT_EQ(strip_controls("x\xe2\x80\xa8y"), "x y");           // LINE SEPARATOR
  EXPECT_EQ(strip_controls("Jürgen Müller"), "Jürgen Müller");  // letters stay
}

TEST(MailHeaders, NonAsciiNamesAndSubjectsAreEncodedWords) {
  const std::string name = format_mailbox({"Jürgen Müller", "juergen@example.org"}, 4);
  EXPECT_TRUE(name.starts_with("=?UTF-8?B?")) << name;
  EXPECT_TRUE(name.ends_with("?= <juergen@example.org>")) << name;
  EXPECT_EQ(format_mailbox({"Anna \"A\" Schmidt", "anna@example.org"}, 4),
            "\"Anna \\\"A\\\" Schmidt\" <anna@example.org>");
  EXPECT_EQ(format_mailbox({"", "anna@example.org"}, 4), "<anna@example.org>");
  EXPECT_EQ(encode_header_text("Plain subject", 9), "Plain subject");
  // ASCII that looks like an encoded-word is encoded, so that no reader decodes it.
  EXPECT_TRUE(encode_header_text("=?UTF-8?B?SGk=?=", 9).starts_with("=?UTF-8?B?"));
}

TEST(MailHeaders, LongUtf8SubjectsFoldWithinSeventySixOctetsAndNeverSplitACharacter) {
  std::string subject;
  for (int i = 0; i < 20; ++i) subject += "Grüße 🎉 Schüler*innen ";
  const std::string encoded = "Subject: " + encode_header_text(subject, 9);
  const auto lines = lines_of(encoded);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_LE(lines[i].size(), 76U) << lines[i];
    if (i > 0) {
      EXPECT_EQ(lines[i].front(), ' ');
    }
  }
  EXPECT_GT(lines.size(), 5U);
}

TEST(MailHeaders, DateIsRfc5322InUtc) {
  EXPECT_EQ(format_date(utc(2025, 11, 25, 19, 46, 46)), "Tue, 25 Nov 2025 19:46:46 +0000");
  EXPECT_EQ(format_date(utc(2026, 3, 1, 0, 0, 5)), "Sun, 1 Mar 2026 00:00:05 +0000");
}

TEST(MailHeaders, QuotedPrintableKeepsLinesShortAndEncodesTrailingSpace) {
  const std::string long_line(200, 'x');
  for (const auto& line : lines_of(quoted_printable(long_line + "\nä \n"))) {
    EXPECT_LE(line.size(), 76U);
  }
  EXPECT_EQ(quoted_printable("ä =\nend "), "=C3=A4 =3D\r\nend=20");
}

TEST(MailBodies, Base64LinesMatchRfc4648Vectors) {
  // RFC 4648 §10, each as a body: one line with its CRLF.
  EXPECT_EQ(base64_lines(""), "");
  EXPECT_EQ(base64_lines("f"), "Zg==\r\n");
  EXPECT_EQ(base64_lines("fo"), "Zm8=\r\n");
  EXPECT_EQ(base64_lines("foo"), "Zm9v\r\n");
  EXPECT_EQ(base64_lines("foob"), "Zm9vYg==\r\n");
  EXPECT_EQ(base64_lines("fooba"), "Zm9vYmE=\r\n");
  EXPECT_EQ(base64_lines("foobar"), "Zm9vYmFy\r\n");
}

TEST(MailBodies, Base64LinesAreSeventySixCharactersAndCoverEveryByte) {
  // Bytes 0..255 as Python's base64 module encodes them, in lines of 76 (RFC 2045 §6.8).
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  EXPECT_EQ(base64_lines(all),
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4\r\n"
            "OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3Bx\r\n"
            "cnN0dXZ3eHl6e3x9fn+AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmq\r\n"
            "q6ytrq+wsbKztLW2t7i5uru8vb6/wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t/g4eLj\r\n"
            "5OXm5+jp6uvs7e7v8PHy8/T19vf4+fr7/P3+/w==\r\n");
  // 57 bytes fill a line exactly; one more starts the next.
  EXPECT_EQ(base64_lines(std::string(57, '\0')), std::string(76, 'A') + "\r\n");
  EXPECT_EQ(base64_lines(std::string(58, '\0')), std::string(76, 'A') + "\r\nAA==\r\n");
  EXPECT_EQ(base64_lines(std::string(114, '\xFF')),
            std::string(76, '/') + "\r\n" + std::string(76, '/') + "\r\n");
}

TEST(MailBodies, QuotedPrintableEscapesWhatIsNotPlainAscii) {
  EXPECT_EQ(quoted_printable(""), "");
  EXPECT_EQ(quoted_printable("a=b"), "a=3Db");
  EXPECT_EQ(quoted_printable("Grüße"), "Gr=C3=BC=C3=9Fe");
  EXPECT_EQ(quoted_printable("tab\there"), "tab\there");
  EXPECT_EQ(quoted_printable(std::string("nul\0del\x7F", 8)), "nul=00del=7F");
  for (int b = 0; b < 256; ++b) {
    const auto c = static_cast<char>(b);
    if (c == '\n' || c == '\r') continue;
    const bool plain = (b >= 33 && b <= 126 && c != '=') || c == ' ' || c == '\t';
    std::array<char, 4> escaped{};
    std::snprintf(escaped.data(), escaped.size(), "=%02X", static_cast<unsigned>(b));
    // In the middle of a line, then at its end (where space and tab are escaped too).
    EXPECT_EQ(quoted_printable(std::string("x") + c + "y"),
              "x" + (plain ? std::string(1, c) : std::string(escaped.data())) + "y")
        << b;
    EXPECT_EQ(
        quoted_printable(std::string("x") + c),
        "x" + (plain && c != ' ' && c != '\t' ? std::string(1, c) : std::string(escaped.data())))
        << b;
  }
}

TEST(MailBodies, QuotedPrintableLineEndsAreCrLfAndTrailingWhitespaceIsEncoded) {
  EXPECT_EQ(quoted_printable("\n"), "\r\n");
  EXPECT_EQ(quoted_printable("a\nb"), "a\r\nb");
  EXPECT_EQ(quoted_printable("a\r\nb\r\n"), "a\r\nb\r\n");
  EXPECT_EQ(quoted_printable("a\n\n\nb"), "a\r\n\r\n\r\nb");
  EXPECT_EQ(quoted_printable("space \nand tab\t\r\nend "), "space=20\r\nand tab=09\r\nend=20");
  EXPECT_EQ(quoted_printable("two  \n"), "two =20\r\n");
  EXPECT_EQ(quoted_printable(" "), "=20");
  EXPECT_EQ(quoted_printable("a\r"), "a") << "a CR before the end of the text ends its line";
  EXPECT_EQ(quoted_printable("a\rb"), "a=0Db") << "a CR inside a line is no line end";
}

TEST(MailBodies, QuotedPrintableSoftBreaksKeepLinesAtSeventySixOctets) {
  const std::string x75(75, 'x');
  EXPECT_EQ(quoted_printable(x75), x75);
  EXPECT_EQ(quoted_printable(x75 + "x"), x75 + "=\r\nx");
  EXPECT_EQ(quoted_printable(x75 + x75), x75 + "=\r\n" + x75);
  EXPECT_EQ(quoted_printable(x75 + x75 + "y"), x75 + "=\r\n" + x75 + "=\r\ny");
  EXPECT_EQ(quoted_printable(x75 + "\n" + x75), x75 + "\r\n" + x75) << "a hard break resets";
  // An escape is never split: it moves to the next line whole.
  EXPECT_EQ(quoted_printable(std::string(73, 'x') + "ä"), std::string(73, 'x') + "=\r\n=C3=A4");
  EXPECT_EQ(quoted_printable(std::string(72, 'x') + "ä"), std::string(72, 'x') + "=C3=\r\n=A4");
  EXPECT_EQ(quoted_printable(std::string(74, 'x') + "="), std::string(74, 'x') + "=\r\n=3D");
  // A space that ends the line is escaped, and then may not fit.
  EXPECT_EQ(quoted_printable(x75 + " "), x75 + "=\r\n=20");
  EXPECT_EQ(quoted_printable(std::string(74, 'x') + " y"), std::string(74, 'x') + " =\r\ny");
  EXPECT_EQ(quoted_printable(std::string(72, 'x') + " "), std::string(72, 'x') + "=20");
  EXPECT_EQ(quoted_printable(std::string(73, 'x') + " "), std::string(73, 'x') + "=\r\n=20");
}

/// The text a quoted-printable body stands for, with CRLF read as "\n".
std::string decode_quoted_printable(std::string_view qp) {
  std::string out;
  for (std::size_t i = 0; i < qp.size(); ++i) {
    if (qp.substr(i, 3) == "=\r\n") {
      i += 2;
    } else if (qp[i] == '=') {
      out += static_cast<char>(std::stoi(std::string(qp.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else if (qp.substr(i, 2) == "\r\n") {
      out += '\n';
      ++i;
    } else {
      out += qp[i];
    }
  }
  return out;
}

TEST(MailBodies, QuotedPrintableRoundTripsRandomTextsInShortLines) {
  std::mt19937 rng(20261205);  // fixed: the same texts every run
  const std::array<std::string_view, 10> pieces{"a", " ", "\t", "=",    "\n",
                                                "ü", "🎉", ".",  "\x01", "Wort "};
  for (int round = 0; round < 2000; ++round) {
    std::string text;
    const auto length = rng() % 120;
    for (std::size_t k = 0; k < length; ++k) text += pieces.at(rng() % pieces.size());
    const std::string encoded = quoted_printable(text);
    EXPECT_EQ(decode_quoted_printable(encoded), text) << text;
    for (const auto& line : lines_of(encoded)) {
      EXPECT_LE(line.size(), 76U) << text;
      EXPECT_FALSE(line.ends_with(' ') || line.ends_with('\t')) << text;
    }
  }
}

TEST(MailCompose, RendersHeadersAndMultipartAlternative) {
  mail m = sample_mail();
  m.unsubscribe_url = "https://treffpunkt.example/u/1";
  const std::string out = render(m).value();
  const std::string headers = headers_of(out);
  EXPECT_NE(headers.find("Date: Tue, 25 Nov 2025 19:46:46 +0000\r\n"), std::string::npos);
  EXPECT_NE(headers.find("Message-ID: <m1@treffpunkt.example>\r\n"), std::string::npos);
  EXPECT_NE(headers.find("MIME-Version: 1.0\r\n"), std::string::npos);
  EXPECT_NE(headers.find("List-Unsubscribe: <https://treffpunkt.example/u/1>\r\n"),
            std::string::npos);
  EXPECT_NE(headers.find("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"),
            std::string::npos);
  EXPECT_NE(headers.find("Content-Type: multipart/alternative;"), std::string::npos);
  EXPECT_NE(out.find("Content-Type: text/plain; charset=utf-8"), std::string::npos);
  EXPECT_NE(out.find("Content-Type: text/html; charset=utf-8"), std::string::npos);
  EXPECT_EQ(out.find("text/calendar"), std::string::npos);
  for (const auto& line : lines_of(out)) EXPECT_LE(line.size(), 998U);
  EXPECT_EQ(render(m).value(), out);  // deterministic
}

TEST(MailCompose, HttpUnsubscribeUrlHasNoOneClickHeader) {
  // RFC 8058 §3.1: one-click POST only to https; an http link (the demo) is still listed.
  mail m = sample_mail();
  m.unsubscribe_url = "http://127.0.0.1:8080/unsubscribe/abc";
  const std::string headers = headers_of(render(m).value());
  EXPECT_NE(headers.find("List-Unsubscribe: <http://127.0.0.1:8080/unsubscribe/abc>\r\n"),
            std::string::npos);
  EXPECT_EQ(headers.find("List-Unsubscribe-Post"), std::string::npos);
}

TEST(MailCompose, UnsubscribeUrlMustBeAPlainHttpUrl) {
  mail m = sample_mail();
  for (const char* bad : {"ftp://treffpunkt.example/u/1", "mailto:x@example.org", "https://",
                          "http://", "https://treffpunkt.example/u/1>\r\nBcc: x@example.org",
                          "https://treffpunkt.example/u 1"}) {
    m.unsubscribe_url = bad;
    EXPECT_EQ(render(m).error().field, "unsubscribe") << bad;
  }
}

TEST(MailCompose, InvalidUtf8IsRefused) {
  mail m = sample_mail();
  m.subject =
      "Gr\xfc\xdf"
      "e";  // Latin-1, not UTF-8
  EXPECT_EQ(render(m).error().code, errc::invalid_value);
}

TEST(MailCompose, ConfirmationCarriesACalendarPartWhoseMethodMatches) {
  const auto out = compose(message_kind::rsvp_confirmation, language::de, sample_facts(),
                           sample_envelope(), invitation(calendar::imip_method::request));
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_NE(out->find("Content-Type: text/calendar; charset=utf-8; method=REQUEST\r\n"),
            std::string::npos);
  EXPECT_EQ(out->find("List-Unsubscribe"), std::string::npos);  // asked for: no unsubscribe
}

/// The bytes a base64 body (lines ending in CRLF) stands for.
std::string decode_base64(std::string_view b64) {
  constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::uint32_t bits = 0;
  int count = 0;
  for (const char c : b64) {
    const std::size_t v = alphabet.find(c);
    if (v == std::string_view::npos) continue;  // CRLF and padding
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  return out;
}

/// The body of the part whose Content-Type starts with `type`, up to the next boundary.
std::string part_body(const std::string& message, std::string_view type) {
  const std::size_t header = message.find("Content-Type: " + std::string(type));
  const std::size_t start = message.find("\r\n\r\n", header) + 4;
  const std::size_t end = message.find("\r\n--=_treffpunkt_", start);
  return message.substr(start, end - start);
}

TEST(MailCompose, ConfirmationPartsDecodeToTheTextsAndTheInvitation) {
  const auto inv = invitation(calendar::imip_method::request);
  const auto out = compose(message_kind::rsvp_confirmation, language::de, sample_facts(),
                           sample_envelope(), inv);
  ASSERT_TRUE(out) << out.error().message;
  const texts t = write_texts(message_kind::rsvp_confirmation, language::de, sample_facts(),
                              sample_envelope().to.name);
  // The bodies end in one CRLF of their own (texts end in "\n"), then the boundary line.
  EXPECT_EQ(decode_quoted_printable(part_body(*out, "text/plain")) + "\n", t.text);
  EXPECT_EQ(decode_quoted_printable(part_body(*out, "text/html")) + "\n", t.html);
  const std::string ics = part_body(*out, "text/calendar");
  EXPECT_EQ(decode_base64(ics), inv.ics);
  for (const auto& line : lines_of(ics + "\r\n")) EXPECT_LE(line.size(), 76U);
  EXPECT_GT(inv.ics.size(), 57U * 10) << "the invitation takes many base64 lines";
}

TEST(MailCompose, KindsThatNeedAnInvitationRefuseTheWrongMethod) {
  EXPECT_EQ(compose(message_kind::cancelled, language::de, sample_facts(), sample_envelope(),
                    invitation(calendar::imip_method::request))
                .error()
                .code,
            errc::method_mismatch);
  EXPECT_EQ(
      compose(message_kind::rsvp_confirmation, language::de, sample_facts(), sample_envelope())
          .error()
          .code,
      errc::invalid_value);
  // A part that claims CANCEL but carries a REQUEST is caught too.
  calendar_part lying = invitation(calendar::imip_method::request);
  lying.method = calendar::imip_method::cancel;
  EXPECT_EQ(compose(message_kind::cancelled, language::de, sample_facts(), sample_envelope(), lying)
                .error()
                .code,
            errc::method_mismatch);
}

TEST(MailCompose, RemindersAndNoticesNeedOneClickUnsubscribe) {
  envelope env = sample_envelope();
  env.unsubscribe_url.clear();
  EXPECT_FALSE(compose(message_kind::reminder, language::de, sample_facts(), env));
  const auto reminder =
      compose(message_kind::reminder, language::de, sample_facts(), sample_envelope());
  ASSERT_TRUE(reminder);
  EXPECT_NE(reminder->find("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), std::string::npos);
  const auto login =
      compose(message_kind::login_link, language::de, sample_facts(), sample_envelope());
  ASSERT_TRUE(login);
  EXPECT_EQ(login->find("List-Unsubscribe"), std::string::npos);
  // A question to a responsible comes with their role: no List-Unsubscribe either.
  const auto question =
      compose(message_kind::series_confirmation, language::de, sample_facts(), sample_envelope());
  ASSERT_TRUE(question);
  EXPECT_EQ(question->find("List-Unsubscribe"), std::string::npos);
  EXPECT_EQ(question->find("text/calendar"), std::string::npos);
}

TEST(MailCompose, EveryKindHasGermanAndEnglishTextsWithAllPlaceholdersFilled) {
  for (int k = 0; k <= static_cast<int>(last_message_kind); ++k) {
    const auto kind = static_cast<message_kind>(k);
    for (const auto lang : {language::de, language::en}) {
      const texts t = write_texts(kind, lang, sample_facts(lang), "Jürgen");
      EXPECT_FALSE(t.subject.empty());
      for (const std::string* s : {&t.subject, &t.text, &t.html}) {
        EXPECT_EQ(s->find('{'), std::string::npos) << kind_name(kind) << ": " << *s;
      }
      EXPECT_NE(t.text.find(lang == language::de ? "Hallo Jürgen," : "Hello Jürgen,"),
                std::string::npos);
      EXPECT_NE(t.html.find(lang == language::de ? "lang=\"de\"" : "lang=\"en\""),
                std::string::npos);
    }
  }
}

TEST(MailCompose, ResponsiblesMessageCarriesTheirSubjectWithoutHeaderInjection) {
  facts f = sample_facts();
  EXPECT_EQ(write_texts(message_kind::responsibles_message, language::de, f, "Jürgen").subject,
            "Raumänderung – " + f.event_title + ", " + f.when);
  f.subject = "Hallo\r\nBcc: alle@example.org";
  const auto m = compose(message_kind::responsibles_message, language::de, f, sample_envelope());
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->find("\r\nBcc:"), std::string::npos);
}

TEST(MailCompose, HtmlEscapesEverythingThatComesFromPeople) {
  facts f = sample_facts();
  f.event_title = "<script>alert(1)</script>";
  const texts t = write_texts(message_kind::responsibles_message, language::de, f, "<b>Eve</b>");
  EXPECT_EQ(t.html.find("<script>"), std::string::npos);
  EXPECT_EQ(t.html.find("<b>Eve"), std::string::npos);
  EXPECT_NE(t.html.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(t.html.find("Bitte bringt &lt;Snacks&gt; mit &amp; gute Laune.<br>"),
            std::string::npos);
  EXPECT_NE(t.text.find("Bitte bringt <Snacks> mit & gute Laune.\nBis bald!"), std::string::npos);
}

TEST(MailCompose, LinksMustBeWebLinks) {
  facts f = sample_facts();
  f.link = "javascript:alert(1)";
  EXPECT_EQ(compose(message_kind::login_link, language::de, f, sample_envelope()).error().field,
            "link");
}

TEST(MailCompose, WhenIsWrittenAsPeopleReadIt) {
  EXPECT_EQ(format_when(local(2025, 12, 2, 19), false, language::de),
            "Dienstag, 2. Dezember 2025, 19:00 Uhr");
  EXPECT_EQ(format_when(local(2025, 12, 2, 19, 30), false, language::en),
            "Tuesday, 2 December 2025, 7:30 pm");
  EXPECT_EQ(format_when(local(2026, 3, 1), true, language::de), "Sonntag, 1. März 2026");
  EXPECT_EQ(format_when(local(2026, 3, 1, 0, 5), false, language::en),
            "Sunday, 1 March 2026, 12:05 am");
}

}  // namespace
}  // namespace treffpunkt::notifications
