#include "graphsim/detail/replay_capture.hpp"

#include "graphsim/detail/text.hpp"

#include <boost/url/pct_string_view.hpp>

#include <fmt/format.h>
#include <rapidjson/document.h>

#include <fstream>
#include <regex>
#include <sstream>

namespace graphsim {
namespace {

namespace fs = std::filesystem;
using json = rapidjson::Value;

std::string string_at(const json& obj, const char* key) {
  auto const m = obj.FindMember(key);
  return m != obj.MemberEnd() && m->value.IsString() ? std::string(m->value.GetString(), m->value.GetStringLength())
                                                     : std::string();
}

std::optional<std::string> optional_string_at(const json& obj, const char* key) {
  auto const m = obj.FindMember(key);
  if (m == obj.MemberEnd() || !m->value.IsString()) return std::nullopt;
  return std::string(m->value.GetString(), m->value.GetStringLength());
}

std::uint64_t number_at(const json& obj, const char* key) {
  auto const m = obj.FindMember(key);
  return m != obj.MemberEnd() && m->value.IsUint64() ? m->value.GetUint64() : 0;
}

header_list headers_at(const json& obj, const char* key) {
  header_list out;
  auto const m = obj.FindMember(key);
  if (m == obj.MemberEnd() || !m->value.IsArray()) return out;
  for (auto const& pair : m->value.GetArray()) {
    if (!pair.IsArray() || pair.Size() != 2 || !pair[0].IsString() || !pair[1].IsString()) continue;
    out.emplace_back(to_lower(pair[0].GetString()), pair[1].GetString());
  }
  return out;
}

std::optional<std::vector<captured_batch_item>> batch_items_at(const json& obj) {
  auto const m = obj.FindMember("batch_items");
  if (m == obj.MemberEnd() || !m->value.IsArray()) return std::nullopt;
  std::vector<captured_batch_item> items;
  for (auto const& item : m->value.GetArray()) {
    if (!item.IsObject()) continue;
    items.push_back({string_at(item, "id"), string_at(item, "method"), string_at(item, "url")});
  }
  return items;
}

base::result<std::string> read_whole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return base::usage_error(fmt::format("cannot read '{}'", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  return base::result<std::string>{boost::system::in_place_value, text.str()};
}

std::string percent_decoded(std::string_view text) {
  auto const encoded = boost::urls::make_pct_string_view(text);
  return encoded ? encoded->decode() : std::string(text);  // a broken %XY: compared as it is
}

}  // namespace

std::string replay_key(std::string_view method, std::string_view target) {
  static const std::regex bound(R"((userPrincipalName\s+(le|lt|ge|gt)\s+)'([^']|'')*')", std::regex::icase);
  std::string decoded = percent_decoded(target);
  if (decoded.empty() || decoded.front() != '/') decoded.insert(decoded.begin(), '/');
  if (decoded.find('\'') != std::string::npos) decoded = std::regex_replace(decoded, bound, "$1'*'");
  std::string key = to_lower(method);
  key += ' ';
  key += decoded;
  return key;
}

std::optional<std::string> split_parent_key(std::string_view key) {
  static const std::regex shard(R"(startswith\(userPrincipalName,\s*'((?:[^']|'')*)'\))", std::regex::icase);
  std::string const text(key);
  std::smatch m;
  if (!std::regex_search(text, m, shard)) return std::nullopt;
  std::string prefix;
  std::string const literal = m[1].str();
  for (std::size_t i = 0; i < literal.size(); ++i) {
    prefix.push_back(literal[i]);
    if (literal[i] == '\'') ++i;  // '' is one quote
  }
  if (prefix.size() < 2) return std::nullopt;
  prefix.pop_back();
  std::string shorter;
  for (char c : prefix) {
    shorter.push_back(c);
    if (c == '\'') shorter.push_back('\'');
  }
  return text.substr(0, static_cast<std::size_t>(m.position(1))) + shorter +
         text.substr(static_cast<std::size_t>(m.position(1) + m.length(1)));
}

base::result<std::string> captured_run::body_of(const captured_exchange& x) const {
  if (!x.body_file) return base::result<std::string>{boost::system::in_place_value};
  // Bodies live in bodies/ and nowhere else: a capture from elsewhere must not make this serve other files.
  std::string_view const name = *x.body_file;
  if (!name.starts_with("bodies/") || name.find("..") != std::string_view::npos ||
      name.find('/', 7) != std::string_view::npos)
    return base::runtime_error(fmt::format("capture line {} names the body '{}' outside bodies/", x.seq, name));
  auto const path = dir / *x.body_file;
  auto body = read_whole(path);
  if (!body) return base::runtime_error(fmt::format("cannot read the captured body '{}'", path.string()));
  return body;
}

base::result<captured_run> read_capture(const fs::path& dir) {
  captured_run run;
  run.dir = dir;
  auto manifest_text = read_whole(dir / "manifest.json");
  if (!manifest_text)
    return base::usage_error(
        fmt::format("--replay '{}' holds no capture: cannot read its manifest.json (written by "
                    "`entra-audit scan --capture`)",
                    dir.string()));
  rapidjson::Document manifest;
  manifest.Parse(manifest_text->c_str(), manifest_text->size());
  if (manifest.HasParseError() || !manifest.IsObject() || string_at(manifest, "format") != "entra-audit-capture")
    return base::usage_error(
        fmt::format("'{}' is not the manifest of an entra-audit capture", (dir / "manifest.json").string()));
  if (auto const version = number_at(manifest, "format_version"); version != replay_format_version)
    return base::usage_error(fmt::format("'{}' is a capture of format version {}; this replay reads version {}",
                                         dir.string(), version, replay_format_version));
  run.tenant_id = string_at(manifest, "tenant_id");
  run.client_id = string_at(manifest, "client_id");
  if (auto const p = manifest.FindMember("origin_placeholders"); p != manifest.MemberEnd() && p->value.IsObject()) {
    run.graph_placeholder = string_at(p->value, "graph");
    run.login_placeholder = string_at(p->value, "login");
  }
  if (auto const p = manifest.FindMember("partial"); p != manifest.MemberEnd() && p->value.IsBool())
    run.partial = p->value.GetBool();

  std::ifstream lines(dir / "exchanges.ndjson", std::ios::binary);
  if (!lines) return base::usage_error(fmt::format("cannot read '{}'", (dir / "exchanges.ndjson").string()));
  std::string line;
  for (std::size_t number = 1; std::getline(lines, line); ++number) {
    if (trim(line).empty()) continue;
    rapidjson::Document doc;
    doc.Parse(line.c_str(), line.size());
    if (doc.HasParseError() || !doc.IsObject()) {
      // A capture cut short (the scan was killed mid-line) ends with a broken line: the rest is still served.
      if (lines.peek() == std::char_traits<char>::eof()) break;
      return base::usage_error(
          fmt::format("'{}' line {} is not a JSON object", (dir / "exchanges.ndjson").string(), number));
    }
    captured_exchange x;
    x.seq = number_at(doc, "seq");
    x.login = string_at(doc, "service") == "login";
    x.method = string_at(doc, "method");
    x.target = string_at(doc, "target");
    x.batch_items = batch_items_at(doc);
    x.status = static_cast<unsigned>(number_at(doc, "status"));
    x.response_headers = headers_at(doc, "response_headers");
    x.body_size = number_at(doc, "body_size");
    x.body_file = optional_string_at(doc, "body_file");
    run.exchanges.push_back(std::move(x));
  }
  return run;
}

}  // namespace graphsim
