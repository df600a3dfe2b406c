#include "scanner/capture.hpp"

#include "base/log.hpp"
#include "scanner/detail/capture_files.hpp"
#include "scanner/detail/capture_pseudonyms.hpp"
#include "scanner/detail/capture_text.hpp"

#include <fmt/core.h>
#include <openssl/rand.h>
#include <rapidjson/document.h>

#include <cctype>
#include <chrono>
#include <exception>
#include <filesystem>
#include <random>
#include <set>

namespace scanner {
namespace {

namespace fs = std::filesystem;

std::string random_key() {
  std::string key(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), static_cast<int>(key.size())) != 1) {
    std::random_device rd;  // RAND_bytes fails only without an entropy source
    for (auto& c : key) c = static_cast<char>(rd());
  }
  return key;
}

// The path (no query, percent-decoded, lower-case) of a target: what "an endpoint" is for the budget.
std::string endpoint_of(std::string_view target) {
  std::string path = capture_text::percent_decode(target.substr(0, target.find('?')));
  for (auto& c : path) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return path;
}

// The target (path + query) of an absolute URL whose origin was replaced.
std::string_view target_of(std::string_view url) {
  auto const scheme = url.find("://");
  if (scheme == std::string_view::npos) return url;
  auto const path = url.find('/', scheme + 3);
  return path == std::string_view::npos ? std::string_view("/") : url.substr(path);
}

}  // namespace

struct capture_writer::state {
  capture_settings settings;
  fs::path dir;
  pseudonymizer pseudonyms;
  exchange_observer observer;
  manifest_facts facts;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::unique_ptr<line_file> exchanges_file;
  std::set<std::string> endpoints_with_body;
  bool budget_spent = false;

  state(capture_settings s, fs::path d)
      : settings(std::move(s)),
        dir(std::move(d)),
        pseudonyms(random_key(), settings.graph_root, settings.authority_host) {}

  // After the first write failure the capture stops: one warning, and the scan goes on.
  void failed(const std::string& why) {
    if (!facts.write_error.empty()) return;
    facts.write_error = why;
    base::log(base::log_level::warn, "the capture in '{}' stops here: {} (the scan goes on)", dir.string(), why);
  }

  void record(const observed_exchange& x) {
    if (!facts.write_error.empty()) return;
    try {
      record_or_throw(x);
    } catch (std::exception const& e) {
      failed(e.what());
    }
  }

  void record_or_throw(const observed_exchange& x) {
    exchange_record r;
    r.seq = ++facts.exchanges;
    auto const now = std::chrono::steady_clock::now();
    r.sent_ms = std::chrono::duration<double, std::milli>(now - started - x.elapsed).count();
    r.elapsed_ms = std::chrono::duration<double, std::milli>(x.elapsed).count();
    r.service = x.service == exchange_service::login ? "login" : "graph";
    r.origin = x.service == exchange_service::login ? capture_login_origin : capture_graph_origin;
    r.method = x.method;
    r.target = std::string(target_of(pseudonyms.url(x.url)));
    for (auto const& [name, value] : x.request_headers) r.request_headers.emplace_back(name, pseudonyms.origins(value));
    if (!x.request_body.empty()) r.batch_items = batch_items_of(x.request_body);
    r.status = x.status;
    if (x.status == 0) r.error = pseudonyms.text(x.transport_error);
    for (auto const& [name, value] : x.response_headers)
      r.response_headers.emplace_back(name, pseudonyms.origins(value));
    r.body_size = x.body.size();
    if (x.status != 0 && !x.body.empty()) keep_body(x, r);
    exchanges_file->append(r.to_json());
  }

  std::vector<batch_item> batch_items_of(const std::string& body) {
    std::vector<batch_item> items;
    rapidjson::Document doc;
    doc.Parse(body.data(), body.size());
    if (doc.HasParseError() || !doc.IsObject()) return items;
    auto const requests = doc.FindMember("requests");
    if (requests == doc.MemberEnd() || !requests->value.IsArray()) return items;
    for (auto const& item : requests->value.GetArray()) {
      if (!item.IsObject()) continue;
      auto text = [&item](const char* key) {
        auto const m = item.FindMember(key);
        return m != item.MemberEnd() && m->value.IsString()
                   ? std::string(m->value.GetString(), m->value.GetStringLength())
                   : std::string();
      };
      items.push_back({text("id"), text("method"), pseudonyms.url(text("url"))});
    }
    return items;
  }

  void keep_body(const observed_exchange& x, exchange_record& r) {
    std::string const endpoint = endpoint_of(r.target);
    bool const organization = endpoint.ends_with("/organization");
    std::string body = pseudonyms.json_body(
        x.body, organization ? pseudonymizer::body_kind::organization : pseudonymizer::body_kind::graph);
    bool const success = x.status / 100 == 2;
    bool const first_of_endpoint = endpoints_with_body.count(endpoint) == 0;
    if (success && !first_of_endpoint) {
      if (!budget_spent && facts.body_bytes + body.size() > settings.body_budget) budget_spent = true;
      if (budget_spent) {
        facts.partial = true;
        return;
      }
    }
    r.body_file = fmt::format("bodies/{:06}.{}", r.seq, looks_like_json(body) ? "json" : "txt");
    write_private_file(dir / *r.body_file, body);
    facts.body_bytes += body.size();
    ++facts.bodies;
    endpoints_with_body.insert(endpoint);
  }
};

capture_writer::capture_writer(std::unique_ptr<state> s) : s_(std::move(s)) {}

capture_writer::~capture_writer() = default;

base::result<std::unique_ptr<capture_writer>> capture_writer::open(capture_settings settings) {
  fs::path const dir(settings.dir);
  if (auto made = make_private_directory(dir); !made) return made.error();
  auto s = std::make_unique<state>(std::move(settings), dir);
  s->facts.tool_version = s->settings.tool_version;
  s->facts.started_at = utc_now();
  s->facts.graph_root = s->settings.graph_root;
  s->facts.authority_host = s->settings.authority_host;
  s->facts.tenant_id = s->settings.tenant_id;
  s->facts.client_id = s->settings.client_id;
  s->facts.body_budget = s->settings.body_budget;
  try {
    fs::create_directory(dir / "bodies");
    fs::permissions(dir / "bodies", fs::perms::owner_all, fs::perm_options::replace);
    write_private_file(dir / "manifest.json", s->facts.to_json());
    s->exchanges_file = std::make_unique<line_file>(dir / "exchanges.ndjson");
  } catch (std::exception const& e) {
    return base::usage_error(
        fmt::format("cannot write the capture in '{}': {} — check that it is writable", dir.string(), e.what()));
  }
  state* raw = s.get();
  s->observer.on_exchange = [raw](const observed_exchange& x) { raw->record(x); };
  return std::unique_ptr<capture_writer>(new capture_writer(std::move(s)));
}

exchange_observer* capture_writer::observer() { return &s_->observer; }

std::uint64_t capture_writer::exchanges() const { return s_->facts.exchanges; }

void capture_writer::finish(std::string_view failure) {
  auto& f = s_->facts;
  f.finished_at = utc_now();
  f.outcome = failure.empty() ? "complete" : "failed";
  f.failure = failure.empty() ? std::string() : s_->pseudonyms.text(failure);
  try {
    if (s_->exchanges_file) s_->exchanges_file->flush();
    write_private_file(s_->dir / "manifest.json", f.to_json());
  } catch (std::exception const& e) {
    s_->failed(e.what());
  }
  if (f.partial)
    base::log(base::log_level::warn,
              "the capture in '{}' is partial: past its budget of {} bytes of bodies, only failed answers' bodies "
              "were kept (docs/capture.md)",
              s_->dir.string(), f.body_budget);
}

}  // namespace scanner
