#include "scanner/detail/client_credentials.hpp"

#include "base/log.hpp"
#include "base/redact.hpp"
#include "scanner/detail/credential_chain.hpp"
#include "scanner/detail/encoding.hpp"
#include "scanner/detail/login_post.hpp"

#include <fmt/core.h>

#include <fstream>
#include <sstream>

namespace scanner {

namespace net = boost::asio;

client_credentials_provider::client_credentials_provider(connection_pool& pool, const connection_options& options,
                                                         credentials creds, std::optional<client_certificate> cert)
    : pool_(pool), options_(options), creds_(std::move(creds)), cert_(std::move(cert)) {
  // Registered before anything is sent: from here on no log record or error line can carry them.
  if (creds_.secret) base::register_secret(*creds_.secret, base::secret_kind::credential);
  if (creds_.certificate_password) base::register_secret(*creds_.certificate_password, base::secret_kind::credential);
  who_.tenant_id = creds_.tenant_id;
  who_.client_id = creds_.client_id;
  who_.credential_kind = creds_.secret ? "secret" : creds_.certificate_path ? "certificate" : "federated";
  who_.token_url = fmt::format("{}/{}/oauth2/v2.0/token", options_.authority_host, creds_.tenant_id);
}

std::string client_credentials_provider::description() const {
  std::string const kind = creds_.secret ? "the client secret"
                           : creds_.certificate_path
                               ? "the certificate " + *creds_.certificate_path
                               : "the federated token of " + creds_.federated_token_file.value_or("");
  return creds_.credential_source.empty() ? kind : fmt::format("{} ({})", kind, creds_.credential_source);
}

void client_credentials_provider::log_signed_in() const {
  if (!creds_.chosen_by.empty()) {
    log_credential_choice(creds_.chosen_by, creds_.skipped,
                          fmt::format("{} of app {} in tenant {}", description(), creds_.client_id, creds_.tenant_id));
    return;
  }
  std::string const source = creds_.credential_source.empty() ? std::string() : " (" + creds_.credential_source + ")";
  std::string_view const kind = creds_.secret             ? "client secret"
                                : creds_.certificate_path ? "certificate"
                                                          : "federated token";
  if (creds_.ignored_credentials.empty()) {
    base::log(base::log_level::debug, "signed in to tenant {} as app {} with a {}{}", creds_.tenant_id,
              creds_.client_id, kind, source);
    return;
  }
  std::string ignored;
  for (auto const& name : creds_.ignored_credentials) ignored += (ignored.empty() ? "" : ", ") + name;
  base::log(base::log_level::info,
            "signed in to tenant {} as app {} with a {}{}; ignored {} (Azure Identity's order: secret, certificate, "
            "federated token file)",
            creds_.tenant_id, creds_.client_id, kind, source, ignored);
}

base::result<std::string> client_credentials_provider::credential_form() {
  if (creds_.secret) return ok_text("client_secret=" + form_encode(*creds_.secret));
  std::string assertion;
  if (cert_) {
    auto signed_jwt = cert_->make_assertion(creds_.client_id, who_.token_url, creds_.certificate_rs256,
                                            std::chrono::system_clock::now(), creds_.send_certificate_chain);
    if (!signed_jwt) return signed_jwt.error();
    assertion = std::move(*signed_jwt);
  } else if (creds_.federated_token_file) {
    // Re-read every time: the platform rotates the file (workload identity tokens live about an hour).
    std::ifstream in(*creds_.federated_token_file, std::ios::binary);
    if (!in)
      return base::runtime_error(fmt::format("cannot read the federated token file '{}' (AZURE_FEDERATED_TOKEN_FILE)",
                                             *creds_.federated_token_file));
    std::ostringstream text;
    text << in.rdbuf();
    assertion = text.str();
    while (!assertion.empty() && (assertion.back() == '\n' || assertion.back() == '\r' || assertion.back() == ' '))
      assertion.pop_back();
    if (assertion.empty())
      return base::runtime_error(fmt::format("the federated token file '{}' is empty (AZURE_FEDERATED_TOKEN_FILE)",
                                             *creds_.federated_token_file));
  } else {
    return base::usage_error(
        "no credential: set AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH or "
        "AZURE_FEDERATED_TOKEN_FILE");
  }
  base::register_secret(assertion, base::secret_kind::token);
  return ok_text("client_assertion_type=" + form_encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer") +
                 "&client_assertion=" + form_encode(assertion));
}

net::awaitable<base::result<access_token>> client_credentials_provider::fetch() {
  auto const scope = options_.scope.empty() ? options_.graph_endpoint + "/.default" : options_.scope;
  // Built per attempt: an assertion is short-lived and the federated file may have been rotated.
  auto const form = [&]() -> base::result<std::string> {
    auto credential = credential_form();
    if (!credential) return credential.error();
    return ok_text("client_id=" + form_encode(creds_.client_id) + "&scope=" + form_encode(scope) +
                   "&grant_type=client_credentials&" + *credential);
  };
  auto const usable = [](std::string_view body) -> std::optional<std::string> {
    auto token = parse_token_response(body);
    if (token) return std::nullopt;
    return token.error().message;
  };
  auto answer = co_await post_login_form(pool_, options_, who_.token_url, form, usable, rng_);
  if (!answer) co_return answer.error();
  if (answer->status / 100 != 2)
    co_return base::service_error(base::redact(describe_token_error(answer->status, answer->body, who_)),
                                  token_error_reply(answer->status, answer->body));
  auto token = parse_token_response(answer->body);
  if (!token) co_return token.error();
  if (auto checked = check_token_value(token->value); !checked) co_return checked.error();
  co_return token;
}

}  // namespace scanner
