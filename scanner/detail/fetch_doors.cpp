#include "scanner/detail/fetch_doors.hpp"

#include "base/log.hpp"
#include "scanner/detail/json_read.hpp"
#include "scanner/detail/parse_doors.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <fmt/core.h>

#include <array>

namespace scanner {
namespace {

using door_list = std::vector<storage::door_record>;

struct door_read {
  std::string_view url;
  std::string_view source;
  std::array<std::string_view, 2> doors;
  std::string_view permission;  // the least-privileged application permission (docs/graph.md §15)
  std::string_view shows;       // what it would show, for the log line
};

constexpr door_read policy_read{"/v1.0/policies/authorizationPolicy",
                                "GET /v1.0/policies/authorizationPolicy",
                                {"signup", "email_verified_join"},
                                "Policy.Read.All",
                                "the self-service sign-up doors"};
constexpr door_read apps_read{"/beta/admin/appsAndServices",
                              "GET /beta/admin/appsAndServices",
                              {"trials", "office_store"},
                              "OrgSettings-AppsAndServices.Read.All",
                              "the trials and Office Store doors"};

door_list unknown(const door_read& read, const std::string& note) {
  door_list out;
  for (auto door : read.doors)
    out.push_back({std::string(door), {}, {}, "unknown", {}, std::string(read.source), note});
  return out;
}

// The doors of a read that failed: why, in the note and in one log line (never an error: the read is optional).
door_list refused(const door_read& read, const base::error& e) {
  std::string note;
  base::log_level level = base::log_level::warn;
  switch (e.reply.http_status) {
    case 403:
      // The same name is an application permission and, for a person signed in with a device code, a delegated one.
      note = fmt::format(
          "refused (403): grant the permission {} (application, or delegated with --credential "
          "device-code) to show it",
          read.permission);
      break;
    case 404:
      note = read.url.starts_with("/beta/") ? "not available (404): a beta endpoint of the global cloud only"
                                            : "not available (404)";
      level = base::log_level::info;
      break;
    default:
      note = fmt::format("could not be read: {}", e.message);
      break;
  }
  base::log(level, "{} unknown: {} {}", read.shows, read.source, note);
  return unknown(read, note);
}

template <class Parse>
net::awaitable<unless_stopped<door_list>> read_doors(graph_client& client, stop_signal& stop, const door_read& read,
                                                     Parse parse) {
  graph_request req{"GET", std::string(read.url), {}, {}};
  auto fetching = get_parsed_or_stop<door_list>(client, std::move(req), parse, stop);
  auto got = co_await std::move(fetching);
  if (!got) co_return unless_stopped<door_list>{refused(read, got.error())};
  co_return std::move(*got);
}

}  // namespace

bool is_national_cloud(std::string_view graph_endpoint) {
  std::string root = json::lower(graph_endpoint);
  while (!root.empty() && root.back() == '/') root.pop_back();
  return root == "https://graph.microsoft.us" || root == "https://dod-graph.microsoft.us" ||
         root == "https://microsoftgraph.chinacloudapi.cn";
}

net::awaitable<unless_stopped<std::vector<storage::door_record>>> fetch_doors(graph_client& client, stop_signal& stop,
                                                                              std::string_view graph_endpoint) {
  using namespace boost::asio::experimental::awaitable_operators;
  auto policy = read_doors(client, stop, policy_read, parse_authorization_policy);
  if (is_national_cloud(graph_endpoint)) {
    auto got = co_await std::move(policy);
    if (!got) co_return got;
    std::string const note = fmt::format("not read: {} exists in the global cloud only", apps_read.url);
    base::log(base::log_level::info, "{} unknown: {}", apps_read.shows, note);
    auto apps = unknown(apps_read, note);
    got->insert(got->end(), apps.begin(), apps.end());
    co_return got;
  }
  auto apps = read_doors(client, stop, apps_read, parse_apps_and_services);
  auto [p, a] = co_await (std::move(policy) && std::move(apps));
  if (!p || !a) co_return unless_stopped<door_list>{};
  p->insert(p->end(), a->begin(), a->end());
  co_return std::move(p);
}

}  // namespace scanner
