#include "router.h"

#include <algorithm>
#include <stdexcept>

#include "request_context.h"

namespace treffpunkt::server {

std::string_view route_params::operator[](std::string_view name) const {
  for (std::size_t i = 0; i < size_; ++i) {
    if (items_[i].first == name) return items_[i].second;
  }
  return {};
}

void route_params::add(std::string_view name, std::string_view value) {
  if (size_ == items_.size()) throw std::logic_error("a route pattern has too many names");
  items_[size_++] = {name, value};
}

router::router(std::vector<area> areas, area fallback)
    : areas_(std::move(areas)), fallback_(std::move(fallback)) {
  const auto compile = [&](const area& a) {
    for (const auto& r : a.routes) {
      compiled c;
      c.in = &a;
      c.r = &r;
      const auto known = std::find(patterns_.begin(), patterns_.end(), r.pattern);
      c.pattern = static_cast<int>(known - patterns_.begin());
      if (known == patterns_.end()) patterns_.push_back(r.pattern);
      const auto parts = split(r.pattern);
      if (parts.too_long || r.pattern.empty() || r.pattern.front() != '/') {
        throw std::logic_error("bad route pattern " + std::string(r.pattern));
      }
      for (std::size_t i = 0; i < parts.size; ++i) {
        const auto text = parts.parts[i];
        segment s;
        if (text.starts_with('{')) {
          const auto close = text.find('}');
          if (close == std::string_view::npos || close == 1) {
            throw std::logic_error("bad route pattern " + std::string(r.pattern));
          }
          s.text = text.substr(1, close - 1);
          s.suffix = text.substr(close + 1);
          s.type = s.suffix.empty() ? segment::kind::name : segment::kind::suffixed;
        } else {
          s.text = text;
        }
        c.segments.push_back(s);
      }
      routes_.push_back(std::move(c));
    }
  };
  for (const auto& a : areas_) compile(a);
  compile(fallback_);
}

router::split_path router::split(std::string_view path) {
  split_path out;
  if (path.starts_with('/')) path.remove_prefix(1);
  while (true) {
    if (out.size == max_segments) {
      out.too_long = true;
      break;
    }
    const auto slash = path.find('/');
    out.parts[out.size++] = path.substr(0, slash);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

bool router::matches(const compiled& c, const split_path& path, route_params& params) {
  if (c.segments.size() != path.size) return false;
  params.clear();
  for (std::size_t i = 0; i < path.size; ++i) {
    const auto& s = c.segments[i];
    const auto part = path.parts[i];
    switch (s.type) {
      case segment::kind::literal:
        if (part != s.text) return false;
        break;
      case segment::kind::name:
        // An empty segment too ("/units/"): the handler answers it as the unknown thing it is.
        params.add(s.text, part);
        break;
      case segment::kind::suffixed:
        if (part.size() <= s.suffix.size() || !part.ends_with(s.suffix)) return false;
        params.add(s.text, part.substr(0, part.size() - s.suffix.size()));
        break;
    }
  }
  return true;
}

bool router::more_specific(const compiled& a, const compiled& b) {
  for (std::size_t i = 0; i < a.segments.size() && i < b.segments.size(); ++i) {
    // literal < suffixed < name in the enum: the smaller is the more specific.
    if (a.segments[i].type != b.segments[i].type) return a.segments[i].type < b.segments[i].type;
  }
  return false;
}

const area& router::area_of_path(std::string_view path) const {
  for (const auto& a : areas_) {
    for (const auto prefix : a.prefixes) {
      if (path.starts_with(prefix) &&
          (path.size() == prefix.size() || path[prefix.size()] == '/')) {
        return a;
      }
    }
  }
  return fallback_;
}

router::match router::find(std::string_view method, std::string_view path) const {
  match out;
  const auto parts = split(path);
  // HEAD is GET without the body (the socket side leaves it out).
  const std::string_view wanted = method == "HEAD" ? std::string_view("GET") : method;
  const compiled* best = nullptr;
  route_params params;
  if (!parts.too_long) {
    for (const auto& c : routes_) {
      if (!matches(c, parts, params)) continue;
      if (best == nullptr || more_specific(c, *best)) {
        best = &c;
        out.params = params;
      }
    }
  }
  if (best == nullptr) {
    out.in = &area_of_path(path);
    return out;
  }
  out.in = best->in;
  out.pattern = best->pattern;
  // The routes of the best pattern: one of them takes the method, or they make up Allow.
  for (const auto& c : routes_) {
    if (c.pattern != best->pattern) continue;
    if (c.r->method == wanted) {
      out.found = c.r;
      out.in = c.in;
      return out;
    }
    if (!out.allow.empty()) out.allow += ", ";
    out.allow += c.r->method;
    if (c.r->method == "GET") out.allow += ", HEAD";
  }
  return out;
}

http_response router::dispatch(const request_context& ctx) const {
  const auto m = find(ctx.method(), ctx.path());
  http_response r;
  if (m.found == nullptr) {
    r = m.allow.empty() ? m.in->not_found(ctx) : m.in->method_not_allowed(ctx, m.allow);
  } else if (auto refused = m.in->before ? m.in->before(ctx) : std::nullopt) {
    r = std::move(*refused);
  } else {
    r = m.found->handle(ctx, m.params);
  }
  r.route = m.pattern;
  return r;
}

}  // namespace treffpunkt::server
