#include "http/live_hub.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace amur::http {
namespace {

Event Ev(std::int64_t seq, std::string type, std::string page,
         EventVisibility v = EventVisibility::kPublic) {
  Event e;
  e.seq = seq;
  e.type = std::move(type);
  e.page_key = std::move(page);
  e.visibility = v;
  e.data = R"({"comment":{"id":"c1"}})";
  return e;
}

std::string Drain(LiveStream& s, bool* ended = nullptr) {
  std::vector<StreamSource::Chunk> out;
  const bool end = s.Take(out);
  if (ended) *ended = end;
  std::string text;
  for (const auto& c : out) text += *c;
  return text;
}

TEST(LiveFrameTest, ReadersSeeCommentEventsOnlyAndAnApprovalAsNew) {
  EXPECT_EQ(*LiveFrame(Ev(7, "comment.created", "/p")),
            "id: 7\nevent: comment.created\ndata: {\"comment\":{\"id\":\"c1\"}}\n\n");
  EXPECT_NE(LiveFrame(Ev(8, "comment.approved", "/p"))->find("event: comment.created\n"),
            std::string::npos);
  for (const char* t : {"comment.edited", "comment.deleted", "comment.voted", "comment.hidden"}) {
    EXPECT_NE(LiveFrame(Ev(9, t, "/p"))->find(std::string("event: ") + t + "\n"),
              std::string::npos);
  }
  EXPECT_FALSE(LiveFrame(Ev(10, "comment.created", "/p", EventVisibility::kStaff)));
  EXPECT_FALSE(LiveFrame(Ev(11, "comment.pinned", "/p")));
  EXPECT_FALSE(LiveFrame(Ev(12, "page.closed", "/p")));
  Event multi = Ev(13, "comment.edited", "/p");
  multi.data = "{\n\"a\":1}";
  EXPECT_EQ(*LiveFrame(multi), "id: 13\nevent: comment.edited\ndata: {\ndata: \"a\":1}\n\n");
}

TEST(LiveHubTest, FansOutToThePagesStreamsOnly) {
  LiveHub hub(LiveOptions{});
  std::int64_t since = -1;
  auto a = hub.Open("/a", &since);
  EXPECT_EQ(since, 0);
  auto b = hub.Open("/b", &since);
  int wakes = 0;
  a->Start([&wakes] { ++wakes; });
  hub.Publish(Ev(1, "comment.created", "/a"));
  hub.Publish(Ev(2, "comment.created", "/a", EventVisibility::kStaff));
  hub.Publish(Ev(3, "comment.voted", "/a"));
  EXPECT_EQ(wakes, 1) << "one wake until the stream takes";
  const std::string got = Drain(*a);
  EXPECT_NE(got.find("id: 1\n"), std::string::npos);
  EXPECT_EQ(got.find("id: 2\n"), std::string::npos);
  EXPECT_NE(got.find("id: 3\n"), std::string::npos);
  EXPECT_EQ(Drain(*b), "");
  hub.Open("/c", &since);  // dropped at once
  EXPECT_EQ(since, 3);
  EXPECT_EQ(hub.Streams(), 2u);
  a.reset();
  EXPECT_EQ(hub.Streams(), 1u);
  hub.Publish(Ev(4, "comment.created", "/a"));  // no stream left there: harmless
}

TEST(LiveHubTest, BeginPutsTheReplayFirstAndDropsWhatItCovered) {
  LiveHub hub(LiveOptions{});
  std::int64_t since = 0;
  auto s = hub.Open("/a", &since);
  hub.Publish(Ev(5, "comment.created", "/a"));
  hub.Publish(Ev(6, "comment.created", "/a"));
  s->Begin({std::make_shared<const std::string>("first\n")}, 5);
  s->Start([] {});
  const std::string got = Drain(*s);
  EXPECT_EQ(got.rfind("first\n", 0), 0u);
  EXPECT_EQ(got.find("id: 5\n"), std::string::npos);
  EXPECT_NE(got.find("id: 6\n"), std::string::npos);
}

TEST(LiveHubTest, AStreamTooFarBehindIsEnded) {
  LiveOptions o;
  o.max_queued = 2;
  LiveHub hub(o);
  std::int64_t since = 0;
  auto s = hub.Open("/a", &since);
  s->Start([] {});
  for (int i = 1; i <= 3; ++i) hub.Publish(Ev(i, "comment.created", "/a"));
  bool ended = false;
  EXPECT_EQ(Drain(*s, &ended), "");
  EXPECT_TRUE(ended);
  EXPECT_EQ(hub.Dropped(), 1u);
}

}  // namespace
}  // namespace amur::http
