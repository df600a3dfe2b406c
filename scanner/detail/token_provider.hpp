// scanner/detail/token_provider.hpp — one way of getting an access token for Graph (client credentials, managed
// identity, Azure CLI, or a chain of them); token_source caches what it returns. Internal to scanner/.
#pragma once

#include "base/error.hpp"
#include "scanner/detail/token_response.hpp"

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <string>

namespace scanner {

// A result holding text: base::error is constructible from a string, so the value side must be named.
inline base::result<std::string> ok_text(std::string s) { return {boost::system::in_place_value, std::move(s)}; }

class token_provider {
 public:
  virtual ~token_provider() = default;

  // A new token, or why there is none. A usage error (exit 2) means this credential is not available here (no
  // endpoint, no CLI, not signed in): `auto` then tries the next one.
  virtual boost::asio::awaitable<base::result<access_token>> fetch() = 0;

  // Which credential this is, for the log and `check`, e.g. "managed identity (IMDS, system-assigned)".
  virtual std::string description() const = 0;

  // Logs, once, that the first token was obtained and how.
  virtual void log_signed_in() const;
};

}  // namespace scanner
