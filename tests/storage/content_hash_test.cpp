// The fingerprints stored with versions (docs/schema.md "Versions"): computed several rows at a time, they must be
// exactly what one row at a time gives, or every stored version would look changed to the next scan.
#include "storage/detail/content_hash.hpp"

#include "storage/detail/finding_versions.hpp"
#include "storage/detail/user_versions.hpp"

#include <doctest/doctest.h>

#include <random>
#include <string>
#include <vector>

using namespace storage::detail;

namespace {

// One row's fields as both sinks take them.
struct fields {
  std::vector<std::string> texts;
  std::vector<std::optional<bool>> flags;
  std::vector<std::int64_t> numbers;
};

template <class Sink>
void add_fields(Sink& sink, const fields& f) {
  for (const auto& t : f.texts) sink.add(std::string_view(t));
  for (const auto& b : f.flags) sink.add(b);
  for (const auto& n : f.numbers) sink.add(n);
}

fields random_fields(std::mt19937_64& rng) {
  fields f;
  auto const count = [&](int most) { return std::uniform_int_distribution<int>(0, most)(rng); };
  for (int i = count(6); i > 0; --i) {
    std::string t(static_cast<std::size_t>(count(i == 1 ? 700 : 40)), '\0');
    for (auto& c : t) c = static_cast<char>(rng());  // any byte, NUL and invalid UTF-8 included
    f.texts.push_back(std::move(t));
  }
  for (int i = count(3); i > 0; --i) {
    int const v = count(2);
    f.flags.push_back(v == 2 ? std::optional<bool>() : std::optional<bool>(v == 1));
  }
  for (int i = count(3); i > 0; --i) f.numbers.push_back(static_cast<std::int64_t>(rng()));
  return f;
}

}  // namespace

TEST_CASE("fingerprints computed in a batch equal those computed one row at a time, for any number of rows") {
  std::mt19937_64 rng(20261207);
  for (std::size_t rows : {0u, 1u, 2u, 3u, 4u, 5u, 7u, 63u, 64u, 65u, 200u}) {
    CAPTURE(rows);
    std::vector<fields> all;
    for (std::size_t r = 0; r < rows; ++r) all.push_back(random_fields(rng));
    if (rows > 2) all[1] = {};  // a row with no field at all
    content_batch batch;
    std::vector<std::int64_t> one_by_one;
    for (const auto& f : all) {
      auto sink = batch.row();
      add_fields(sink, f);
      batch.end_row();
      content_hasher h;
      add_fields(h, f);
      one_by_one.push_back(h.value());
    }
    CHECK(batch.fingerprints() == one_by_one);
  }
}

TEST_CASE("a batch made while another lives starts empty and leaves the other's rows as they were") {
  content_batch outer;
  auto sink = outer.row();
  sink.add(std::string_view("outer"));
  outer.end_row();
  {
    content_batch inner;
    CHECK(inner.fingerprints().empty());
  }
  content_hasher h;
  h.add(std::string_view("outer"));
  CHECK(outer.fingerprints() == std::vector<std::int64_t>{h.value()});
}

TEST_CASE("a page's findings fingerprinted together keep each finding's own fingerprint") {
  std::vector<storage::finding_record> findings(70);
  for (std::size_t i = 0; i < findings.size(); ++i) {
    findings[i].user_id = "user-" + std::to_string(i);
    findings[i].group_names = std::string(i, ';');
    if (i % 3 == 0) findings[i].account_enabled = i % 2 == 0;
  }
  auto const together = finding_contents(findings);
  REQUIRE(together.size() == findings.size());
  for (std::size_t i = 0; i < findings.size(); ++i) CHECK(together[i] == finding_content(findings[i]));
}

TEST_CASE("users fingerprinted together keep each user's own fingerprint, licenses and states included") {
  std::vector<storage::user_record> users(5);
  std::vector<storage::assigned_license_record> licenses(3);
  std::vector<storage::license_state_record> states(2);
  for (std::size_t i = 0; i < users.size(); ++i) {
    users[i].id = "user-" + std::to_string(i);
    users[i].user_principal_name = "u" + std::to_string(i) + "@contoso.example";
  }
  licenses[0].sku_id = "sku-a";
  licenses[1].sku_id = "sku-b";
  licenses[1].disabled_plans = {"plan-1", "plan-2"};
  licenses[2].sku_id = "sku-c";
  states[0].sku_id = "sku-a";
  states[0].assigned_by_group = "group-1";
  states[1].sku_id = "sku-b";
  std::vector<const storage::assigned_license_record*> const some_licenses{&licenses[0], &licenses[1]};
  std::vector<const storage::license_state_record*> const some_states{&states[0], &states[1]};
  content_batch batch;
  std::vector<std::int64_t> one_by_one;
  for (std::size_t i = 0; i < users.size(); ++i) {
    std::span<const storage::assigned_license_record* const> l;
    std::span<const storage::license_state_record* const> st;
    if (i % 2 == 1) l = some_licenses, st = some_states;
    add_user_content(batch, users[i], l, st);
    one_by_one.push_back(user_content(users[i], l, st));
  }
  CHECK(batch.fingerprints() == one_by_one);
}
