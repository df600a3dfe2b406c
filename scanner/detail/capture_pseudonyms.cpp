#include "scanner/detail/capture_pseudonyms.hpp"

#include "scanner/detail/capture_text.hpp"
#include "scanner/detail/encoding.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace scanner {
namespace {

using namespace capture_text;

bool ascii_alnum(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool high_byte(char c) { return static_cast<unsigned char>(c) >= 0x80; }

// Characters of an address's local part as they appear in free text (quotes excluded: they delimit it there).
bool local_char(char c) { return ascii_alnum(c) || high_byte(c) || std::strchr(".!#$%&*+/=?^_`{|}~-", c) != nullptr; }

bool domain_char(char c) { return ascii_alnum(c) || high_byte(c) || c == '.' || c == '-'; }

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// A pseudonym this file made (text is not pseudonymized twice).
bool is_pseudonym_address(std::string_view a) {
  auto const at = a.rfind('@');
  if (at == std::string_view::npos) return false;
  auto const domain = a.substr(at + 1);
  return domain.size() == 18 && domain.starts_with("d-") && domain.ends_with(".invalid") && is_hex(domain.substr(2, 8));
}

// Characters that may follow an origin inside a longer text: anything that cannot continue its host or port.
bool ends_origin(std::string_view text, std::size_t at) {
  if (at >= text.size()) return true;
  char const c = text[at];
  return !(ascii_alnum(c) || c == '.' || c == '-' || c == ':');
}

std::string replace_origin(std::string text, std::string_view origin, std::string_view placeholder) {
  if (origin.empty()) return text;
  for (auto pos = text.find(origin); pos != std::string::npos; pos = text.find(origin, pos)) {
    if (!ends_origin(text, pos + origin.size())) {
      pos += origin.size();
      continue;
    }
    text.replace(pos, origin.size(), placeholder);
    pos += placeholder.size();
  }
  return text;
}

bool free_text(std::string_view s) { return s.find_first_of(" '\"@\t\r\n") != std::string_view::npos; }

bool url_like(std::string_view s) { return s.starts_with("https://") || s.starts_with("http://"); }

std::string trimmed_root(std::string root) {
  while (!root.empty() && root.back() == '/') root.pop_back();
  return root;
}

}  // namespace

bool is_address_like(std::string_view text) {
  auto const at = text.find('@');
  if (at == std::string_view::npos || at == 0 || at != text.rfind('@')) return false;
  auto const domain = text.substr(at + 1);
  if (domain.empty() || domain.front() == '.' || domain.back() == '.' || domain.find('.') == std::string_view::npos)
    return false;
  return std::none_of(text.begin(), text.end(), [](char c) {
    return std::isspace(static_cast<unsigned char>(c)) != 0 || c == '"' || c == '<' || c == '>' || c == ',';
  });
}

pseudonymizer::pseudonymizer(std::string key, std::string graph_root, std::string authority_host)
    : key_(std::move(key)),
      graph_root_(trimmed_root(std::move(graph_root))),
      authority_host_(trimmed_root(std::move(authority_host))) {}

const std::vector<std::string_view>& pseudonymizer::keys() {
  static const std::vector<std::string_view> all{"userPrincipalName",
                                                 "displayName",
                                                 "mail",
                                                 "otherMails",
                                                 "proxyAddresses",
                                                 "givenName",
                                                 "surname",
                                                 "department",
                                                 "jobTitle",
                                                 "mailNickname",
                                                 "employeeId",
                                                 "onPremisesSamAccountName",
                                                 "onPremisesUserPrincipalName"};
  return all;
}

std::string pseudonymizer::hash_hex(std::string_view purpose, std::string_view value, std::size_t hex_digits) const {
  std::string input(purpose);
  input += '\0';
  input.append(value);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()), reinterpret_cast<const unsigned char*>(input.data()),
       input.size(), digest, &length);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length && out.size() < hex_digits; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0xF];
  }
  out.resize(std::min(out.size(), hex_digits));
  return out;
}

std::string pseudonymizer::address(std::string_view a) {
  auto const at = a.rfind('@');
  auto const local = a.substr(0, at == std::string_view::npos ? a.size() : at);
  auto const domain = at == std::string_view::npos ? std::string_view() : a.substr(at + 1);
  // The first character stays: the scanner shards the users listing by it (scanner/detail/shard_plan.hpp).
  char first = local.empty() ? 'u' : local.front();
  if (!ascii_alnum(first) && std::strchr("'-_!#^~", first) == nullptr) first = 'u';
  bool const guest = lower(local).find("#ext#") != std::string::npos;
  return std::string(1, first) + "-" + hash_hex("address", lower(a), 16) + (guest ? "#EXT#" : "") + "@d-" +
         hash_hex("domain", lower(domain), 8) + ".invalid";
}

std::string pseudonymizer::name(std::string_view value) { return "n-" + hash_hex("name", value, 16); }

void pseudonymizer::remember(std::string_view original) {
  if (original.size() < min_known_length || known_bytes_ + original.size() > max_known_bytes) return;
  if (known_.emplace(original).second) known_bytes_ += original.size();
}

std::string pseudonymizer::value_of(std::string_view key, std::string_view value) {
  if (value.empty()) return std::string(value);
  if (key == "proxyAddresses") {
    // "SMTP:ana@contoso.com", "smtp:alias@…", "SIP:…", "X500:/o=…": the type prefix stays.
    auto const colon = value.find(':');
    if (colon != std::string_view::npos && colon > 0 && colon <= 10) {
      auto const rest = value.substr(colon + 1);
      return std::string(value.substr(0, colon + 1)) + (is_address_like(rest) ? address(rest) : name(rest));
    }
  }
  bool const addresses = key == "userPrincipalName" || key == "mail" || key == "otherMails" ||
                         key == "onPremisesUserPrincipalName" || key == "proxyAddresses";
  if (addresses && is_address_like(value)) return address(value);
  remember(value);
  return name(value);
}

std::string pseudonymizer::origins(std::string_view text) const {
  std::string out = replace_origin(std::string(text), graph_root_, capture_graph_origin);
  if (authority_host_ != graph_root_) out = replace_origin(std::move(out), authority_host_, capture_login_origin);
  return out;
}

std::string pseudonymizer::text(std::string_view in) {
  std::string const s = origins(in);
  std::string out;
  out.reserve(s.size());
  std::size_t copied = 0;
  for (std::size_t pos = s.find('@'); pos != std::string::npos; pos = s.find('@', pos)) {
    std::size_t l = pos;
    while (l > copied && local_char(s[l - 1])) --l;
    std::size_t r = pos + 1;
    while (r < s.size() && domain_char(s[r])) ++r;
    while (r > pos + 1 && s[r - 1] == '.') --r;
    std::string_view const candidate(s.data() + l, r - l);
    if (l < pos && is_address_like(candidate) && !is_pseudonym_address(candidate)) {
      out.append(s, copied, l - copied);
      out += address(candidate);
      copied = r;
      pos = r;
    } else {
      ++pos;
    }
  }
  out.append(s, copied);
  for (auto const& original : known_) {
    if (original.size() > out.size()) continue;
    auto pos = out.find(original);
    if (pos == std::string::npos) continue;
    std::string const pseudonym = name(original);
    for (; pos != std::string::npos; pos = out.find(original, pos + pseudonym.size()))
      out.replace(pos, original.size(), pseudonym);
  }
  return out;
}

std::string pseudonymizer::url(std::string_view in) {
  std::string const s = origins(in);
  std::size_t path_start = 0;
  if (url_like(s)) {
    path_start = s.find('/', s.find("//") + 2);
    if (path_start == std::string::npos) return s;
  }
  auto const query_start = s.find('?', path_start);
  std::string const path =
      s.substr(path_start, query_start == std::string::npos ? std::string::npos : query_start - path_start);
  auto literal = [this](std::string_view value) -> std::string {
    if (is_address_like(value) && !is_pseudonym_address(value)) return address(value);
    if (value.size() >= min_known_length && known_.count(std::string(value)) > 0) return name(value);
    return std::string(value);
  };
  std::string out = s.substr(0, path_start);
  std::size_t from = 0;
  while (from <= path.size()) {
    auto const slash = path.find('/', from);
    std::string_view const segment =
        std::string_view(path).substr(from, slash == std::string::npos ? std::string::npos : slash - from);
    std::string const decoded = percent_decode(segment);
    std::string const mapped = literal(decoded);
    out += mapped == decoded ? std::string(segment) : form_encode(mapped);
    if (slash == std::string::npos) break;
    out += '/';
    from = slash + 1;
  }
  if (query_start == std::string::npos) return out;
  out += '?';
  std::string_view const query = std::string_view(s).substr(query_start + 1);
  for (std::size_t begin = 0; begin <= query.size();) {
    auto const amp = query.find('&', begin);
    std::string_view const part =
        query.substr(begin, amp == std::string_view::npos ? std::string_view::npos : amp - begin);
    auto const eq = part.find('=');
    if (eq == std::string_view::npos) {
      out.append(part);
    } else {
      std::string const decoded = percent_decode(part.substr(eq + 1));
      std::string const mapped = map_odata_literals(decoded, literal);
      out.append(part.substr(0, eq + 1));
      out += mapped == decoded ? std::string(part.substr(eq + 1)) : form_encode(mapped);
    }
    if (amp == std::string_view::npos) break;
    out += '&';
    begin = amp + 1;
  }
  return out;
}

std::string pseudonymizer::elsewhere(std::string_view value) {
  if (url_like(value)) return url(value);
  if (free_text(value)) return text(value);
  return std::string(value);
}

std::string pseudonymizer::json_body(std::string_view in, body_kind kind) {
  auto const first = in.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return std::string(in);
  if (in[first] != '{' && in[first] != '[') return text(in);
  auto const& sensitive = keys();
  struct frame {
    bool array = false;
    std::string key;  // an object's latest key; an array's own key (its items are that key's values)
  };
  std::vector<frame> stack;
  std::string out;
  out.reserve(in.size() + in.size() / 16);
  for (std::size_t i = 0; i < in.size();) {
    char const c = in[i];
    if (c == '{' || c == '[') {
      stack.push_back({c == '[', c == '[' && !stack.empty() ? stack.back().key : std::string()});
      out += c;
      ++i;
      continue;
    }
    if (c == '}' || c == ']') {
      if (!stack.empty()) stack.pop_back();
      out += c;
      ++i;
      continue;
    }
    if (c != '"') {
      out += c;
      ++i;
      continue;
    }
    auto const close = string_end(in, i);
    bool const closed = close != std::string_view::npos;
    std::size_t const after = closed ? close + 1 : in.size();
    std::string const value = decode_json_string(in.substr(i + 1, after - i - 1 - (closed ? 1 : 0)));
    auto const next = in.find_first_not_of(" \t\r\n", after);
    bool const is_key =
        closed && next != std::string_view::npos && in[next] == ':' && !stack.empty() && !stack.back().array;
    std::string replaced = value;
    if (is_key) {
      stack.back().key = value;
    } else if (!value.empty()) {
      std::string_view const key = stack.empty() ? std::string_view() : std::string_view(stack.back().key);
      bool const kept_name = kind == body_kind::organization && key == "displayName";
      bool const personal = !kept_name && std::find(sensitive.begin(), sensitive.end(), key) != sensitive.end();
      replaced = personal ? value_of(key, value) : elsewhere(value);
    }
    if (replaced == value) {
      out.append(in.substr(i, after - i));
    } else {
      out += json_string(replaced);
      if (!closed) out.pop_back();  // a truncated body stays truncated
    }
    i = after;
  }
  return out;
}

}  // namespace scanner
