// graphsim/detail/http_session.hpp — the listener and HTTP/1.1 keep-alive sessions (plain or TLS): Beast C++20
// coroutines on the server's one io_context, every step under a deadline, every body under a limit.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

namespace graphsim {

class request_handler;

// Accepts connections on acceptor until it is closed, serving each in its own coroutine; tls = nullptr
// serves plain HTTP. emu (the emulator or a replay) and tls must outlive the io_context's coroutines.
boost::asio::awaitable<void> accept_loop(boost::asio::ip::tcp::acceptor& acceptor, request_handler& emu,
                                         boost::asio::ssl::context* tls);

}  // namespace graphsim
