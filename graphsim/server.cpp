#include "graphsim/server.hpp"

#include "base/log.hpp"
#include "graphsim/detail/emulator.hpp"
#include "graphsim/detail/http_session.hpp"
#include "graphsim/detail/identity_service.hpp"
#include "graphsim/detail/replay_server.hpp"
#include "graphsim/detail/tenant.hpp"
#include "graphsim/detail/tls_cert.hpp"
#include "graphsim/permissions.hpp"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <ostream>
#include <random>
#include <sys/stat.h>
#include <thread>
#include <vector>

namespace graphsim {
namespace {

namespace net = boost::asio;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

base::result<void> write_text_file(std::string const& path, std::string const& text, char const* what) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out)
    return base::runtime_error(
        fmt::format("cannot write {} '{}': check that the directory exists and is writable", what, path));
  return {};
}

// The emulator with everything it serves from. Members are destroyed in reverse order: the acceptor and the
// io_context (and with it every session coroutine) go before the emulator and tenant they refer to.
struct running_server {
  sim_options options;
  std::unique_ptr<tenant> t;
  std::unique_ptr<emulator> emu;
  std::unique_ptr<replay_server> replay;  // --replay: serves a capture; t and emu then serve nothing
  std::unique_ptr<ssl::context> tls;
  std::string url;
  std::string ca_pem_path;
  std::filesystem::path temp_cert;               // removed at the end when we chose the path
  std::unique_ptr<identity_service> identities;  // --identity-endpoints
  std::vector<std::unique_ptr<identity_endpoint>> identity_handlers;
  sim_identity identity;
  std::filesystem::path arc_dir;  // removed at the end
  net::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  std::vector<std::unique_ptr<tcp::acceptor>> identity_acceptors;  // IMDS, App Service, Azure Arc

  request_handler& handler() { return replay ? static_cast<request_handler&>(*replay) : *emu; }
  const std::string& tenant_id() const { return replay ? replay->tenant_id() : t->tenant_id(); }
  const std::string& client_id() const { return replay ? replay->client_id() : t->client_id(); }
  const std::string& client_secret() const { return replay ? replay->client_secret() : t->client_secret(); }

  ~running_server() {
    std::error_code ec;
    if (!temp_cert.empty()) std::filesystem::remove(temp_cert, ec);
    if (!arc_dir.empty()) std::filesystem::remove_all(arc_dir, ec);
  }
};

// tenant_config gains `clean` in the tenant's own change; until then --profile clean is refused, not ignored.
template <class Config>
bool set_clean(Config& config) {
  if constexpr (requires { config.clean = true; }) {
    config.clean = true;
    return true;
  } else {
    return false;
  }
}

base::result<void> apply_profile(std::string const& profile, tenant_config& config) {
  if (profile.empty() || profile == "default") return {};
  if (profile == "clean" && set_clean(config)) return {};
  return base::usage_error(fmt::format("unknown --profile '{}': expected default or clean", profile));
}

// A listener on 127.0.0.1 with any free port; returns the port.
base::result<unsigned short> listen_any(tcp::acceptor& acceptor) {
  boost::system::error_code ec;
  tcp::endpoint const endpoint(net::ip::make_address_v4("127.0.0.1"), 0);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return base::runtime_error(fmt::format("cannot listen on 127.0.0.1 for an identity endpoint: {}", ec.message()));
  return acceptor.local_endpoint().port();
}

// The managed identity endpoints: IMDS, App Service and Azure Arc, each on its own plain-HTTP loopback port, as
// they are plain HTTP on Azure (docs/graphsim.md).
base::result<void> open_identity_endpoints(running_server& s) {
  std::error_code fs_ec;
  s.arc_dir =
      std::filesystem::temp_directory_path() / fmt::format("graphsim-arc-{}-{:x}", ::getpid(), std::random_device{}());
  std::filesystem::create_directory(s.arc_dir, fs_ec);
  if (fs_ec) return base::runtime_error("cannot create the Azure Arc key directory: " + fs_ec.message());
  identity_config config;
  config.arc_key_dir = s.arc_dir;
  s.identities = std::make_unique<identity_service>(s.emu->tokens(), config, s.options.seed);
  std::vector<unsigned short> ports;
  for (auto flavour : {identity_flavour::imds, identity_flavour::app_service, identity_flavour::azure_arc}) {
    s.identity_handlers.push_back(std::make_unique<identity_endpoint>(*s.identities, flavour));
    s.identity_acceptors.push_back(std::make_unique<tcp::acceptor>(s.ioc));
    auto port = listen_any(*s.identity_acceptors.back());
    if (!port) return port.error();
    ports.push_back(*port);
  }
  auto const& c = s.identities->config();
  s.identity.imds_url = fmt::format("http://127.0.0.1:{}", ports[0]);
  s.identity.app_service_endpoint = fmt::format("http://127.0.0.1:{}/msi/token", ports[1]);
  s.identity.identity_header = c.identity_header;
  s.identity.arc_endpoint = fmt::format("http://127.0.0.1:{}/metadata/identity/oauth2/token", ports[2]);
  s.identity.arc_imds_endpoint = fmt::format("http://127.0.0.1:{}", ports[2]);
  s.identity.arc_key_dir = s.arc_dir.string();
  s.identity.system_client_id = c.system_client_id;
  s.identity.user_client_id = c.user_client_id;
  s.identity.user_object_id = c.user_object_id;
  s.identity.user_resource_id = c.user_resource_id;
  return {};
}

// Writes the ground truth of the tenant as it is now to path, mode 0600 (findings name people, docs/design.md §4.2).
base::result<void> write_truth_file(const tenant& t, std::string const& path) {
  std::ofstream truth(path, std::ios::binary | std::ios::trunc);
  t.write_truth_csv(truth);
  truth.close();
  if (!truth)
    return base::runtime_error(
        fmt::format("cannot write --truth '{}': check that the directory exists and is writable", path));
  ::chmod(path.c_str(), 0600);
  return {};
}

base::result<std::unique_ptr<running_server>> prepare(sim_options const& options) {
  auto s = std::make_unique<running_server>();
  s->options = options;
  tenant_config config;
  config.users = options.users;
  config.seed = options.seed;
  config.skewed_upns = options.quirks.skewed_upns;
  config.deleted_during_scan = options.quirks.users_deleted_during_scan;
  config.groups_readable = roles_allow(route_id::group_get, options.roles ? *options.roles : default_roles());
  config.doors = options.doors;
  if (auto r = apply_profile(options.profile, config); !r) return r.error();
  s->t = std::make_unique<tenant>(config);
  if (!options.truth_path.empty())
    if (auto r = write_truth_file(*s->t, options.truth_path); !r) return r.error();
  auto emu = emulator::create(options, *s->t);
  if (!emu) return emu.error();
  s->emu = std::move(*emu);
  if (!options.truth_path.empty()) {
    // The truth follows the nights; a failure to write it shows as a stale file the tests then reject.
    s->emu->on_advance([t = s->t.get(), path = options.truth_path] {
      if (auto r = write_truth_file(*t, path); !r) base::log(base::log_level::warn, "{}", r.error().message);
    });
  }
  if (!options.replay_dir.empty()) {
    auto replay = replay_server::load(options.replay_dir);
    if (!replay) return replay.error();
    s->replay = std::move(*replay);
  }

  if (options.tls) {
    auto identity = make_self_signed_identity();
    if (!identity) return identity.error();
    s->ca_pem_path = options.cert_out;
    if (s->ca_pem_path.empty()) {
      s->temp_cert = std::filesystem::temp_directory_path() /
                     fmt::format("graphsim-cert-{}-{:x}.pem", ::getpid(), std::random_device{}());
      s->ca_pem_path = s->temp_cert.string();
    }
    if (auto r = write_text_file(s->ca_pem_path, identity->cert_pem, "--cert-out"); !r) return r.error();
    s->tls = std::make_unique<ssl::context>(ssl::context::tls_server);
    boost::system::error_code ec;
    s->tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                            ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                        ec);
    s->tls->use_certificate_chain(net::buffer(identity->cert_pem), ec);
    if (!ec) s->tls->use_private_key(net::buffer(identity->key_pem), ssl::context::pem, ec);
    if (ec) return base::runtime_error("cannot load the emulator's TLS certificate: " + ec.message());
  }

  if (options.identity_endpoints && !s->replay)
    if (auto r = open_identity_endpoints(*s); !r) return r.error();

  boost::system::error_code ec;
  tcp::endpoint const endpoint(net::ip::make_address_v4("127.0.0.1"), options.port);
  s->acceptor.open(endpoint.protocol(), ec);
  if (!ec) s->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) s->acceptor.bind(endpoint, ec);
  if (!ec) s->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return base::runtime_error(fmt::format("cannot listen on 127.0.0.1:{}: {} (choose another --port, or 0 for any)",
                                           options.port, ec.message()));
  auto const port = s->acceptor.local_endpoint().port();
  std::string const scheme = options.tls ? "https" : "http";
  s->url = fmt::format("{}://127.0.0.1:{}", scheme, port);
  s->emu->set_address(scheme, fmt::format("127.0.0.1:{}", port));
  if (s->replay) s->replay->set_root(s->url);
  return s;
}

void start_accepting(running_server& s) {
  auto const on_stop = [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (std::exception const& ex) {
      base::log(base::log_level::error, "graphsim: the listener stopped: {}", ex.what());
    }
  };
  net::co_spawn(s.ioc, accept_loop(s.acceptor, s.handler(), s.tls.get()), on_stop);
  for (std::size_t i = 0; i < s.identity_acceptors.size(); ++i)
    net::co_spawn(s.ioc, accept_loop(*s.identity_acceptors[i], *s.identity_handlers[i], nullptr), on_stop);
}

void close_acceptors(running_server& s) {
  boost::system::error_code ignored;
  s.acceptor.close(ignored);
  for (auto& a : s.identity_acceptors) a->close(ignored);
}

}  // namespace

base::result<void> run_sim(const sim_options& options, std::ostream& out) {
  auto server = prepare(options);
  if (!server) return server.error();
  running_server& s = **server;
  if (s.temp_cert.empty() == false)
    base::log(base::log_level::info, "graphsim: the TLS certificate is in {} (use --cert-out to choose)",
              s.ca_pem_path);
  // The banner is the contract with scripts and tests (docs/design.md §2.6): both lines out before any accept.
  out << "listening " << s.url << '\n'
      << "tenant_id=" << s.tenant_id() << " client_id=" << s.client_id() << " client_secret=" << s.client_secret()
      << '\n';
  if (s.identities) {
    // A third line, only with --identity-endpoints: where each managed identity endpoint listens.
    auto const& id = s.identity;
    out << "identity imds=" << id.imds_url << " app_service=" << id.app_service_endpoint
        << " identity_header=" << id.identity_header << " arc=" << id.arc_endpoint << " arc_key_dir=" << id.arc_key_dir
        << " system_client_id=" << id.system_client_id << " user_client_id=" << id.user_client_id << '\n';
  }
  if (options.okta)
    // Another line, only with --okta: the identity provider's System Log and its API token.
    out << "okta url=" << s.url << " token=" << okta_token_of(options) << '\n';
  out.flush();
  s.temp_cert.clear();  // a `sim` process leaves its certificate for the clients that still use it

  net::signal_set signals(s.ioc, SIGINT, SIGTERM);
  signals.async_wait([&s](boost::system::error_code const& ec, int) {
    if (ec) return;
    close_acceptors(s);
    s.ioc.stop();
  });
  start_accepting(s);
  s.ioc.run();
  out << (s.replay ? s.replay->log_text() : s.emu->stats().to_text());
  out.flush();
  return {};
}

struct background_server::impl {
  std::unique_ptr<running_server> server;
  std::thread thread;
};

background_server::background_server(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

base::result<std::unique_ptr<background_server>> background_server::start(const sim_options& options) {
  auto server = prepare(options);
  if (!server) return server.error();
  auto p = std::make_unique<impl>();
  p->server = std::move(*server);
  start_accepting(*p->server);
  running_server* s = p->server.get();
  // The acceptor listens already, so clients may connect as soon as this returns.
  p->thread = std::thread([s] { s->ioc.run(); });
  return std::unique_ptr<background_server>(new background_server(std::move(p)));
}

background_server::~background_server() {
  if (!impl_) return;
  running_server& s = *impl_->server;
  net::post(s.ioc, [&s] {
    close_acceptors(s);
    s.ioc.stop();
  });
  if (impl_->thread.joinable()) impl_->thread.join();
}

const std::string& background_server::url() const { return impl_->server->url; }
const std::string& background_server::tenant_id() const { return impl_->server->tenant_id(); }
const std::string& background_server::client_id() const { return impl_->server->client_id(); }
const std::string& background_server::client_secret() const { return impl_->server->client_secret(); }
const std::string& background_server::ca_pem_path() const { return impl_->server->ca_pem_path; }
const sim_identity& background_server::identity() const { return impl_->server->identity; }
std::string background_server::stats_json() const {
  auto const& s = *impl_->server;
  return s.replay ? s.replay->stats_json() : s.emu->stats().to_json();
}

}  // namespace graphsim
