#include "app/check_command.hpp"

#include "app/scan_command.hpp"
#include "scanner/tenant_check.hpp"

#include <fmt/core.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cstdio>

namespace app {
namespace {

void print_json(const scanner::check_row& row) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  auto field = [&w](std::string_view key, std::string_view value) {
    w.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
    w.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  };
  w.StartObject();
  field("check", row.check);
  field("result", scanner::to_string(row.result));
  field("detail", row.detail);
  field("fix", row.fix);
  field("request_id", row.request_id);
  field("request", row.request);
  w.EndObject();
  fmt::print("{}\n", std::string_view(buffer.GetString(), buffer.GetSize()));
}

// check and result in aligned columns, then the detail; a fix and a request-id not already in the detail go on
// lines of their own under the detail, so that long URLs stay readable in a terminal.
void print_table(const std::vector<scanner::check_row>& rows) {
  std::size_t width = 5;
  for (auto const& row : rows) width = std::max(width, row.check.size());
  std::string const indent(width + 2 + 6 + 2, ' ');
  fmt::print("{:<{}}  {:<6}  {}\n", "check", width, "result", "detail");
  for (auto const& row : rows) {
    fmt::print("{:<{}}  {:<6}  {}\n", row.check, width, scanner::to_string(row.result), row.detail);
    if (!row.fix.empty()) fmt::print("{}fix: {}\n", indent, row.fix);
    if (!row.request_id.empty() && row.detail.find(row.request_id) == std::string::npos)
      fmt::print("{}request-id: {}\n", indent, row.request_id);
  }
  auto const count = [&rows](scanner::verdict v) {
    return std::count_if(rows.begin(), rows.end(), [v](auto const& r) { return r.result == v; });
  };
  auto const failed = count(scanner::verdict::fail), warned = count(scanner::verdict::warn);
  // Optional reads that failed change nothing about whether a scan works: said after the verdict, never in it.
  auto const optional = count(scanner::verdict::info);
  std::string const optional_note =
      optional > 0
          ? fmt::format("; {} optional read{} unavailable (info above): a scan works without what {} would add",
                        optional, optional == 1 ? "" : "s", optional == 1 ? "it" : "they")
          : "";
  if (failed > 0)
    fmt::print("\na scan will fail: {} of {} checks failed ({} warnings); apply the fixes above{}\n", failed,
               rows.size(), warned, optional_note);
  else
    fmt::print("\na scan will work{}{}\n",
               warned > 0 ? fmt::format(" ({} warnings: see their cost above)", warned) : "", optional_note);
}

}  // namespace

CLI::App* add_check_command(CLI::App& cli, check_command_options& o) {
  auto* cmd =
      cli.add_subcommand("check", "sign in and probe every call a scan makes; print what will fail and the fix");
  add_common_options(*cmd, o.common);
  // check never opens the database and has nothing to show progress of.
  cmd->remove_option(cmd->get_option("--db"));
  cmd->remove_option(cmd->get_option("--progress"));
  add_auth_options(*cmd, o.auth);
  add_license_details_option(*cmd, o.license_details);
  // A check that says a scan will fail is the first thing a support case needs to see, as it happened.
  add_capture_option(*cmd, o.capture);
  return cmd;
}

int run_check_command(const check_command_options& o) {
  configure_logging(o.common);
  auto settings = scanner::resolve_settings(with_terminal(o.auth), environment);
  if (!settings) return fail(settings.error());
  auto capture = open_capture(o.capture, settings->first, settings->second);
  if (!capture) return fail(capture.error());
  scanner::check_options options;
  options.connection = settings->first;
  options.connection.observer = *capture ? (*capture)->observer() : nullptr;
  options.creds = settings->second;
  options.mode =
      o.license_details == "fetch" ? scanner::license_details_mode::fetch : scanner::license_details_mode::derived;
  auto report = scanner::run_check(options);
  if (*capture) (*capture)->finish(report ? std::string() : report.error().message);
  if (!report) return fail(report.error());
  if (o.common.log_format == "json") {
    for (auto const& row : report->rows) print_json(row);
  } else {
    print_table(report->rows);
  }
  std::fflush(stdout);
  return report->scan_will_work() ? 0 : static_cast<int>(base::exit_code::runtime);
}

}  // namespace app
