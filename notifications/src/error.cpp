#include <notifications/error.h>

#include <boost/throw_exception.hpp>
#include <stdexcept>

namespace treffpunkt::notifications {
namespace {

// boost::system::error_category has a protected non-virtual destructor by design.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
class category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "treffpunkt.notifications"; }
  std::string message(int ev) const override {
    switch (static_cast<errc>(ev)) {
      case errc::invalid_address:
        return "invalid email address";
      case errc::invalid_value:
        return "invalid value";
      case errc::method_mismatch:
        return "iMIP method does not match the calendar part";
      case errc::temporary:
        return "temporary delivery failure";
      case errc::permanent:
        return "permanent delivery failure";
      case errc::unavailable:
        return "unavailable";
    }
    return "unknown notifications error";
  }
};
#pragma GCC diagnostic pop

}  // namespace

const boost::system::error_category& notifications_category() noexcept {
  static const category instance;
  return instance;
}

boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), notifications_category()};
}

void throw_exception_from_error(const error& e, const boost::source_location& loc) {
  boost::throw_exception(std::runtime_error(e.message), loc);
}

}  // namespace treffpunkt::notifications
