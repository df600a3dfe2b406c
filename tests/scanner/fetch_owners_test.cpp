// The subscription owners a scan names ahead of its listing (docs/graph.md §4.1): which ids it asks for, and what it
// takes from an answer.
#include "scanner/detail/fetch_owners.hpp"

#include <doctest/doctest.h>

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
