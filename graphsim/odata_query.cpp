#include "graphsim/odata_query.hpp"

#include "graphsim/text.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <charconv>
#include <stdexcept>

namespace graphsim {
namespace {

graph_failure bad_request(std::string message) { return {400, "Request_BadRequest", std::move(message)}; }

graph_failure unsupported_query() { return {400, "Request_UnsupportedQuery", "Unsupported Query."}; }

graph_failure invalid_filter(std::string_view text) {
  return bad_request("Invalid filter clause: syntax error in '" + std::string(text) + "'.");
}

// A single-quoted OData string literal ('' escapes a quote); the rest of text after it goes to rest.
std::optional<std::string> parse_quoted(std::string_view& text) {
  if (text.empty() || text.front() != '\'') return std::nullopt;
  std::string out;
  std::size_t i = 1;
  for (; i < text.size(); ++i) {
    if (text[i] == '\'') {
      if (i + 1 < text.size() && text[i + 1] == '\'') {
        out.push_back('\'');
        ++i;
        continue;
      }
      text.remove_prefix(i + 1);
      return out;
    }
    out.push_back(text[i]);
  }
  return std::nullopt;
}

bool consume(std::string_view& text, std::string_view token) {
  text = trim(text);
  if (!istarts_with(text, token)) return false;
  text.remove_prefix(token.size());
  return true;
}

boost::system::result<odata_query, graph_failure> parse_filter(std::string_view text, odata_query q) {
  std::string_view t = trim(text);
  if (consume(t, "startswith")) {
    if (!consume(t, "(") || !consume(t, "userPrincipalName") || !consume(t, ",")) return unsupported_query();
    t = trim(t);
    auto literal = parse_quoted(t);
    if (!literal || !consume(t, ")")) return invalid_filter(text);
    q.filter = user_filter::upn_startswith;
    q.filter_value = *literal;
    if (trim(t).empty()) return q;
    // `and userPrincipalName le 'y'` or `and not(userPrincipalName le 'y')`: how a big shard is halved.
    if (!consume(t, "and ")) return unsupported_query();
    bool const negated = consume(t, "not(") || consume(t, "not (");
    if (!consume(t, "userPrincipalName") || !consume(t, "le ")) return unsupported_query();
    t = trim(t);
    auto bound = parse_quoted(t);
    if (!bound || (negated && !consume(t, ")")) || !trim(t).empty()) return invalid_filter(text);
    q.upn_le = *bound;
    q.upn_above = negated;
    return q;
  }
  if (consume(t, "assignedLicenses/$count")) {
    bool ne = false;
    if (consume(t, "ne ")) ne = true;
    else if (!consume(t, "eq ")) return unsupported_query();
    if (!consume(t, "0") || !trim(t).empty()) return unsupported_query();
    q.filter = ne ? user_filter::licensed : user_filter::unlicensed;
    return q;
  }
  return unsupported_query();
}

}  // namespace

std::uint64_t odata_query::shape_hash() const {
  std::uint64_t h = fnv1a("graphsim-query");
  for (auto const& s : select) h = fnv1a(to_lower(s) + ",", h);
  h = fnv1a(top ? std::to_string(*top) : "-", h);
  h = fnv1a(std::to_string(static_cast<int>(filter)), h);
  h = fnv1a(filter_value, h);
  h = fnv1a(upn_le ? (upn_above ? ">" : "<=") + *upn_le : "-", h);
  h = fnv1a(count ? "c" : "n", h);
  return h;
}

void throw_exception_from_error(graph_failure const& e, boost::source_location const&) {
  throw std::logic_error("unchecked graph_failure: " + e.message);
}

boost::system::result<odata_query, graph_failure> parse_odata_query(std::string_view target) {
  odata_query q;
  auto const question = target.find('?');
  if (question == std::string_view::npos) return q;
  auto parsed = boost::urls::parse_origin_form(target);
  if (!parsed) return bad_request("Invalid request URL.");
  std::vector<std::string> seen;
  for (auto it = parsed->params().begin(); it != parsed->params().end(); ++it) {
    auto const param = *it;  // Boost.URL 1.81: the params iterator has no operator->
    std::string const key = to_lower(param.key);
    if (key.empty() || key.front() != '$') continue;  // Graph ignores non-system options (e.g. api-version)
    for (auto const& s : seen)
      if (s == key)
        return bad_request("Query option '" + std::string(param.key) +
                           "' was specified more than once, but it must be specified at most once.");
    seen.push_back(key);
    std::string const value = param.value;
    if (key == "$select") {
      q.select_text = value;
      std::string_view rest = value;
      while (!rest.empty()) {
        auto const comma = rest.find(',');
        std::string_view const item = trim(rest.substr(0, comma));
        if (!item.empty()) q.select.emplace_back(item);
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
    } else if (key == "$top") {
      long long n = 0;
      auto const [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc{} || end != value.data() + value.size() || value.empty())
        return bad_request("Invalid value '" + value +
                           "' for $top query option found. The $top query option requires a non-negative integer "
                           "value.");
      q.top = n;
    } else if (key == "$filter") {
      q.filter_text = value;
    } else if (key == "$count") {
      if (iequals(value, "true")) q.count = true;
      else if (iequals(value, "false")) q.count = false;
      else return bad_request("'" + value + "' is not a valid count option.");
    } else if (key == "$skiptoken") {
      q.skiptoken = value;
    } else if (key == "$deltatoken") {
      q.deltatoken = value;
    } else if (key == "$skip") {
      return bad_request("'$skip' is not supported by the service.");
    } else {
      q.unsupported.push_back(std::string(param.key));
    }
  }
  if (!q.filter_text.empty()) {
    std::string const text = q.filter_text;  // q moves into the call: keep the text alive apart
    return parse_filter(text, std::move(q));
  }
  return q;
}

}  // namespace graphsim
