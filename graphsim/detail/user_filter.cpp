#include "graphsim/detail/user_filter.hpp"

#include "graphsim/detail/text.hpp"

#include <algorithm>
#include <array>

namespace graphsim {
namespace {

// How Graph serves an operator on a property: not at all, by default, or only as an advanced query.
enum class support : std::uint8_t { none, by_default, advanced };

struct property_rule {
  std::string_view name;
  bool is_bool;
  support eq;  // eq and in (ne and not(...) are always advanced where eq is supported)
  support starts_with;
  support ends_with;
  support range;    // lt, le, gt, ge
  support null_eq;  // eq null / ne null
};

// Graph's generated filter table for user properties (concepts/includes/filter-directory-objects.md), for the
// properties the emulator serves. endsWith is advanced-only on mail and userPrincipalName
// (aad-advanced-queries.md). The ge/le cell of userPrincipalName is blank there while resources/user.md lists
// them: the documents conflict, so ranges are served as advanced queries only (the no-range-filter quirk
// refuses them altogether).
constexpr std::array<property_rule, 8> rules{{
    {"userPrincipalName", false, support::by_default, support::by_default, support::advanced, support::advanced,
     support::none},
    {"mail", false, support::by_default, support::by_default, support::advanced, support::none, support::advanced},
    {"displayName", false, support::by_default, support::by_default, support::none, support::none, support::advanced},
    {"givenName", false, support::by_default, support::by_default, support::none, support::none, support::advanced},
    {"surname", false, support::by_default, support::by_default, support::none, support::none, support::advanced},
    {"userType", false, support::by_default, support::none, support::none, support::none, support::advanced},
    {"id", false, support::by_default, support::none, support::none, support::none, support::none},
    {"accountEnabled", true, support::by_default, support::none, support::none, support::none, support::none},
}};

property_rule const* rule_of(std::string_view name) {
  for (auto const& r : rules)
    if (iequals(r.name, name)) return &r;
  return nullptr;
}

graph_failure syntax_error(std::string_view text) {
  return {400, "Request_BadRequest", "Invalid filter clause: syntax error in '" + std::string(text) + "'."};
}

graph_failure unsupported_clause(std::string_view property) {
  return {400, "Request_UnsupportedQuery",
          "Unsupported or invalid query filter clause specified for property '" + std::string(property) +
              "' of resource 'User'."};
}

struct token {
  enum class type : std::uint8_t { word, text, open, close, comma, colon, end } t = type::end;
  std::string value;  // word as written, or the literal's text with '' unescaped
};

// Splits a $filter into words (names, operators, numbers, GUIDs, paths like assignedLicenses/$count), quoted
// literals and punctuation; nullopt for an unterminated literal or a character OData does not allow here.
std::optional<std::vector<token>> tokenize(std::string_view s) {
  std::vector<token> out;
  std::size_t i = 0;
  auto word_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '/' ||
           c == '$' || c == '.' || c == '-';
  };
  while (i < s.size()) {
    char const c = s[i];
    if (c == ' ' || c == '\t') {
      ++i;
    } else if (c == '(' || c == ')' || c == ',' || c == ':') {
      out.push_back({c == '('   ? token::type::open
                     : c == ')' ? token::type::close
                     : c == ',' ? token::type::comma
                                : token::type::colon,
                     std::string(1, c)});
      ++i;
    } else if (c == '\'') {
      std::string text;
      for (++i;; ++i) {
        if (i >= s.size()) return std::nullopt;
        if (s[i] != '\'') {
          text.push_back(s[i]);
        } else if (i + 1 < s.size() && s[i + 1] == '\'') {  // '' inside a literal is one '
          text.push_back('\'');
          ++i;
        } else {
          ++i;
          break;
        }
      }
      out.push_back({token::type::text, std::move(text)});
    } else if (word_char(c)) {
      std::size_t const start = i;
      while (i < s.size() && word_char(s[i])) ++i;
      out.push_back({token::type::word, std::string(s.substr(start, i - start))});
    } else {
      return std::nullopt;
    }
  }
  out.push_back({token::type::end, {}});
  return out;
}

std::optional<compare_op> compare_op_of(std::string_view w) {
  static constexpr std::array<std::pair<std::string_view, compare_op>, 6> ops{{{"eq", compare_op::eq},
                                                                               {"ne", compare_op::ne},
                                                                               {"lt", compare_op::lt},
                                                                               {"le", compare_op::le},
                                                                               {"gt", compare_op::gt},
                                                                               {"ge", compare_op::ge}}};
  for (auto const& [name, op] : ops)
    if (iequals(w, name)) return op;
  return std::nullopt;
}

// A recursive-descent parser over the tokens: or > and > not > primary, as OData's precedence.
class parser {
 public:
  parser(std::string_view text, std::vector<token> tokens) : text_(text), tokens_(std::move(tokens)) {}

  boost::system::result<filter_node, graph_failure> run() {
    auto f = disjunction();
    if (!f) return f;
    if (peek().t != token::type::end) return syntax_error(text_);
    return f;
  }

 private:
  using result = boost::system::result<filter_node, graph_failure>;

  token const& peek() const { return tokens_[pos_]; }
  token const& take() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }
  bool take_word(std::string_view w) {
    if (peek().t != token::type::word || !iequals(peek().value, w)) return false;
    ++pos_;
    return true;
  }
  bool take_type(token::type t) {
    if (peek().t != t) return false;
    ++pos_;
    return true;
  }

  result joined(filter_node::kind k, std::string_view keyword, result (parser::*part)()) {
    auto first = (this->*part)();
    if (!first || !(peek().t == token::type::word && iequals(peek().value, keyword))) return first;
    filter_node node;
    node.k = k;
    node.children.push_back(std::move(*first));
    while (take_word(keyword)) {
      auto next = (this->*part)();
      if (!next) return next;
      node.children.push_back(std::move(*next));
    }
    return node;
  }
  result disjunction() { return joined(filter_node::kind::any_of, "or", &parser::conjunction); }
  result conjunction() { return joined(filter_node::kind::all_of, "and", &parser::unary); }

  result unary() {
    if (take_word("not")) {
      auto inner = unary();
      if (!inner) return inner;
      filter_node node;
      node.k = filter_node::kind::negation;
      node.children.push_back(std::move(*inner));
      return node;
    }
    return primary();
  }

  result primary() {
    if (take_type(token::type::open)) {
      auto inner = disjunction();
      if (!inner) return inner;
      if (!take_type(token::type::close)) return syntax_error(text_);
      return inner;
    }
    if (peek().t != token::type::word) return syntax_error(text_);
    std::string const name = take().value;
    if (iequals(name, "startswith") || iequals(name, "endswith")) return function(iequals(name, "startswith"));
    if (iequals(name, "assignedLicenses/$count")) return license_count();
    if (iequals(name, "assignedLicenses/any")) return has_sku();
    return comparison(name);
  }

  // startswith(property,'x') / endswith(property,'x').
  result function(bool starts) {
    if (!take_type(token::type::open) || peek().t != token::type::word) return syntax_error(text_);
    std::string const property = take().value;
    if (!take_type(token::type::comma) || peek().t != token::type::text) return syntax_error(text_);
    std::string value = take().value;
    if (!take_type(token::type::close)) return syntax_error(text_);
    property_rule const* r = rule_of(property);
    if (!r || (starts ? r->starts_with : r->ends_with) == support::none) return unsupported_clause(property);
    filter_node node;
    node.k = starts ? filter_node::kind::starts_with : filter_node::kind::ends_with;
    node.property = std::string(r->name);
    node.values.push_back(std::move(value));
    return node;
  }

  // assignedLicenses/$count eq 0 | ne 0 (the only counts Graph serves on users' licenses).
  result license_count() {
    if (peek().t != token::type::word) return syntax_error(text_);
    auto op = compare_op_of(take().value);
    if (peek().t != token::type::word) return syntax_error(text_);
    std::string const n = take().value;
    if (!op || (*op != compare_op::eq && *op != compare_op::ne) || n != "0")
      return unsupported_clause("assignedLicenses");
    filter_node node;
    node.k = filter_node::kind::license_count;
    node.property = "assignedLicenses";
    node.op = *op;
    return node;
  }

  // assignedLicenses/any(x:x/skuId eq GUID): docs/graph.md §1.2, the GUID unquoted (a quoted one is accepted too).
  result has_sku() {
    if (!take_type(token::type::open) || peek().t != token::type::word) return syntax_error(text_);
    std::string const var = take().value;
    if (!take_type(token::type::colon) || peek().t != token::type::word) return syntax_error(text_);
    std::string const path = take().value;
    if (!iequals(path, var + "/skuId") || !take_word("eq")) return unsupported_clause("assignedLicenses");
    if (peek().t != token::type::word && peek().t != token::type::text) return syntax_error(text_);
    std::string sku = to_lower(take().value);
    if (!take_type(token::type::close)) return syntax_error(text_);
    filter_node node;
    node.k = filter_node::kind::has_sku;
    node.property = "assignedLicenses";
    node.values.push_back(std::move(sku));
    return node;
  }

  // property op literal, or property in (literal, ...).
  result comparison(std::string const& property) {
    if (peek().t != token::type::word) return syntax_error(text_);
    std::string const op_word = take().value;
    property_rule const* r = rule_of(property);
    filter_node node;
    node.property = r ? std::string(r->name) : property;
    if (iequals(op_word, "in")) {
      if (!r || r->eq == support::none) return unsupported_clause(property);
      if (!take_type(token::type::open)) return syntax_error(text_);
      do {
        auto v = literal(*r);
        if (!v) return syntax_error(text_);
        node.values.push_back(std::move(*v));
      } while (take_type(token::type::comma));
      if (!take_type(token::type::close)) return syntax_error(text_);
      node.k = filter_node::kind::in_list;
      return node;
    }
    auto op = compare_op_of(op_word);
    if (!op) return syntax_error(text_);
    node.k = filter_node::kind::compare;
    node.op = *op;
    if (!r) return unsupported_clause(property);
    if (peek().t == token::type::word && iequals(peek().value, "null")) {
      take();
      node.null_literal = true;
      if (r->null_eq == support::none || (*op != compare_op::eq && *op != compare_op::ne))
        return unsupported_clause(property);
      return node;
    }
    bool const range = *op != compare_op::eq && *op != compare_op::ne;
    if ((range ? r->range : r->eq) == support::none) return unsupported_clause(property);
    auto v = literal(*r);
    if (!v) return syntax_error(text_);
    node.values.push_back(std::move(*v));
    return node;
  }

  // A quoted string, or true/false for a Boolean property; a GUID may come unquoted for id.
  std::optional<std::string> literal(property_rule const& r) {
    token const& t = peek();
    if (r.is_bool) {
      if (t.t != token::type::word || !(iequals(t.value, "true") || iequals(t.value, "false"))) return std::nullopt;
      return to_lower(take().value);
    }
    if (t.t == token::type::text) return take().value;
    return std::nullopt;
  }

  std::string_view text_;
  std::vector<token> tokens_;
  std::size_t pos_ = 0;
};

bool is_range(compare_op op) { return op != compare_op::eq && op != compare_op::ne; }

std::string_view op_name(compare_op op) {
  switch (op) {
    case compare_op::eq:
      return "eq";
    case compare_op::ne:
      return "ne";
    case compare_op::lt:
      return "lt";
    case compare_op::le:
      return "le";
    case compare_op::gt:
      return "gt";
    case compare_op::ge:
      return "ge";
  }
  return "eq";
}

bool reads_upn(filter_node const& f) {
  if (iequals(f.property, "userPrincipalName")) return true;
  return std::any_of(f.children.begin(), f.children.end(), reads_upn);
}

bool compare(compare_op op, int c) {
  switch (op) {
    case compare_op::eq:
      return c == 0;
    case compare_op::ne:
      return c != 0;
    case compare_op::lt:
      return c < 0;
    case compare_op::le:
      return c <= 0;
    case compare_op::gt:
      return c > 0;
    case compare_op::ge:
      return c >= 0;
  }
  return false;
}

}  // namespace

boost::system::result<filter_node, graph_failure> parse_user_filter(std::string_view text) {
  auto tokens = tokenize(text);
  if (!tokens) return syntax_error(text);
  return parser(text, std::move(*tokens)).run();
}

std::optional<std::string_view> prefix_filter_property(std::string_view name) {
  property_rule const* r = rule_of(name);
  if (!r || r->is_bool || r->starts_with == support::none) return std::nullopt;
  return r->name;
}

std::string advanced_operator(filter_node const& f) {
  using k = filter_node::kind;
  switch (f.k) {
    case k::negation:
      return "not";
    case k::ends_with:
      return "endsWith";
    case k::license_count:
      return std::string(op_name(f.op));
    case k::compare:
      if (f.null_literal || f.op == compare_op::ne) return std::string(op_name(f.op));
      if (is_range(f.op)) {
        property_rule const* r = rule_of(f.property);
        if (r && r->range == support::advanced) return std::string(op_name(f.op));
      }
      return {};
    default:
      break;
  }
  for (auto const& child : f.children)
    if (auto op = advanced_operator(child); !op.empty()) return op;
  return {};
}

bool has_upn_range(filter_node const& f) {
  if (f.k == filter_node::kind::negation && reads_upn(f)) return true;
  if (f.k == filter_node::kind::compare && is_range(f.op) && iequals(f.property, "userPrincipalName")) return true;
  return std::any_of(f.children.begin(), f.children.end(), has_upn_range);
}

std::optional<std::string> required_upn_prefix(filter_node const& f) {
  if (f.k == filter_node::kind::starts_with && iequals(f.property, "userPrincipalName") && !f.values[0].empty())
    return f.values[0];
  if (f.k != filter_node::kind::all_of) return std::nullopt;
  std::optional<std::string> best;
  for (auto const& child : f.children)
    if (auto p = required_upn_prefix(child); p && (!best || p->size() > best->size())) best = std::move(p);
  return best;
}

bool is_upn_startswith(filter_node const& f) {
  return f.k == filter_node::kind::starts_with && iequals(f.property, "userPrincipalName") && !f.values[0].empty();
}

int icompare(std::string_view a, std::string_view b) {
  auto lower = [](char c) { return static_cast<unsigned char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); };
  std::size_t const n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i)
    if (lower(a[i]) != lower(b[i])) return lower(a[i]) < lower(b[i]) ? -1 : 1;
  return a.size() == b.size() ? 0 : a.size() < b.size() ? -1 : 1;
}

bool matches(filter_node const& f, user_view const& user) {
  using k = filter_node::kind;
  switch (f.k) {
    case k::all_of:
      return std::all_of(f.children.begin(), f.children.end(), [&](auto const& c) { return matches(c, user); });
    case k::any_of:
      return std::any_of(f.children.begin(), f.children.end(), [&](auto const& c) { return matches(c, user); });
    case k::negation:
      return !matches(f.children[0], user);
    case k::license_count:
      return user.sku_ids().empty() == (f.op == compare_op::eq);
    case k::has_sku: {
      auto const skus = user.sku_ids();
      return std::find(skus.begin(), skus.end(), f.values[0]) != skus.end();
    }
    default:
      break;
  }
  auto const value = user.text(f.property);
  switch (f.k) {
    case k::starts_with:
      return value && istarts_with(*value, f.values[0]);
    case k::ends_with:
      return value && iends_with(*value, f.values[0]);
    case k::token_match:
      return value && words_match(f.values[0], *value);
    case k::in_list:
      return value && std::any_of(f.values.begin(), f.values.end(), [&](auto const& v) { return iequals(*value, v); });
    case k::compare:
      if (f.null_literal) return value.has_value() == (f.op == compare_op::ne);
      // A null property satisfies only ne (OData: null compares unequal to every value, and not ordered).
      if (!value) return f.op == compare_op::ne;
      return compare(f.op, icompare(*value, f.values[0]));
    default:
      return false;
  }
}

}  // namespace graphsim
