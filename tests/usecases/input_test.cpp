// What people type, checked alike by the API and the pages (usecases/input.h).
#include <gtest/gtest.h>
#include <usecases/input.h>

#include <string>

namespace treffpunkt::usecases {
namespace {

TEST(Input, GuestNamesAreOneLineOfOneToAHundredCharacters) {
  EXPECT_EQ(guest_name("  Gast Müller \t"), "Gast Müller");
  EXPECT_EQ(guest_name(std::string(100, 'a')), std::string(100, 'a'));
  EXPECT_EQ(guest_name(std::string("a\0b", 3)), std::nullopt);
  for (const std::string& bad :
       {std::string(), std::string("  "), std::string(101, 'a'), std::string("a\nb"),
        std::string("a\rb"), std::string("a\tb"), std::string("a\u2028b"),
        std::string("a\xC2\x85"
                    "b"),
        std::string("\xFF")}) {
    EXPECT_EQ(guest_name(bad), std::nullopt) << bad;
  }
  // A hundred characters, not bytes: umlauts count once.
  std::string umlauts;
  for (int i = 0; i < 100; ++i) umlauts += "ü";
  EXPECT_EQ(guest_name(umlauts), umlauts);
}

TEST(Input, AddressesAreTrimmedLowerCasedPlainAscii) {
  EXPECT_EQ(email_address(" Gast.Mueller@Example.org "), "gast.mueller@example.org");
  for (const std::string_view bad :
       {"", "gast", "gast@", "@example.org", "a b@example.org", "gäst@example.org",
        "gast@example.org\r\nBcc: x@y.org", "<gast@example.org>"}) {
    EXPECT_EQ(email_address(bad), std::nullopt) << bad;
  }
}

TEST(Input, ASubjectIsOneLineOfAtMostTwoHundredCharacters) {
  EXPECT_EQ(message_subject("  Raumwechsel  ").value(), "Raumwechsel");
  EXPECT_EQ(message_subject("").error().code, errc::required);
  EXPECT_EQ(message_subject("   ").error().code, errc::required);
  EXPECT_EQ(message_subject(" \t ").error().code, errc::invalid);  // a tab is no subject
  EXPECT_EQ(message_subject("a\r\nBcc: x@y.org").error().code, errc::invalid);
  EXPECT_EQ(message_subject(std::string(201, 'a')).error().code, errc::too_long);
  std::string umlauts;
  for (int i = 0; i < 200; ++i) umlauts += "ä";
  EXPECT_EQ(message_subject(umlauts).value(), umlauts);
  EXPECT_EQ(message_subject("x", "betreff").value(), "x");
  EXPECT_EQ(message_subject("", "betreff").error().field, "betreff");
}

TEST(Input, ABodyKeepsLineBreaksAsLf) {
  EXPECT_EQ(message_body("\r\nZeile 1\r\nZeile 2\t\r\n").value(), "Zeile 1\nZeile 2");
  EXPECT_EQ(message_body("a\x01"
                         "b")
                .error()
                .code,
            errc::invalid);
  EXPECT_EQ(message_body(std::string(5001, 'a')).error().code, errc::too_long);
  EXPECT_EQ(message_body(std::string(5000, 'a')).value().size(), 5000U);
}

}  // namespace
}  // namespace treffpunkt::usecases
