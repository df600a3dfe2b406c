// A benchmark, skipped by default (speed is measured, never asserted): run it with
//   ENTRA_AUDIT_BENCH_USERS=1000000 ENTRA_AUDIT_BENCH_PLANS=0 test_storage --no-skip -tc="benchmark*"
#include "sample.hpp"
#include "storage/database.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <random>
#include <sys/resource.h>

namespace {

// CPU seconds this process has used so far: unlike wall time, it does not depend on what else the machine runs.
double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

int env_int(const char* name, int fallback) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::atoi(v) : fallback;
}

std::string random_guid(std::mt19937_64& rng) {
  const auto a = rng();
  const auto b = rng();
  return fmt::format("{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}", a >> 32, (a >> 16) & 0xffff, a & 0xfff, b >> 52,
                     b & 0xffffffffffffULL);
}

}  // namespace

TEST_CASE("benchmark: storing a million users page by page, then streaming them" * doctest::skip()) {
  using clock = std::chrono::steady_clock;
  const int users = env_int("ENTRA_AUDIT_BENCH_USERS", 1'000'000);
  const int plans_per_license = env_int("ENTRA_AUDIT_BENCH_PLANS", 0);
  const int page_size = 1000;
  test_support::temp_dir dir;
  auto db = storage_test::open(dir / "bench.db");
  const auto id = storage_test::ok(db.begin_scan(storage_test::start()));
  std::mt19937_64 rng{42};
  std::vector<std::string> skus, plan_ids;
  for (int i = 0; i < 20; ++i) skus.push_back(random_guid(rng));
  for (int i = 0; i < 40; ++i) plan_ids.push_back(random_guid(rng));

  const auto t0 = clock::now();
  const double c0 = cpu_seconds();
  double build_s = 0;
  double build_cpu = 0;
  for (int first = 0; first < users; first += page_size) {
    const auto b0 = clock::now();
    const double bc0 = cpu_seconds();
    storage::user_page page;
    for (int n = first; n < std::min(users, first + page_size); ++n) {
      storage::user_record u;
      u.id = random_guid(rng);  // Graph's order is not id order
      u.user_principal_name = fmt::format("user.{}@contoso.onmicrosoft.com", n);
      u.display_name = fmt::format("User Number {}", n);
      u.mail = u.user_principal_name;
      u.user_type = "Member";
      u.account_enabled = true;
      u.usage_location = "US";
      u.department = "Department of Examples";
      u.created_date_time = "2024-01-01T00:00:00Z";
      for (int l = 0; l < 1 + (n % 3 == 0); ++l) {
        const auto& sku = skus[(n + l) % skus.size()];
        page.licenses.push_back({u.id, sku, {plan_ids[n % 40]}});
        page.states.push_back({u.id, sku, std::nullopt, "Active", "None", "2024-01-02T00:00:00Z", {}});
        for (int p = 0; p < plans_per_license; ++p)
          page.plans.push_back({u.id, sku, plan_ids[p % 40], "EXCHANGE_S_ENTERPRISE", "Success", true});
      }
      page.users.push_back(std::move(u));
    }
    build_s += std::chrono::duration<double>(clock::now() - b0).count();
    build_cpu += cpu_seconds() - bc0;
    storage_test::ok(db.write_user_page(id, page, "https://graph.microsoft.com/v1.0/users?$skiptoken=x", {1, 0}));
  }
  const auto f0 = clock::now();
  storage_test::ok(db.finish_scan(id, storage::scan_status::complete, {}));
  const double finish_s = std::chrono::duration<double>(clock::now() - f0).count();
  const double write_s = std::chrono::duration<double>(clock::now() - t0).count() - build_s;
  const double write_cpu = cpu_seconds() - c0 - build_cpu;

  const auto r0 = clock::now();
  const double rc0 = cpu_seconds();
  std::int64_t seen = 0;
  storage_test::ok(db.for_each_user(id, [&](const storage::user_licenses& u) { seen += u.user.id.empty() ? 0 : 1; }));
  const double read_s = std::chrono::duration<double>(clock::now() - r0).count();
  const double read_cpu = cpu_seconds() - rc0;
  CHECK(seen == users);

  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  MESSAGE(fmt::format(
      "{} users, {} plans/license: pages + finish_scan {:.1f} s wall / {:.1f} s CPU (finish_scan {:.1f} s wall), "
      "for_each_user {:.1f} s wall / {:.1f} s CPU, building records {:.1f} s, peak RSS {} MiB, file {} MiB",
      users, plans_per_license, write_s, write_cpu, finish_s, read_s, read_cpu, build_s, ru.ru_maxrss / 1024,
      std::filesystem::file_size(dir / "bench.db") / (1 << 20)));
}
