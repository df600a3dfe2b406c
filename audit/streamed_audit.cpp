#include "audit/streamed_audit.hpp"

#include "audit/detail/text.hpp"
#include "audit/detail/user_auditor.hpp"
#include "storage/finding_row.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace audit {
namespace {

// A held finding is kept packed into one string (a third of a finding_record's footprint): each packed column of
// storage::finding_fields in turn, a text as a 4-byte length and its bytes, a flag as one byte. The columns made
// again when the finding is released (held_cell::remade: owner_upns, recommended_action) are left out.
using record = storage::finding_record;

constexpr bool packed(const storage::finding_field& field) { return field.held == storage::held_cell::packed; }

std::string pack(const record& f) {
  std::size_t size = 0;
  for (const auto& field : storage::finding_fields)
    if (packed(field)) size += field.text != nullptr ? 4 + (f.*field.text).size() : 1;
  std::string out;
  out.reserve(size);
  for (const auto& field : storage::finding_fields) {
    if (!packed(field)) continue;
    if (field.text != nullptr) {
      auto const n = static_cast<std::uint32_t>((f.*field.text).size());
      out.append(reinterpret_cast<const char*>(&n), sizeof n);
      out += f.*field.text;
    } else {
      const auto& flag = f.*field.flag;
      out += static_cast<char>(!flag ? 2 : *flag ? 1 : 0);
    }
  }
  return out;
}

record unpack(std::string_view in) {
  record f;
  for (const auto& field : storage::finding_fields) {
    if (!packed(field)) continue;
    if (field.text != nullptr) {
      std::uint32_t n = 0;
      std::memcpy(&n, in.data(), sizeof n);
      f.*field.text = std::string(in.substr(sizeof n, n));
      in.remove_prefix(sizeof n + n);
    } else {
      if (in[0] != 2) f.*field.flag = in[0] == 1;
      in.remove_prefix(1);
    }
  }
  return f;
}

}  // namespace

struct streamed_audit::state {
  audit_options options;
  std::size_t held_limit = 0;
  std::optional<user_auditor> auditor;
  std::int64_t scan_id = 0;
  std::vector<std::string> held;  // packed findings waiting for an owner's page
  bool stored_unnamed = false;    // held_limit was reached: finish() names owners in place
  bool rewrote = false;           // finish() named owners or groups in stored findings
  // The group names the findings were made with (by lower-case id): those the scan read ahead of its listing, or
  // else the tenant's last complete snapshot's, as a guess at what the scan stores once its listing is done;
  // finish() renames in place only when a finding was made with a name that turned out wrong.
  std::unordered_map<std::string, std::string> guessed_group_names;
  // The owners' principal names read ahead of the listing (by lower-case id), and those the listing met since: the
  // listing's word is the snapshot's, as run_audit reads it.
  std::unordered_map<std::string, std::string> owners_ahead;
  std::unordered_set<std::string> owners_listed;
  bool owner_renamed = false;  // a finding may have been made with an owner's name the listing gave otherwise
};

streamed_audit::streamed_audit(audit_options options, std::size_t held_limit) : s_(std::make_unique<state>()) {
  s_->options = std::move(options);
  s_->held_limit = held_limit;
}
streamed_audit::streamed_audit(streamed_audit&&) noexcept = default;
streamed_audit& streamed_audit::operator=(streamed_audit&&) noexcept = default;
streamed_audit::~streamed_audit() = default;

bool streamed_audit::usable() const { return s_->auditor.has_value(); }

bool streamed_audit::rewrote_findings() const { return s_->rewrote; }

bool streamed_audit::begin(storage::database& db, std::int64_t scan_id) {
  auto made = user_auditor::create(db, scan_id, s_->options);
  if (!made) return false;
  s_->auditor.emplace(std::move(*made));
  s_->scan_id = scan_id;
  guess_group_names(db);
  return true;
}

void streamed_audit::guess_group_names(storage::database& db) {
  // The scan reads the groups' names ahead of the listing when Graph lets it, and stores them with the snapshot;
  // the names of the groups it could not read that way are read after the listing. Without names read ahead, a
  // tenant's groups are rarely renamed, so naming them as last night still saves rewriting every group_inherited
  // finding at the finish. A failed read here only loses the guess.
  auto groups = db.groups(s_->scan_id);
  if (!groups) return;
  if (groups->empty()) {
    auto scan = db.scan(s_->scan_id);
    if (!scan || !*scan) return;
    auto last = db.latest_complete_scan((*scan)->tenant_id);
    if (!last || !*last || (*last)->scan_id == s_->scan_id) return;
    groups = db.groups((*last)->scan_id);
    if (!groups) return;
  }
  for (const auto& g : *groups) {
    s_->auditor->set_group_name(g.id, g.display_name);
    s_->guessed_group_names.insert_or_assign(to_lower(trim(g.id)), g.display_name);
  }
}

void streamed_audit::name_owners_ahead(std::span<const std::pair<std::string, std::string>> owners) {
  auto& s = *s_;
  if (!s.auditor) return;
  const auto& owner_ids = s.auditor->owner_ids();
  for (const auto& [id, upn] : owners) {
    auto key = to_lower(trim(id));
    if (!std::binary_search(owner_ids.begin(), owner_ids.end(), key)) continue;
    s.auditor->set_owner_upn(key, upn);
    s.owners_ahead.insert_or_assign(std::move(key), upn);
  }
}

std::vector<storage::finding_record> streamed_audit::page(const storage::user_page& page) {
  auto& s = *s_;
  std::vector<storage::finding_record> out;
  if (!s.auditor) return out;
  auto& auditor = *s.auditor;
  const auto& owner_ids = auditor.owner_ids();

  // Each user's licenses and states as ranges of the page's rows, which come grouped by user (storage's invariant
  // 4, storage/database.hpp); a page put together otherwise (rows of a user apart) is regrouped into copies.
  struct rows {
    std::size_t begin = 0, end = 0;
  };
  std::vector<rows> licenses(page.users.size()), states(page.users.size());
  std::unordered_map<std::string_view, std::size_t> at;
  at.reserve(page.users.size());
  bool met_owner = false;
  for (std::size_t i = 0; i < page.users.size(); ++i) {
    const auto& u = page.users[i];
    at.emplace(u.id, i);
    // Owners first, so that findings of this very page already name them.
    if (owner_ids.empty()) continue;
    auto key = to_lower(trim(u.id));
    if (!std::binary_search(owner_ids.begin(), owner_ids.end(), key)) continue;
    met_owner = true;
    if (auto const ahead = s.owners_ahead.find(key); ahead != s.owners_ahead.end()) {
      if (ahead->second == u.user_principal_name) {
        s.owners_listed.insert(std::move(key));
        continue;  // named so already
      }
      s.owner_renamed = true;
    }
    auditor.set_owner_upn(u.id, u.user_principal_name);
    s.owners_listed.insert(std::move(key));
  }
  bool apart = false;
  auto const group = [&](std::vector<rows>& ranges, const std::string& user_id, std::size_t row) {
    auto const it = at.find(user_id);
    if (it == at.end()) return;  // storage refuses such a page before it could matter
    rows& r = ranges[it->second];
    if (r.begin == r.end) r = {row, row + 1};
    else if (r.end == row) ++r.end;
    else apart = true;
  };
  for (std::size_t i = 0; i < page.licenses.size(); ++i) group(licenses, page.licenses[i].user_id, i);
  for (std::size_t i = 0; i < page.states.size(); ++i) group(states, page.states[i].user_id, i);

  if (met_owner) {
    // Held findings whose owners are all met now go out with their names.
    std::size_t kept = 0;
    for (std::size_t i = 0; i < s.held.size(); ++i) {
      record f = unpack(s.held[i]);
      if (auditor.owners_met(f)) {
        // Neither column is packed: the groups are named as they are known now (read ahead, or guessed; finish()
        // renames them if tonight's read says otherwise).
        auditor.name_owners(f);
        auditor.name_groups(f);
        out.push_back(std::move(f));
      } else {
        if (kept != i) s.held[kept] = std::move(s.held[i]);
        ++kept;
      }
    }
    s.held.resize(kept);
  }

  // At most one finding per license row: reserved once, so that findings are not moved into a fresh block at each
  // doubling (a 1M first scan's page faults, with the exact reserves of parse_user_page: 600k -> 400k). The slack
  // is never written, and a list this large is a mapping of its own (app/main.cpp), so its untouched pages cost no
  // memory while the findings wait for the storage thread. Capped: a page of many tiny licenses grows as before.
  constexpr std::size_t most_reserved = 8192;
  out.reserve(out.size() + std::min(page.licenses.size(), most_reserved));
  const user_auditor::finding_taker keep = [&](storage::finding_record&& f) -> base::result<void> {
    if (auditor.owners_met(f)) out.push_back(std::move(f));
    else if (s.held.size() < s.held_limit) s.held.push_back(pack(f));
    else {
      out.push_back(std::move(f));
      s.stored_unnamed = true;
    }
    return {};
  };
  if (!apart) {
    std::span<const storage::assigned_license_record> const all_licenses(page.licenses);
    std::span<const storage::license_state_record> const all_states(page.states);
    for (std::size_t i = 0; i < page.users.size(); ++i) {
      user_view const u{page.users[i], all_licenses.subspan(licenses[i].begin, licenses[i].end - licenses[i].begin),
                        all_states.subspan(states[i].begin, states[i].end - states[i].begin)};
      (void)auditor.audit(u, keep);  // keep never fails
    }
    return out;
  }
  std::vector<storage::user_licenses> users(page.users.size());
  for (std::size_t i = 0; i < page.users.size(); ++i) users[i].user = page.users[i];
  for (const auto& l : page.licenses)
    if (auto it = at.find(l.user_id); it != at.end()) users[it->second].licenses.push_back(l);
  for (const auto& st : page.states)
    if (auto it = at.find(st.user_id); it != at.end()) users[it->second].states.push_back(st);
  for (const auto& u : users) (void)auditor.audit(user_view{u.user, u.licenses, u.states}, keep);
  return out;
}

std::vector<storage::finding_record> streamed_audit::take_held() {
  auto& s = *s_;
  std::vector<record> last;
  if (!s.auditor) return last;
  last.reserve(s.held.size());
  for (const auto& packed : s.held) {
    last.push_back(unpack(packed));
    s.auditor->name_owners(last.back());  // those of the SKU's owners that were met
    s.auditor->name_groups(last.back());
  }
  s.held.clear();
  return last;
}

base::result<audit_summary> streamed_audit::finish(storage::database& db, std::int64_t scan_id) {
  auto& s = *s_;
  if (!s.auditor || scan_id != s.scan_id)
    return base::runtime_error(
        fmt::format("cannot finish the audit of scan {}: it was not streamed — this is a bug in entra-audit", scan_id));
  // An owner named ahead whom the listing never met is no user of the snapshot: its findings name it no more.
  for (const auto& [id, upn] : s.owners_ahead)
    if (!upn.empty() && !s.owners_listed.contains(id)) {
      s.auditor->forget_owner_upn(id);
      s.owner_renamed = true;
    }
  // The groups' names as the scan stored them after the listing: name them in the held findings before they are
  // stored, and in the stored ones in place where they were made with another name.
  auto groups = db.groups(scan_id);
  if (!groups) return groups.error();
  // A finding's group_names was right when made unless a group it names has another name now (or none). A guessed
  // group that no finding named (one read ahead that assigns none of the snapshot's licenses) changes nothing.
  std::unordered_map<std::string, std::string> read;
  for (const auto& g : *groups) read.insert_or_assign(to_lower(trim(g.id)), g.display_name);
  bool renamed = false;
  for (const auto& [id, name] : s.guessed_group_names) {
    auto const now = read.find(id);
    if (now == read.end() || now->second != name) {
      renamed = renamed || s.auditor->group_named(id);
      s.auditor->set_group_name(id, {});
    }
  }
  for (const auto& [id, name] : read) {
    auto const guess = s.guessed_group_names.find(id);
    if (guess == s.guessed_group_names.end() ? !name.empty() : guess->second != name) renamed = true;
    s.auditor->set_group_name(id, name);
  }
  if (!s.held.empty()) {
    auto last = take_held();
    if (auto r = db.add_findings(scan_id, last); !r) return r.error();
  }
  if (s.stored_unnamed || renamed || s.owner_renamed) {
    s.rewrote = true;
    const user_auditor& auditor = *s.auditor;
    if (auto r = db.update_owner_findings(scan_id,
                                          [&](storage::finding_record& f) {
                                            auditor.name_owners(f);
                                            auditor.name_groups(f);
                                          });
        !r)
      return r.error();
  }
  return s.auditor->summary();
}

}  // namespace audit
