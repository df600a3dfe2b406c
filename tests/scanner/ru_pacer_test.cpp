#include "scanner/detail/ru_pacer.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>

using namespace std::chrono_literals;
using scanner::ru_feedback;
using scanner::ru_pacer;

namespace {

using clock_t_ = ru_pacer::clock;
clock_t_::time_point const t0{};

// Sends 20-RU requests as fast as the pacer allows from `from` for `span`; returns the RU sent.
double send_for(ru_pacer& pacer, clock_t_::time_point from, clock_t_::duration span) {
  double sent = 0;
  for (auto now = from; now < from + span; now = pacer.next_send(now)) {
    pacer.reserve(20, now);
    sent += 20;
  }
  return sent;
}

ru_feedback warning(double used) { return {1.0, used, false}; }

// For each of `seconds` seconds from t0: sends as fast as the pacer allows, then hears an answer without warning.
void send_unwarned(ru_pacer& pacer, int seconds) {
  for (int second = 1; second <= seconds; ++second) {
    auto const now = t0 + std::chrono::seconds(second);
    send_for(pacer, now - 1s, 1s);
    pacer.observe(ru_feedback{1.0, std::nullopt, false}, now);
  }
}

// A Graph-like bucket (docs/graph.md §8): full at the start, refilled continuously at budget / 10 s; a request that
// does not fit is refused (429) and costs nothing.
struct model_graph {
  double budget;
  double tokens = budget;
  clock_t_::time_point last = t0;
  std::int64_t requests = 0, refused = 0;
  double charged = 0;

  ru_feedback answer(clock_t_::time_point now) {
    tokens = std::min(budget, tokens + std::chrono::duration<double>(now - last).count() * budget / 10);
    last = now;
    ++requests;
    if (tokens < 1) {
      ++refused;
      return {1.0, std::nullopt, true};
    }
    tokens -= 1;
    charged += 1;
    double const used = 1 - tokens / budget;
    return {1.0, used > 0.8 ? std::optional<double>(used) : std::nullopt, false};
  }
};

// Runs batches of 20 one-RU items against graph for `span`, paced by pacer, with answers arriving `lag` later.
void scan_against(model_graph& graph, ru_pacer& pacer, clock_t_::duration span, clock_t_::duration lag) {
  for (auto now = t0; now < t0 + span;) {
    pacer.reserve(pacer.estimate(20), now);
    for (int i = 0; i < 20; ++i) pacer.observe(graph.answer(now), now + lag);
    now = std::max(pacer.next_send(now), now + 1ms);
  }
}

}  // namespace

TEST_CASE("the pacer starts at the documented limit of a large tenant and lets that many RU through per 10 s") {
  ru_pacer pacer(scanner::documented_ru_large, t0);
  CHECK(pacer.rate_per_10s() == doctest::Approx(8'000));
  double const sent = send_for(pacer, t0, 10s);
  // One burst of a quarter second on top of the rate, and the last request that went into debt.
  CHECK(sent >= 8'000);
  CHECK(sent <= 8'000 + 200 + 20 + 20);
}

TEST_CASE("a request that puts the pacer in debt makes the next one wait until the debt is refilled") {
  ru_pacer pacer(8'000, t0);  // 800 RU/s, a burst of 200 RU
  CHECK(pacer.next_send(t0) == t0);
  pacer.reserve(200, t0);
  CHECK(pacer.next_send(t0) == t0);  // exactly empty, not in debt
  pacer.reserve(80, t0);
  CHECK(pacer.next_send(t0) == t0 + 100ms);
  CHECK(pacer.next_send(t0 + 100ms) == t0 + 100ms);
}

TEST_CASE("the pacer slows down when x-ms-throttle-limit-percentage passes 0.95") {
  ru_pacer pacer(8'000, t0);
  pacer.observe(warning(1.0), t0 + 1s);
  CHECK(pacer.rate_per_10s() < 8'000 * 0.8);
}

TEST_CASE("the pacer eases off when Graph reports 0.9 of the budget used, and holds between 0.8 and 0.9") {
  ru_pacer holding(8'000, t0);
  holding.observe(warning(0.8), t0 + 1s);
  CHECK(holding.rate_per_10s() == doctest::Approx(8'000));
  ru_pacer easing(8'000, t0);
  easing.observe(warning(0.9), t0 + 1s);
  CHECK(easing.rate_per_10s() == doctest::Approx(7'200));
}

TEST_CASE("the pacer measures Graph's rate from how fast the reported level rises, and runs just under it") {
  ru_pacer pacer(8'000, t0);
  pacer.observe(warning(0.8), t0);  // the level just reached 0.8
  for (int i = 0; i < 499; ++i) pacer.observe(warning(0.8), t0 + 250ms);
  pacer.observe(warning(0.9), t0 + 500ms);
  // 500 RU charged in 0.5 s raised the level by a tenth of a 10 s bucket: 500 / (0.5 + 1) = 333 RU/s.
  CHECK(pacer.rate_per_10s() == doctest::Approx(0.9 * 3'333.3).epsilon(0.01));
  // The answers still in flight carry the same warning: no cut on top.
  for (int i = 0; i < 20; ++i) pacer.observe(warning(0.9), t0 + 600ms);
  CHECK(pacer.rate_per_10s() == doctest::Approx(0.9 * 3'333.3).epsilon(0.01));
}

TEST_CASE("a level that fell back inside its step is no start to measure from") {
  ru_pacer pacer(8'000, t0);
  pacer.observe(warning(0.9), t0);
  pacer.observe(warning(0.8), t0 + 1s);  // refilling: somewhere in 0.8–0.9
  pacer.observe(warning(0.9), t0 + 1s + 10ms);
  CHECK(pacer.rate_per_10s() > 5'000);
}

TEST_CASE("the pacer halves its rate on a 429") {
  ru_pacer pacer(8'000, t0);
  pacer.observe(ru_feedback{1.0, std::nullopt, true}, t0 + 1s);
  CHECK(pacer.rate_per_10s() == doctest::Approx(4'000));
}

TEST_CASE("warnings on answers already in flight cut the rate once per cooldown, a stronger one only by the rest") {
  ru_pacer pacer(8'000, t0);
  for (int i = 0; i < 20; ++i) pacer.observe(warning(0.9), t0 + 1s);
  CHECK(pacer.rate_per_10s() == doctest::Approx(7'200));
  pacer.observe(ru_feedback{1.0, std::nullopt, true}, t0 + 1s + 100ms);  // a 429 within the cooldown
  CHECK(pacer.rate_per_10s() == doctest::Approx(4'000));
  pacer.observe(ru_feedback{1.0, std::nullopt, true}, t0 + 1s + 200ms);  // no stronger than the last: nothing
  CHECK(pacer.rate_per_10s() == doctest::Approx(4'000));
  pacer.observe(warning(0.9), t0 + 2s);  // after the cooldown: cut again
  CHECK(pacer.rate_per_10s() == doctest::Approx(3'600));
}

TEST_CASE("the pacer regains rate slowly while no warning comes and its own bucket holds the sender back") {
  ru_pacer pacer(8'000, t0);
  pacer.observe(ru_feedback{1.0, std::nullopt, true}, t0);
  REQUIRE(pacer.rate_per_10s() == doctest::Approx(4'000));
  send_unwarned(pacer, 10);
  // 2% of the starting rate per second: 10 s add 1,600 RU per 10 s.
  CHECK(pacer.rate_per_10s() == doctest::Approx(5'600));
}

TEST_CASE("the pacer does not grow while something else limits the sender") {
  ru_pacer pacer(8'000, t0);
  for (int second = 1; second <= 30; ++second) {
    auto const now = t0 + std::chrono::seconds(second);
    pacer.reserve(100, now);  // 100 RU/s, an eighth of the rate: never held back
    pacer.observe(ru_feedback{1.0, std::nullopt, false}, now);
  }
  CHECK(pacer.rate_per_10s() == doctest::Approx(8'000));
}

TEST_CASE("the pacer never drops below its floor nor rises above its ceiling") {
  ru_pacer pacer(8'000, t0);
  for (int i = 0; i < 40; ++i) pacer.observe(ru_feedback{1.0, std::nullopt, true}, t0 + std::chrono::seconds(i));
  CHECK(pacer.rate_per_10s() == doctest::Approx(100));
  ru_pacer fast(8'000, t0);
  send_unwarned(fast, 3'000);
  CHECK(fast.rate_per_10s() == doctest::Approx(32'000));
}

TEST_CASE("the pacer learns what a request costs from x-ms-resource-unit") {
  ru_pacer pacer(8'000, t0);
  CHECK(pacer.estimate(20) == doctest::Approx(20));
  for (int i = 0; i < 100; ++i) pacer.observe(ru_feedback{2.0, std::nullopt, false}, t0);
  CHECK(pacer.cost_per_item() == doctest::Approx(2.0).epsilon(0.01));
  CHECK(pacer.estimate(20) == doctest::Approx(40).epsilon(0.01));
  pacer.observe(ru_feedback{0.0, std::nullopt, false}, t0);  // an item that never ran says nothing
  CHECK(pacer.cost_per_item() == doctest::Approx(2.0).epsilon(0.01));
}

TEST_CASE("throttling headers are read as numbers, and text that is not one is ignored") {
  auto const f = scanner::read_ru_feedback(200, "1", " 0.9 ");
  CHECK(f.charged_ru == 1.0);
  CHECK(f.used_fraction == doctest::Approx(0.9));
  CHECK_FALSE(f.throttled);
  auto const g = scanner::read_ru_feedback(429, "high", std::nullopt);
  CHECK_FALSE(g.charged_ru);
  CHECK_FALSE(g.used_fraction);
  CHECK(g.throttled);
  CHECK_FALSE(scanner::read_ru_feedback(200, "-1", "").charged_ru);
}

TEST_CASE("paced at a budget that matches Graph's, a long scan uses the whole budget and is never refused") {
  model_graph graph{8'000};
  ru_pacer pacer(8'000, t0);
  scan_against(graph, pacer, 120s, 20ms);
  CHECK(graph.refused == 0);
  // Everything refilled in 120 s plus what the full bucket held at the start, less what it still holds.
  CHECK(graph.charged >= 0.95 * 800 * 120);
}

TEST_CASE("a pacer started above a smaller budget settles under it with fewer than 1% of requests refused") {
  model_graph graph{5'000};
  ru_pacer pacer(8'000, t0);
  scan_against(graph, pacer, 120s, 20ms);
  MESSAGE("refused " << graph.refused << " of " << graph.requests << ", charged " << graph.charged);
  CHECK(graph.refused * 100 < graph.requests);
  CHECK(graph.charged >= 0.9 * 500 * 120);
}
