#include "storage/database.hpp"

namespace storage {

std::string_view to_string(scan_status s) {
  switch (s) {
    case scan_status::running:
      return "running";
    case scan_status::complete:
      return "complete";
    case scan_status::failed:
      return "failed";
    case scan_status::interrupted:
      return "interrupted";
  }
  return "running";
}

}  // namespace storage
