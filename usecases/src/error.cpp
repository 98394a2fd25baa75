#include <usecases/error.h>

#include <boost/throw_exception.hpp>
#include <stdexcept>

namespace treffpunkt::usecases {
namespace {

// boost::system::error_category has a protected non-virtual destructor by design.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "treffpunkt.usecases"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::required:
        return "required";
      case errc::invalid:
        return "invalid";
      case errc::too_long:
        return "too long";
      case errc::end_before_start:
        return "the end is not after the start";
      case errc::unknown_zone:
        return "unknown time zone";
      case errc::bad_rule:
        return "bad recurrence rule";
      case errc::out_of_bounds:
        return "out of bounds";
    }
    return "unknown use case error";
  }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& usecases_category() noexcept {
  static const category instance;
  return instance;
}

boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), usecases_category()};
}

error from_calendar(const calendar::error& e, std::string_view field) {
  errc code = errc::invalid;
  switch (e.code) {
    case calendar::errc::end_before_start:
      code = errc::end_before_start;
      break;
    case calendar::errc::unknown_zone:
      code = errc::unknown_zone;
      break;
    case calendar::errc::bad_rule:
    case calendar::errc::count_and_until:
    case calendar::errc::rule_yields_nothing:
      code = errc::bad_rule;
      break;
    case calendar::errc::out_of_bounds:
      code = errc::out_of_bounds;
      break;
    case calendar::errc::invalid_value:
    case calendar::errc::parse_error:
    case calendar::errc::not_found:
      break;
  }
  return {code, e.message, field.empty() ? e.field : std::string(field)};
}

void throw_exception_from_error(const error& e, const boost::source_location& loc) {
  boost::throw_exception(std::runtime_error(e.message), loc);
}

}  // namespace treffpunkt::usecases
