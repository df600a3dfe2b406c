#include "graphsim/detail/replay_server.hpp"

#include "graphsim/detail/replay_answers.hpp"
#include "graphsim/detail/replay_capture.hpp"
#include "graphsim/detail/stats.hpp"
#include "graphsim/detail/text.hpp"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <unordered_map>

namespace graphsim {
namespace {

constexpr unsigned default_token_lifetime_s = 3599;

bool is_token_path(std::string_view path) {
  // /{tenant}/oauth2/v2.0/token
  auto const tenant_end = path.find('/', 1);
  return path.size() > 1 && tenant_end != std::string_view::npos &&
         iequals(path.substr(tenant_end), "/oauth2/v2.0/token");
}

unsigned captured_lifetime(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) return default_token_lifetime_s;
  auto const e = doc.FindMember("expires_in");
  if (e != doc.MemberEnd() && e->value.IsUint()) return e->value.GetUint();
  if (e != doc.MemberEnd() && e->value.IsString())
    return static_cast<unsigned>(std::strtoul(e->value.GetString(), nullptr, 10));
  return default_token_lifetime_s;
}

}  // namespace

struct replay_server::impl {
  captured_run run;
  std::string root = "http://127.0.0.1";
  std::string secret;
  std::unordered_map<std::string, replay_cursor> graph;  // replay_key → captured attempts
  replay_cursor login;
  std::unique_ptr<replay_batches> batches;
  std::mt19937_64 rng{std::random_device{}()};
  request_stats stats;
  mutable std::mutex misses_mutex;
  std::map<std::string, std::uint64_t> misses;        // replay_key → requests answered NotInCapture
  std::map<std::string, std::uint64_t> proven_empty;  // replay_key → longer prefixes answered empty

  void missed(const std::string& key) {
    std::lock_guard lock(misses_mutex);
    ++misses[key];
  }

  sim_response token(const sim_request& req) {
    unsigned lifetime = default_token_lifetime_s;
    if (!login.exchanges.empty()) {
      auto const& x = run.exchanges[login.next()];
      if (x.status / 100 != 2) return captured_answer(run, x, req, root);  // the captured refusal, again
      if (auto body = run.body_of(x); body) lifetime = captured_lifetime(*body);
    }
    sim_response res;
    res.content_type = "application/json; charset=utf-8";
    res.body =
        fmt::format(R"({{"token_type":"Bearer","expires_in":{0},"ext_expires_in":{0},"access_token":"replay-{1}"}})",
                    lifetime, random_token(rng, 24));
    return res;
  }

  sim_response serve(const sim_request& req) {
    std::string const path = req.target.substr(0, req.target.find('?'));
    if (iequals(path, "/_sim/stats")) {
      sim_response res;
      res.content_type = "application/json";
      res.body = stats_json();
      return res;
    }
    if (req.method == "POST" && is_token_path(path)) {
      auto res = token(req);
      stats.record("POST /{tenant}/oauth2/v2.0/token", res.status, 0);
      return res;
    }
    sim_response res;
    if (req.method == "POST" && iends_with(path, "/$batch")) {
      std::vector<std::string> missed_items;
      res = batches->answer(req, root, missed_items);
      for (auto const& key : missed_items) missed(key);
    } else {
      std::string const key = replay_key(req.method, req.target);
      auto const found = graph.find(key);
      auto const parent = found == graph.end() && req.method == "GET" ? split_parent_key(key) : std::nullopt;
      if (parent && graph.contains(*parent)) {
        // The captured scan split that shard and never asked for this prefix: its other prefixes' counts proved
        // it empty (docs/capture.md, "Replay").
        {
          std::lock_guard lock(misses_mutex);
          ++proven_empty[key];
        }
        res.content_type = "application/json; odata.metadata=minimal; charset=utf-8";
        res.body = fmt::format(R"({{"@odata.context":"{}/v1.0/$metadata#users","@odata.count":0,"value":[]}})", root);
      } else if (found == graph.end()) {
        missed(key);
        res = not_in_capture(req.method + " " + req.target, "is not in the capture", req);
      } else {
        res = captured_answer(run, run.exchanges[found->second.next()], req, root);
        if (res.status == 404 && res.body.find("\"NotInCapture\"") != std::string::npos) missed(key);
      }
    }
    stats.record(req.method + " " + path, res.status, 0);
    return res;
  }

  std::string stats_json() const {
    std::string out = stats.to_json();
    if (out.empty() || out.back() != '}') return out;
    out.pop_back();
    rapidjson::StringBuffer text;
    rapidjson::Writer<rapidjson::StringBuffer> w(text);
    w.StartArray();
    {
      std::lock_guard lock(misses_mutex);
      for (auto const& [key, n] : misses) {
        w.StartObject();
        w.Key("request");
        w.String(key.c_str(), static_cast<rapidjson::SizeType>(key.size()));
        w.Key("count");
        w.Uint64(n);
        w.EndObject();
      }
    }
    w.EndArray();
    return out + ",\"misses\":" + std::string(text.GetString(), text.GetSize()) + "}";
  }
};

replay_server::replay_server(std::unique_ptr<impl> p) : impl_(std::move(p)) {}
replay_server::~replay_server() = default;

base::result<std::unique_ptr<replay_server>> replay_server::load(const std::string& dir) {
  auto run = read_capture(dir);
  if (!run) return run.error();
  auto p = std::make_unique<impl>();
  p->run = std::move(*run);
  p->secret = "replay-" + random_token(p->rng, 18);
  for (std::size_t i = 0; i < p->run.exchanges.size(); ++i) {
    auto const& x = p->run.exchanges[i];
    if (x.login) p->login.exchanges.push_back(i);
    else if (!x.batch_items) p->graph[replay_key(x.method, x.target)].exchanges.push_back(i);
  }
  p->batches = std::make_unique<replay_batches>(p->run);
  return std::unique_ptr<replay_server>(new replay_server(std::move(p)));
}

void replay_server::set_root(std::string root) { impl_->root = std::move(root); }
sim_response replay_server::handle(sim_request const& req) { return impl_->serve(req); }
const std::string& replay_server::tenant_id() const { return impl_->run.tenant_id; }
const std::string& replay_server::client_id() const { return impl_->run.client_id; }
const std::string& replay_server::client_secret() const { return impl_->secret; }
std::string replay_server::stats_json() const { return impl_->stats_json(); }

std::string replay_server::log_text() const {
  std::string out = "replay of " + impl_->run.dir.string() + (impl_->run.partial ? " (a partial capture)" : "") + "\n";
  out += impl_->stats.to_text();
  std::lock_guard lock(impl_->misses_mutex);
  if (!impl_->proven_empty.empty())
    out += fmt::format("longer prefixes of a split users shard the capture's scan proved empty, answered empty: {}\n",
                       impl_->proven_empty.size());
  out += fmt::format("requests not in the capture: {}\n", impl_->misses.size());
  for (auto const& [key, n] : impl_->misses) out += fmt::format("  {} ({}×)\n", key, n);
  return out;
}

}  // namespace graphsim
