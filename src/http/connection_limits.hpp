// How many connections the server holds open, in total and per client
// network, and which of them to close when a new one needs room: first the
// connections idling between requests (keep-alive), then those that have
// sent nothing yet, then those part-way through a request header, each
// oldest first. A connection whose header is complete (its body being read,
// its request handled or answered) is never closed to make room.
// Not thread-safe: the server calls it under its own lock.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>

namespace amur::http {

// Where a connection is in its life; the order of the first three is the
// order in which they are closed to make room.
enum class ConnectionPhase {
  kKeepAlive = 0,      // answered a request, waiting for the next one
  kFresh = 1,          // accepted, nothing received yet
  kPartialHeader = 2,  // a request header has begun but is not complete
  kBusy = 3,           // header complete: body, handler or answer in progress
};

// The default --max-connections for a process allowed `fd_limit` open
// descriptors: the limit less an eighth of it (at least 64, at most 512
// descriptors kept for the database, webhooks, logs and the event loop),
// at most 65,536, at least 16.
std::size_t DefaultMaxConnections(std::uint64_t fd_limit);

class ConnectionLimits final {
 public:
  using Id = std::uint64_t;

  struct Admission {
    bool admitted = false;
    std::optional<Id> shed;  // close this connection to make room
  };

  // 0 for max_per_network: no cap per network. max_total is at least 1.
  ConnectionLimits(std::size_t max_total, std::size_t max_per_network);

  // A new connection from `network` (NetworkKey of the peer; empty: not
  // counted per network, e.g. a trusted proxy), in phase kFresh. A network at
  // its cap makes room only by closing one of its own keep-alive connections,
  // else the newcomer is refused; the total cap makes room with any
  // connection that is not kBusy, else the newcomer is refused. A connection
  // named in `shed` is forgotten at once (its Enter answers false).
  Admission Admit(Id id, const std::string& network);

  // Moves a connection to `phase`. False when it was shed (or is unknown):
  // the caller must close it.
  bool Enter(Id id, ConnectionPhase phase);

  // Forgets a connection that closed. Unknown ids are ignored.
  void Remove(Id id);

  // Sheds the connection that Admit would close first for the total cap
  // (to free a descriptor when accept fails); nullopt when all are kBusy.
  std::optional<Id> ShedOne();

  // Connections admitted and not shed or removed.
  std::size_t Open() const { return open_; }
  std::size_t OpenFrom(const std::string& network) const;

 private:
  struct Entry {
    std::string network;
    ConnectionPhase phase;
    std::uint64_t since;  // the tick it entered `phase`
  };
  struct Network {
    std::size_t open = 0;
    std::set<std::pair<std::uint64_t, Id>> keep_alive;  // (since, id)
  };
  using SheddableKey = std::tuple<int, std::uint64_t, Id>;  // (phase, since, id)

  void Unindex(Id id, const Entry& e);
  void Index(Id id, const Entry& e);
  void Forget(Id id);

  std::size_t max_total_;
  std::size_t max_per_network_;
  std::size_t open_ = 0;
  std::uint64_t tick_ = 0;
  std::unordered_map<Id, Entry> entries_;
  std::set<SheddableKey> sheddable_;
  std::unordered_map<std::string, Network> networks_;
};

}  // namespace amur::http
