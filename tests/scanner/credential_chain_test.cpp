#include "scanner/detail/credential_chain.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <doctest/doctest.h>

namespace {

// A credential whose answer the test decides; counts how often it was asked.
class scripted final : public scanner::token_provider {
 public:
  scripted(std::string name, base::result<scanner::access_token> answer, int* asked)
      : name_(std::move(name)), answer_(std::move(answer)), asked_(asked) {}
  boost::asio::awaitable<base::result<scanner::access_token>> fetch() override {
    ++*asked_;
    co_return answer_;
  }
  std::string description() const override { return name_ + " (details)"; }

 private:
  std::string name_;
  base::result<scanner::access_token> answer_;
  int* asked_;
};

base::result<scanner::access_token> token(std::string value) {
  return scanner::access_token{std::move(value), std::chrono::seconds{3600}};
}

base::result<scanner::access_token> fetch(scanner::token_provider& p) {
  boost::asio::io_context io;
  std::optional<base::result<scanner::access_token>> got;
  boost::asio::co_spawn(io, p.fetch(),
                        [&got](std::exception_ptr, base::result<scanner::access_token> r) { got = std::move(r); });
  io.run();
  REQUIRE(got.has_value());
  return *got;
}

}  // namespace

TEST_CASE("auto passes over an unavailable credential, keeps the first that signs in and asks only it again") {
  int asked_mi = 0, asked_cli = 0;
  std::vector<std::unique_ptr<scanner::token_provider>> providers;
  providers.push_back(std::make_unique<scripted>(
      "managed identity", base::usage_error("managed identity: no IMDS answered — run on Azure"), &asked_mi));
  providers.push_back(std::make_unique<scripted>("the Azure CLI's account", token("cli-token"), &asked_cli));
  scanner::credential_chain chain(std::move(providers), {"environment: AZURE_CLIENT_SECRET is not set"},
                                  "--credential auto");
  auto first = fetch(chain);
  REQUIRE(first.has_value());
  CHECK(first->value == "cli-token");
  CHECK(chain.description() == "the Azure CLI's account (details)");
  auto second = fetch(chain);
  REQUIRE(second.has_value());
  CHECK(asked_mi == 1);
  CHECK(asked_cli == 2);
}

TEST_CASE("auto with no credential available is one usage error naming each with its short reason") {
  int asked = 0;
  std::vector<std::unique_ptr<scanner::token_provider>> providers;
  providers.push_back(std::make_unique<scripted>(
      "managed identity", base::usage_error("managed identity: no IMDS answered — run on Azure"), &asked));
  providers.push_back(std::make_unique<scripted>(
      "the Azure CLI's account", base::usage_error("Azure CLI not found: 'az' is not on PATH — install it"), &asked));
  scanner::credential_chain chain(std::move(providers),
                                  {"environment: AZURE_CLIENT_SECRET and AZURE_CLIENT_CERTIFICATE_PATH are not set",
                                   "workload identity: AZURE_FEDERATED_TOKEN_FILE is not set"},
                                  "--credential auto");
  auto r = fetch(chain);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == base::exit_code::usage);
  auto const& m = r.error().message;
  CHECK(m.find("environment: AZURE_CLIENT_SECRET and AZURE_CLIENT_CERTIFICATE_PATH are not set") != std::string::npos);
  CHECK(m.find("workload identity: AZURE_FEDERATED_TOKEN_FILE is not set") != std::string::npos);
  CHECK(m.find("; managed identity: no IMDS answered;") != std::string::npos);
  CHECK(m.find("the Azure CLI's account: Azure CLI not found: 'az' is not on PATH —") != std::string::npos);
  CHECK(m.find("run on Azure;") == std::string::npos);  // each reason without its fix
  CHECK(m.find('\n') == std::string::npos);
}

TEST_CASE("auto ending on a failure that is not mere absence exits 1, not 2") {
  int asked = 0;
  std::vector<std::unique_ptr<scanner::token_provider>> providers;
  providers.push_back(std::make_unique<scripted>("managed identity", base::runtime_error("HTTP 500"), &asked));
  providers.push_back(std::make_unique<scripted>("cli", base::usage_error("not signed in"), &asked));
  scanner::credential_chain chain(std::move(providers), {}, "--credential auto");
  auto r = fetch(chain);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == base::exit_code::runtime);
}
