// reports/detail/svg_charts.hpp — small inline SVG charts for the HTML report (no scripts, no external resources).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace reports {

struct chart_bar {
  std::string label;  // untrusted text: escaped, shortened on screen, whole in the tooltip
  std::int64_t value = 0;
  std::string colour;  // CSS colour from our own palette (never from data)
};

struct trend_point {
  std::int64_t scan_id = 0;
  std::string taken_at;  // ISO 8601
  std::int64_t findings = 0;
};

// A horizontal bar chart, one row per bar, values at the bar ends; title is the accessible name.
std::string svg_bar_chart(const std::vector<chart_bar>& bars, const std::string& title);

// A line chart of finding counts across snapshots, oldest first, with a point and value per snapshot.
std::string svg_trend_chart(const std::vector<trend_point>& points, const std::string& title);

// n with thousands separators ("12,345").
std::string with_separators(std::int64_t n);

// At most max_chars code points of text, with "…" when shortened (never cuts a UTF-8 sequence).
std::string shorten(const std::string& text, std::size_t max_chars);

}  // namespace reports
