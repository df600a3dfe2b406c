#include "graphsim/detail/stats.hpp"

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace graphsim {

void request_stats::record(std::string_view endpoint, unsigned status, unsigned ru_charged) {
  std::lock_guard lock(mutex_);
  auto it = by_endpoint_.find(endpoint);
  if (it == by_endpoint_.end())
    it = by_endpoint_.emplace(std::string(endpoint), std::map<unsigned, std::uint64_t>{}).first;
  ++it->second[status];
  ++total_;
  ru_charged_ += ru_charged;
}

void request_stats::count_throttled() {
  std::lock_guard lock(mutex_);
  ++throttled_;
}

void request_stats::count_fault(std::string_view kind) {
  std::lock_guard lock(mutex_);
  auto it = faults_.find(kind);
  if (it == faults_.end()) it = faults_.emplace(std::string(kind), 0).first;
  ++it->second;
  ++faults_total_;
}

std::string request_stats::to_json() const {
  std::lock_guard lock(mutex_);
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  w.Key("total"), w.Uint64(total_);
  w.Key("requests");
  w.StartObject();
  for (auto const& [endpoint, statuses] : by_endpoint_) {
    w.Key(endpoint.c_str(), static_cast<rapidjson::SizeType>(endpoint.size()));
    w.StartObject();
    for (auto const& [status, n] : statuses) {
      std::string const key = std::to_string(status);
      w.Key(key.c_str(), static_cast<rapidjson::SizeType>(key.size()));
      w.Uint64(n);
    }
    w.EndObject();
  }
  w.EndObject();
  w.Key("ru_charged"), w.Uint64(ru_charged_);
  w.Key("throttled"), w.Uint64(throttled_);
  w.Key("faults");
  w.StartObject();
  w.Key("total"), w.Uint64(faults_total_);
  for (auto const& [kind, n] : faults_) {
    w.Key(kind.c_str(), static_cast<rapidjson::SizeType>(kind.size()));
    w.Uint64(n);
  }
  w.EndObject();
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

std::string request_stats::to_text() const {
  std::lock_guard lock(mutex_);
  std::string out = fmt::format("requests {} (ru_charged {}, throttled {}, faults {})\n", total_, ru_charged_,
                                throttled_, faults_total_);
  for (auto const& [endpoint, statuses] : by_endpoint_)
    for (auto const& [status, n] : statuses) out += fmt::format("  {:<48} {} {:>10}\n", endpoint, status, n);
  for (auto const& [kind, n] : faults_) out += fmt::format("  fault {:<42} {:>10}\n", kind, n);
  return out;
}

}  // namespace graphsim
