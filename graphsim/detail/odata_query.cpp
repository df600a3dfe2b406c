#include "graphsim/detail/odata_query.hpp"

#include "graphsim/detail/text.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <charconv>
#include <stdexcept>

namespace graphsim {
namespace {

graph_failure bad_request(std::string message) { return {400, "Request_BadRequest", std::move(message)}; }

graph_failure unsupported_query() { return {400, "Request_UnsupportedQuery", "Unsupported Query."}; }

// `property [asc|desc]`: one key, as directory objects sort by one property.
boost::system::result<order_key, graph_failure> parse_orderby(std::string_view text) {
  std::string_view t = trim(text);
  auto const space = t.find(' ');
  order_key key;
  key.property = std::string(t.substr(0, space));
  if (space != std::string_view::npos) {
    std::string_view const direction = trim(t.substr(space + 1));
    if (iequals(direction, "desc")) key.descending = true;
    else if (!iequals(direction, "asc")) return unsupported_query();
  }
  if (key.property.empty() || key.property.find(',') != std::string::npos) return unsupported_query();
  return key;
}

}  // namespace

std::uint64_t odata_query::shape_hash() const {
  std::uint64_t h = fnv1a("graphsim-query");
  for (auto const& s : select) h = fnv1a(to_lower(s) + ",", h);
  h = fnv1a(top ? std::to_string(*top) : "-", h);
  h = fnv1a("f" + filter_text, h);
  h = fnv1a("o" + orderby_text, h);
  h = fnv1a("s" + search_text, h);
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
    } else if (key == "$orderby") {
      q.orderby_text = value;
    } else if (key == "$search") {
      q.search_text = value;
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
    auto filter = parse_user_filter(q.filter_text);
    if (!filter) return filter.error();
    q.filter = std::move(*filter);
  }
  if (!q.orderby_text.empty()) {
    auto key = parse_orderby(q.orderby_text);
    if (!key) return key.error();
    q.orderby = std::move(*key);
  }
  if (!q.search_text.empty()) {
    auto search = parse_user_search(q.search_text);
    if (!search) return search.error();
    q.search = std::move(*search);
  }
  return q;
}

}  // namespace graphsim
