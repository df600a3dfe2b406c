#include "scanner/shard_plan.hpp"

#include "scanner/encoding.hpp"
#include "scanner/parse_users.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <charconv>

namespace scanner {
namespace {

// Graph's maximum page size for /users without signInActivity (GRAPH.md §1).
constexpr std::int64_t page_size = 999;
// `auto` leaves tenants of this many pages or fewer to the single chain: 42 first pages would cost more than a
// few round trips in a row.
constexpr std::int64_t auto_min_pages = 4;

// v2 cursors may hold split shards; a cursor without any is written as v1, which earlier versions read.
constexpr std::string_view cursor_header = "entra-audit shards v1\n";
constexpr std::string_view cursor_header_v2 = "entra-audit shards v2\n";

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
    return base::usage_error(fmt::format("--shards must be auto, off or a number from 1 to {}, not '{}'",
                                         max_shard_chains, text));
  return shards_setting{false, static_cast<unsigned>(*n)};
}

const std::vector<std::string>& upn_first_characters() {
  // Letters first, most common first letters of given names leading, so the biggest shards start early and
  // the last chains to finish are the short ones.
  static const std::vector<std::string> all = [] {
    std::vector<std::string> v;
    for (char c : std::string_view("jmsacdkrbltegnphvfiozwyuqx0123456789'-_!#^~")) v.emplace_back(1, c);
    return v;
  }();
  return all;
}

unsigned shard_chains_for(const shards_setting& setting, std::int64_t total_users) {
  if (!setting.automatic) return setting.chains;
  std::int64_t const pages = (total_users + page_size - 1) / page_size;
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

std::string shard_first_url(std::string_view prefix, const std::optional<std::string>& bound, bool above) {
  std::string filter = fmt::format("startswith(userPrincipalName,'{}')", odata_literal(prefix));
  if (bound)
    filter += above ? fmt::format(" and not(userPrincipalName le '{}')", odata_literal(*bound))
                    : fmt::format(" and userPrincipalName le '{}'", odata_literal(*bound));
  return fmt::format("/v1.0/users?$select={}&$top={}&$count=true&$filter={}", user_select, page_size,
                     form_encode(filter));
}

bool worth_splitting(std::int64_t count, std::int64_t users_left, unsigned chains) {
  std::int64_t const share = (users_left + std::max(chains, 1u) - 1) / std::max(chains, 1u);
  return count > std::max(share, 2 * page_size);
}

std::optional<std::string> split_bound(std::vector<std::string> sample, std::string_view prefix) {
  if (sample.size() < 2) return std::nullopt;
  for (auto& upn : sample)
    for (auto& c : upn) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto const median = sample.begin() + static_cast<std::ptrdiff_t>(sample.size() / 2 - 1);
  std::nth_element(sample.begin(), median, sample.end());
  std::string bound = std::move(*median);
  std::string lower_prefix(prefix);
  for (auto& c : lower_prefix) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!bound.starts_with(lower_prefix) || bound.size() > 256) return std::nullopt;
  for (unsigned char c : bound)
    if (c <= ' ' || c == 0x7f) return std::nullopt;
  return bound;
}

std::string shard_progress::name() const {
  if (!bound) return prefix;
  return fmt::format("{} {} {}", prefix, above ? "gt" : "le", *bound);
}

shard_cursor shard_cursor::fresh() {
  shard_cursor c;
  for (auto const& prefix : upn_first_characters()) c.shards.push_back({prefix, {}, false, shard_progress::phase::pending, {}, {}, 0});
  return c;
}

void shard_cursor::split(std::size_t index, const std::string& bound, std::size_t at) {
  auto& whole = shards[index];
  whole.at = shard_progress::phase::split;
  whole.next_link.clear();
  shard_progress low{whole.prefix, bound, false, shard_progress::phase::pending, {}, {}, 0};
  shard_progress high{whole.prefix, bound, true, shard_progress::phase::pending, {}, {}, 0};
  // whole is not used past here: the inserts may move it.
  shards.insert(shards.begin() + static_cast<std::ptrdiff_t>(at), {std::move(low), std::move(high)});
}

bool shard_cursor::is_sharded(std::string_view text) {
  return text.starts_with(cursor_header) || text.starts_with(cursor_header_v2);
}

base::result<shard_cursor> shard_cursor::decode(std::string_view text) {
  auto const bad = [] {
    return base::runtime_error(
        "the stored resume cursor of this scan is not one this version of entra-audit reads — start a new scan "
        "(without --resume)");
  };
  if (!is_sharded(text)) return bad();
  shard_cursor c;
  std::size_t pos = cursor_header.size();  // both versions' headers have one length
  while (pos < text.size()) {
    auto prefix = field(text, pos, '\t');
    auto phase = field(text, pos, '\t');
    auto count = field(text, pos, '\t');
    auto stored = field(text, pos, '\t');
    auto link = field(text, pos, '\n');
    if (!prefix || !phase || !count || !stored || !link || prefix->empty()) return bad();
    shard_progress s;
    // "prefix", or "prefix le bound" / "prefix gt bound" for a half (bounds hold no space).
    std::string_view key = *prefix;
    if (auto const space = key.find(' '); space != std::string_view::npos) {
      auto const op = key.substr(space + 1, 3);
      if ((op != "le " && op != "gt ") || key.size() <= space + 4) return bad();
      s.bound = std::string(key.substr(space + 4));
      s.above = op == "gt ";
      key = key.substr(0, space);
      if (s.bound->find(' ') != std::string::npos) return bad();
    }
    s.prefix = std::string(key);
    if (*phase == "p") s.at = shard_progress::phase::pending;
    else if (*phase == "r") s.at = shard_progress::phase::running;
    else if (*phase == "d") s.at = shard_progress::phase::done;
    else if (*phase == "s") s.at = shard_progress::phase::split;
    else return bad();
    if (*count != "-") {
      s.count = to_int(*count);
      if (!s.count) return bad();
    }
    auto const n = to_int(*stored);
    if (!n) return bad();
    s.stored = *n;
    s.next_link = std::string(*link);
    if (s.at == shard_progress::phase::running && s.next_link.empty()) return bad();
    c.shards.push_back(std::move(s));
  }
  if (c.shards.empty()) return bad();
  return c;
}

std::string shard_cursor::encode() const {
  if (done()) return {};
  bool const any_split =
      std::any_of(shards.begin(), shards.end(), [](const shard_progress& s) { return s.bound.has_value(); });
  std::string out(any_split ? cursor_header_v2 : cursor_header);
  for (auto const& s : shards) {
    char const phase = s.at == shard_progress::phase::pending   ? 'p'
                       : s.at == shard_progress::phase::running ? 'r'
                       : s.at == shard_progress::phase::split   ? 's'
                                                                : 'd';
    out += fmt::format("{}\t{}\t{}\t{}\t{}\n", s.name(), phase, s.count ? std::to_string(*s.count) : "-", s.stored,
                       s.at == shard_progress::phase::running ? s.next_link : "");
  }
  return out;
}

bool shard_cursor::done() const {
  return std::all_of(shards.begin(), shards.end(), [](const shard_progress& s) { return s.finished(); });
}

std::optional<std::string> shard_cursor::incomplete(std::int64_t total_users) const {
  std::int64_t counted = 0;
  for (auto const& s : shards) {
    if (s.at == shard_progress::phase::split) continue;  // its halves account for its users
    if (s.at != shard_progress::phase::done) return fmt::format("shard '{}' did not finish", s.name());
    if (!s.count) return fmt::format("shard '{}' did not say how many users it holds", s.name());
    if (*s.count != s.stored)
      return fmt::format("shard '{}' counted {} users but listed {}", s.name(), *s.count, s.stored);
    counted += *s.count;
  }
  if (counted != total_users)
    return fmt::format("the shards hold {} users but the directory counts {}", counted, total_users);
  return std::nullopt;
}

}  // namespace scanner
