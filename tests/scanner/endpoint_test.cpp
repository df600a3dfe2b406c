#include "scanner/detail/endpoint.hpp"

#include <doctest/doctest.h>

TEST_CASE("an absolute URL is split into origin and target without re-encoding") {
  auto s = scanner::split_absolute_url("https://graph.microsoft.com/v1.0/users?$top=999&$skiptoken=RFNwdAIAAQ%3d%3d'x");
  REQUIRE(s.has_value());
  CHECK(s->where.tls);
  CHECK(s->where.host == "graph.microsoft.com");
  CHECK(s->where.port == "443");
  CHECK(s->target == "/v1.0/users?$top=999&$skiptoken=RFNwdAIAAQ%3d%3d'x");
  CHECK(s->where.origin() == "https://graph.microsoft.com");
}

TEST_CASE("ports, IPv6 literals and bare hosts are understood") {
  auto s = scanner::split_absolute_url("http://[::1]:8080");
  REQUIRE(s.has_value());
  CHECK_FALSE(s->where.tls);
  CHECK(s->where.host == "::1");
  CHECK(s->where.port == "8080");
  CHECK(s->target == "/");
  CHECK(s->where.authority() == "[::1]:8080");
  CHECK(s->where.origin() == "http://[::1]:8080");
}

TEST_CASE("URLs that are not http(s), carry user information or spaces are refused") {
  CHECK_FALSE((scanner::split_absolute_url("ftp://x/")).has_value());
  CHECK_FALSE((scanner::split_absolute_url("https://user:pw@graph.microsoft.com/")).has_value());
  CHECK_FALSE((scanner::split_absolute_url("https://graph.microsoft.com/a b")).has_value());
  CHECK_FALSE((scanner::split_absolute_url("https://:443/")).has_value());
  CHECK_FALSE((scanner::split_absolute_url("https://host:99999999/")).has_value());
}

TEST_CASE("loopback means 127.0.0.0/8, ::1 and localhost only") {
  for (auto h : {"127.0.0.1", "127.255.0.9", "::1", "localhost", "LOCALHOST"}) CHECK(scanner::is_loopback_host(h));
  for (auto h : {"10.0.0.1", "localhost.evil.com", "graph.microsoft.com", "::2", "128.0.0.1"})
    CHECK_FALSE(scanner::is_loopback_host(h));
}

TEST_CASE("NO_PROXY matches exact hosts, domain suffixes and *, loopback never uses the proxy") {
  CHECK(scanner::bypasses_proxy("127.0.0.1", ""));
  CHECK(scanner::bypasses_proxy("graph.microsoft.com", "*"));
  CHECK(scanner::bypasses_proxy("graph.microsoft.com", "example.com, .microsoft.com"));
  CHECK(scanner::bypasses_proxy("graph.microsoft.com", "microsoft.com"));
  CHECK(scanner::bypasses_proxy("graph.microsoft.com", "graph.microsoft.com:443"));
  CHECK_FALSE(scanner::bypasses_proxy("graph.microsoft.com", "soft.com,example.com"));
  CHECK_FALSE(scanner::bypasses_proxy("graph.microsoft.com", ""));
}
