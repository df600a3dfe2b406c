#include "graphsim/graph_error.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <chrono>
#include <ctime>

namespace graphsim {

std::string graph_error_body(std::string_view code, std::string_view message, std::string_view request_id,
                             std::string_view client_request_id) {
  std::time_t const now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);

  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto key = [&](std::string_view k) { w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); };
  auto str = [&](std::string_view v) { w.String(v.data(), static_cast<rapidjson::SizeType>(v.size())); };
  w.StartObject();
  key("error");
  w.StartObject();
  key("code"), str(code);
  key("message"), str(message);
  key("innerError");
  w.StartObject();
  key("date"), str(date);
  key("request-id"), str(request_id);
  key("client-request-id"), str(client_request_id);
  w.EndObject();
  w.EndObject();
  w.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace graphsim
