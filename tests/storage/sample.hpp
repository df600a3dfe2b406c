// tests/storage/sample.hpp — small records and databases for the storage tests.
#pragma once

#include "storage/database.hpp"
#include "support.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>

namespace storage_test {

// The value of a result that must have succeeded; otherwise the test fails with the error's one line.
template <class T>
T ok(base::result<T> r) {
  if (!r) FAIL(r.error().message);
  return std::move(*r);
}
inline void ok(base::result<void> r) {
  if (!r) FAIL(r.error().message);
}

// A lower-case GUID-shaped id that sorts by n.
inline std::string guid(int n) { return fmt::format("{:08x}-0000-4000-8000-000000000000", n); }

inline storage::user_record user(int n) {
  storage::user_record u;
  u.id = guid(n);
  u.user_principal_name = fmt::format("user{}@contoso.example", n);
  u.display_name = fmt::format("User {}", n);
  u.user_type = "Member";
  u.account_enabled = true;
  u.department = "Sales";
  u.created_date_time = "2024-01-01T00:00:00Z";
  return u;
}

// A page of users first..last (inclusive), each with one license (two for even n: direct and group states).
inline storage::user_page page(int first, int last) {
  storage::user_page p;
  for (int n = first; n <= last; ++n) {
    p.users.push_back(user(n));
    p.licenses.push_back({guid(n), guid(1000), {guid(2000), guid(2001)}});
    p.states.push_back({guid(n), guid(1000), std::nullopt, "Active", "None", "2024-01-02T00:00:00Z", {}});
    if (n % 2 == 0) {
      p.licenses.push_back({guid(n), guid(1001), {}});
      p.states.push_back({guid(n), guid(1001), guid(3000), "Active", "None", "2024-01-02T00:00:00Z", {guid(2002)}});
    }
    p.plans.push_back({guid(n), guid(1000), guid(2003), "EXCHANGE_S_ENTERPRISE", "Success", true});
  }
  return p;
}

inline storage::scan_start start(std::string tenant = guid(9999), std::string mode = "derived") {
  return {std::move(tenant), std::move(mode), "0.1.0-test", "http://127.0.0.1:1/v1.0"};
}

// Opens (creating) a database, failing the test with its error otherwise.
inline storage::database open(const std::filesystem::path& p,
                              storage::open_mode mode = storage::open_mode::read_write) {
  return ok(storage::database::open(p.string(), mode));
}

// Writes a complete snapshot of users first..last for tenant and returns its id.
inline std::int64_t complete_scan(storage::database& db, int first, int last, std::string tenant = guid(9999)) {
  const auto id = ok(db.begin_scan(start(tenant)));
  ok(db.set_tenant(id, {tenant, "Contoso"}));
  ok(db.write_user_page(id, page(first, last), "", {1, 0}));
  ok(db.finish_scan(id, storage::scan_status::complete, {2, 0}));
  return id;
}

// Every user id of a snapshot, in the order for_each_user gives them.
inline std::vector<std::string> user_ids(storage::database& db, std::int64_t scan_id) {
  std::vector<std::string> ids;
  ok(db.for_each_user(scan_id, [&](const storage::user_licenses& u) { ids.push_back(u.user.id); }));
  return ids;
}

}  // namespace storage_test
