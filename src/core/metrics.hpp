// In-process metrics rendered in the Prometheus text format. Counters and
// histograms are registered once at start-up; updates are lock-free.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace amur {

class Counter final {
 public:
  void Inc(std::uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t Value() const { return v_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> v_{0};
};

// A latency histogram in seconds with fixed buckets.
class Histogram final {
 public:
  static constexpr std::array<double, 12> kBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                     0.05,   0.1,   0.25,   0.5,   1.0,  2.5};
  void Observe(double seconds);
  void Render(std::string& out, const std::string& name, const std::string& labels) const;

 private:
  std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> buckets_{};
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_micros_{0};
};

class Metrics final {
 public:
  // Registers a counter; `labels` is the rendered label set, e.g.
  // `route="comments",status="200"`, or empty. Returns a stable reference.
  Counter& AddCounter(const std::string& name, const std::string& help, const std::string& labels);
  Histogram& AddHistogram(const std::string& name, const std::string& help,
                          const std::string& labels);
  // A value read when rendering (e.g. cache size); `labels` as for counters
  // (gauges of one name and different labels are shown together).
  void AddGauge(const std::string& name, const std::string& help, std::function<double()> read,
                const std::string& labels = "");

  // The Prometheus text exposition of everything registered.
  std::string Render() const;

 private:
  struct CounterEntry {
    std::string name, help, labels;
    Counter counter;
  };
  struct HistogramEntry {
    std::string name, help, labels;
    Histogram histogram;
  };
  struct GaugeEntry {
    std::string name, help;
    std::function<double()> read;
    std::string labels;
  };
  mutable std::mutex mu_;
  std::deque<CounterEntry> counters_;
  std::deque<HistogramEntry> histograms_;
  std::deque<GaugeEntry> gauges_;
};

}  // namespace amur
