#include "audit/idp_events.hpp"

#include "audit/detail/graph_failure_text.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <string>

namespace {

std::string okta_file(const std::string& name) {
  return test_support::read_file(std::filesystem::path(ENTRA_AUDIT_SOURCE_DIR) / "tests/data/okta" / name);
}

bool skipped_at(const audit::idp_read& r, std::size_t line, const std::string& words) {
  for (const auto& s : r.skipped)
    if (s.line == line && s.reason.find(words) != std::string::npos) return true;
  return false;
}

const std::string seed_line =
    "Automatic profile push of user ann@contoso.example to app Microsoft Office 365 failed: Could not push profile "
    "for Office 365 user ann@contoso.example, received error: Received response with HTTP status code 403. "
    "httpStatusCode=403 errorCode=Authorization_RequestDenied errorMessage=\"Insufficient privileges to complete the "
    "operation.\" client-request-id=11111111-2222-3333-4444-555555555555 request-id=aaaaaaaa-2222-3333-4444-"
    "555555555555 timestamp='2026-11-24T02:41:07Z' method=POST "
    "url=https://graph.microsoft.com/v1.0/users/92f1db1e-ea81-4537-b437-c299523de953/microsoft.graph.assignLicense";

}  // namespace

TEST_CASE("the seed's Okta failure text gives the status, Graph's code and message, the request-id and the user id") {
  auto const f = audit::read_graph_failure(seed_line);
  CHECK(f.http_status == 403);
  CHECK(f.error_code == "Authorization_RequestDenied");
  CHECK(f.error_message == "Insufficient privileges to complete the operation.");
  CHECK(f.request_id == "aaaaaaaa-2222-3333-4444-555555555555");  // not client-request-id
  CHECK(f.user_id == "92f1db1e-ea81-4537-b437-c299523de953");
  CHECK(f.timestamp == "2026-11-24T02:41:07Z");
  CHECK(f.names_assign_license);
}

TEST_CASE("times are stored as UTC with milliseconds whatever offset or separator they were written with") {
  CHECK(audit::normalize_time("2026-11-24T02:41:07Z") == "2026-11-24T02:41:07.000Z");
  CHECK(audit::normalize_time("2026-11-24T02:41:07.123456Z") == "2026-11-24T02:41:07.123Z");
  CHECK(audit::normalize_time("2026-11-24 02:41:07") == "2026-11-24T02:41:07.000Z");
  CHECK(audit::normalize_time("2026-11-24T00:30:00+01:00") == "2026-11-23T23:30:00.000Z");
  CHECK(audit::normalize_time("2026-11-24T23:30:00-0100") == "2026-11-25T00:30:00.000Z");
  CHECK_FALSE(audit::normalize_time("2017-09-31T22:23:07.777Z"));  // no 31 September
  CHECK_FALSE(audit::normalize_time("yesterday"));
  CHECK_FALSE(audit::normalize_time("2026-11-24T02:41:07 PST"));
}

TEST_CASE("Okta's documented example LogEvent is read as another event, not a license push and not an error") {
  auto const r = audit::read_idp_events(okta_file("logevent-docs-example.json"), "example.json");
  CHECK(r.format == audit::idp_format::okta_log);
  CHECK(r.events.empty());
  CHECK(r.skipped.empty());
  CHECK(r.other_events == 1);
}

TEST_CASE("a System Log JSON array yields each push's user, outcome, status, code and request-id") {
  auto const r = audit::read_idp_events(okta_file("push-failures.handmade.json"), "logs.json");
  REQUIRE(r.events.size() == 3);
  CHECK(r.skipped.empty());
  CHECK(r.other_events == 1);
  auto const& refused = r.events[0];
  CHECK(refused.event_id == "2b9e1f60-0c55-11ef-9d3a-0a8c1f1e0001");
  CHECK(refused.source == "okta_log");
  CHECK(refused.observed_at == "2026-11-24T02:41:07.123Z");
  CHECK(refused.outcome == "failure");
  CHECK(refused.user_id == "92f1db1e-ea81-4537-b437-c299523de953");  // lower-cased from the URL
  CHECK(refused.user_principal_name.empty());
  CHECK(refused.http_status == 403);
  CHECK(refused.error_code == "Authorization_RequestDenied");
  CHECK(refused.request_id == "9f0e8d7c-2222-4b6a-8c5d-1e2f3a4b5c6d");
  CHECK(refused.event_type == "application.provision.user.push_profile");
  CHECK(refused.ingested_from == "logs.json");
  auto const& pushed = r.events[1];
  CHECK(pushed.outcome == "success");
  CHECK(pushed.user_principal_name == "ben.okafor@contoso.example");  // the AppUser target, not the Okta login
  CHECK_FALSE(pushed.http_status.has_value());
  auto const& group = r.events[2];
  CHECK(group.http_status == 400);
  CHECK(group.error_code == "Request_BadRequest");
  CHECK(group.observed_at == "2026-11-24T01:42:00.000Z");
}

TEST_CASE("NDJSON is read line by line and a broken line is skipped with its number while the next ones are read") {
  std::string const good1 =
      R"({"uuid":"u1","published":"2026-11-24T02:00:00Z","eventType":"application.provision.user.push_profile",)"
      R"("outcome":{"result":"FAILURE","reason":"httpStatusCode=403 url=https://graph.microsoft.com/v1.0/users/)"
      R"(92f1db1e-ea81-4537-b437-c299523de953/microsoft.graph.assignLicense"}})";
  std::string const good2 =
      R"({"uuid":"u2","published":"2026-11-24T03:00:00Z","eventType":"application.provision.user.push",)"
      R"("outcome":{"result":"SUCCESS"},"target":[{"type":"User","alternateId":"bo@contoso.example"}]})";
  std::string const text = good1 + "\n" + R"({"uuid":"u3","published":)" + "\n" +
                           R"({"uuid":42,"published":"2026-11-24T02:00:00Z","eventType":"x"})" + "\n" +
                           R"({"uuid":"u4","published":"2026-11-24T02:00:00Z","eventType":"application.provision.)"
                           R"(user.push","outcome":"FAILURE"})" +
                           "\n[1,2]\n" + good2 + "\n";
  auto const r = audit::read_idp_events(text, "logs.ndjson");
  REQUIRE(r.events.size() == 2);
  CHECK(r.events[0].event_id == "u1");
  CHECK(r.events[1].event_id == "u2");
  CHECK(r.skipped.size() == 4);
  CHECK(skipped_at(r, 2, "not valid JSON"));
  CHECK(skipped_at(r, 3, "uuid is not a string"));
  CHECK(skipped_at(r, 4, "outcome is not an object"));
  CHECK(skipped_at(r, 5, "not a LogEvent object"));
}

TEST_CASE("a truncated JSON array keeps every event before the cut and names the line where the cut event starts") {
  std::string const full = okta_file("push-failures.handmade.json");
  auto const cut = full.find("2b9e1f60-0c55-11ef-9d3a-0a8c1f1e0003");
  REQUIRE(cut != std::string::npos);
  auto const r = audit::read_idp_events(std::string_view(full).substr(0, cut + 10), "cut.json");
  CHECK(r.events.size() == 2);
  REQUIRE(r.skipped.size() == 1);
  CHECK(r.skipped[0].reason.find("truncated") != std::string::npos);
  CHECK(r.skipped[0].line == 33);  // the line of the third object's opening brace
}

TEST_CASE("a 100 MB line is skipped with its size and the events around it are kept") {
  std::string const event =
      R"({"uuid":"u%","published":"2026-11-24T02:00:00Z","eventType":"application.provision.user.push",)"
      R"("outcome":{"result":"SUCCESS"},"target":[{"type":"User","alternateId":"bo@contoso.example"}]})";
  auto with_id = [&](char id) {
    std::string e = event;
    e[e.find('%')] = id;
    return e;
  };
  std::string text = with_id('1') + "\n{\"uuid\":\"";
  text.append(100u << 20, 'x');
  text += "\"}\n" + with_id('2') + "\n";
  auto const r = audit::read_idp_events(text, "huge.ndjson");
  CHECK(r.events.size() == 2);
  REQUIRE(r.skipped.size() == 1);
  CHECK(r.skipped[0].line == 2);
  CHECK(r.skipped[0].reason.find("bytes") != std::string::npos);
}

TEST_CASE("the seed's failure lines in a text file are read and a line that is no failure is counted as skipped") {
  auto const r = audit::read_idp_events(okta_file("tasks-failures.txt"), "tasks.txt");
  CHECK(r.format == audit::idp_format::okta_text);
  REQUIRE(r.events.size() == 2);
  CHECK(r.events[0].user_id == "92f1db1e-ea81-4537-b437-c299523de953");
  CHECK(r.events[0].event_id == "request-id:9f0e8d7c-2222-4b6a-8c5d-1e2f3a4b5c6d");
  CHECK(r.events[0].observed_at == "2026-11-24T02:41:07.000Z");
  CHECK(r.events[1].user_id.empty());
  CHECK(r.events[1].user_principal_name == "zoe.martin@contoso.example");  // no URL: the user Okta names
  REQUIRE(r.skipped.size() == 1);
  CHECK(r.skipped[0].line == 4);
}

TEST_CASE("Okta's System Log CSV export is read by column names and a bad time is skipped with its line") {
  auto const r = audit::read_idp_events(okta_file("system-log-export.handmade.csv"), "export.csv");
  CHECK(r.format == audit::idp_format::okta_csv);
  REQUIRE(r.events.size() == 2);
  CHECK(r.events[0].event_id == "2b9e1f60-0c55-11ef-9d3a-0a8c1f1e0001");
  CHECK(r.events[0].http_status == 403);
  CHECK(r.events[0].user_id == "92f1db1e-ea81-4537-b437-c299523de953");
  CHECK(r.events[1].outcome == "success");
  CHECK(r.events[1].user_principal_name == "ben.okafor@contoso.example");
  CHECK(r.other_events == 1);
  REQUIRE(r.skipped.size() == 1);
  CHECK(skipped_at(r, 5, "published"));
}

TEST_CASE("the generic CSV reads ids and principal names, 2xx as success, and skips a status that is not a number") {
  auto const r = audit::read_idp_events(okta_file("generic.csv"), "other-idp.csv");
  CHECK(r.format == audit::idp_format::generic_csv);
  REQUIRE(r.events.size() == 2);
  CHECK(r.events[0].user_id == "92f1db1e-ea81-4537-b437-c299523de953");
  CHECK(r.events[0].outcome == "failure");
  CHECK(r.events[0].http_status == 403);
  CHECK(r.events[0].event_id.starts_with("line:"));
  CHECK(r.events[1].outcome == "success");
  CHECK(r.events[1].user_principal_name == "ben.okafor@contoso.example");
  CHECK(r.events[1].observed_at == "2026-11-24T02:50:00.000Z");
  REQUIRE(r.skipped.size() == 1);
  CHECK(skipped_at(r, 4, "http_status"));
}

TEST_CASE("reading the same text twice gives the same event ids (ingest is idempotent by them)") {
  for (auto const* name : {"push-failures.handmade.json", "tasks-failures.txt", "generic.csv"}) {
    auto const a = audit::read_idp_events(okta_file(name), "a");
    auto const b = audit::read_idp_events(okta_file(name), "b");
    REQUIRE(a.events.size() == b.events.size());
    for (std::size_t i = 0; i < a.events.size(); ++i) CHECK(a.events[i].event_id == b.events[i].event_id);
  }
}

TEST_CASE("control characters and invalid UTF-8 in an event never reach a stored field") {
  std::string const line =
      "2026-11-24T02:00:00Z push of user b\x01o@x.example to app failed: httpStatusCode=403 "
      "errorCode=Bad\xff\x1b[31m errorMessage=\"a\x07b\"";
  auto const r = audit::read_idp_events(line, "t.txt", audit::idp_format::okta_text);
  REQUIRE(r.events.size() == 1);
  for (auto const* field : {&r.events[0].user_principal_name, &r.events[0].error_code, &r.events[0].error_message})
    for (unsigned char c : *field) CHECK((c >= 0x20 && c != 0x7f && c != 0xff));
}

TEST_CASE("a broken event inside a compact one-line array is named by its place and the others are kept") {
  std::string const ok1 =
      R"({"uuid":"a","published":"2026-11-24T02:00:00Z","eventType":"application.provision.user.push",)"
      R"("outcome":{"result":"SUCCESS"},"target":[{"type":"User","alternateId":"a@contoso.example"}]})";
  std::string const ok3 =
      R"({"uuid":"c","published":"2026-11-24T02:00:00Z","eventType":"application.provision.user.push",)"
      R"("outcome":{"result":"SUCCESS"},"target":[{"type":"User","alternateId":"c@contoso.example"}]})";
  auto const r = audit::read_idp_events("[" + ok1 + R"(,{"uuid":"b","published":true},)" + ok3 + "]", "page.json");
  CHECK(r.events.size() == 2);
  REQUIRE(r.skipped.size() == 1);
  CHECK(r.skipped[0].line == 1);
  CHECK(r.skipped[0].reason == "event 2: published is not a string");
}

TEST_CASE("a time in the year 1013 found by the fuzzer is a skipped line, not an overflow of the clock") {
  // fuzz-fuzz_idp_events-2.bin: "1013-11-24 02:50:00" overflowed system_clock's nanoseconds (UBSan).
  auto const r = audit::read_idp_events(okta_file("fuzz-fuzz_idp_events-2.bin"), "fuzz.csv");
  CHECK(r.format == audit::idp_format::generic_csv);
  REQUIRE_FALSE(r.events.empty());
  CHECK(r.events[0].observed_at == "2026-11-24T02:41:07.000Z");
  bool named = false;
  for (const auto& s : r.skipped) named = named || s.line == 3;
  CHECK(named);
}

TEST_CASE("the generic CSV found by the fuzzer reads its status from a cell that outlives the parse") {
  // fuzz-fuzz_idp_events-1.bin: the http_status cell was read through a view of a destroyed copy.
  auto const r = audit::read_idp_events(okta_file("fuzz-fuzz_idp_events-1.bin"), "fuzz.csv");
  CHECK(r.format == audit::idp_format::generic_csv);
  REQUIRE_FALSE(r.events.empty());
  CHECK(r.events[0].http_status == 403);
}
