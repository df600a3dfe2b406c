#include "reports/detail/svg_charts.hpp"

#include "reports/detail/text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace reports {

namespace {

std::string esc(std::string_view text) {
  std::string out;
  append_html_escaped(out, valid_utf8(text));
  return out;
}

// A round axis maximum at or above v: 1, 2, 5 × 10^k.
std::int64_t nice_ceiling(std::int64_t v) {
  if (v <= 1) return 1;
  std::int64_t step = 1;
  while (step * 10 <= v) step *= 10;
  for (std::int64_t m : {1, 2, 5, 10})
    if (step * m >= v) return step * m;
  return step * 10;
}

}  // namespace

std::string with_separators(std::int64_t n) {
  auto digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

std::string shorten(const std::string& text, std::size_t max_chars) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;  // continuation byte
    if (chars == max_chars) return text.substr(0, i) + "\u2026";
    ++chars;
  }
  return text;
}

std::string svg_bar_chart(const std::vector<chart_bar>& bars, const std::string& title) {
  constexpr int width = 560, label_w = 180, value_w = 64, row_h = 28, bar_h = 16, pad = 6;
  constexpr int bar_area = width - label_w - value_w;
  const int height = static_cast<int>(bars.size()) * row_h + pad * 2;
  std::int64_t max = 1;
  for (const auto& b : bars) max = std::max(max, b.value);

  std::string out = fmt::format(
      R"(<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">)", width,
      height, esc(title));
  out += fmt::format(R"(<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>)", label_w, pad, label_w, height - pad);
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const auto& b = bars[i];
    const int y = pad + static_cast<int>(i) * row_h;
    const double w =
        b.value <= 0 ? 0.0 : std::max(2.0, bar_area * static_cast<double>(b.value) / static_cast<double>(max));
    out += fmt::format(R"(<g><title>{}: {}</title>)", esc(b.label), with_separators(b.value));
    out += fmt::format(R"(<text x="{}" y="{}" text-anchor="end" dominant-baseline="middle">{}</text>)", label_w - 8,
                       y + row_h / 2, esc(shorten(b.label, 26)));
    out += fmt::format(R"(<rect x="{}" y="{}" width="{:.1f}" height="{}" rx="3" fill="{}"/>)", label_w + 1,
                       y + (row_h - bar_h) / 2, w, bar_h, esc(b.colour));
    out += fmt::format(R"(<text class="value" x="{:.1f}" y="{}" dominant-baseline="middle">{}</text></g>)",
                       label_w + 1 + w + 6, y + row_h / 2, with_separators(b.value));
  }
  out += "</svg>";
  return out;
}

std::string svg_trend_chart(const std::vector<trend_point>& points, const std::string& title) {
  constexpr int width = 560, height = 230, left = 56, right = 24, top = 24, bottom = 44;
  constexpr int plot_w = width - left - right, plot_h = height - top - bottom;
  std::int64_t max = 0;
  for (const auto& p : points) max = std::max(max, p.findings);
  const auto y_max = nice_ceiling(max);

  std::string out = fmt::format(
      R"(<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">)", width,
      height, esc(title));
  for (int g = 0; g <= 4; ++g) {
    const double y = top + plot_h - plot_h * g / 4.0;
    out += fmt::format(R"(<line class="grid" x1="{}" y1="{:.1f}" x2="{}" y2="{:.1f}"/>)", left, y, width - right, y);
    out += fmt::format(R"(<text x="{}" y="{:.1f}" text-anchor="end" dominant-baseline="middle">{}</text>)", left - 8, y,
                       with_separators(y_max * g / 4));
  }
  out += fmt::format(R"(<line class="axis" x1="{}" y1="{}" x2="{}" y2="{}"/>)", left, top + plot_h, width - right,
                     top + plot_h);
  const auto x_of = [&](std::size_t i) {
    // Points start inset from the axis so the first value label clears the axis labels.
    constexpr double inset = 22;
    return points.size() == 1 ? left + plot_w / 2.0
                              : left + inset + (plot_w - inset) * static_cast<double>(i) / (points.size() - 1.0);
  };
  const auto y_of = [&](std::int64_t v) {
    return top + plot_h - plot_h * static_cast<double>(v) / static_cast<double>(y_max);
  };
  if (points.size() > 1) {
    std::string area = fmt::format("M{:.1f},{} ", x_of(0), top + plot_h), line;
    for (std::size_t i = 0; i < points.size(); ++i) {
      line += fmt::format("{}{:.1f},{:.1f} ", i == 0 ? "M" : "L", x_of(i), y_of(points[i].findings));
      area += fmt::format("L{:.1f},{:.1f} ", x_of(i), y_of(points[i].findings));
    }
    area += fmt::format("L{:.1f},{} Z", x_of(points.size() - 1), top + plot_h);
    out += fmt::format(R"(<path d="{}" fill="#1d4ed8" fill-opacity="0.08"/>)", area);
    out +=
        fmt::format(R"(<path d="{}" fill="none" stroke="#1d4ed8" stroke-width="2.5" stroke-linejoin="round"/>)", line);
  }
  // Dates as MM-DD when all snapshots are of one year (the caption's tooltip has the full time): they fit.
  const bool same_year = std::all_of(points.begin(), points.end(), [&](const trend_point& p) {
    return p.taken_at.size() >= 10 && p.taken_at.compare(0, 4, points.front().taken_at, 0, 4) == 0;
  });
  // Label every point when few, else about eight evenly spaced, so dates never overlap.
  std::size_t const max_labels = same_year ? 12 : 6;
  std::size_t const label_every = std::max<std::size_t>(1, (points.size() + max_labels - 1) / max_labels);
  for (std::size_t i = 0; i < points.size(); ++i) {
    const auto& p = points[i];
    const double x = x_of(i), y = y_of(p.findings);
    const bool last = i + 1 == points.size();
    out += fmt::format(R"(<g><title>snapshot {} ({}): {} findings</title>)", p.scan_id, esc(readable_time(p.taken_at)),
                       with_separators(p.findings));
    out += fmt::format(R"(<circle cx="{:.1f}" cy="{:.1f}" r="{}" fill="{}" stroke="#fff" stroke-width="1.5"/>)", x, y,
                       last ? 5 : 3.5, last ? "#1d4ed8" : "#60a5fa");
    if (i % label_every == 0 || last) {
      out += fmt::format(R"(<text class="value" x="{:.1f}" y="{:.1f}" text-anchor="middle">{}</text>)", x, y - 10,
                         with_separators(p.findings));
      out += fmt::format(R"(<text x="{:.1f}" y="{}" text-anchor="middle">{}</text>)", x, top + plot_h + 18,
                         esc(same_year ? p.taken_at.substr(5, 5) : p.taken_at.substr(0, 10)));
    }
    out += "</g>";
  }
  out += "</svg>";
  return out;
}

}  // namespace reports
