// The findings row is declared once (storage/finding_row.hpp): the table, the binder and the reader follow it.
#include "storage/finding_row.hpp"

#include "sample.hpp"
#include "storage/database.hpp"
#include "storage/detail/schema.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <string>

namespace {

using namespace storage_test;

// A finding whose every text column holds its own name and whose flags differ: a column bound or read in the
// wrong place, or not at all, shows.
storage::finding_record distinct_finding() {
  storage::finding_record f;
  bool next_flag = false;
  for (const auto& field : storage::finding_fields) {
    if (field.text != nullptr) f.*field.text = std::string(field.column.name) + "-value";
    else f.*field.flag = next_flag = !next_flag;
  }
  return f;
}

}  // namespace

TEST_CASE("the findings table's columns are scan_id and then finding_fields, in order") {
  const auto& table = storage::schema::table_named("findings");
  REQUIRE(table.columns.size() == 1 + storage::finding_field_count);
  CHECK(table.columns[0].name == "scan_id");
  for (std::size_t i = 0; i < storage::finding_field_count; ++i) {
    CAPTURE(i);
    CHECK(table.columns[i + 1].name == storage::finding_fields[i].column.name);
    CHECK(table.columns[i + 1].null == storage::finding_fields[i].column.null);
  }
}

TEST_CASE("every column of finding_fields round-trips through the database, each in its own place") {
  test_support::temp_dir dir;
  auto db = open(dir / "a.db");
  const auto id = complete_scan(db, 1, 1);
  const auto f = distinct_finding();
  ok(db.replace_findings(id, std::span(&f, 1)));
  std::vector<storage::finding_record> read;
  ok(db.for_each_finding(id, [&](const storage::finding_record& g) { read.push_back(g); }));
  REQUIRE(read.size() == 1);
  for (const auto& field : storage::finding_fields) {
    CAPTURE(field.column.name);
    if (field.text != nullptr) CHECK(read[0].*field.text == f.*field.text);
    else CHECK(read[0].*field.flag == f.*field.flag);
  }
}
