#include "scanner/detail/shard_plan.hpp"

#include "scanner/detail/encoding.hpp"
#include "scanner/detail/graph_limits.hpp"
#include "scanner/detail/parse_users.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

namespace scanner {
namespace {

// `auto` leaves tenants of this many pages or fewer to the single chain: 42 first pages would cost more than a
// few round trips in a row.
constexpr std::int64_t auto_min_pages = 4;

// v1: one shard per first character (earlier versions); v2: range halves (no longer read); v3: any prefixes,
// with the listing number of each; v4: v3 with waiting shards.
constexpr std::string_view cursor_header = "entra-audit shards v1\n";
constexpr std::string_view cursor_header_v2 = "entra-audit shards v2\n";
constexpr std::string_view cursor_header_v3 = "entra-audit shards v3\n";
constexpr std::string_view cursor_header_v4 = "entra-audit shards v4\n";

// The characters after the first of a local part: the first characters and '@', where the domain begins.
constexpr std::string_view local_characters = "jmsacdkrbltegnphvfiozwyuqx0123456789'.-_!#^~";

std::optional<std::int64_t> to_int(std::string_view text) {
  std::int64_t v = 0;
  auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || v < 0) return std::nullopt;
  return v;
}

// The next '\t'- or '\n'-ended field of text from pos.
std::optional<std::string_view> field(std::string_view text, std::size_t& pos, char end) {
  auto const stop = text.find(end, pos);
  if (stop == std::string_view::npos) return std::nullopt;
  auto out = text.substr(pos, stop - pos);
  pos = stop + 1;
  return out;
}

}  // namespace

base::result<shards_setting> parse_shards_setting(std::string_view text) {
  if (text == "auto") return shards_setting{true, 0};
  if (text == "off") return shards_setting{false, 0};
  auto const n = to_int(text);
  if (!n || *n < 1 || *n > max_shard_chains)
    return base::usage_error(
        fmt::format("--shards must be auto, off or a number from 1 to {}, not '{}'", max_shard_chains, text));
  return shards_setting{false, static_cast<unsigned>(*n)};
}

const std::vector<std::string>& upn_first_characters() {
  // Letters first, most common first letters of given names leading, so the biggest shards start early and
  // the last chains to finish are the short ones.
  static const std::vector<std::string> all = [] {
    std::vector<std::string> v;
    for (char c : local_characters) v.emplace_back(1, c);
    return v;
  }();
  return all;
}

std::vector<char> upn_next_characters(std::string_view prefix) {
  if (prefix.find('@') != std::string_view::npos) return {};
  std::vector<char> next(local_characters.begin(), local_characters.end());
  next.push_back('@');
  return next;
}

bool splittable(std::string_view prefix) {
  return prefix.size() < max_shard_prefix && prefix.find('@') == std::string_view::npos;
}

unsigned shard_chains_for(const shards_setting& setting, std::int64_t total_users) {
  if (!setting.automatic) return setting.chains;
  std::int64_t const pages = (total_users + users_page_size - 1) / users_page_size;
  return pages > auto_min_pages ? auto_shard_chains : 0;
}

std::string users_count_url() { return "/v1.0/users?$select=id&$top=1&$count=true"; }

// An OData string literal doubles its single quotes.
std::string odata_literal(std::string_view text) {
  std::string literal;
  for (char c : text) {
    literal.push_back(c);
    if (c == '\'') literal.push_back('\'');
  }
  return literal;
}

std::string shard_first_url(std::string_view prefix) {
  std::string const filter = fmt::format("startswith(userPrincipalName,'{}')", odata_literal(prefix));
  return fmt::format("/v1.0/users?$select={}&$top={}&$count=true&$filter={}", user_select, users_page_size,
                     form_encode(filter));
}

bool worth_splitting(std::int64_t count, std::int64_t users, unsigned chains) {
  std::int64_t const n = std::max(chains, 1u);
  std::int64_t const share = (users + n - 1) / n;
  // The chains never end together: each takes the next shard whole, the biggest first, and that greedy order
  // ends within about 4/3 of the even share (Graham's bound for longest-first scheduling). A shard the listing waits
  // for is one that outlasts one and a half shares, by more than the split costs: at most one first page per
  // longer prefix (45), spread over the chains.
  std::int64_t const longer = static_cast<std::int64_t>(local_characters.size()) + 1;
  std::int64_t const cost = (longer + n - 1) / n * users_page_size;
  return count > std::max(share + share / 2 + cost, 2 * users_page_size);
}

shard_cursor shard_cursor::fresh() {
  shard_cursor c;
  for (auto const& prefix : upn_first_characters()) c.shards.push_back({.prefix = prefix});
  return c;
}

std::size_t shard_cursor::split(std::size_t index, std::int64_t count, std::span<const std::string> sample) {
  std::string const prefix = shards[index].prefix;
  shards[index].at = shard_progress::phase::replaced;
  shards[index].next_link.clear();
  shards[index].count = count;  // what its waiting longer prefixes are settled against
  auto next = upn_next_characters(prefix);
  std::array<std::int64_t, 256> seen{};
  auto const lower = [](char c) { return static_cast<unsigned char>(std::tolower(static_cast<unsigned char>(c))); };
  for (auto const& name : sample) {
    if (name.size() <= prefix.size()) continue;
    if (!std::equal(prefix.begin(), prefix.end(), name.begin(), [&](char a, char b) { return lower(a) == lower(b); }))
      continue;  // not a name of this shard
    ++seen[lower(name[prefix.size()])];
  }
  std::stable_sort(next.begin(), next.end(), [&seen](char a, char b) {
    return seen[static_cast<unsigned char>(a)] > seen[static_cast<unsigned char>(b)];
  });
  // Appended, not taken next: the shards not yet started are as big as this one's longer prefixes or bigger, and
  // the listing ends sooner when the longest chains start first.
  for (char c : next) {
    bool const used = seen[static_cast<unsigned char>(c)] > 0;
    shards.push_back(
        {.prefix = prefix + c, .at = used ? shard_progress::phase::pending : shard_progress::phase::waiting});
  }
  return next.size();
}

bool shard_cursor::settle_waiting(std::size_t index) {
  using phase = shard_progress::phase;
  std::string const child = shards[index].prefix;
  std::string_view const parent(child.data(), child.size() - 1);
  auto const sibling = [&](const shard_progress& s) {
    return s.prefix.size() == child.size() && std::string_view(s.prefix).starts_with(parent);
  };
  // The split that made it: the last shard of the parent prefix replaced before it (earlier listings of that
  // prefix were relisted, not split).
  std::size_t split_at = index;
  while (split_at > 0 && !(shards[split_at - 1].prefix == parent && shards[split_at - 1].at == phase::replaced))
    --split_at;
  std::optional<std::int64_t> expected;
  if (split_at > 0) expected = shards[split_at - 1].count;
  // Each sibling listed since the split, by the count of its first listing (a relisting follows it).
  std::int64_t listed = 0;
  std::vector<std::string_view> counted;
  for (std::size_t i = split_at; i < shards.size() && expected; ++i) {
    auto const& s = shards[i];
    if (!sibling(s) || s.at == phase::waiting) continue;
    if (std::find(counted.begin(), counted.end(), s.prefix) != counted.end()) continue;
    if (!s.count && s.at == phase::pending && !s.uncounted) return false;  // its first page is not in yet
    if (!s.count) {
      expected.reset();  // listed without a count: nothing proves the waiting ones empty
      break;
    }
    counted.push_back(s.prefix);
    listed += *s.count;
  }
  bool const empty = expected && listed == *expected;
  for (std::size_t i = split_at; i < shards.size(); ++i) {
    auto& s = shards[i];
    if (!sibling(s) || s.at != phase::waiting) continue;
    s.at = empty ? phase::done : phase::pending;
    if (empty) s.count = 0;
  }
  return true;
}

void shard_cursor::relist(std::size_t index, std::size_t at) {
  shard_progress again{.prefix = shards[index].prefix, .listing = shards[index].listing + 1};
  shards[index].at = shard_progress::phase::replaced;
  shards[index].next_link.clear();
  shards.insert(shards.begin() + static_cast<std::ptrdiff_t>(at), std::move(again));
}

bool shard_cursor::is_sharded(std::string_view text) {
  return text.starts_with(cursor_header) || text.starts_with(cursor_header_v2) || text.starts_with(cursor_header_v3) ||
         text.starts_with(cursor_header_v4);
}

base::result<shard_cursor> shard_cursor::decode(std::string_view text) {
  auto const bad = [] {
    return base::runtime_error(
        "the stored resume cursor of this scan is not one this version of entra-audit reads — start a new scan "
        "(without --resume)");
  };
  bool const v4 = text.starts_with(cursor_header_v4);
  bool const v3 = v4 || text.starts_with(cursor_header_v3);
  if (!v3 && !text.starts_with(cursor_header)) return bad();
  shard_cursor c;
  std::size_t pos = cursor_header.size();  // every version's header has one length
  while (pos < text.size()) {
    auto prefix = field(text, pos, '\t');
    auto phase = field(text, pos, '\t');
    auto count = field(text, pos, '\t');
    auto stored = field(text, pos, '\t');
    auto listing = v3 ? field(text, pos, '\t') : std::optional<std::string_view>("1");
    auto link = field(text, pos, '\n');
    if (!prefix || !phase || !count || !stored || !listing || !link || prefix->empty()) return bad();
    shard_progress s{.prefix = std::string(*prefix)};
    if (s.prefix.find(' ') != std::string::npos) return bad();
    if (*phase == "p") s.at = shard_progress::phase::pending;
    else if (*phase == "r") s.at = shard_progress::phase::running;
    else if (*phase == "d") s.at = shard_progress::phase::done;
    else if (*phase == "s") s.at = shard_progress::phase::replaced;
    else if (*phase == "w" && v4) s.at = shard_progress::phase::waiting;
    else return bad();
    if (*count != "-") {
      s.count = to_int(*count);
      if (!s.count) return bad();
    }
    auto const n = to_int(*stored);
    auto const l = to_int(*listing);
    if (!n || !l || *l < 1) return bad();
    s.stored = *n;
    s.listing = static_cast<unsigned>(*l);
    s.next_link = std::string(*link);
    if (s.at == shard_progress::phase::running && s.next_link.empty()) return bad();
    c.shards.push_back(std::move(s));
  }
  if (c.shards.empty()) return bad();
  return c;
}

std::string shard_cursor::encode() const {
  if (done()) return {};
  std::string out(cursor_header_v4);
  for (auto const& s : shards) {
    char const phase = s.at == shard_progress::phase::pending    ? 'p'
                       : s.at == shard_progress::phase::running  ? 'r'
                       : s.at == shard_progress::phase::replaced ? 's'
                       : s.at == shard_progress::phase::waiting  ? 'w'
                                                                 : 'd';
    out += fmt::format("{}\t{}\t{}\t{}\t{}\t{}\n", s.prefix, phase, s.count ? std::to_string(*s.count) : "-", s.stored,
                       s.listing, s.at == shard_progress::phase::running ? s.next_link : "");
  }
  return out;
}

bool shard_cursor::done() const {
  return std::all_of(shards.begin(), shards.end(), [](const shard_progress& s) { return s.finished(); });
}

shards_verdict shard_cursor::verdict(std::int64_t total_users) const {
  shards_verdict v;
  bool exact = true;
  std::int64_t counted = 0;
  for (auto const& s : shards) {
    if (s.at != shard_progress::phase::done) continue;  // replaced shards' users are listed by their successors
    v.listed += s.stored;
    counted += s.count.value_or(s.stored);
    if (!s.count || *s.count != s.stored) exact = false;
  }
  if (exact && counted == total_users) v.outcome = shards_verdict::kind::proven;
  else if (v.listed >= total_users) v.outcome = shards_verdict::kind::more_than_counted;
  else v.outcome = shards_verdict::kind::fewer_than_counted;
  return v;
}

}  // namespace scanner
