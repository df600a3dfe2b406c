// `entra-audit demo` runs the whole pipeline on the built-in emulator and writes every report.
#include "support.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <string>
#include <sys/stat.h>

TEST_CASE("demo writes the database and every report, mode 0600, and prints where they are") {
  test_support::temp_dir dir;
  auto const out = dir / "demo";
  auto r = test_support::run_entra_audit({"demo", "--out", out.string(), "--users", "300"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  for (char const* name : {"entra-audit.db", "findings.csv", "findings.json", "report.html", "summary.md"}) {
    CAPTURE(name);
    auto const path = out / name;
    REQUIRE(std::filesystem::exists(path));
    CHECK(std::filesystem::file_size(path) > 0);
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(r.out.find(path.string()) != std::string::npos);
  }
  CHECK(std::filesystem::is_directory(out / "by-owner"));
}
