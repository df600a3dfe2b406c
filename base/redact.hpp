// base/redact.hpp — hides secrets (client secret, certificate password, client assertions, access tokens) in
// any text that leaves the process: log records, error lines, the database's scans.error column.
//
// A server may echo what it was sent in another encoding (docs/security.md): the secret is found whether it is
// written raw, percent- or form-encoded (%2F or %2f, + for a space), JSON-escaped (\" \/ \uXXXX), any mix of
// those, or inside base64 / base64url (HTTP Basic "client_id:secret").
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace base {

// What a registered secret is; a credential is also looked for inside base64 and base64url text.
enum class secret_kind { credential, token };

// Secrets shorter than this are not redacted: every occurrence of a 2-letter word would be hidden otherwise.
inline constexpr std::size_t min_secret_length = 4;

// A set of secrets and the rule that finds them (pure; the process-wide set is below).
class redactor {
 public:
  // Adds a secret (ignored when shorter than min_secret_length or already known).
  void add(std::string_view secret, secret_kind kind);
  // text with every occurrence of a known secret, in any encoding above, replaced by "[redacted]".
  std::string apply(std::string_view text) const;
  bool empty() const { return needles_.empty(); }

 private:
  std::vector<std::string> needles_;  // raw secrets and the base64 runs that only a credential's bytes determine
};

// Adds a secret to the process-wide set used by redact() and by every log record (thread-safe).
void register_secret(std::string_view secret, secret_kind kind);

// text with every process-wide secret hidden (thread-safe).
std::string redact(std::string_view text);

}  // namespace base
