#include "http/live_hub.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <string>
#include <thread>
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

std::string Drain(LiveStream& s, bool* ended = nullptr, bool heartbeat = false) {
  std::vector<StreamSource::Chunk> out;
  const bool end = s.Take(out, heartbeat);
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
  a->Start([&wakes] { ++wakes; }, -1);
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
  s->Start([] {}, -1);
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
  s->Start([] {}, -1);
  for (int i = 1; i <= 3; ++i) hub.Publish(Ev(i, "comment.created", "/a"));
  bool ended = false;
  EXPECT_EQ(Drain(*s, &ended), "");
  EXPECT_TRUE(ended);
  EXPECT_EQ(hub.Dropped(), 1u);
}

// A connected pair of stream sockets: [0] the server's end, [1] the reader's.
struct Pair {
  int fd[2] = {-1, -1};
  explicit Pair(int sndbuf = 0) {
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fd), 0);
    if (sndbuf > 0) setsockopt(fd[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    fcntl(fd[1], F_SETFL, fcntl(fd[1], F_GETFL) | O_NONBLOCK);
  }
  ~Pair() {
    close(fd[0]);
    close(fd[1]);
  }
  // What the reader can read now.
  std::string Read() const {
    std::string out;
    char buf[65536];
    for (;;) {
      const ssize_t n = read(fd[1], buf, sizeof buf);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
    return out;
  }
};

// The ids of the events in `text`, in order.
std::vector<int> Ids(const std::string& text) {
  std::vector<int> out;
  for (std::size_t at = 0; (at = text.find("id: ", at)) != std::string::npos; at += 4) {
    if (at > 0 && text[at - 1] != '\n') continue;
    out.push_back(std::stoi(text.substr(at + 4)));
  }
  return out;
}

// A stream of "/a" that has written its first chunks and waits. With events
// being published meanwhile (`quiet` false), what it queued before it waited
// is written too, as the connection would, and not checked.
std::shared_ptr<LiveStream> Waiting(LiveHub& hub, int socket, std::function<void()> wake,
                                    bool quiet = true) {
  std::int64_t since = 0;
  auto s = hub.Open("/a", &since);
  s->Begin({std::make_shared<const std::string>("retry: 1\n\n")}, since);
  s->Start(std::move(wake), socket);
  if (!quiet) {
    while (!Drain(*s).empty()) {
    }
    return s;
  }
  EXPECT_EQ(Drain(*s), "retry: 1\n\n");  // written by the connection
  EXPECT_EQ(Drain(*s), "");              // nothing more: the hub may write
  return s;
}

TEST(LiveHubTest, AWaitingStreamGetsTheFrameOnItsSocketWithoutAWake) {
  LiveHub hub(LiveOptions{});
  Pair p;
  int wakes = 0;
  auto s = Waiting(hub, p.fd[0], [&wakes] { ++wakes; });
  wakes = 0;
  hub.Publish(Ev(1, "comment.created", "/a"));
  hub.Publish(Ev(2, "comment.voted", "/a"));
  EXPECT_EQ(p.Read(),
            *LiveFrame(Ev(1, "comment.created", "/a")) + *LiveFrame(Ev(2, "comment.voted", "/a")));
  EXPECT_EQ(wakes, 0);
  EXPECT_EQ(Drain(*s), "");
  // Stopped (the connection is about to close its socket): nothing more is
  // written to it; the event waits for Take.
  s->Stop();
  hub.Publish(Ev(3, "comment.created", "/a"));
  EXPECT_EQ(p.Read(), "");
  EXPECT_EQ(Ids(Drain(*s)), std::vector<int>{3});
}

TEST(LiveHubTest, TheHeartbeatComesOnlyWhenNothingElseIsDue) {
  LiveHub hub(LiveOptions{});
  std::int64_t since = 0;
  auto s = hub.Open("/a", &since);
  s->Start([] {}, -1);
  EXPECT_EQ(Drain(*s, nullptr, true), ":\n\n");
  hub.Publish(Ev(1, "comment.created", "/a"));
  EXPECT_EQ(Ids(Drain(*s, nullptr, true)), std::vector<int>{1});
}

// A reader that stops reading: its socket fills, then what does not fit is
// queued for its connection (part of a frame included), and past
// max_queued the stream is ended and its queue freed; the reader next to it
// gets every event at once, and Publish never waits.
TEST(LiveHubTest, AReaderThatDoesNotReadNeitherBlocksOthersNorGrowsWithoutBound) {
  LiveOptions o;
  o.max_queued = 8;
  LiveHub hub(o);
  Pair slow(4096);
  Pair fast;
  std::atomic<int> slow_wakes = 0;
  auto s = Waiting(hub, slow.fd[0], [&slow_wakes] { ++slow_wakes; });
  auto f = Waiting(hub, fast.fd[0], [] {});
  slow_wakes = 0;
  std::string big = Ev(0, "comment.created", "/a").data;
  big.insert(big.size() - 2, std::string(3000, 'x'));  // a longer comment
  std::string fast_got;
  int published = 0;
  bool taken = false;
  for (int seq = 1; seq <= 200 && hub.Dropped() == 0; ++seq) {
    Event e = Ev(seq, "comment.created", "/a");
    e.data = big;
    hub.Publish(e);
    published = seq;
    fast_got += fast.Read();
    if (slow_wakes > 0 && !taken) {
      // Its connection takes what did not fit and starts writing it, but
      // the socket stays full: that write never ends.
      std::vector<StreamSource::Chunk> held;
      s->Take(held, false);
      EXPECT_FALSE(held.empty());
      taken = true;
    }
  }
  EXPECT_TRUE(taken);
  EXPECT_EQ(hub.Dropped(), 1u);
  EXPECT_LT(published, 40) << "ended about max_queued events after its socket filled";
  bool ended = false;
  EXPECT_EQ(Drain(*s, &ended), "") << "the queue was freed";
  EXPECT_TRUE(ended);
  std::vector<int> want;
  for (int i = 1; i <= published; ++i) want.push_back(i);
  EXPECT_EQ(Ids(fast_got), want);
  // The slow reader's socket holds whole frames and then the start of one.
  const std::string slow_got = slow.Read();
  EXPECT_FALSE(slow_got.empty());
  EXPECT_EQ(slow_got.rfind("retry: 1\n\n", 0), std::string::npos)
      << "the first chunks were the connection's to write";
}

// The shards deliver on I/O threads while streams open and close: every
// stream that stays gets every event once and in order, and closing one in
// the middle of a fan-out is safe (ASan).
TEST(LiveHubTest, ShardsOnIoThreadsKeepTheOrderWhileStreamsComeAndGo) {
  boost::asio::io_context ioc(2);
  auto work = boost::asio::make_work_guard(ioc);
  LiveHub hub(LiveOptions{.heartbeat = std::chrono::seconds(20), .max_queued = 100'000});
  hub.DeliverOn(ioc.get_executor(), 2);
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i) threads.emplace_back([&ioc] { ioc.run(); });
  std::vector<std::unique_ptr<Pair>> pairs;
  std::vector<std::shared_ptr<LiveStream>> kept;
  for (int i = 0; i < 4; ++i) {
    pairs.push_back(std::make_unique<Pair>());
    int buf = 1 << 20;
    setsockopt(pairs.back()->fd[0], SOL_SOCKET, SO_SNDBUF, &buf, sizeof buf);
    kept.push_back(Waiting(hub, pairs.back()->fd[0], [] {}));
  }
  constexpr int kEvents = 2000;
  std::thread publisher([&hub] {
    for (int seq = 1; seq <= kEvents; ++seq) hub.Publish(Ev(seq, "comment.created", "/a"));
  });
  std::vector<std::string> got(kept.size());
  for (int round = 0; round < 300; ++round) {
    Pair p;
    auto passing = Waiting(
        hub, p.fd[0], [] {}, /*quiet=*/false);
    std::this_thread::yield();
    passing->Stop();  // as the connection does before closing its socket
    passing.reset();
    for (std::size_t i = 0; i < kept.size(); ++i) got[i] += pairs[i]->Read();
  }
  publisher.join();
  // Wait for the shards to finish.
  for (int tries = 0; tries < 100; ++tries) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    for (std::size_t i = 0; i < kept.size(); ++i) got[i] += pairs[i]->Read();
  }
  work.reset();
  ioc.stop();
  for (auto& t : threads) t.join();
  for (std::size_t i = 0; i < kept.size(); ++i) {
    std::string rest;
    for (auto& c : [&] {
           std::vector<StreamSource::Chunk> out;
           kept[i]->Take(out, false);
           return out;
         }()) {
      rest += *c;
    }
    const std::vector<int> ids = Ids(got[i] + rest);
    ASSERT_EQ(ids.size(), static_cast<std::size_t>(kEvents)) << "stream " << i;
    for (int k = 0; k < kEvents; ++k) ASSERT_EQ(ids[k], k + 1) << "stream " << i;
  }
  EXPECT_EQ(hub.Streams(), kept.size());
}

}  // namespace
}  // namespace amur::http
