// graphsim/detail/user_filter.hpp — the $filter language of GET /users as the emulator evaluates it: a parsed
// expression, which of its parts Graph serves only as an advanced query, and its value for one user.
// The property and operator table follows Graph's generated filter table for users (docs/graphsim.md,
// "Query options on /users").
#pragma once

#include "graphsim/detail/http_types.hpp"

#include <boost/system/result.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace graphsim {

enum class compare_op : std::uint8_t { eq, ne, lt, le, gt, ge };

// One node of a $filter expression.
struct filter_node {
  enum class kind : std::uint8_t {
    all_of,         // children joined by `and`
    any_of,         // children joined by `or`
    negation,       // not(child)
    compare,        // property op literal (op in compare_op; literal may be null)
    starts_with,    // startswith(property,'x')
    ends_with,      // endswith(property,'x')
    in_list,        // property in ('a','b')
    license_count,  // assignedLicenses/$count eq|ne 0
    has_sku,        // assignedLicenses/any(x:x/skuId eq GUID)
    token_match,    // $search on displayName: every word of the term starts a word of the value
  };
  kind k = kind::all_of;
  std::string property;  // as Graph spells it, e.g. "userPrincipalName"
  compare_op op = compare_op::eq;
  std::vector<std::string> values;  // the literal(s), quotes removed ('' is one '); booleans as true/false
  bool null_literal = false;        // compare with `null`
  std::vector<filter_node> children;
};

// What a filter needs to read of a user. Absent (nullopt) string properties are JSON null.
struct user_view {
  std::function<std::optional<std::string>(std::string_view property)> text;  // canonical property name
  std::function<std::vector<std::string>()> sku_ids;                          // lower-case skuIds
};

// Parses a $filter for /users, or Graph's 400: Request_BadRequest for bad syntax, Request_UnsupportedQuery
// for a property or operator Graph does not filter users by.
boost::system::result<filter_node, graph_failure> parse_user_filter(std::string_view text);

// Parses $search ("property:term" clauses, each in double quotes, joined by AND or OR) into the filter it
// amounts to: a word match on displayName, startswith on the other string properties; or Graph's 400.
boost::system::result<filter_node, graph_failure> parse_user_search(std::string_view text);

// The first operator of the filter Graph serves only as an advanced query ($count=true and ConsistencyLevel:
// eventual), as Graph names it in its error ("ne", "not", "endsWith", "le", ...); empty when none is.
std::string advanced_operator(filter_node const& f);

// True if the filter has a range (lt, le, gt, ge) on userPrincipalName or a not(...) over it.
bool has_upn_range(filter_node const& f);

// A prefix every match's userPrincipalName starts with (case-insensitively), from a startswith on it that
// the whole filter requires; nullopt when the filter requires none.
std::optional<std::string> required_upn_prefix(filter_node const& f);

// True if the filter is exactly startswith(userPrincipalName,'p') with a non-empty prefix p.
bool is_upn_startswith(filter_node const& f);

// The spelling Graph gives a string property of users that startswith filters on (userPrincipalName, mail,
// displayName, ...), matched ignoring case; nullopt for any other name.
std::optional<std::string_view> prefix_filter_property(std::string_view name);

// True if every word of term starts a word of value, as $search matches displayName (user_search.cpp).
bool words_match(std::string_view term, std::string_view value);

// The filter's value for one user.
bool matches(filter_node const& f, user_view const& user);

// Compares a and b ignoring ASCII case, byte by byte (how the emulator orders userPrincipalName ranges).
int icompare(std::string_view a, std::string_view b);

}  // namespace graphsim
