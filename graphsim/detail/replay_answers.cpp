#include "graphsim/detail/replay_answers.hpp"

#include "graphsim/detail/graph_error.hpp"
#include "graphsim/detail/text.hpp"

#include <fmt/format.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <deque>
#include <random>

namespace graphsim {
namespace {

constexpr std::string_view json_type = "application/json";

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  if (from.empty()) return text;
  for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size()))
    text.replace(pos, from.size(), to);
  return text;
}

std::string serialized(const rapidjson::Value& v) {
  rapidjson::StringBuffer text;
  rapidjson::Writer<rapidjson::StringBuffer> writer(text);
  v.Accept(writer);
  return std::string(text.GetString(), text.GetSize());
}

std::string string_member(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject()) return {};
  auto const m = obj.FindMember(key);
  return m != obj.MemberEnd() && m->value.IsString() ? std::string(m->value.GetString(), m->value.GetStringLength())
                                                     : std::string();
}

std::string item_key(std::string_view method, std::string_view url) {
  return replay_key(method.empty() ? std::string_view("GET") : method, url);
}

template <class Items>
std::string items_key(const Items& items) {
  std::vector<std::string> keys;
  for (auto const& item : items) keys.push_back(item_key(item.method, item.url));
  std::sort(keys.begin(), keys.end());
  std::string out;
  for (auto const& k : keys) out += k + '\n';
  return out;
}

struct request_item {
  std::string id;
  std::string method;
  std::string url;
};

// The item answer (a JSON object) with its id set to id.
std::string with_id(std::string_view answer, std::string_view id) {
  rapidjson::Document doc;
  doc.Parse(answer.data(), answer.size());
  if (doc.HasParseError() || !doc.IsObject()) return std::string(answer);
  doc.RemoveMember("id");
  doc.AddMember("id", rapidjson::Value(id.data(), static_cast<rapidjson::SizeType>(id.size()), doc.GetAllocator()),
                doc.GetAllocator());
  return serialized(doc);
}

std::string missing_item(std::string_view id, std::string_view what) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string const request_id = random_guid(rng);
  return fmt::format(
      R"({{"id":"{}","status":404,"headers":{{"Content-Type":"application/json"}},"body":{}}})", id,
      graph_error_body("NotInCapture", fmt::format("{} is not in the capture.", what), request_id, request_id));
}

}  // namespace

std::size_t replay_cursor::next() {
  std::size_t const at = std::min(served, exchanges.size() - 1);
  ++served;
  return exchanges[at];
}

std::string with_root(std::string body, const captured_run& run, std::string_view root) {
  body = replace_all(std::move(body), run.graph_placeholder, root);
  return replace_all(std::move(body), run.login_placeholder, root);
}

sim_response not_in_capture(std::string_view what, std::string_view why, const sim_request& req) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string const request_id = random_guid(rng);
  auto const client_request_id = req.header("client-request-id");
  sim_response res;
  res.status = 404;
  res.content_type = std::string(json_type);
  res.body = graph_error_body("NotInCapture", fmt::format("entra-audit sim --replay: {} {}.", what, why), request_id,
                              client_request_id ? *client_request_id : request_id);
  res.set_header("request-id", request_id);
  return res;
}

sim_response captured_answer(const captured_run& run, const captured_exchange& x, const sim_request& req,
                             std::string_view root) {
  std::string const what = req.method + " " + req.target;
  sim_response res;
  if (x.status == 0) {
    // The original attempt got no answer (timeout, reset, truncated body): the client sees a broken connection.
    res.status = 500;
    res.body = "{}";
    res.fault = wire_fault::reset;
    return res;
  }
  if (!x.body_file && x.body_size > 0)
    return not_in_capture(what, fmt::format("has no body in the capture (line {}: the capture is partial)", x.seq),
                          req);
  auto body = run.body_of(x);
  if (!body) return not_in_capture(what, "cannot be served: " + body.error().message, req);
  res.status = x.status;
  for (auto const& [name, value] : x.response_headers) {
    if (name == "content-length" || name == "transfer-encoding" || name == "connection" || name == "keep-alive" ||
        name == "date" || name == "server")
      continue;
    if (name == "content-type") res.content_type = value;
    else res.set_header(name, with_root(value, run, root));
  }
  if (auto const id = req.header("client-request-id")) res.set_header("client-request-id", std::string(*id));
  res.body = with_root(std::move(*body), run, root);
  return res;
}

replay_batches::replay_batches(const captured_run& run) : run_(run) {
  for (std::size_t i = 0; i < run.exchanges.size(); ++i) {
    auto const& x = run.exchanges[i];
    if (!x.login && x.batch_items) by_items_[items_key(*x.batch_items)].exchanges.push_back(i);
  }
}

void replay_batches::load_items() {
  items_loaded_ = true;
  for (auto const& x : run_.exchanges) {
    if (x.login || !x.batch_items || x.status / 100 != 2) continue;
    auto body = run_.body_of(x);
    if (!body || body->empty()) continue;
    rapidjson::Document doc;
    doc.Parse(body->data(), body->size());
    if (doc.HasParseError() || !doc.IsObject()) continue;
    auto const responses = doc.FindMember("responses");
    if (responses == doc.MemberEnd() || !responses->value.IsArray()) continue;
    for (auto const& answer : responses->value.GetArray()) {
      std::string const id = string_member(answer, "id");
      auto const item = std::find_if(x.batch_items->begin(), x.batch_items->end(),
                                     [&](const captured_batch_item& i) { return iequals(i.id, id); });
      if (item != x.batch_items->end()) item_answers_[item_key(item->method, item->url)].push_back(serialized(answer));
    }
  }
}

sim_response replay_batches::answer(const sim_request& req, std::string_view root, std::vector<std::string>& misses) {
  rapidjson::Document doc;
  doc.Parse(req.body.data(), req.body.size());
  auto const requests = doc.IsObject() ? doc.FindMember("requests") : doc.MemberEnd();
  if (doc.HasParseError() || !doc.IsObject() || requests == doc.MemberEnd() || !requests->value.IsArray())
    return not_in_capture(req.method + " " + req.target, "is not a JSON batch", req);
  std::vector<request_item> items;
  for (auto const& r : requests->value.GetArray())
    items.push_back({string_member(r, "id"), string_member(r, "method"), string_member(r, "url")});

  if (auto found = by_items_.find(items_key(items)); found != by_items_.end()) {
    auto const& x = run_.exchanges[found->second.next()];
    for (auto const& item : *x.batch_items) ++item_served_[item_key(item.method, item.url)];
    sim_response res = captured_answer(run_, x, req, root);
    if (res.status / 100 != 2 || res.fault != wire_fault::none) return res;
    // The same items, maybe under other ids: each captured answer takes the id the request gave its URL.
    std::unordered_map<std::string, std::deque<std::string>> ids_by_key;
    for (auto const& item : items) ids_by_key[item_key(item.method, item.url)].push_back(item.id);
    rapidjson::Document envelope;
    envelope.Parse(res.body.data(), res.body.size());
    auto const responses = envelope.IsObject() ? envelope.FindMember("responses") : envelope.MemberEnd();
    if (envelope.HasParseError() || !envelope.IsObject() || responses == envelope.MemberEnd() ||
        !responses->value.IsArray())
      return res;
    for (auto& answer : responses->value.GetArray()) {
      if (!answer.IsObject()) continue;
      std::string const id = string_member(answer, "id");
      auto const item = std::find_if(x.batch_items->begin(), x.batch_items->end(),
                                     [&](const captured_batch_item& i) { return iequals(i.id, id); });
      if (item == x.batch_items->end()) continue;
      auto& queue = ids_by_key[item_key(item->method, item->url)];
      if (queue.empty()) continue;
      answer.RemoveMember("id");
      answer.AddMember("id", rapidjson::Value(queue.front().c_str(), envelope.GetAllocator()), envelope.GetAllocator());
      queue.pop_front();
    }
    res.body = serialized(envelope);
    return res;
  }

  if (!items_loaded_) load_items();
  std::string body = R"({"responses":[)";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) body += ',';
    std::string const key = item_key(items[i].method, items[i].url);
    auto const captured = item_answers_.find(key);
    if (captured == item_answers_.end() || captured->second.empty()) {
      misses.push_back(key + " (in $batch)");
      body += missing_item(items[i].id, key);
      continue;
    }
    auto& served = item_served_[key];
    body += with_id(captured->second[std::min(served, captured->second.size() - 1)], items[i].id);
    ++served;
  }
  body += "]}";
  sim_response res;
  res.status = 200;
  res.content_type = std::string(json_type);
  res.body = with_root(std::move(body), run_, root);
  return res;
}

}  // namespace graphsim
