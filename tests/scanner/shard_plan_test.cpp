#include "scanner/detail/shard_plan.hpp"

#include "support.hpp"

#include <doctest/doctest.h>

#include <set>
#include <string>

namespace {

// Decodes the cursor's own text and checks that every shard came back whole.
void check_round_trip(const scanner::shard_cursor& cursor) {
  auto const back = scanner::shard_cursor::decode(cursor.encode());
  REQUIRE(back.has_value());
  REQUIRE(back->shards.size() == cursor.shards.size());
  for (std::size_t i = 0; i < cursor.shards.size(); ++i) {
    CHECK(back->shards[i].prefix == cursor.shards[i].prefix);
    CHECK(back->shards[i].at == cursor.shards[i].at);
    CHECK(back->shards[i].next_link == cursor.shards[i].next_link);
    CHECK(back->shards[i].count == cursor.shards[i].count);
    CHECK(back->shards[i].stored == cursor.shards[i].stored);
    CHECK(back->shards[i].listing == cursor.shards[i].listing);
  }
}

}  // namespace

TEST_CASE("--shards accepts auto, off and 1 to 64, and names the rule otherwise") {
  auto const a = scanner::parse_shards_setting("auto");
  REQUIRE(a.has_value());
  CHECK(a->automatic);
  auto const off = scanner::parse_shards_setting("off");
  REQUIRE(off.has_value());
  CHECK_FALSE(off->automatic);
  CHECK(off->chains == 0);
  auto const eight = scanner::parse_shards_setting("8");
  REQUIRE(eight.has_value());
  CHECK(eight->chains == 8);
  for (auto bad : {"0", "65", "-1", "many", "", "8x"}) {
    auto const refused = scanner::parse_shards_setting(bad);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().code == base::exit_code::usage);
    CHECK(refused.error().message.find("auto, off or a number from 1 to 64") != std::string::npos);
  }
}

TEST_CASE("the shards cover every character a user principal name may start with, once each") {
  auto const& all = scanner::upn_first_characters();
  std::set<std::string> const distinct(all.begin(), all.end());
  CHECK(distinct.size() == all.size());
  for (char c = 'a'; c <= 'z'; ++c) CHECK(distinct.count(std::string(1, c)) == 1);
  for (char c = '0'; c <= '9'; ++c) CHECK(distinct.count(std::string(1, c)) == 1);
  // Every other character Entra allows in a user principal name; nothing forbids a leading period.
  for (char c : std::string_view("'.-_!#^~")) CHECK(distinct.count(std::string(1, c)) == 1);
  CHECK(all.size() == 44);
  for (auto const& s : all)  // startswith ignores case: one shard per letter
    CHECK(s.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == std::string::npos);
}

TEST_CASE("auto shards a tenant of more than four pages and leaves smaller ones to the single chain") {
  scanner::shards_setting const automatic{true, 0};
  CHECK(scanner::shard_chains_for(automatic, 0) == 0);
  CHECK(scanner::shard_chains_for(automatic, 999 * 4) == 0);
  CHECK(scanner::shard_chains_for(automatic, 999 * 4 + 1) == scanner::auto_shard_chains);
  CHECK(scanner::shard_chains_for(automatic, 1'000'000) == scanner::auto_shard_chains);
  CHECK(scanner::shard_chains_for({false, 0}, 1'000'000) == 0);
  CHECK(scanner::shard_chains_for({false, 3}, 10) == 3);
}

TEST_CASE("a shard's URL filters on the encoded startswith literal, with quotes doubled, and asks the count") {
  auto const a = scanner::shard_first_url("a");
  CHECK(a.find("$filter=startswith%28userPrincipalName%2C%27a%27%29") != std::string::npos);
  CHECK(a.find("$count=true") != std::string::npos);
  CHECK(a.find("$top=999") != std::string::npos);
  auto const quote = scanner::shard_first_url("'");
  CHECK(quote.find("%27%27%27%27%29") != std::string::npos);  // '''' : the literal ' quoted
  CHECK(scanner::shard_first_url("#").find("%23") != std::string::npos);
}

TEST_CASE("a shard cursor survives encoding, and is empty once every shard is done") {
  auto cursor = scanner::shard_cursor::fresh();
  REQUIRE(cursor.shards.size() == scanner::upn_first_characters().size());
  cursor.shards[0].at = scanner::shard_progress::phase::running;
  cursor.shards[0].next_link = "https://graph.microsoft.com/v1.0/users?$skiptoken=X%21Y";
  cursor.shards[0].count = 1500;
  cursor.shards[0].stored = 999;
  cursor.shards[1].at = scanner::shard_progress::phase::done;
  cursor.shards[1].count = 3;
  cursor.shards[1].stored = 3;
  auto const text = cursor.encode();
  CHECK(scanner::shard_cursor::is_sharded(text));
  CHECK_FALSE(scanner::shard_cursor::is_sharded("https://graph.microsoft.com/v1.0/users?$skiptoken=X"));
  check_round_trip(cursor);
  for (auto& s : cursor.shards) s.at = scanner::shard_progress::phase::done;
  CHECK(cursor.encode().empty());
  for (auto bad : {"entra-audit shards v1\n", "entra-audit shards v1\na\tx\t-\t0\t\n",
                   "entra-audit shards v1\na\tr\t-\t0\t\n", "entra-audit shards v1\na\tp\t-\t0"}) {
    auto const refused = scanner::shard_cursor::decode(bad);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().message.find("start a new scan") != std::string::npos);
  }
}

TEST_CASE("the shards prove complete when each listed what it counted and the counts make the total") {
  auto cursor = scanner::shard_cursor::fresh();
  std::int64_t total = 0;
  for (auto& s : cursor.shards) {
    s.at = scanner::shard_progress::phase::done;
    s.count = 10;
    s.stored = 10;
    total += 10;
  }
  CHECK(cursor.verdict(total).outcome == scanner::shards_verdict::kind::proven);
  CHECK(cursor.verdict(total).listed == total);
  // The directory counts one more than the shards hold: someone is outside every prefix (or was deleted).
  CHECK(cursor.verdict(total + 1).outcome == scanner::shards_verdict::kind::fewer_than_counted);
  // The directory's count lags the shards': nothing is missing.
  CHECK(cursor.verdict(total - 3).outcome == scanner::shards_verdict::kind::more_than_counted);
  cursor.shards[3].stored = 9;  // kept after its last listing: not proven, and one short
  CHECK(cursor.verdict(total).outcome == scanner::shards_verdict::kind::fewer_than_counted);
  CHECK(cursor.verdict(total).listed == total - 1);
}

TEST_CASE("a shard is worth splitting when its pages in a row outlast one and a half chains' share and the split") {
  // 100k users over 16 chains: 6,250 a chain, so 9,375, and a split's 45 first pages cost 3 pages a chain.
  CHECK_FALSE(scanner::worth_splitting(10'148, 100'000, 16));  // 'j' of given names: the others end later anyway
  CHECK(scanner::worth_splitting(37'227, 100'000, 16));        // 'u' of employee numbers
  CHECK(scanner::worth_splitting(12'400, 100'000, 16));
  CHECK_FALSE(scanner::worth_splitting(12'300, 100'000, 16));
  CHECK(scanner::worth_splitting(101'000, 1'000'000, 16));   // 'j' of 1M: 93,750 + 2,997
  CHECK_FALSE(scanner::worth_splitting(1'500, 12'000, 64));  // never below two pages
  CHECK(scanner::worth_splitting(2'500, 12'000, 64));        // 188 a chain, and one first page each
  CHECK_FALSE(scanner::worth_splitting(2'500, 12'000, 1));   // one chain lists everything anyway
  // A shard's share is of the whole directory: 8,000 is worth splitting in 50k users, not in 100k.
  CHECK_FALSE(scanner::worth_splitting(8'000, 100'000, 16));
  CHECK(scanner::worth_splitting(8'000, 50'000, 16));
}

TEST_CASE("a split shard is replaced by one shard per character that may follow its prefix, '@' included") {
  auto cursor = scanner::shard_cursor::fresh();
  auto const first = cursor.shards.size();
  cursor.shards[1].at = scanner::shard_progress::phase::running;  // 'm', taken before 'j' splits
  cursor.shards[1].next_link = "https://graph.microsoft.com/v1.0/users?$skiptoken=M";
  auto const added = cursor.split(0, 5000);
  CHECK(added == scanner::upn_first_characters().size() + 1);
  REQUIRE(cursor.shards.size() == first + added);
  CHECK(cursor.shards[0].at == scanner::shard_progress::phase::replaced);
  CHECK(cursor.shards[0].count == 5000);
  CHECK(cursor.shards[1].prefix == "m");
  CHECK(cursor.shards[first - 1].prefix == "~");  // appended after every first character
  std::set<std::string> longer;
  for (std::size_t i = first; i < first + added; ++i) {
    // No sample: no name shows which prefixes are used, so every one waits for its siblings' counts.
    CHECK(cursor.shards[i].at == scanner::shard_progress::phase::waiting);
    longer.insert(cursor.shards[i].prefix);
  }
  CHECK(longer.count("ja") == 1);
  CHECK(longer.count("j.") == 1);
  CHECK(longer.count("j'") == 1);
  CHECK(longer.count("j@") == 1);  // "j@contoso.com" starts with no longer local part
  CHECK(longer.size() == added);
  // A split of a split goes deeper; a prefix that reached the domain is never split (a name may end there).
  CHECK(cursor.split(first, 300) == added);
  CHECK(cursor.shards.back().prefix.size() == 3);
  CHECK(scanner::upn_next_characters("j@").empty());
  CHECK_FALSE(scanner::splittable("j@c"));
  CHECK(scanner::splittable("u1234567"));
  CHECK_FALSE(scanner::splittable(std::string(scanner::max_shard_prefix, 'a')));
}

namespace {

// The index of the (last) shard of prefix.
std::size_t shard_index(const scanner::shard_cursor& cursor, std::string_view prefix) {
  for (std::size_t i = cursor.shards.size(); i-- > 0;)
    if (cursor.shards[i].prefix == prefix) return i;
  FAIL("no shard " << prefix);
  return 0;
}

}  // namespace

TEST_CASE("the longer prefixes no name of the first page uses are listed only when the others' counts fall short") {
  using phase = scanner::shard_progress::phase;
  std::vector<std::string> const sample{"jo@x.com", "JOE@x.com", "jim@x.com"};
  auto cursor = scanner::shard_cursor::fresh();
  cursor.split(0, 30, sample);
  auto const jo = shard_index(cursor, "jo");
  auto const ji = shard_index(cursor, "ji");
  auto const ja = shard_index(cursor, "ja");
  CHECK(cursor.shards[jo].at == phase::pending);
  CHECK(cursor.shards[ji].at == phase::pending);
  CHECK(cursor.shards[ja].at == phase::waiting);

  SUBCASE("a sibling's first page not yet in: nothing is decided") {
    cursor.shards[jo].count = 20;
    CHECK_FALSE(cursor.settle_waiting(ja));
    CHECK(cursor.shards[ja].at == phase::waiting);
  }
  SUBCASE("the listed siblings count every user of the parent: the others are empty, without a request") {
    cursor.shards[jo].count = 20;
    cursor.shards[ji].count = 10;
    REQUIRE(cursor.settle_waiting(ja));
    for (auto const& s : cursor.shards) {
      if (s.prefix.size() != 2) continue;
      CHECK(s.at != phase::waiting);
      if (s.prefix != "jo" && s.prefix != "ji") {
        CHECK(s.at == phase::done);
        CHECK(s.count == 0);
      }
    }
    // Done and empty, they prove the split shard's users together with the listed ones.
    cursor.shards[jo].at = cursor.shards[ji].at = phase::done;
    cursor.shards[jo].stored = 20;
    cursor.shards[ji].stored = 10;
    for (auto& s : cursor.shards)
      if (s.prefix.size() == 1 && s.at == phase::pending) {
        s.at = phase::done;
        s.count = 0;
      }
    CHECK(cursor.done());
    CHECK(cursor.verdict(30).outcome == scanner::shards_verdict::kind::proven);
  }
  SUBCASE("the listed siblings count fewer (or more) than the parent: every other prefix is listed") {
    cursor.shards[jo].count = 20;
    cursor.shards[ji].count = 9;
    REQUIRE(cursor.settle_waiting(ja));
    CHECK(cursor.shards[ja].at == phase::pending);
    CHECK(cursor.shards[shard_index(cursor, "j@")].at == phase::pending);
  }
  SUBCASE("a sibling's first page came without a count: nothing proves the others empty") {
    cursor.shards[jo].count = 30;
    cursor.shards[ji].uncounted = true;
    REQUIRE(cursor.settle_waiting(ja));
    CHECK(cursor.shards[ja].at == phase::pending);
  }
  SUBCASE("a relisted sibling is counted once, by its first listing") {
    cursor.shards[jo].count = 20;
    cursor.shards[ji].count = 10;
    cursor.shards[jo].at = phase::done;
    cursor.relist(jo, jo + 1);
    REQUIRE(cursor.settle_waiting(shard_index(cursor, "ja")));
    CHECK(cursor.shards[shard_index(cursor, "ja")].at == phase::done);
  }
}

TEST_CASE("a split shard's users are proven by its longer prefixes, and a relisted one by its new listing") {
  auto cursor = scanner::shard_cursor::fresh();
  auto const first = cursor.shards.size();
  cursor.split(0, 100);
  cursor.relist(first, first + 1);  // 'ja' listed again: its first listing is replaced
  CHECK(cursor.shards[first + 1].prefix == cursor.shards[first].prefix);
  CHECK(cursor.shards[first + 1].listing == 2);
  std::int64_t total = 0;
  for (auto& s : cursor.shards) {
    if (s.at == scanner::shard_progress::phase::replaced) continue;
    s.at = scanner::shard_progress::phase::done;
    s.count = s.stored = 7;
    total += 7;
  }
  CHECK(cursor.done());
  CHECK(cursor.verdict(total).outcome == scanner::shards_verdict::kind::proven);
}

TEST_CASE(
    "a v4 cursor keeps multi-character prefixes, listings, waiting shards and quotes; v2 range halves are refused") {
  auto cursor = scanner::shard_cursor::fresh();
  auto const first = cursor.shards.size();
  cursor.split(0, 5000, std::vector<std::string>{"ja@x.com"});
  cursor.shards[first].at = scanner::shard_progress::phase::running;
  cursor.shards[first].next_link = "https://graph.microsoft.com/v1.0/users?$skiptoken=J";
  cursor.shards[first].listing = 2;
  cursor.shards[first].count = 1234;
  auto const text = cursor.encode();
  CHECK(text.starts_with("entra-audit shards v4\n"));
  CHECK(text.find("\tw\t") != std::string::npos);
  check_round_trip(cursor);
  // A v3 cursor (written before waiting shards) still resumes.
  auto v3 = scanner::shard_cursor::fresh().encode();
  v3.replace(0, std::string_view("entra-audit shards v4").size(), "entra-audit shards v3");
  CHECK(scanner::shard_cursor::decode(v3).has_value());
  CHECK(scanner::shard_cursor::is_sharded("entra-audit shards v2\nj le x\tp\t-\t0\t\n"));
  CHECK_FALSE(scanner::shard_cursor::decode("entra-audit shards v2\nj le x\tp\t-\t0\t\n").has_value());
}

TEST_CASE("the longer prefixes most frequent in the dropped page come first, and the sample never adds or drops one") {
  auto plain = scanner::shard_cursor::fresh();
  auto ordered = scanner::shard_cursor::fresh();
  auto const first = plain.shards.size();
  std::vector<std::string> const sample{"JOE@x.com", "jo@x.com", "jim@x.com", "ann@x.com", "j@x.com", "jo.b@x.com"};
  auto const n = plain.split(0, 100);
  CHECK(ordered.split(0, 100, sample) == n);
  CHECK(ordered.shards[first].prefix == "jo");      // three names
  CHECK(ordered.shards[first + 1].prefix == "ji");  // then one each, in the usual order of characters
  CHECK(ordered.shards[first + 2].prefix == "j@");
  CHECK(ordered.shards[first + 3].at == scanner::shard_progress::phase::waiting);  // no name: it waits
  std::set<std::string> a, b;
  for (auto const& s : plain.shards) a.insert(s.prefix);
  for (auto const& s : ordered.shards) b.insert(s.prefix);
  CHECK(a == b);
}
