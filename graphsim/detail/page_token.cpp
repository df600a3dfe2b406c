#include "graphsim/detail/page_token.hpp"

#include "graphsim/detail/text.hpp"

namespace graphsim {
namespace {

constexpr std::size_t payload_size = 1 + 5 * 8;
constexpr std::size_t sealed_size = payload_size + 8;

void put(std::string& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint64_t get(std::string_view in, std::size_t at) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(in[at + static_cast<std::size_t>(i)]);
  return v;
}

std::uint64_t mac(std::uint64_t key, std::string_view payload) {
  std::string keyed;
  put(keyed, key);
  // Two rounds with the key on both sides: not cryptographic, but no accidental or hand-edited token passes.
  return fnv1a(keyed, fnv1a(payload, fnv1a(keyed)));
}

}  // namespace

page_token_codec::page_token_codec(std::uint64_t key) : key_(key) {}

std::string page_token_codec::seal(page_token const& t) const {
  std::string raw;
  raw.push_back(static_cast<char>(t.kind));
  put(raw, t.position);
  put(raw, t.version);
  put(raw, t.since);
  put(raw, t.query_hash);
  put(raw, t.page);
  put(raw, mac(key_, raw));
  return base64url_encode(raw);
}

std::optional<page_token> page_token_codec::open(std::string_view text) const {
  auto raw = base64url_decode(text);
  if (!raw || raw->size() != sealed_size) return std::nullopt;
  std::string_view const view(*raw);
  if (get(view, payload_size) != mac(key_, view.substr(0, payload_size))) return std::nullopt;
  auto const kind = static_cast<unsigned char>(view[0]);
  if (kind < 1 || kind > static_cast<unsigned char>(page_kind::groups)) return std::nullopt;
  page_token t;
  t.kind = static_cast<page_kind>(kind);
  t.position = get(view, 1);
  t.version = get(view, 9);
  t.since = get(view, 17);
  t.query_hash = get(view, 25);
  t.page = get(view, 33);
  return t;
}

}  // namespace graphsim
