#include "scanner/detail/azure_cli.hpp"

#include "base/redact.hpp"

#include <fmt/core.h>
#include <rapidjson/document.h>

#include <ctime>

namespace scanner {

namespace {

// The first line of the CLI's error output without its "ERROR: " prefix, redacted and cut.
std::string first_error_line(std::string_view err) {
  while (!err.empty() && (err.front() == '\n' || err.front() == '\r' || err.front() == ' ')) err.remove_prefix(1);
  std::string line(err.substr(0, err.find_first_of("\r\n")));
  if (line.starts_with("ERROR: ")) line.erase(0, 7);
  line = base::redact(line);
  if (line.size() > 300) line = line.substr(0, 300) + "…";
  return line;
}

bool mentions(std::string_view text, std::string_view what) { return text.find(what) != std::string_view::npos; }

}  // namespace

std::vector<std::string> azure_cli_arguments(const azure_cli_settings& s, std::string_view resource) {
  std::vector<std::string> argv{s.program, "account",    "get-access-token",   "--output",
                                "json",    "--resource", std::string(resource)};
  if (!s.tenant_id.empty()) {
    argv.emplace_back("--tenant");
    argv.push_back(s.tenant_id);
  }
  return argv;
}

base::result<access_token> parse_azure_cli_token(std::string_view out, std::chrono::system_clock::time_point now) {
  rapidjson::Document doc;
  doc.Parse(out.data(), out.size());
  if (doc.HasParseError() || !doc.IsObject())
    return base::runtime_error("the Azure CLI printed no JSON object (expected `--output json`)");
  auto const token = doc.FindMember("accessToken");
  if (token == doc.MemberEnd() || !token->value.IsString() || token->value.GetStringLength() == 0)
    return base::runtime_error("the Azure CLI printed no accessToken");
  long long seconds = 0;
  bool known = false;
  auto const epoch_now = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (auto const on = doc.FindMember("expires_on"); on != doc.MemberEnd() && on->value.IsInt64()) {
    seconds = on->value.GetInt64() - epoch_now, known = true;
  } else if (auto const local = doc.FindMember("expiresOn"); local != doc.MemberEnd() && local->value.IsString()) {
    std::tm tm{};
    if (::strptime(local->value.GetString(), "%Y-%m-%d %H:%M:%S", &tm) != nullptr) {
      tm.tm_isdst = -1;  // the CLI writes local time
      seconds = static_cast<long long>(std::mktime(&tm)) - epoch_now, known = true;
    }
  }
  if (!known) return base::runtime_error("the Azure CLI printed no expiry (expires_on or expiresOn)");
  access_token result;
  result.value.assign(token->value.GetString(), token->value.GetStringLength());
  result.lifetime = std::chrono::seconds{std::max(seconds, 1LL)};
  return result;
}

base::error describe_azure_cli_failure(const program_result& run, const azure_cli_settings& s) {
  std::string const login = s.tenant_id.empty() ? "az login" : "az login --tenant " + s.tenant_id;
  if (run.not_found)
    return base::usage_error(fmt::format(
        "Azure CLI not found: '{}' is not on PATH — install it (https://aka.ms/installazurecli) and run `{}`, or "
        "choose another --credential",
        s.program, login));
  if (run.timed_out)
    return base::runtime_error(fmt::format(
        "`az account get-access-token` did not finish within {} s and was stopped — run it yourself to see what "
        "it waits for",
        std::chrono::duration_cast<std::chrono::seconds>(s.timeout).count()));
  std::string_view const err = run.err;
  if (mentions(err, "az login") || mentions(err, "az account set"))
    return base::usage_error(fmt::format("the Azure CLI is not signed in{}: run `{}`, then try again",
                                         s.tenant_id.empty() ? "" : " to tenant " + s.tenant_id, login));
  if (mentions(err, "unrecognized arguments") || mentions(err, "not in the 'account' command group") ||
      mentions(err, "misspelled or not recognized"))
    return base::usage_error(fmt::format(
        "the Azure CLI is too old for `az account get-access-token --resource{}` ({}): upgrade it (`az upgrade`)",
        s.tenant_id.empty() ? "" : " --tenant", first_error_line(err)));
  std::string const line = first_error_line(err);
  return base::runtime_error(
      fmt::format("the Azure CLI gave no token (exit {}){}", run.exit_code, line.empty() ? "" : ": " + line));
}

azure_cli_provider::azure_cli_provider(boost::asio::any_io_executor ex, azure_cli_settings s, std::string resource)
    : ex_(std::move(ex)), settings_(std::move(s)), resource_(std::move(resource)) {}

boost::asio::awaitable<base::result<access_token>> azure_cli_provider::fetch() {
  auto run = co_await run_program(ex_, azure_cli_arguments(settings_, resource_), settings_.timeout);
  if (run.not_found || run.timed_out || run.exit_code != 0) co_return describe_azure_cli_failure(run, settings_);
  auto token = parse_azure_cli_token(run.out, std::chrono::system_clock::now());
  if (!token) co_return base::runtime_error(token.error().message);
  if (auto usable = check_token_value(token->value); !usable) co_return usable.error();
  co_return token;
}

std::string azure_cli_provider::description() const {
  return settings_.tenant_id.empty() ? "the Azure CLI's account (az)"
                                     : fmt::format("the Azure CLI's account (az, tenant {})", settings_.tenant_id);
}

}  // namespace scanner
