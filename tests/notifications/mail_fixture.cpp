#include "mail_fixture.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <stdexcept>

namespace treffpunkt::notifications::testing {

int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot bind a loopback port");
  }
  socklen_t length = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);
  ::close(fd);
  return ntohs(addr.sin_port);
}

smtp_server::smtp_server(const std::filesystem::path& dir, const options& o) : dir_(dir) {
  std::filesystem::create_directories(dir_);
  const auto port_file = dir_ / "port";
  std::filesystem::remove(port_file);
  std::vector<std::string> args{"/usr/bin/python3",
                                (test_dir / "smtp_server.py").string(),
                                "--port",
                                std::to_string(o.port),
                                "--port-file",
                                port_file.string(),
                                "--dir",
                                dir_.string(),
                                "--fail-first",
                                std::to_string(o.fail_first)};
  args.insert(args.end(), {"--tls", o.tls, "--delay-ms", std::to_string(o.delay_ms)});
  if (!o.auth.empty()) args.insert(args.end(), {"--auth", o.auth});
  for (const auto& r : o.reject) {
    args.emplace_back("--reject");
    args.push_back(r);
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  if (posix_spawn(&pid_, argv[0], nullptr, nullptr, argv.data(), environ) != 0) {
    throw std::runtime_error("cannot start smtp_server.py");
  }
  for (int i = 0; i < 200 && !std::filesystem::exists(port_file); ++i) {
    std::this_thread::sleep_for(50ms);
  }
  std::ifstream in(port_file);
  if (!(in >> port_)) {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
    throw std::runtime_error("smtp_server.py did not start (is python3-aiosmtpd installed?)");
  }
}

smtp_server::~smtp_server() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
}

std::vector<std::filesystem::path> smtp_server::received() const {
  std::vector<std::filesystem::path> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    if (entry.path().extension() == ".eml") out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

int smtp_server::connections() const {
  std::ifstream in(dir_ / "connections");
  int n = 0;
  in >> n;
  return n;
}

boost::json::object inspect(const std::filesystem::path& eml) {
  const std::string command =
      "/usr/bin/python3 '" + (test_dir / "inspect_mail.py").string() + "' '" + eml.string() + "'";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run inspect_mail.py");
  std::string output;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    output.append(buffer.data(), n);
  if (::pclose(pipe) != 0) throw std::runtime_error("inspect_mail.py failed on " + eml.string());
  return boost::json::parse(output).as_object();
}

}  // namespace treffpunkt::notifications::testing
