#include <server/http.h>

namespace treffpunkt::server {

void append_head_fields(std::string& head, const http_response& r) {
  head += "Server: treffpunkt\r\nContent-Type: ";
  head += r.content_type;
  head += "\r\n";
  append_fields(head, r.headers);
}

void append_fields(std::string& head,
                   const std::vector<std::pair<std::string, std::string>>& fields) {
  for (const auto& [name, value] : fields) {
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
}

}  // namespace treffpunkt::server
