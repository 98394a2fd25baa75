#include <calendar/language.h>

#include <boost/algorithm/string/predicate.hpp>  // iequals
#include <locale>

namespace treffpunkt::calendar {

std::string_view tag(language l) { return l == language::en ? "en" : "de"; }

std::optional<language> parse_language(std::string_view tag) {
  const auto primary = tag.substr(0, tag.find('-'));
  // The classic locale: ASCII letters only, whatever the process's global locale is.
  const std::locale& ascii = std::locale::classic();
  if (boost::algorithm::iequals(primary, std::string_view("de"), ascii)) return language::de;
  if (boost::algorithm::iequals(primary, std::string_view("en"), ascii)) return language::en;
  return std::nullopt;
}

}  // namespace treffpunkt::calendar
