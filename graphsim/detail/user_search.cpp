// $search on /users: "property:term" clauses turned into the filter they amount to, and the word matching
// Graph documents for displayName (concepts/search-query-parameter.md; docs/graphsim.md, "Query options on
// /users").
#include "graphsim/detail/text.hpp"
#include "graphsim/detail/user_filter.hpp"

#include <algorithm>
#include <cctype>

namespace graphsim {
namespace {

// The words of a displayName as Graph's $search tokenizes it (search-query-parameter.md): runs of letters or
// of digits, split where lower case turns upper; plus the runs joined across symbols ("hello.world" also
// gives "helloworld"). Bytes above 0x7f count as letters. Lower-cased.
std::vector<std::string> search_words(std::string_view text) {
  auto kind = [](unsigned char c) {
    if (c >= '0' && c <= '9') return 1;
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80) return 2;
    return c == ' ' || c == '\t' ? 0 : 3;  // 0: a space; 3: a symbol
  };
  std::vector<std::string> words;
  std::string word;
  auto flush = [&] {
    if (!word.empty()) words.push_back(to_lower(word));
    word.clear();
  };
  for (char ch : text) {
    auto const c = static_cast<unsigned char>(ch);
    int const k = kind(c);
    if (k == 0 || k == 3) {
      flush();
      continue;
    }
    if (!word.empty()) {
      auto const prev = static_cast<unsigned char>(word.back());
      if (kind(prev) != k || (std::islower(prev) && std::isupper(c))) flush();
    }
    word.push_back(ch);
  }
  flush();
  // Words separated only by symbols are one word too.
  for (std::size_t start = 0; start <= text.size();) {
    std::size_t end = text.find_first_of(" \t", start);
    if (end == std::string_view::npos) end = text.size();
    std::string joined;
    bool symbol = false;
    for (char ch : text.substr(start, end - start)) {
      if (kind(static_cast<unsigned char>(ch)) == 3) symbol = true;
      else joined.push_back(ch);
    }
    if (symbol && !joined.empty()) words.push_back(to_lower(joined));
    start = end + 1;
  }
  return words;
}

graph_failure bad_search(std::string_view text) {
  return {400, "Request_UnsupportedQuery", "Syntax error: '" + std::string(text) + "' is not a valid $search value."};
}

}  // namespace

bool words_match(std::string_view term, std::string_view value) {
  auto const wanted = search_words(term);
  auto const have = search_words(value);
  return std::all_of(wanted.begin(), wanted.end(), [&](std::string const& w) {
    return std::any_of(have.begin(), have.end(), [&](std::string const& h) { return h.starts_with(w); });
  });
}

boost::system::result<filter_node, graph_failure> parse_user_search(std::string_view text) {
  filter_node any;
  any.k = filter_node::kind::any_of;
  filter_node all;
  all.k = filter_node::kind::all_of;
  std::string_view rest = trim(text);
  while (true) {
    if (rest.empty() || rest.front() != '"') return bad_search(text);
    auto const close = rest.find('"', 1);
    auto const colon = rest.find(':');
    if (close == std::string_view::npos || colon == std::string_view::npos || colon > close) return bad_search(text);
    std::string_view const property = trim(rest.substr(1, colon - 1));
    std::string const term(trim(rest.substr(colon + 1, close - colon - 1)));
    auto const name = prefix_filter_property(property);
    if (!name)
      return graph_failure{400, "Request_UnsupportedQuery",
                           "Unsupported or invalid search clause specified for property '" + std::string(property) +
                               "' of resource 'User'."};
    filter_node clause;
    clause.k = *name == "displayName" ? filter_node::kind::token_match : filter_node::kind::starts_with;
    clause.property = std::string(*name);
    clause.values.push_back(term);
    all.children.push_back(std::move(clause));
    rest = trim(rest.substr(close + 1));
    if (rest.empty()) break;
    bool const is_or = istarts_with(rest, "OR ");
    if (!is_or && !istarts_with(rest, "AND ")) return bad_search(text);
    rest = trim(rest.substr(is_or ? 3 : 4));
    if (is_or) {  // AND binds tighter than OR
      any.children.push_back(std::move(all));
      all = filter_node{};
      all.k = filter_node::kind::all_of;
    }
  }
  any.children.push_back(std::move(all));
  return any;
}

}  // namespace graphsim
