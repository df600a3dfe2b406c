// Parsed with RapidJSON's SAX reader, not a DOM: every value's position is known when it is read, so an error names
// the line of the offending value, not only of the object.
#include "audit/commerce_policies.hpp"

#include "audit/detail/text.hpp"
#include "audit/detail/text_file.hpp"

#include <fmt/format.h>
#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include <algorithm>
#include <map>
#include <optional>

namespace audit {
namespace {

// One object of the file, as far as it was read.
struct policy_object {
  std::size_t line = 0;  // where it starts
  std::optional<std::string> policy_id, product_id, product_name, policy_value;
  std::size_t value_line = 0;               // where PolicyValue was
  std::optional<std::string> number_value;  // PolicyValue written as a number (an enum without -EnumsAsStrings)
};

// Collects the top-level objects (the whole document, or the items of a top-level array); nested values inside an
// object are skipped. Field names are matched ignoring case, as PowerShell does.
class collector : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, collector> {
 public:
  explicit collector(std::string_view text) : text_(text) {}
  void at(std::size_t offset) { offset_ = offset; }

  bool StartObject() {
    ++depth_;
    if (entry_depth() && depth_ == entry_level()) objects.push_back({line_of(offset_), {}, {}, {}, {}, 0, {}});
    else if (depth_ == 1) shape_error = "the top level is neither an object nor an array of objects";
    return shape_error.empty();
  }
  bool EndObject(rapidjson::SizeType) {
    --depth_;
    return true;
  }
  bool StartArray() {
    ++depth_;
    if (depth_ == 1) top_array_ = true;
    else if (depth_ == 2 && top_array_) shape_error = "an item of the array is an array, not an object";
    return shape_error.empty();
  }
  bool EndArray(rapidjson::SizeType) {
    --depth_;
    return true;
  }
  bool Key(const char* s, rapidjson::SizeType n, bool) {
    if (depth_ == entry_level()) key_.assign(s, n);
    return true;
  }
  bool String(const char* s, rapidjson::SizeType n, bool) {
    if (!in_entry()) return top_scalar();
    std::string value(s, n);
    auto& o = objects.back();
    if (iequals(key_, "PolicyId")) o.policy_id = value;
    else if (iequals(key_, "ProductId")) o.product_id = value;
    else if (iequals(key_, "ProductName")) o.product_name = value;
    else if (iequals(key_, "PolicyValue")) {
      o.policy_value = value;
      o.value_line = line_of(offset_);
    }
    return true;
  }
  bool Default() { return in_entry() || top_scalar(); }
  bool Int(int i) { return number(std::to_string(i)); }
  bool Uint(unsigned u) { return number(std::to_string(u)); }
  bool Int64(std::int64_t i) { return number(std::to_string(i)); }
  bool Uint64(std::uint64_t u) { return number(std::to_string(u)); }
  bool Double(double d) { return number(fmt::format("{}", d)); }

  std::size_t line_of(std::size_t offset) const {
    offset = std::min(offset, text_.size());
    return 1 + static_cast<std::size_t>(std::count(text_.begin(), text_.begin() + static_cast<long>(offset), '\n'));
  }

  std::vector<policy_object> objects;
  std::string shape_error;
  std::size_t shape_line = 0;

 private:
  bool entry_depth() const { return depth_ == 1 || (depth_ == 2 && top_array_); }
  int entry_level() const { return top_array_ ? 2 : 1; }
  bool in_entry() const { return depth_ == entry_level() && !objects.empty(); }
  bool top_scalar() {
    if (depth_ == 0 || (depth_ == 1 && top_array_)) {
      shape_error = depth_ == 0 ? "the top level is neither an object nor an array of objects"
                                : "an item of the array is not an object";
      shape_line = line_of(offset_);
      return false;
    }
    return true;  // a value nested deeper: not ours
  }
  bool number(std::string text) {
    if (!in_entry()) return top_scalar();
    if (iequals(key_, "PolicyValue")) {
      objects.back().number_value = std::move(text);
      objects.back().value_line = line_of(offset_);
    }
    return true;
  }

  std::string_view text_;
  std::size_t offset_ = 0;
  int depth_ = 0;
  bool top_array_ = false;
  std::string key_;
};

// A StringStream that tells the collector where each token ends.
struct tracked_stream : rapidjson::StringStream {
  tracked_stream(const char* s, collector& c) : rapidjson::StringStream(s), c_(c) {}
  char Take() {
    char const ch = rapidjson::StringStream::Take();
    c_.at(Tell());
    return ch;
  }
  collector& c_;
};

base::error bad(std::string_view name, std::size_t line, std::string_view problem) {
  return base::usage_error(fmt::format(
      "cannot read --commerce-policies '{}' line {}: {} — pass the output of `Get-MSCommerceProductPolicies "
      "-PolicyId AllowSelfServicePurchase | ConvertTo-Json` saved as UTF-8",
      name, line, problem));
}

std::optional<std::string> canonical_value(std::string_view v) {
  for (std::string_view known : {"Enabled", "Disabled", "OnlyTrialsWithoutPaymentMethod"})
    if (iequals(v, known)) return std::string(known);
  return std::nullopt;
}

}  // namespace

base::result<std::vector<storage::door_record>> parse_commerce_policies(std::string_view text, std::string_view name) {
  if (text.size() >= 2 && ((text[0] == '\xff' && text[1] == '\xfe') || (text[0] == '\xfe' && text[1] == '\xff')))
    return bad(name, 1, "the file is UTF-16 (Windows PowerShell's `>`); save it with `Out-File -Encoding utf8`");
  if (text.starts_with("\xef\xbb\xbf")) text.remove_prefix(3);
  std::string const buffer(text);  // RapidJSON's string stream reads up to a NUL
  if (buffer.find('\0') != std::string::npos) return bad(name, 1, "the file holds a NUL byte: it is not JSON text");

  collector c(buffer);
  tracked_stream in(buffer.c_str(), c);
  rapidjson::Reader reader;
  auto const ok = reader.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(in, c);
  if (!c.shape_error.empty())
    return bad(name, c.shape_line ? c.shape_line : c.line_of(reader.GetErrorOffset()), c.shape_error);
  if (ok.IsError())
    return bad(name, c.line_of(ok.Offset()), fmt::format("malformed JSON: {}", rapidjson::GetParseError_En(ok.Code())));

  std::map<std::string, storage::door_record> by_product;  // ordered by product id
  for (auto const& o : c.objects) {
    if (o.policy_id && !iequals(*o.policy_id, "AllowSelfServicePurchase"))
      return bad(name, o.line, fmt::format("PolicyId is '{}', not AllowSelfServicePurchase", *o.policy_id));
    if (!o.product_id || trim(*o.product_id).empty()) return bad(name, o.line, "an object has no ProductId");
    if (o.number_value)
      return bad(name, o.value_line,
                 fmt::format("PolicyValue is the number {}, not a name: add -EnumsAsStrings to ConvertTo-Json",
                             *o.number_value));
    if (!o.policy_value) return bad(name, o.line, fmt::format("product {} has no PolicyValue", *o.product_id));
    auto const value = canonical_value(trim(*o.policy_value));
    if (!value)
      return bad(name, o.value_line,
                 fmt::format("PolicyValue '{}' is none of Enabled, Disabled, OnlyTrialsWithoutPaymentMethod",
                             *o.policy_value));
    storage::door_record d;
    d.door = "self_service_purchase";
    d.product_id = std::string(trim(*o.product_id));
    d.product_name = o.product_name ? std::string(trim(*o.product_name)) : std::string();
    d.state = *value == "Disabled" ? "closed" : "open";
    d.setting = *value;
    d.source = "--commerce-policies";
    by_product[d.product_id] = std::move(d);
  }
  std::vector<storage::door_record> out;
  for (auto& [id, d] : by_product) out.push_back(std::move(d));
  return out;
}

base::result<std::vector<storage::door_record>> read_commerce_policies(const std::string& path) {
  auto text = read_text_file(path, "--commerce-policies");
  if (!text) return text.error();
  return parse_commerce_policies(*text, path);
}

}  // namespace audit
