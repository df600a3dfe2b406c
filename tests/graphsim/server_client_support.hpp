// tests/graphsim/server_client_support.hpp — a small blocking HTTP(S) client for the emulator's server tests
// (Beast, keep-alive, deadlines), plus helpers to start the emulator and read its JSON.
#pragma once

#include "graphsim/server.hpp"

#include <boost/system/error_code.hpp>

#include <rapidjson/document.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace server_test {

struct reply {
  unsigned status = 0;                         // 0 when no status line arrived
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  boost::system::error_code error;  // transport failure: reset, truncated body, timeout

  std::string header(std::string const& lower_name) const;
};

using header_list = std::vector<std::pair<std::string, std::string>>;

// One keep-alive connection to url (http:// or https://127.0.0.1:PORT), reopened after a failure; with a
// CA file, TLS verifies the server against it (host 127.0.0.1).
class client {
 public:
  explicit client(std::string url, std::string ca_pem_path = "");
  ~client();
  client(client const&) = delete;
  client& operator=(client const&) = delete;

  // Sends one request and waits (at most 30 s) for the whole response.
  reply send(std::string const& method, std::string const& target, header_list const& headers = {},
             std::string const& body = "");
  // GET with "Authorization: Bearer token" (when token is not empty).
  reply get(std::string const& target, std::string const& token, header_list headers = {});
  // Drops the connection (the next send reconnects).
  void close();
  // Sends raw bytes on a fresh connection and closes it without reading (a client that gives up).
  void send_raw_and_drop(std::string const& bytes);

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// application/x-www-form-urlencoded text of the pairs.
std::string form(header_list const& fields);
// A token from the client-secret flow against server, or "" when refused.
std::string token_for(client& c, graphsim::background_server const& server);
// The emulator on 127.0.0.1:0 with these options (users default 20 here, small and fast).
std::unique_ptr<graphsim::background_server> start(graphsim::sim_options options);
graphsim::sim_options small_tenant(std::uint64_t users = 20);
// Parses body as JSON (check HasParseError()).
rapidjson::Document json(std::string const& body);
// The path+query of an absolute link (what a client sends after following @odata.nextLink).
std::string target_of(std::string const& absolute_link);

// What following a users listing's @odata.nextLink chain gave.
struct listing {
  std::vector<std::string> ids;       // in the order served, repeats kept
  std::vector<std::string> upns;      // when selected
  std::optional<std::int64_t> count;  // @odata.count of the first page
  int pages = 0;                      // pages answered 200
  unsigned failed_status = 0;         // the status that ended the chain early, 0 if none did
  std::string failed_code;            // its error.code
  bool stopped = false;               // max_pages reached with a nextLink still to follow
};

// Follows @odata.nextLink from target until it is absent, a request fails, or max_pages pages were read;
// checks that only the first page carries @odata.count.
listing list_all(client& c, std::string const& token, std::string target, header_list headers = {},
                 int max_pages = 10'000);
// error.code and error.message of a Graph error body ("" when the body is none).
std::string error_code(reply const& r);
std::string error_message(reply const& r);

// Rows of RFC 4180 CSV text (quoted fields, doubled quotes, CRLF or LF line ends).
std::vector<std::vector<std::string>> parse_csv(std::string const& text);

}  // namespace server_test
