#include "app/ingest_command.hpp"

#include "app/scan_command.hpp"
#include "audit/idp_events.hpp"
#include "scanner/okta_log.hpp"
#include "storage/database.hpp"

#include <fmt/core.h>

#include <iostream>

namespace app {
namespace {

// Enough skipped lines to see what is wrong with a file; the count says how many more there were.
constexpr std::size_t max_skipped_shown = 20;

void report_skipped(const std::string& file, const audit::idp_read& read) {
  std::size_t shown = 0;
  for (const auto& s : read.skipped) {
    if (shown++ == max_skipped_shown) {
      base::log(base::log_level::warn, "{}: {} more lines skipped", file, read.skipped.size() - max_skipped_shown);
      break;
    }
    base::log(base::log_level::warn, "{}:{}: skipped: {}", file, s.line, s.reason);
  }
}

}  // namespace

CLI::App* add_ingest_command(CLI::App& cli, ingest_command_options& o) {
  auto* cmd = cli.add_subcommand(
      "ingest",
      "read the identity provider's provisioning failures (Okta System Log JSON or CSV, Okta's failure "
      "lines, or time,user,http_status,error_code,message CSV) into the database");
  add_common_options(*cmd, o.common);
  cmd->add_option("files", o.files, "files to read (each once; ingesting one again adds nothing)");
  cmd->add_option("--okta-org-url", o.okta_org_url,
                  "read Okta's System Log itself (https://<org>.okta.com), with the API token in OKTA_API_TOKEN");
  cmd->add_option("--since", o.since, "with --okta-org-url: the first time to read (ISO 8601; Okta's default: 7 days)");
  cmd->add_option("--until", o.until, "with --okta-org-url: the last time to read (ISO 8601)");
  cmd->add_option("--ca-file", o.ca_file, "with --okta-org-url: PEM trust anchors added to the system store");
  add_timeout_option(*cmd, o.timeout);
  cmd->add_option("--format", o.format, "auto (from the first bytes), okta-log, okta-csv, okta-text or csv")
      ->check(CLI::IsMember({"auto", "okta-log", "okta-csv", "okta-text", "csv"}));
  return cmd;
}

namespace {

// Okta's System Log, page by page: each page is read as okta-log events and stored in its own transaction.
int ingest_from_okta(const ingest_command_options& o, storage::database& db) {
  std::int64_t read = 0, added = 0, again = 0, skipped = 0, other = 0;
  auto pulled =
      scanner::read_okta_log({.org_url = o.okta_org_url,
                              .token = environment("OKTA_API_TOKEN").value_or(""),
                              .since = o.since,
                              .until = o.until,
                              .ca_file = o.ca_file.empty() ? std::nullopt : std::optional<std::string>(o.ca_file),
                              .timeout = o.timeout,
                              .https_proxy = environment("HTTPS_PROXY"),
                              .no_proxy = environment("NO_PROXY").value_or("")},
                             [&](std::string_view body) -> base::result<void> {
                               auto page = audit::read_idp_events(body, o.okta_org_url, audit::idp_format::okta_log);
                               report_skipped(o.okta_org_url, page);
                               auto stored = db.add_idp_events(page.events);
                               if (!stored) return stored.error();
                               read += static_cast<std::int64_t>(page.events.size());
                               added += stored->added;
                               again += stored->already_stored;
                               skipped += static_cast<std::int64_t>(page.skipped.size());
                               other += page.other_events;
                               return {};
                             });
  if (!pulled) return fail(pulled.error());
  if (!o.common.quiet)
    std::cout << fmt::format(
        "{} (okta-log, {} pages, {} answered 429): {} license pushes read ({} new, {} already "
        "stored), {} events skipped, {} other events\n",
        o.okta_org_url, pulled->pages, pulled->throttled, read, added, again, skipped, other);
  return 0;
}

}  // namespace

int run_ingest_command(const ingest_command_options& o) {
  configure_logging(o.common);
  if (o.files.empty() == o.okta_org_url.empty())
    return fail(base::usage_error("ingest reads files or Okta: give FILE… or --okta-org-url URL, not both or none"));
  auto const format = audit::parse_idp_format(o.format);
  if (!format) return fail(base::usage_error(fmt::format("unknown --format '{}'", o.format)));
  auto db = storage::database::open(database_path(o.common));
  if (!db) return fail(db.error());
  if (!o.okta_org_url.empty()) return ingest_from_okta(o, *db);

  int unreadable = 0;
  std::int64_t added = 0, again = 0, skipped = 0;
  for (const auto& file : o.files) {
    auto read = audit::read_idp_events_file(file, *format);
    if (!read) {
      base::log(base::log_level::error, "{}", read.error().message);
      ++unreadable;
      continue;
    }
    report_skipped(file, *read);
    auto stored = db->add_idp_events(read->events);
    if (!stored) return fail(stored.error());
    added += stored->added;
    again += stored->already_stored;
    skipped += static_cast<std::int64_t>(read->skipped.size());
    if (!o.common.quiet)
      std::cout << fmt::format(
          "{} ({}): {} license pushes read ({} new, {} already stored), {} lines skipped, {} "
          "other events\n",
          file, audit::to_string(read->format), read->events.size(), stored->added, stored->already_stored,
          read->skipped.size(), read->other_events);
  }
  if (unreadable > 0)
    return fail(base::usage_error(
        fmt::format("{} of {} files could not be read (above); the others were stored", unreadable, o.files.size())));
  if (!o.common.quiet)
    base::print_outcome(base::log_level::info,
                        fmt::format("stored {} new events in '{}' ({} already there, {} lines skipped)", added,
                                    db->path(), again, skipped));
  return 0;
}

}  // namespace app
