// scanner/detail/capture_pseudonyms.hpp — the pseudonyms of a capture (docs/capture.md, "Pseudonyms"): names, addresses
// and the other personal values of Graph's answers replaced by stable keyed-hash pseudonyms, and the Graph and login
// origins by placeholders, so that a capture can leave the tenant's organisation and still replay.
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace scanner {

// The origins written instead of the Graph root and the login host (docs/capture.md).
inline constexpr std::string_view capture_graph_origin = "https://graph.capture.invalid";
inline constexpr std::string_view capture_login_origin = "https://login.capture.invalid";

class pseudonymizer {
 public:
  // key: the secret of the keyed hash (random per capture, written nowhere); graph_root, authority_host: the
  // origins the scanner sends to (without a trailing slash), replaced by the placeholders above.
  pseudonymizer(std::string key, std::string graph_root, std::string authority_host);

  // The JSON keys whose values are pseudonymized, wherever they are in a body.
  static const std::vector<std::string_view>& keys();

  // What a body says of: an organization's displayName is the tenant's name, kept; elsewhere it is a person's.
  enum class body_kind { graph, organization };

  // A JSON body with the values of keys() pseudonymized, the same strings in other values too, and the origins
  // replaced (nextLinks keep working). Read leniently: a truncated or malformed body is rewritten token by token,
  // and a body that is not JSON at all is treated as free text().
  std::string json_body(std::string_view body, body_kind kind = body_kind::graph);

  // An absolute URL or a target: the origin replaced, and the path segments and the OData string literals of the
  // query that are addresses or known values pseudonymized (re-encoded; a reader compares targets decoded).
  std::string url(std::string_view url);

  // Free text (an error message): origins replaced, every e-mail address and every value already pseudonymized
  // in this capture (of at least min_known_length bytes) replaced by its pseudonym.
  std::string text(std::string_view free_text);

  // The pseudonym of an e-mail address or user principal name: "<first character>-<16 hex>@d-<8 hex>.invalid"
  // (a valid user principal name; "#EXT#" kept before the @ of a guest's), equal for addresses equal but for case.
  std::string address(std::string_view address);

  // The pseudonym of any other value: "n-<16 hex>".
  std::string name(std::string_view value);

  // The pseudonym of value under key (one of keys()).
  std::string value_of(std::string_view key, std::string_view value);

  // text with the Graph root and the login host replaced by their placeholders (header values).
  std::string origins(std::string_view text) const;

  static constexpr std::size_t min_known_length = 4;  // shorter values are replaced only where they are a key's value
  static constexpr std::size_t max_known_bytes = 32u << 20;  // values remembered for free text, at most

 private:
  std::string hash_hex(std::string_view purpose, std::string_view value, std::size_t hex_digits) const;
  std::string elsewhere(std::string_view value);
  void remember(std::string_view original);

  struct longer_first {
    bool operator()(const std::string& a, const std::string& b) const {
      return a.size() != b.size() ? a.size() > b.size() : a < b;
    }
  };

  std::string key_;
  std::string graph_root_;
  std::string authority_host_;
  std::set<std::string, longer_first> known_;  // longer first: "Ana Silva" is replaced before "Silva"
  std::size_t known_bytes_ = 0;
};

// True if text has the shape of an e-mail address: one local part, an @, a dotted domain, no space.
bool is_address_like(std::string_view text);

}  // namespace scanner
