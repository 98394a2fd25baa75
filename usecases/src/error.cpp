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

void throw_exception_from_error(const error& e, const boost::source_location& loc) {
  boost::throw_exception(std::runtime_error(e.message), loc);
}

}  // namespace treffpunkt::usecases
