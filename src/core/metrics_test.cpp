#include "core/metrics.hpp"

#include <gtest/gtest.h>

#include <string>

namespace amur {
namespace {

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::size_t Occurrences(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

TEST(MetricsTest, EmptyRegistryRendersNothing) {
  Metrics m;
  EXPECT_EQ(m.Render(), "");
}

TEST(MetricsTest, UnlabelledCounterRendersExactly) {
  Metrics m;
  Counter& c = m.AddCounter("amur_posts_total", "Comments posted.", "");
  c.Inc();
  c.Inc(4);
  EXPECT_EQ(c.Value(), 5u);
  EXPECT_EQ(m.Render(),
            "# HELP amur_posts_total Comments posted.\n"
            "# TYPE amur_posts_total counter\n"
            "amur_posts_total 5\n");
}

TEST(MetricsTest, CountersOfOneNameShareOneHelpBlock) {
  Metrics m;
  Counter& ok = m.AddCounter("amur_requests_total", "HTTP requests.", "route=\"comments\",status=\"200\"");
  m.AddCounter("amur_other_total", "Other.", "");
  Counter& bad = m.AddCounter("amur_requests_total", "HTTP requests.", "route=\"comments\",status=\"400\"");
  ok.Inc(3);
  bad.Inc();
  const std::string out = m.Render();
  EXPECT_EQ(Occurrences(out, "# HELP amur_requests_total HTTP requests.\n"), 1u);
  EXPECT_EQ(Occurrences(out, "# TYPE amur_requests_total counter\n"), 1u);
  EXPECT_TRUE(Contains(out,
                       "# HELP amur_requests_total HTTP requests.\n"
                       "# TYPE amur_requests_total counter\n"
                       "amur_requests_total{route=\"comments\",status=\"200\"} 3\n"
                       "amur_requests_total{route=\"comments\",status=\"400\"} 1\n"))
      << out;
  EXPECT_TRUE(Contains(out, "# TYPE amur_other_total counter\namur_other_total 0\n")) << out;
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  Metrics m;
  Histogram& h = m.AddHistogram("amur_latency_seconds", "Latency.", "route=\"x\"");
  h.Observe(0.001);   // exactly on the le="0.001" bound
  h.Observe(0.003);   // le="0.005"
  h.Observe(0.2);     // le="0.25"
  h.Observe(10.0);    // only +Inf
  const std::string out = m.Render();
  EXPECT_TRUE(Contains(out, "# HELP amur_latency_seconds Latency.\n"
                            "# TYPE amur_latency_seconds histogram\n"))
      << out;
  EXPECT_TRUE(Contains(out, "amur_latency_seconds_bucket{route=\"x\",le=\"0.0005\"} 0\n")) << out;
  EXPECT_TRUE(Contains(out, "amur_latency_seconds_bucket{route=\"x\",le=\"0.001\"} 1\n")) << out;
  EXPECT_TRUE(Contains(out, "amur_latency_seconds_bucket{route=\"x\",le=\"0.0025\"} 1\n")) << out;
  EXPECT_TRUE(Contains(out, "amur_latency_seconds_bucket{route=\"x\",le=\"0.005\"} 2\n")) << out;
  EXPECT_TRUE(Contains(out, "amur_latency_seconds_bucket{route=\"x\",le=\"0.1\"} 2\n")) << out;
  EXPECT_TRUE(Contains(out, "amur_latency_seconds_bucket{route=\"x\",le=\"0.25\"} 3\n")) << out;
  EXPECT_TRUE(Contains(out, "amur_latency_seconds_bucket{route=\"x\",le=\"2.5\"} 3\n")) << out;
  EXPECT_TRUE(Contains(out, "amur_latency_seconds_bucket{route=\"x\",le=\"+Inf\"} 4\n")) << out;
  EXPECT_TRUE(Contains(out, "amur_latency_seconds_sum{route=\"x\"} 10.204\n")) << out;
  EXPECT_TRUE(Contains(out, "amur_latency_seconds_count{route=\"x\"} 4\n")) << out;
  EXPECT_EQ(Occurrences(out, "_bucket{"), 13u);
}

TEST(MetricsTest, UnlabelledHistogramHasNoEmptyBraces) {
  Metrics m;
  m.AddHistogram("amur_db_seconds", "DB time.", "").Observe(0.0001);
  const std::string out = m.Render();
  EXPECT_TRUE(Contains(out, "amur_db_seconds_bucket{le=\"0.0005\"} 1\n")) << out;
  EXPECT_TRUE(Contains(out, "amur_db_seconds_bucket{le=\"+Inf\"} 1\n")) << out;
  EXPECT_TRUE(Contains(out, "amur_db_seconds_count 1\n")) << out;
  EXPECT_TRUE(Contains(out, "amur_db_seconds_sum 0.0001\n")) << out;
  EXPECT_FALSE(Contains(out, "{}")) << out;
  EXPECT_FALSE(Contains(out, "{,")) << out;
}

TEST(MetricsTest, GaugeIsReadAtRenderTime) {
  Metrics m;
  double value = 1.5;
  m.AddGauge("amur_cache_bytes", "Bytes in the response cache.", [&] { return value; });
  EXPECT_EQ(m.Render(),
            "# HELP amur_cache_bytes Bytes in the response cache.\n"
            "# TYPE amur_cache_bytes gauge\n"
            "amur_cache_bytes 1.5\n");
  value = 4096;
  EXPECT_TRUE(Contains(m.Render(), "amur_cache_bytes 4096\n")) << m.Render();
}

TEST(MetricsTest, GaugesOfOneNameShareTheirHelp) {
  Metrics m;
  m.AddGauge(
      "amur_replica_up", "Replicas up.", [] { return 1.0; }, "replica=\"1\"");
  m.AddGauge(
      "amur_replica_up", "Replicas up.", [] { return 0.0; }, "replica=\"2\"");
  EXPECT_EQ(m.Render(),
            "# HELP amur_replica_up Replicas up.\n"
            "# TYPE amur_replica_up gauge\n"
            "amur_replica_up{replica=\"1\"} 1\n"
            "amur_replica_up{replica=\"2\"} 0\n");
}

TEST(MetricsTest, CountersRenderBeforeHistogramsBeforeGauges) {
  Metrics m;
  m.AddGauge("g", "gauge", [] { return 0.0; });
  m.AddHistogram("h", "histogram", "");
  m.AddCounter("c", "counter", "");
  const std::string out = m.Render();
  const auto c = out.find("# HELP c ");
  const auto h = out.find("# HELP h ");
  const auto g = out.find("# HELP g ");
  ASSERT_NE(c, std::string::npos);
  ASSERT_NE(h, std::string::npos);
  ASSERT_NE(g, std::string::npos);
  EXPECT_LT(c, h);
  EXPECT_LT(h, g);
}

}  // namespace
}  // namespace amur
