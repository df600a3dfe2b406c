// scanner/detail/login_post.hpp — one form POST to the login service (token and device-code endpoints), retried
// as every token request is: network failures, 429 and 5xx with back-off, a redirect never followed. Internal.
#pragma once

#include "scanner/detail/connection_pool.hpp"
#include "scanner/graph_client.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace scanner {

// The login service's final answer: a 2xx, or a 4xx the caller reads (an AADSTS error or a device-flow state).
struct login_answer {
  unsigned status = 0;
  std::string body;
};

// Builds the form for one attempt (an assertion is short-lived: made anew per attempt), or says why it cannot.
using login_form_fn = std::function<base::result<std::string>()>;
// For a 2xx body: nullopt when usable, else why not (the attempt is then retried like a 5xx).
using login_body_check = std::function<std::optional<std::string>(std::string_view body)>;

// POSTs form() to url (an absolute URL on options.authority_host) until an answer that is not retryable, at most
// max_attempts times; a 3xx or a transport failure that is not retryable is an error naming url and the fix.
boost::asio::awaitable<base::result<login_answer>> post_login_form(connection_pool& pool,
                                                                   const connection_options& options,
                                                                   const std::string& url, const login_form_fn& form,
                                                                   const login_body_check& check, std::mt19937_64& rng);

}  // namespace scanner
