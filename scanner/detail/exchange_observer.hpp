// scanner/detail/exchange_observer.hpp — what an observer (`scan --capture`, docs/capture.md) is shown of each HTTP
// attempt the scanner makes: Graph requests, every retry included, and token requests. It is shown no secret:
// never the Authorization header (nor any header named like a credential), never a token request's body (it holds
// the client secret or assertion), never an access token (a token response's body is replaced by a placeholder).
#pragma once

#include "scanner/graph_client.hpp"

#include <chrono>
#include <functional>
#include <string>

namespace scanner {

// Which service an attempt went to.
enum class exchange_service { graph, login };

// One attempt, after its answer (or its failure to get one).
struct observed_exchange {
  exchange_service service = exchange_service::graph;
  std::string method{};
  std::string url{};              // absolute, as sent
  header_list request_headers{};  // lower-case names, credentials left out
  std::string request_body{};     // a Graph request's body ($batch); always empty for token requests
  unsigned status = 0;            // 0 = no answer: transport_error says why
  std::string transport_error{};
  header_list response_headers{};  // lower-case names, as received (Set-Cookie left out)
  std::string body{};              // token responses: {"token_type":"Bearer","expires_in":N,"access_token":"<removed>"}
  std::chrono::microseconds elapsed{0};  // from sending the request to the end of the answer
};

// Set in connection_options::observer; on_exchange runs on the scan's io thread after every attempt, before the
// scanner looks at the answer. It must be quick and must not throw (an exception is caught and dropped).
struct exchange_observer {
  std::function<void(const observed_exchange&)> on_exchange;
};

}  // namespace scanner
