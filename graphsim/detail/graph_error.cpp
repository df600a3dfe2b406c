#include "graphsim/detail/graph_error.hpp"

#include "graphsim/detail/text.hpp"

#include <fmt/format.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace graphsim {
namespace {

struct body_writer {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w{buffer};
  void key(std::string_view k) { w.Key(k.data(), static_cast<rapidjson::SizeType>(k.size())); }
  void str(std::string_view v) { w.String(v.data(), static_cast<rapidjson::SizeType>(v.size())); }
  std::string text() const { return {buffer.GetString(), buffer.GetSize()}; }
};

}  // namespace

std::string graph_error_body(std::string_view code, std::string_view message, std::string_view request_id,
                             std::string_view client_request_id) {
  body_writer b;
  b.w.StartObject();
  b.key("error");
  b.w.StartObject();
  b.key("code"), b.str(code);
  b.key("message"), b.str(message);
  b.key("innerError");
  b.w.StartObject();
  b.key("date"), b.str(utc_date_now());
  b.key("request-id"), b.str(request_id);
  b.key("client-request-id"), b.str(client_request_id);
  b.w.EndObject();
  b.w.EndObject();
  b.w.EndObject();
  return b.text();
}

std::string throttle_error_body(std::string_view request_id, std::string_view client_request_id) {
  body_writer b;
  b.w.StartObject();
  b.key("error");
  b.w.StartObject();
  b.key("code"), b.str("TooManyRequests");
  b.key("innerError");
  b.w.StartObject();
  b.key("code"), b.str("429");
  b.key("date"), b.str(utc_date_now());
  b.key("message"), b.str("Please retry after");
  b.key("request-id"), b.str(request_id);
  b.key("client-request-id"), b.str(client_request_id);
  b.key("status"), b.str("429");
  b.w.EndObject();
  b.key("message"), b.str("Please retry again later.");
  b.w.EndObject();
  b.w.EndObject();
  return b.text();
}

std::string aadsts_error_body(std::string_view error, unsigned aadsts_code, std::string_view description,
                              std::string_view trace_id, std::string_view correlation_id) {
  std::string const timestamp = utc_timestamp_now();
  std::string const text = fmt::format("AADSTS{}: {}\r\nTrace ID: {}\r\nCorrelation ID: {}\r\nTimestamp: {}",
                                       aadsts_code, description, trace_id, correlation_id, timestamp);
  body_writer b;
  b.w.StartObject();
  b.key("error"), b.str(error);
  b.key("error_description"), b.str(text);
  b.key("error_codes");
  b.w.StartArray();
  b.w.Uint(aadsts_code);
  b.w.EndArray();
  b.key("timestamp"), b.str(timestamp);
  b.key("trace_id"), b.str(trace_id);
  b.key("correlation_id"), b.str(correlation_id);
  b.w.EndObject();
  return b.text();
}

}  // namespace graphsim
