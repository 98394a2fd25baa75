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
  for (const auto& a : areas_) add(a);
  add(fallback_);
  for (std::size_t i = 0; i < compiled_.size(); ++i) {
    const auto& p = compiled_[i];
    if (p.segments.front().type != segment::kind::literal) {
      throw std::logic_error("a route pattern must start with a literal: " +
                             std::string(patterns_[i]));
    }
    auto& starts = by_start_[p.segments.size()];
    const auto literal = p.segments.front().text;
    auto found = std::find_if(starts.begin(), starts.end(),
                              [&](const first_segment& f) { return f.literal == literal; });
    if (found == starts.end()) found = starts.insert(starts.end(), first_segment{literal, {}});
    found->patterns.push_back(i);
  }
}

void router::add(const area& a) {
  for (const auto& r : a.routes) {
    const auto known = std::find(patterns_.begin(), patterns_.end(), r.pattern);
    if (known != patterns_.end()) {
      auto& p = compiled_[static_cast<std::size_t>(known - patterns_.begin())];
      if (p.in != &a) {
        throw std::logic_error("a route pattern of two areas: " + std::string(r.pattern));
      }
      p.routes.push_back(&r);
      p.allow += ", " + std::string(r.method) + (r.method == "GET" ? ", HEAD" : "");
      continue;
    }
    const auto parts = split(r.pattern);
    if (parts.too_long || r.pattern.empty() || r.pattern.front() != '/') {
      throw std::logic_error("bad route pattern " + std::string(r.pattern));
    }
    pattern_routes p;
    p.in = &a;
    p.routes.push_back(&r);
    p.allow = std::string(r.method) + (r.method == "GET" ? ", HEAD" : "");
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
      p.segments.push_back(s);
    }
    compiled_.push_back(std::move(p));
    patterns_.push_back(r.pattern);
  }
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

bool router::matches(const pattern_routes& p, const split_path& path, route_params& params) {
  if (p.segments.size() != path.size) return false;
  params.clear();
  for (std::size_t i = 0; i < path.size; ++i) {
    const auto& s = p.segments[i];
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

bool router::more_specific(const pattern_routes& a, const pattern_routes& b) {
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
  const pattern_routes* best = nullptr;
  route_params params;
  if (!parts.too_long) {
    for (const auto& start : by_start_[parts.size]) {
      if (start.literal != parts.parts[0]) continue;
      for (const auto i : start.patterns) {
        const auto& p = compiled_[i];
        if (!matches(p, parts, params)) continue;
        if (best == nullptr || more_specific(p, *best)) {
          best = &p;
          out.pattern = static_cast<int>(i);
          out.params = params;
        }
      }
      break;
    }
  }
  if (best == nullptr) {
    out.in = &area_of_path(path);
    return out;
  }
  out.in = best->in;
  // One of the pattern's routes takes the method, or they make up Allow.
  for (const route* r : best->routes) {
    if (r->method == wanted) {
      out.found = r;
      return out;
    }
  }
  out.allow = best->allow;
  return out;
}

http_response router::dispatch(const request_context& ctx) const {
  const auto m = find(ctx.method(), ctx.path());
  auto r = [&] {
    if (m.found == nullptr) {
      return m.allow.empty() ? m.in->not_found(ctx) : m.in->method_not_allowed(ctx, m.allow);
    }
    if (m.in->before) {
      if (auto refused = m.in->before(ctx)) return std::move(*refused);
    }
    return m.found->handle(ctx, m.params);
  }();
  r.route = m.pattern;
  return r;
}

}  // namespace treffpunkt::server
