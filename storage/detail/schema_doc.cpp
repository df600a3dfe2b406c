// docs/schema.md, generated from the declarations in schema.cpp (tests/storage/schema_doc_test.cpp keeps the
// committed file equal to this output).
#include "storage/detail/schema.hpp"

#include <fmt/format.h>

namespace storage::schema {
namespace {

constexpr std::string_view preamble = R"(# entra-audit database schema

<!-- Generated from storage/detail/schema.cpp by storage::schema::markdown(); do not edit by hand. Regenerate with
     ENTRA_AUDIT_UPDATE_DOCS=1 build-*/tests/test_storage -tc="docs/schema.md*" -->

entra-audit keeps everything in one SQLite file (`--db`, default `./entra-audit.db`, mode 0600: it holds personal
data). Each `entra-audit scan` adds one **snapshot**: a row of `scans` and the tenant's SKUs, subscriptions, users,
licenses, states and findings as they were then. A snapshot is written page by page (each page of users and the
link to the next page in one transaction, so `--resume` continues where a killed scan stopped) and becomes visible
to reports and to the `latest_*` views only when its status turns `complete`. A failed or interrupted scan never
replaces the last complete one. `scan --keep N` deletes older snapshots.

**Versions.** From one night to the next almost every user is the same, so a user's row, licenses and states are
stored once, as a *version*, and belong to every snapshot of the tenant from the one that stored them
(`first_scan`) up to the first later one that no longer holds them (`until_scan`: the user changed or went; NULL
while current). A scan compares each user Graph returns with the current version (by the FNV-1a fingerprint
`content_hash` of every stored field) and stores a new version only when something changed. Findings are kept the
same way once their snapshot is complete (`finding_versions`; while it is written they wait in
`pending_findings`, where a scan that audits as it lists stages only those that differ from the current versions,
or, when the tenant has no current finding versions to compare with (its first snapshot), in `finding_versions` as
rows with the empty range `first_scan = until_scan` = the snapshot's scan_id, which no snapshot holds until its
completion makes them its own; the tenant's only snapshot in the file writes them with the open range at once, so
that its completion rewrites none of them: no complete snapshot can hold them before, and should it never complete,
the tenant's next snapshot holds those it finds again and ends the others). The views `users`, `user_licenses`, `license_states` and `findings` show every snapshot's
rows with the columns these tables had before version 4 (`seq` is now the version's id), so queries written for
them keep working; pruning deletes the versions no kept snapshot holds, and both pruning and a snapshot's completion
(which empties `pending_findings` and `user_seen`) give the freed pages back to the file system
(`auto_vacuum = INCREMENTAL`). SKUs and subscriptions change in a few counters from night to night and their service
plans hardly ever, so each distinct SKU row, service-plan list and subscription row is stored once and a snapshot
lists which it read (`snapshot_skus`, `snapshot_subscriptions`); the views `skus`, `sku_service_plans`,
`sku_subscription_ids` and `subscriptions` show them with the columns these tables had before version 6. License
plans (`fetch` snapshots), groups and doors are small and stay one copy per snapshot.

Conventions:
- Tables are `STRICT`; text is UTF-8 and compares byte by byte (SQLite's `BINARY` collation).
- GUIDs are lower-case text. Timestamps written by entra-audit are UTC ISO 8601; those copied from Graph are kept
  as Graph wrote them.
- Booleans are `INTEGER` 0/1; `NULL` means Graph did not say. Other absent values are empty strings.
- Lists of GUIDs inside one row (`disabled_plans`) are JSON arrays of strings: read them with `json_each`.
- The schema version is `PRAGMA user_version` (now {version}). A newer entra-audit migrates an older file forward
  when it opens it for writing; an older one refuses a newer file.
- Use the `latest_*` views for ad-hoc queries: they show each tenant's newest complete snapshot only. The other
  tables and views also hold running, failed and older snapshots.

Open the file read-only while a scan runs (WAL mode lets readers work beside the writer):

```sh
sqlite3 -readonly entra-audit.db 'SELECT origin, count(*) FROM latest_findings GROUP BY origin'
```
)";

std::string_view type_name(affinity a) { return a == affinity::integer ? "INTEGER" : "TEXT"; }

// Markdown table cells: a '|' in a description would end the cell.
std::string cell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

void append_examples(std::string& out, std::span<const std::string_view> examples) {
  if (examples.empty()) return;
  out += "\nExample:\n\n```sql\n";
  for (auto e : examples) out += fmt::format("{}\n", e);
  out += "```\n";
}

}  // namespace

std::string markdown() {
  std::string out = fmt::format(fmt::runtime(preamble), fmt::arg("version", current_version));

  out += "\n## Tables\n\n| table | what it holds |\n|---|---|\n";
  for (const auto& t : tables()) out += fmt::format("| [`{}`](#{}) | {} |\n", t.name, t.name, cell(t.description));

  for (const auto& t : tables()) {
    out += fmt::format("\n### {}\n\n{}\n\n", t.name, t.description);
    if (t.is_view()) {
      out += fmt::format(
          "A view (read-only), with the columns of the table of that name before schema version {}:\n\n"
          "```sql\n{};\n```\n\n",
          t.view_since, create_table_sql(t));
    } else if (t.primary_key.empty()) {
      out += "Rows have no natural key (one row per finding; the index below gives their order).\n\n";
    } else {
      std::string key;
      for (auto k : t.primary_key) key += fmt::format("{}`{}`", key.empty() ? "" : ", ", k);
      out += fmt::format("Primary key: ({}).{}\n\n", key,
                         t.per_snapshot()    ? " Rows are deleted with their snapshot."
                         : t.name == "scans" ? ""
                                             : " A row is deleted when no kept snapshot holds it.");
    }
    out += "| column | type | null | description |\n|---|---|---|---|\n";
    for (const auto& c : t.columns)
      out += fmt::format("| `{}` | {} | {} | {}{} |\n", c.name, type_name(c.type),
                         c.null == schema::nulls::allowed ? "yes" : "no", cell(c.description),
                         c.check.empty() ? "" : fmt::format(" (check: `{}`)", cell(c.check)));
    for (const auto& i : indexes())
      if (i.table == t.name) out += fmt::format("\nIndex `{}` on ({}): {}.\n", i.name, i.columns, i.why);
    append_examples(out, t.examples);
  }

  out += "\n## Views\n\nStable names for SQL users; each shows the newest `complete` snapshot of every tenant.\n";
  for (const auto& v : views()) {
    out += fmt::format("\n### {}\n\n{}\n\n```sql\n{};\n```\n", v.name, v.description, create_view_sql(v));
    append_examples(out, v.examples);
  }
  return out;
}

}  // namespace storage::schema
