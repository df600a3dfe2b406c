// tests/support.hpp — helpers shared by the tests: temporary folders, running the real binary, files.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace test_support {

// A fresh directory under the system temp dir, removed when the object dies.
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// What a finished child process left behind.
struct run_result {
  int exit_code = -1;  // -signal when killed by a signal
  std::string out;
  std::string err;
};

// Runs the entra-audit binary with args (no shell), extra environment entries NAME=VALUE, and captures its
// output. The environment starts from a copy of this process's, minus AZURE_* and ENTRA_AUDIT_*.
run_result run_entra_audit(const std::vector<std::string>& args, const std::vector<std::string>& env = {},
                           int timeout_s = 600);

// The whole file as a string (empty when missing).
std::string read_file(const std::filesystem::path& p);
// Writes text to p (mode 0600).
void write_file(const std::filesystem::path& p, const std::string& text);

}  // namespace test_support
