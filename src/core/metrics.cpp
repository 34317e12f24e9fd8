#include "core/metrics.hpp"

#include <fmt/format.h>

#include <set>

namespace amur {

void Histogram::Observe(double seconds) {
  std::size_t i = 0;
  while (i < kBounds.size() && seconds > kBounds[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<std::uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

void Histogram::Render(std::string& out, const std::string& name, const std::string& labels) const {
  const std::string sep = labels.empty() ? "" : ",";
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < kBounds.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    out += fmt::format("{}_bucket{{{}{}le=\"{}\"}} {}\n", name, labels, sep, kBounds[i], cumulative);
  }
  cumulative += buckets_[kBounds.size()].load(std::memory_order_relaxed);
  out += fmt::format("{}_bucket{{{}{}le=\"+Inf\"}} {}\n", name, labels, sep, cumulative);
  const std::string braces = labels.empty() ? "" : "{" + labels + "}";
  out += fmt::format("{}_sum{} {}\n", name, braces,
                     static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6);
  out += fmt::format("{}_count{} {}\n", name, braces, count_.load(std::memory_order_relaxed));
}

Counter& Metrics::AddCounter(const std::string& name, const std::string& help,
                             const std::string& labels) {
  std::lock_guard lock(mu_);
  auto& e = counters_.emplace_back();
  e.name = name;
  e.help = help;
  e.labels = labels;
  return e.counter;
}

Histogram& Metrics::AddHistogram(const std::string& name, const std::string& help,
                                 const std::string& labels) {
  std::lock_guard lock(mu_);
  auto& e = histograms_.emplace_back();
  e.name = name;
  e.help = help;
  e.labels = labels;
  return e.histogram;
}

void Metrics::AddGauge(const std::string& name, const std::string& help,
                       std::function<double()> read, const std::string& labels) {
  std::lock_guard lock(mu_);
  gauges_.push_back(GaugeEntry{name, help, std::move(read), labels});
}

std::string Metrics::Render() const {
  std::lock_guard lock(mu_);
  std::string out;
  std::set<std::string> described;
  for (const auto& c : counters_) {
    if (!described.insert(c.name).second) continue;
    out += fmt::format("# HELP {} {}\n# TYPE {} counter\n", c.name, c.help, c.name);
    for (const auto& d : counters_) {
      if (d.name != c.name) continue;
      out += d.labels.empty() ? fmt::format("{} {}\n", d.name, d.counter.Value())
                              : fmt::format("{}{{{}}} {}\n", d.name, d.labels, d.counter.Value());
    }
  }
  for (const auto& h : histograms_) {
    if (!described.insert(h.name).second) continue;
    out += fmt::format("# HELP {} {}\n# TYPE {} histogram\n", h.name, h.help, h.name);
    for (const auto& d : histograms_) {
      if (d.name == h.name) d.histogram.Render(out, d.name, d.labels);
    }
  }
  for (const auto& g : gauges_) {
    if (!described.insert(g.name).second) continue;
    out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n", g.name, g.help, g.name);
    for (const auto& d : gauges_) {
      if (d.name != g.name) continue;
      out += d.labels.empty() ? fmt::format("{} {}\n", d.name, d.read())
                              : fmt::format("{}{{{}}} {}\n", d.name, d.labels, d.read());
    }
  }
  return out;
}

}  // namespace amur
