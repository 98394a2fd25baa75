#include <server/http.h>

namespace treffpunkt::server {

void append_head_fields(std::string& head, const http_response& r) {
  head += "Server: treffpunkt\r\nContent-Type: ";
  head += r.content_type;
  head += "\r\n";
  for (const auto& [name, value] : r.headers) {
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
}

}  // namespace treffpunkt::server
