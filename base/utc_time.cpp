#include "base/utc_time.hpp"

#include <fmt/format.h>

namespace base {

std::string utc_iso_millis(std::chrono::system_clock::time_point tp) {
  using namespace std::chrono;
  auto const t = floor<milliseconds>(tp);
  auto const day = floor<days>(t);
  year_month_day const ymd{day};
  hh_mm_ss const hms{t - day};
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), hms.hours().count(),
                     hms.minutes().count(), hms.seconds().count(), hms.subseconds().count());
}

}  // namespace base
