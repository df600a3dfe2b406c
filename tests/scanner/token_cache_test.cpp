// The token cache's files: created 0600 in a 0700 directory, refused when others could read them or when they are
// symbolic links, keyed by authority + tenant + client, and emptied by sign_out.
#include "scanner/token_cache.hpp"

#include "support.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <sys/stat.h>

namespace {

scanner::cached_sign_in entry(std::string const& tenant = "organizations") {
  return {"https://login.microsoftonline.com",
          tenant,
          "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
          "rt-secret-value",
          "tid-1",
          "auditor@contoso.example"};
}

unsigned mode_of(std::filesystem::path const& p) {
  struct stat st {};
  REQUIRE(::lstat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

std::filesystem::path only_file(std::filesystem::path const& dir) {
  std::filesystem::path found;
  int n = 0;
  for (auto const& e : std::filesystem::directory_iterator(dir)) found = e.path(), ++n;
  REQUIRE(n == 1);
  return found;
}

}  // namespace

TEST_CASE("a saved sign-in is read back by its key only, from a 0600 file in a 0700 directory") {
  test_support::temp_dir tmp;
  std::string const dir = (tmp / "cache" / "entra-audit").string();
  REQUIRE(scanner::save_sign_in(dir, entry()).has_value());
  CHECK(mode_of(dir) == 0700);
  CHECK(mode_of(only_file(dir)) == 0600);
  auto back = scanner::load_sign_in(dir, "https://login.microsoftonline.com", "organizations",
                                    "04b07795-8ddb-461a-bbee-02f9e1bf7b46");
  REQUIRE(back.has_value());
  REQUIRE(back->has_value());
  CHECK((*back)->refresh_token == "rt-secret-value");
  CHECK((*back)->user == "auditor@contoso.example");
  auto other = scanner::load_sign_in(dir, "https://login.microsoftonline.com", "contoso.example",
                                     "04b07795-8ddb-461a-bbee-02f9e1bf7b46");
  REQUIRE(other.has_value());
  CHECK_FALSE(other->has_value());
  // A second save replaces the entry instead of adding a file.
  auto rotated = entry();
  rotated.refresh_token = "rt-rotated";
  REQUIRE(scanner::save_sign_in(dir, rotated).has_value());
  CHECK(test_support::read_file(only_file(dir)).find("rt-rotated") != std::string::npos);
}

TEST_CASE("a cache file others can read, or a symbolic link, is refused with a line naming the file and the fix") {
  test_support::temp_dir tmp;
  std::string const dir = tmp.path().string();
  REQUIRE(scanner::save_sign_in(dir, entry()).has_value());
  auto const file = only_file(dir);
  ::chmod(file.c_str(), 0640);
  auto loose = scanner::load_sign_in(dir, "https://login.microsoftonline.com", "organizations",
                                     "04b07795-8ddb-461a-bbee-02f9e1bf7b46");
  REQUIRE_FALSE(loose.has_value());
  CHECK(loose.error().code == base::exit_code::usage);
  CHECK(loose.error().message ==
        "refusing to use the token cache file '" + file.string() +
            "': its mode 0640 lets other users read or change it (expected 0600) — delete it with `entra-audit "
            "sign-out` and sign in again");

  std::filesystem::rename(file, tmp / "elsewhere.json");
  ::chmod((tmp / "elsewhere.json").c_str(), 0600);
  std::filesystem::create_symlink(tmp / "elsewhere.json", file);
  auto link = scanner::load_sign_in(dir, "https://login.microsoftonline.com", "organizations",
                                    "04b07795-8ddb-461a-bbee-02f9e1bf7b46");
  REQUIRE_FALSE(link.has_value());
  CHECK(link.error().message.find("it is a symbolic link") != std::string::npos);
}

TEST_CASE("sign_out deletes every cached sign-in and names whose each was, without the refresh token") {
  test_support::temp_dir tmp;
  std::string const dir = tmp.path().string();
  REQUIRE(scanner::save_sign_in(dir, entry("organizations")).has_value());
  REQUIRE(scanner::save_sign_in(dir, entry("contoso.example")).has_value());
  auto removed = scanner::sign_out(dir);
  REQUIRE(removed.has_value());
  REQUIRE(removed->size() == 2);
  for (auto const& r : *removed) {
    CHECK(r.entry.user == "auditor@contoso.example");
    CHECK(r.entry.refresh_token.empty());
    CHECK_FALSE(std::filesystem::exists(r.path));
  }
  auto none = scanner::sign_out((tmp / "missing").string());
  REQUIRE(none.has_value());
  CHECK(none->empty());
}
