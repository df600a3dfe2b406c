#include "scanner/shard_plan.hpp"

#include "support.hpp"

#include <doctest/doctest.h>

#include <set>

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
  for (char c : std::string_view("'-_!#^~")) CHECK(distinct.count(std::string(1, c)) == 1);
  CHECK(distinct.count(".") == 0);  // Entra refuses a leading period
  CHECK(all.size() == 43);
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
  auto const back = scanner::shard_cursor::decode(text);
  REQUIRE(back.has_value());
  REQUIRE(back->shards.size() == cursor.shards.size());
  for (std::size_t i = 0; i < cursor.shards.size(); ++i) {
    CHECK(back->shards[i].prefix == cursor.shards[i].prefix);
    CHECK(back->shards[i].at == cursor.shards[i].at);
    CHECK(back->shards[i].next_link == cursor.shards[i].next_link);
    CHECK(back->shards[i].count == cursor.shards[i].count);
    CHECK(back->shards[i].stored == cursor.shards[i].stored);
  }
  for (auto& s : cursor.shards) s.at = scanner::shard_progress::phase::done;
  CHECK(cursor.encode().empty());
  for (auto bad : {"entra-audit shards v1\n", "entra-audit shards v1\na\tx\t-\t0\t\n",
                   "entra-audit shards v1\na\tr\t-\t0\t\n", "entra-audit shards v1\na\tp\t-\t0"}) {
    auto const refused = scanner::shard_cursor::decode(bad);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().message.find("start a new scan") != std::string::npos);
  }
}

TEST_CASE("the shards prove complete only when each listed what it counted and the counts make the total") {
  auto cursor = scanner::shard_cursor::fresh();
  std::int64_t total = 0;
  for (auto& s : cursor.shards) {
    s.at = scanner::shard_progress::phase::done;
    s.count = 10;
    s.stored = 10;
    total += 10;
  }
  CHECK_FALSE(cursor.incomplete(total).has_value());
  auto const lagging = cursor.incomplete(total + 1);
  REQUIRE(lagging.has_value());
  CHECK(lagging->find("the directory counts") != std::string::npos);
  cursor.shards[3].stored = 9;
  auto const short_shard = cursor.incomplete(total);
  REQUIRE(short_shard.has_value());
  CHECK(short_shard->find("counted 10 users but listed 9") != std::string::npos);
  cursor.shards[3].at = scanner::shard_progress::phase::running;
  CHECK(cursor.incomplete(total).has_value());
}

TEST_CASE("a shard holding more than one chain's share of the listing is worth halving, a small one is not") {
  CHECK(scanner::worth_splitting(10'148, 100'000, 16));       // 'j' of 100k users: 6,250 a chain
  CHECK_FALSE(scanner::worth_splitting(6'000, 100'000, 16));
  CHECK_FALSE(scanner::worth_splitting(1'500, 12'000, 16));   // never below two pages
  CHECK(scanner::worth_splitting(2'500, 12'000, 16));
  CHECK_FALSE(scanner::worth_splitting(2'500, 12'000, 1));    // one chain lists everything anyway
  // The scan passes the users still to list: 'o' (5,379) is not worth halving at the start of 100k users, but
  // is once half of them are listed and its five pages in a row would outlast the other chains.
  CHECK_FALSE(scanner::worth_splitting(5'379, 100'000, 16));
  CHECK(scanner::worth_splitting(5'379, 50'000, 16));
}

TEST_CASE("a shard splits at the lower median of its first page's names, lower-cased, or not at all") {
  auto const bound = scanner::split_bound({"JOE@x.com", "ann@x.com", "bob@x.com", "jan@x.com"}, "J");
  CHECK_FALSE(bound.has_value());  // the median, bob@, does not start with the prefix: not a sample of the shard
  auto const j = scanner::split_bound({"JOE@x.com", "jo@x.com", "jim@x.com", "jan@x.com"}, "J");
  REQUIRE(j.has_value());
  CHECK(*j == "jim@x.com");  // jan jim | jo joe
  CHECK_FALSE(scanner::split_bound({"jan@x.com"}, "j").has_value());
  CHECK_FALSE(scanner::split_bound({"j an@x.com", "j bo@x.com"}, "j").has_value());  // a space: no cursor key
}

TEST_CASE("a split shard's halves filter with le and not(le), and its cursor (v2) survives encoding") {
  scanner::shard_progress low;
  low.prefix = "j";
  low.bound = "jo'x@c.com";
  auto const url = low.first_url();
  CHECK(url.find(scanner::shard_first_url("j").substr(0, url.find("$filter="))) == 0);
  CHECK(url.find("%20and%20userPrincipalName%20le%20%27jo%27%27x%40c.com%27") != std::string::npos);
  scanner::shard_progress high = low;
  high.above = true;
  CHECK(high.first_url().find("%20and%20not%28userPrincipalName%20le%20%27jo%27%27x%40c.com%27%29") !=
        std::string::npos);

  auto cursor = scanner::shard_cursor::fresh();
  CHECK(cursor.encode().starts_with("entra-audit shards v1\n"));  // no split: readable by earlier versions
  cursor.shards[1].at = scanner::shard_progress::phase::running;  // 'm', taken before 'j' splits
  cursor.shards[1].next_link = "https://graph.microsoft.com/v1.0/users?$skiptoken=M";
  cursor.split(0, "jo'x@c.com", 2);
  REQUIRE(cursor.shards.size() == scanner::upn_first_characters().size() + 2);
  CHECK(cursor.shards[0].at == scanner::shard_progress::phase::split);
  CHECK(cursor.shards[1].prefix == "m");
  CHECK(cursor.shards[2].name() == "j le jo'x@c.com");
  CHECK(cursor.shards[3].name() == "j gt jo'x@c.com");
  CHECK(cursor.shards[2].at == scanner::shard_progress::phase::pending);
  cursor.shards[2].at = scanner::shard_progress::phase::done;
  cursor.shards[2].count = cursor.shards[2].stored = 4;
  auto const text = cursor.encode();
  CHECK(text.starts_with("entra-audit shards v2\n"));
  auto const back = scanner::shard_cursor::decode(text);
  REQUIRE(back.has_value());
  REQUIRE(back->shards.size() == cursor.shards.size());
  for (std::size_t i = 0; i < cursor.shards.size(); ++i) {
    CHECK(back->shards[i].name() == cursor.shards[i].name());
    CHECK(back->shards[i].bound == cursor.shards[i].bound);
    CHECK(back->shards[i].above == cursor.shards[i].above);
    CHECK(back->shards[i].at == cursor.shards[i].at);
    CHECK(back->shards[i].count == cursor.shards[i].count);
  }
  CHECK_FALSE(scanner::shard_cursor::decode("entra-audit shards v2\nj lt x\tp\t-\t0\t\n").has_value());
}

TEST_CASE("a split shard's users are proven by its halves, not by itself") {
  auto cursor = scanner::shard_cursor::fresh();
  cursor.split(0, "jm", 1);
  std::int64_t total = 0;
  for (auto& s : cursor.shards) {
    if (s.at == scanner::shard_progress::phase::split) continue;
    s.at = scanner::shard_progress::phase::done;
    s.count = s.stored = 7;
    total += 7;
  }
  CHECK(cursor.done());
  CHECK_FALSE(cursor.incomplete(total).has_value());
  cursor.shards[2].stored = 6;  // the upper half listed one user short
  auto const why = cursor.incomplete(total);
  REQUIRE(why.has_value());
  CHECK(why->find("shard 'j gt jm' counted 7 users but listed 6") != std::string::npos);
}
