// The mails read a person's stored language with the type the pages use.
#include <calendar/language.h>
#include <gtest/gtest.h>
#include <notifications/message.h>

#include <type_traits>

namespace treffpunkt::notifications {
namespace {

static_assert(std::is_same_v<language, calendar::language>, "one language type, not two");

TEST(MailLanguage, EnglishTagsAreEnglishAndEverythingElseGerman) {
  EXPECT_EQ(language_from_tag("en"), language::en);
  EXPECT_EQ(language_from_tag("en-GB"), language::en);
  for (const char* other : {"de", "de-AT", "", "fr", "it-CH"}) {
    EXPECT_EQ(language_from_tag(other), language::de) << other;
  }
  for (const auto l : {language::de, language::en}) {
    EXPECT_EQ(language_from_tag(calendar::tag(l)), l);
  }
}

}  // namespace
}  // namespace treffpunkt::notifications
