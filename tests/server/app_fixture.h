#pragma once
/// The whole app in process, over a real store in a temporary folder with the demo loaded, on a
/// clock set to a fixed instant: requests go to app::handle as the socket side would send them.

#include <calendar/clock.h>
#include <gtest/gtest.h>
#include <server/app.h>
#include <storage/store.h>
#include <usecases/demo.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/test_time.h"

namespace treffpunkt::server::testing {

class app_test : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("treffpunkt-app-" + std::to_string(std::random_device{}()) + "-" +
            std::to_string(++counter));
    auto opened = storage::store::open(dir_, storage::store::if_read_only::fail, clock_);
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
    ASSERT_TRUE(usecases::load_demo(*store_, clock_.now()));
    app_options o;
    o.access_log = false;
    o.clock = clock_;
    app_ = std::make_unique<app>(*store_, std::move(o));
  }

  void TearDown() override {
    app_.reset();
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  /// A request from this machine, as the socket side fills it in.
  static http_request request(std::string method, std::string target,
                              std::vector<std::pair<std::string, std::string>> headers = {},
                              std::string body = {}) {
    http_request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.host = "127.0.0.1:8080";
    r.remote_address = "127.0.0.1";
    r.body = std::move(body);
    for (auto& [name, value] : headers) {
      if (name == "Authorization") r.authorization = value;
      if (name == "Cookie") r.cookie = value;
      if (name == "Content-Type") r.content_type = value;
      if (name == "Accept-Language") r.accept_language = value;
      if (name == "If-None-Match") r.if_none_match = value;
    }
    return r;
  }

  http_response call(std::string method, std::string target,
                     std::vector<std::pair<std::string, std::string>> headers = {},
                     std::string body = {}) {
    return app_->handle(
        request(std::move(method), std::move(target), std::move(headers), std::move(body)));
  }

  static std::string body(const http_response& r) { return r.body ? *r.body : std::string(); }

  /// The header fields the answer goes out with, in order: its `headers`, or those of its
  /// head built in advance (http_response::prebuilt_head, as feeds and pages have), which
  /// then also name Server, Content-Type and Content-Length.
  static std::vector<std::pair<std::string, std::string>> fields(const http_response& r) {
    if (!r.prebuilt_head) return r.headers;
    std::vector<std::pair<std::string, std::string>> out;
    std::string_view head = *r.prebuilt_head;
    head.remove_prefix(std::min(head.size(), head.find("\r\n") + 2));  // the status line
    while (!head.empty()) {
      const auto end = head.find("\r\n");
      const std::string_view line = head.substr(0, end);
      const auto colon = line.find(": ");
      out.emplace_back(
          std::string(line.substr(0, colon)),
          colon == std::string_view::npos ? std::string() : std::string(line.substr(colon + 2)));
      head.remove_prefix(end == std::string_view::npos ? head.size() : end + 2);
    }
    return out;
  }

  /// The answer's Content-Type, also from a head built in advance.
  static std::string content_type(const http_response& r) {
    return r.prebuilt_head ? header(r, "Content-Type") : r.content_type;
  }

  /// The value of header `name` (the first one), empty if none.
  static std::string header(const http_response& r, std::string_view name) {
    for (const auto& [n, v] : fields(r)) {
      if (n == name) return v;
    }
    return {};
  }

  /// The value of the cookie `name` that the answer sets, empty if none.
  static std::string set_cookie(const http_response& r, std::string_view name) {
    for (const auto& [n, v] : fields(r)) {
      if (n == "Set-Cookie" && v.starts_with(std::string(name) + "=")) {
        return v.substr(name.size() + 1, v.find(';') - name.size() - 1);
      }
    }
    return {};
  }

  calendar::clock clock_ = calendar::clock::starting_at(treffpunkt::testing::utc(2026, 6, 10, 8));
  std::filesystem::path dir_;
  std::unique_ptr<storage::store> store_;
  std::unique_ptr<app> app_;
};

}  // namespace treffpunkt::server::testing
