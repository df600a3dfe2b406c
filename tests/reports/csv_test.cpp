#include "reports/detail/csv.hpp"

#include "sample_findings.hpp"
#include "storage/finding_row.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <cerrno>
#include <sys/stat.h>

namespace {

std::string render_to_string(const std::vector<storage::finding_record>& findings) {
  test_support::temp_dir dir;
  const auto path = (dir / "findings.csv").string();
  auto out = reports::output_file::open(path);
  REQUIRE(reports_test::ok(out));
  REQUIRE(reports_test::ok(reports::render_csv(reports_test::source_of(findings), *out)));
  REQUIRE(reports_test::ok(out->commit()));
  return test_support::read_file(path);
}

constexpr std::string_view header =
    "tenant_id,user_id,user_principal_name,display_name,account_enabled,user_type,department,sku_id,"
    "sku_part_number,product_name,origin,confidence,evidence,assignment,group_ids,subscription_ids,owner_ids,"
    "owner_upns,owner_tenant_ids,is_trial,idp_outcome,recommended_action,group_names\r\n";

}  // namespace

TEST_CASE("an empty snapshot gives the header row only") { CHECK(render_to_string({}) == header); }

TEST_CASE("findings are written byte-exact with quoting, formula guard, booleans and empty unknowns") {
  const auto text = render_to_string(reports_test::hostile_findings());
  REQUIRE(text.starts_with(header));
  const auto body = text.substr(header.size());
  CHECK(body.starts_with(
      "11111111-2222-3333-4444-555555555555,00000000-0000-0000-0000-000000000001,'=cmd@contoso.com,"
      "\"Smith, \"\"Bob\"\"\",true,Member,Sales,f8a1db68-be16-40ed-86d5-cb42ce701560,POWER_BI_PRO,Power BI Pro,"
      "self_service_purchase,high,subscription_user_owned;email_verified_user,direct,,sub-1;sub-2,"
      "00000000-0000-0000-0000-000000000001,'=cmd@contoso.com,,false,removal_refused_403,"
      "Ask the purchaser to release the seats,\r\n"));
  CHECK(body.find(",two\xEF\xBF\xBDlines | *bold* _x_ `c` [l] #h,") != std::string::npos);  // docs/reports.md
  // Unknown booleans are empty cells; a department starting with '-' is guarded.
  CHECK(body.find(",,Member,'-R&D,") != std::string::npos);
  CHECK(body.find("\xF0\x9F\x98\x80 +1 @x") != std::string::npos);
  // Every row ends with CRLF and there are five of them.
  std::size_t rows = 0;
  for (std::size_t i = 0; (i = body.find("\r\n", i)) != std::string::npos; i += 2) ++rows;
  CHECK(rows == 5);
}

TEST_CASE("a report file is created with mode 0600") {
  test_support::temp_dir dir;
  const auto path = (dir / "r.csv").string();
  auto out = reports::output_file::open(path);
  REQUIRE(reports_test::ok(out));
  REQUIRE(reports_test::ok(reports::render_csv(reports_test::source_of({}), *out)));
  REQUIRE(reports_test::ok(out->commit()));
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("an output in a missing directory is a one-line usage error naming the path") {
  auto out = reports::output_file::open("/nonexistent-dir-entra/x/findings.csv");
  REQUIRE_FALSE(out.has_value());
  CHECK(out.error().code == base::exit_code::usage);
  CHECK(out.error().message.find("/nonexistent-dir-entra/x/findings.csv") != std::string::npos);
  CHECK(out.error().message.find('\n') == std::string::npos);
}

TEST_CASE("an output in an unwritable directory is a one-line runtime error with the fix") {
  if (::geteuid() == 0) return;  // root writes anywhere; the usage case above still runs
  test_support::temp_dir dir;
  ::chmod(dir.path().c_str(), 0500);
  auto out = reports::output_file::open((dir / "f.csv").string());
  ::chmod(dir.path().c_str(), 0700);
  REQUIRE_FALSE(out.has_value());
  CHECK(out.error().code == base::exit_code::runtime);
  CHECK(out.error().message.find("permission denied") != std::string::npos);
}

TEST_CASE("an uncommitted output leaves no file behind") {
  test_support::temp_dir dir;
  {
    auto out = reports::output_file::open((dir / "f.csv").string());
    REQUIRE(reports_test::ok(out));
    out->write("partial");
  }
  CHECK(std::filesystem::is_empty(dir.path()));
}

TEST_CASE("an output path that is a directory, or under a file, is a usage error with the fix") {
  test_support::temp_dir dir;
  auto as_dir = reports::output_file::open(dir.path().string());
  REQUIRE_FALSE(as_dir.has_value());
  CHECK(as_dir.error().code == base::exit_code::usage);
  CHECK(as_dir.error().message.find("it is a directory") != std::string::npos);

  test_support::write_file(dir / "file", "x");
  auto under_file = reports::output_file::open((dir / "file" / "r.csv").string());
  REQUIRE_FALSE(under_file.has_value());
  CHECK(under_file.error().code == base::exit_code::usage);
  CHECK(under_file.error().message.find("not a directory") != std::string::npos);
}

TEST_CASE("a report replaces an existing file whole and leaves it with mode 0600") {
  test_support::temp_dir dir;
  const auto path = dir / "r.csv";
  test_support::write_file(path, "old content that is longer than the new one\n");
  ::chmod(path.c_str(), 0644);
  auto out = reports::output_file::open(path.string());
  REQUIRE(reports_test::ok(out));
  out->write("new\n");
  REQUIRE(reports_test::ok(out->commit()));
  CHECK(test_support::read_file(path) == "new\n");
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("a full disk is a one-line runtime error naming the path and the fix") {
  // A full disk cannot be arranged portably in a test: this checks what commit() returns for ENOSPC.
  const auto e = reports::output_error("write report", "/data/r.csv", ENOSPC);
  CHECK(e.code == base::exit_code::runtime);
  CHECK(e.message == "cannot write report '/data/r.csv': no space left on device (free space or choose another --out)");
}

TEST_CASE("the CSV header and row follow storage::finding_fields, one cell per column in order") {
  storage::finding_record f;
  std::string expected_header;
  std::string expected_row;
  for (const auto& field : storage::finding_fields) {
    const char* const comma = expected_header.empty() ? "" : ",";
    expected_header += comma + std::string(field.column.name);
    if (field.text != nullptr) {
      f.*field.text = std::string(field.column.name) + "-value";
      expected_row += comma + f.*field.text;
    } else {
      f.*field.flag = true;
      expected_row += std::string(comma) + "true";
    }
  }
  CHECK(render_to_string({f}) == expected_header + "\r\n" + expected_row + "\r\n");
}
