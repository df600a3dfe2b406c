#include "scanner/detail/fetch_tenant.hpp"

#include "scanner/detail/parse_tenant.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>

#include <fmt/core.h>

namespace scanner {
namespace {

// A tenant has a few dozen SKUs and subscriptions; Graph does not page them today. The cap only stops a server
// that keeps answering with a nextLink from holding the scan forever.
constexpr int max_fact_pages = 100;

// Follows a collection's nextLinks from first_url, appending each page's items with take(page, out).
template <class Page, class Item, class Parse>
net::awaitable<base::result<unless_stopped<std::vector<Item>>>> collect(graph_client& client, std::string first_url,
                                                                        Parse parse, stop_signal& stop,
                                                                        std::vector<Item> Page::*items) {
  std::vector<Item> out;
  std::string url = std::move(first_url);
  for (int pages = 0; !url.empty(); ++pages) {
    if (pages == max_fact_pages)
      co_return base::runtime_error(fmt::format("cannot read {}: more than {} pages", url, max_fact_pages));
    graph_request req{"GET", url, {}, {}};
    auto fetching = get_parsed_or_stop<Page>(client, std::move(req), parse, stop);
    auto page = co_await std::move(fetching);
    if (!page) co_return page.error();
    if (!*page) co_return unless_stopped<std::vector<Item>>{};
    auto& got = **page;
    for (auto& item : got.*items) out.push_back(std::move(item));
    url = std::move(got.next_link);
  }
  co_return unless_stopped<std::vector<Item>>{std::move(out)};
}

}  // namespace

net::awaitable<base::result<unless_stopped<storage::organization_record>>> fetch_organization(graph_client& client,
                                                                                              stop_signal& stop) {
  graph_request req{"GET", "/v1.0/organization?$select=id,displayName", {}, {}};
  auto fetching = get_parsed_or_stop<storage::organization_record>(client, std::move(req), parse_organization, stop);
  co_return co_await std::move(fetching);
}

net::awaitable<base::result<unless_stopped<tenant_facts>>> fetch_tenant_facts(graph_client& client, stop_signal& stop) {
  using namespace boost::asio::experimental::awaitable_operators;
  // Two independent lists: fetching them side by side saves a round trip at the start of every scan.
  auto sku_pages = collect<parsed_sku_page>(client, std::string("/v1.0/subscribedSkus"), parse_subscribed_skus, stop,
                                            &parsed_sku_page::skus);
  auto subscription_pages =
      collect<parsed_subscription_page>(client, std::string("/v1.0/directory/subscriptions"), parse_subscriptions, stop,
                                        &parsed_subscription_page::subscriptions);
  auto [skus, subscriptions] = co_await (std::move(sku_pages) && std::move(subscription_pages));
  if (!skus) co_return skus.error();
  if (!subscriptions) co_return subscriptions.error();
  if (!*skus || !*subscriptions) co_return unless_stopped<tenant_facts>{};
  co_return unless_stopped<tenant_facts>{tenant_facts{std::move(**skus), std::move(**subscriptions)}};
}

}  // namespace scanner
