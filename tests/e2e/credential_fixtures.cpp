#include "e2e/credential_fixtures.hpp"

#include "graphsim/server_client_support.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <thread>

namespace e2e {
namespace {

// Runs an openssl command line in dir (quiet); true when it succeeded.
bool openssl(const std::filesystem::path& dir, const std::string& args) {
  std::string const command = "cd '" + dir.string() + "' && openssl " + args + " >/dev/null 2>&1";
  return std::system(command.c_str()) == 0;
}

}  // namespace

std::string wait_for_user_code(const std::filesystem::path& err_path) {
  constexpr std::string_view marker = "enter the code ";
  for (int i = 0; i < 200; ++i) {
    std::string const err = test_support::read_file(err_path);
    if (auto at = err.find(marker); at != std::string::npos) {
      auto const start = at + marker.size();
      return err.substr(start, err.find(' ', start) - start);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return {};
}

int device_sign_in(const emulated_tenant& tenant, const std::vector<std::string>& args,
                   const std::vector<std::string>& env, const std::filesystem::path& dir, const std::string& action) {
  test_support::child_process child(args, env, dir / "out", dir / "err");
  std::string const code = wait_for_user_code(dir / "err");
  REQUIRE_MESSAGE(!code.empty(), test_support::read_file(dir / "err"));
  server_test::client control(tenant.server().url(), tenant.server().ca_pem_path());
  auto settled = control.send("POST", "/_sim/device/" + action + "?user_code=" + code);
  CHECK(settled.status == 200);
  return child.wait();
}

void make_pfx_pki(const std::filesystem::path& dir) {
  REQUIRE(openssl(dir, "req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -subj /CN=test-ca -days 2"));
  REQUIRE(openssl(dir, "req -newkey rsa:2048 -nodes -keyout app.key -out app.csr -subj /CN=scanner-app"));
  REQUIRE(openssl(dir, "x509 -req -in app.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out app.crt -days 2"));
  REQUIRE(openssl(dir, "pkcs12 -export -inkey app.key -in app.crt -certfile ca.crt -out app-pw.pfx -passout 'pass:" +
                           std::string(pfx_password) + "'"));
  REQUIRE(openssl(dir, "pkcs12 -export -inkey app.key -in app.crt -certfile ca.crt -out app-nopw.pfx -passout pass:"));
}

}  // namespace e2e
