// The subscription owners a scan names ahead of its listing (docs/graph.md §4.1): which ids it asks for, and what it
// takes from an answer.
#include "scanner/detail/fetch_owners.hpp"

#include "graph_client_harness.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>
#include <vector>

namespace {

storage::subscription_record owned_by(std::optional<std::string> owner) {
  storage::subscription_record s;
  s.owner_id = std::move(owner);
  return s;
}

}  // namespace

TEST_CASE("the owners asked for are each subscription's ownerId written as a GUID, lower-cased, each once") {
  std::vector<storage::subscription_record> const subs{owned_by("AAAAAAAA-0000-4000-8000-00000000000A"),
                                                       owned_by(std::nullopt),
                                                       owned_by(""),
                                                       owned_by("aaaaaaaa-0000-4000-8000-00000000000a"),
                                                       owned_by("bbbbbbbb-0000-4000-8000-00000000000b"),
                                                       owned_by("x') or true or ('"),
                                                       owned_by("../../groups"),
                                                       owned_by("bbbbbbbb-0000-4000-8000-00000000000b ")};
  CHECK(scanner::subscription_owner_ids(subs) ==
        std::vector<std::string>{"aaaaaaaa-0000-4000-8000-00000000000a", "bbbbbbbb-0000-4000-8000-00000000000b"});
}

TEST_CASE("an owner's answer gives its id lower-cased and its principal name, and nothing without both") {
  auto const u = scanner::parse_user_name(
      R"({"@odata.context":"x","id":"AAAAAAAA-0000-4000-8000-00000000000A","userPrincipalName":"Ann@contoso.example"})");
  REQUIRE(u.has_value());
  CHECK(u->first == "aaaaaaaa-0000-4000-8000-00000000000a");
  CHECK(u->second == "Ann@contoso.example");
  for (std::string body : {R"({"id":"a"})", R"({"userPrincipalName":"a@b"})", R"({"id":"a","userPrincipalName":7})",
                           R"([])", R"("a@b")", "<html>"}) {
    CAPTURE(body);
    CHECK_FALSE(scanner::parse_user_name(body).has_value());
  }
}

TEST_CASE(
    "owners read ahead against a server answering badly: each owner named only by its own answer, 404 without a name, "
    "the rest left to the listing") {
  using namespace graph_client_harness;
  auto const id = [](int n) { return fmt::format("aaaaaaaa-0000-4000-8000-00000000000{}", n); };
  // One answer of the $batch: its id, then a user's body.
  auto const user = [&](int request, int n, const std::string& upn) {
    return fmt::format(R"({{"id":"{}","status":200,"body":{{"id":"{}","userPrincipalName":"{}"}}}})", request, id(n),
                       upn);
  };
  // Requests 1..6 ask for owners 1..6: 1 is answered with owner 2's body, 2 is not found, 3 is answered twice (the
  // first answer counts), 4 with a body that is no user, 5 not at all, 6 with a 500; and one answer is not ours.
  std::string const body =
      R"({"responses":[)" + user(1, 2, "two@contoso.example") +
      R"(,{"id":"2","status":404,"body":{"error":{"code":"Request_ResourceNotFound","message":"gone"}}},)" +
      user(3, 3, "three@contoso.example") + "," + user(3, 3, "late@contoso.example") +
      R"(,{"id":"4","status":200,"body":"<html>"},{"id":"6","status":500,"body":{}},)" +
      user(9, 7, "seven@contoso.example") + "]}";
  test_fake::server server(graph([&](const test_fake::request&, int) { return reply{200, body}; }));
  client_under_test t(options_for(server.url()));
  scanner::stop_signal stop(t.io.get_executor());
  std::vector<std::string> ids;
  for (int n = 1; n <= 6; ++n) ids.push_back(id(n));
  auto const got = run(t.io, scanner::fetch_owner_names(*t.client, stop, ids));
  REQUIRE(got.has_value());
  CHECK(*got == std::vector<scanner::user_name>{{id(2), ""}, {id(3), "three@contoso.example"}});
}

TEST_CASE("owners read ahead when the $batch is refused: no names and no failure") {
  using namespace graph_client_harness;
  test_fake::server server(graph([](const test_fake::request&, int) {
    return reply{400, R"({"error":{"code":"BadRequest","message":"scripted"}})"};
  }));
  client_under_test t(options_for(server.url()));
  scanner::stop_signal stop(t.io.get_executor());
  auto const got = run(t.io, scanner::fetch_owner_names(*t.client, stop, {"aaaaaaaa-0000-4000-8000-000000000001"}));
  REQUIRE(got.has_value());
  CHECK(got->empty());
}
