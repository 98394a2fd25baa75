// The one language type of the pages and the mails: its tags written and read.
#include <calendar/language.h>
#include <gtest/gtest.h>

#include <optional>

namespace {

using treffpunkt::calendar::language;
using treffpunkt::calendar::parse_language;
using treffpunkt::calendar::tag;

TEST(Language, TagsAreTheTwoLetterCodes) {
  EXPECT_EQ(tag(language::de), "de");
  EXPECT_EQ(tag(language::en), "en");
  for (const auto l : {language::de, language::en}) EXPECT_EQ(parse_language(tag(l)), l);
}

TEST(Language, ParseReadsThePrimarySubtagInAnyCase) {
  EXPECT_EQ(parse_language("en"), language::en);
  EXPECT_EQ(parse_language("EN-gb"), language::en);
  EXPECT_EQ(parse_language("En-US"), language::en);
  EXPECT_EQ(parse_language("de-AT"), language::de);
  EXPECT_EQ(parse_language("DE"), language::de);
  for (const char* other :
       {"", "-", "e", "eng", "english", "en_GB", "fr", "fr-DE", " en", "en ", "dé", "\xC3\x89N"}) {
    EXPECT_EQ(parse_language(other), std::nullopt) << other;
  }
}

}  // namespace
