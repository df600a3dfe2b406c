#include "scanner/detail/azure_cli.hpp"

#include "support.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <doctest/doctest.h>

#include <chrono>
#include <ctime>

namespace {

std::chrono::system_clock::time_point at(long long epoch) {
  return std::chrono::system_clock::time_point{std::chrono::seconds{epoch}};
}

scanner::program_result run(std::vector<std::string> argv, std::chrono::milliseconds timeout) {
  boost::asio::io_context io;
  scanner::program_result result;
  boost::asio::co_spawn(io, scanner::run_program(io.get_executor(), std::move(argv), timeout),
                        [&result](std::exception_ptr, scanner::program_result r) { result = std::move(r); });
  io.run();
  return result;
}

}  // namespace

TEST_CASE("the Azure CLI is asked for the cloud's Graph resource, and the tenant when one is given") {
  scanner::azure_cli_settings s;
  CHECK(scanner::azure_cli_arguments(s, "https://graph.microsoft.us") ==
        std::vector<std::string>{"az", "account", "get-access-token", "--output", "json", "--resource",
                                 "https://graph.microsoft.us"});
  s.tenant_id = "contoso.onmicrosoft.com";
  auto argv = scanner::azure_cli_arguments(s, "https://graph.microsoft.com");
  REQUIRE(argv.size() == 9);
  CHECK(argv[7] == "--tenant");
  CHECK(argv[8] == "contoso.onmicrosoft.com");
}

TEST_CASE("the CLI's expires_on gives the token's lifetime, else its local-time expiresOn") {
  auto t = scanner::parse_azure_cli_token(
      R"({"accessToken":"eyJ0.eyJ1.c2ln","expiresOn":"2023-11-14 22:13:20.000000","expires_on":1700003600,"subscription":"s","tenant":"t","tokenType":"Bearer"})",
      at(1700000000));
  REQUIRE(t.has_value());
  CHECK(t->value == "eyJ0.eyJ1.c2ln");
  CHECK(t->lifetime == std::chrono::seconds{3600});
  // An older CLI writes only expiresOn, in local time.
  std::time_t const later = 1700000000 + 1800;
  std::tm local{};
  ::localtime_r(&later, &local);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &local);
  auto old = scanner::parse_azure_cli_token(
      std::string(R"({"accessToken":"abc","expiresOn":")") + text + R"(.123456","tokenType":"Bearer"})",
      at(1700000000));
  REQUIRE(old.has_value());
  CHECK(old->lifetime == std::chrono::seconds{1800});
  CHECK_FALSE(scanner::parse_azure_cli_token(R"({"accessToken":"abc"})", at(0)).has_value());
  CHECK_FALSE(scanner::parse_azure_cli_token("ERROR: x", at(0)).has_value());
}

TEST_CASE("a missing, signed-out or too old CLI is a usage error with the fix, anything else names its error") {
  scanner::azure_cli_settings s;
  scanner::program_result missing;
  missing.not_found = true;
  auto e = scanner::describe_azure_cli_failure(missing, s);
  CHECK(e.code == base::exit_code::usage);
  CHECK(e.message.find("Azure CLI not found") != std::string::npos);
  CHECK(e.message.find("az login") != std::string::npos);

  scanner::program_result signed_out;
  signed_out.exit_code = 1;
  signed_out.err = "ERROR: Please run 'az login' to setup account.\n";
  s.tenant_id = "contoso.onmicrosoft.com";
  e = scanner::describe_azure_cli_failure(signed_out, s);
  CHECK(e.code == base::exit_code::usage);
  CHECK(e.message.find("run `az login --tenant contoso.onmicrosoft.com`") != std::string::npos);

  scanner::program_result old;
  old.exit_code = 2;
  old.err = "az: error: unrecognized arguments: --tenant contoso.onmicrosoft.com\n";
  e = scanner::describe_azure_cli_failure(old, s);
  CHECK(e.code == base::exit_code::usage);
  CHECK(e.message.find("too old") != std::string::npos);
  CHECK(e.message.find("az upgrade") != std::string::npos);

  scanner::program_result other;
  other.exit_code = 1;
  other.err = "ERROR: AADSTS50076: multi-factor authentication required\nTrace ID: x\n";
  e = scanner::describe_azure_cli_failure(other, s);
  CHECK(e.code == base::exit_code::runtime);
  CHECK(e.message == "the Azure CLI gave no token (exit 1): AADSTS50076: multi-factor authentication required");
}

TEST_CASE("a program is run without a shell, its output read, and killed at its timeout") {
  auto ok = run({"sh", "-c", "printf out; printf err >&2; exit 3"}, std::chrono::seconds(10));
  CHECK_FALSE(ok.not_found);
  CHECK_FALSE(ok.timed_out);
  CHECK(ok.exit_code == 3);
  CHECK(ok.out == "out");
  CHECK(ok.err == "err");
  // No shell: a metacharacter is one argument, not a command.
  auto literal = run({"printf", "%s", "$(echo hi); rm -rf /nonexistent"}, std::chrono::seconds(10));
  CHECK(literal.out == "$(echo hi); rm -rf /nonexistent");
  auto const started = std::chrono::steady_clock::now();
  auto slow = run({"sleep", "30"}, std::chrono::milliseconds(300));
  CHECK(slow.timed_out);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
  CHECK(run({"entra-audit-no-such-program"}, std::chrono::seconds(1)).not_found);
}
