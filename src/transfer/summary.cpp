#include <iomanip>

#include "transfer/transfer.hpp"

namespace amur::transfer {

void PrintSummary(const ImportSummary& s, std::ostream& out) {
  out << "pages:    " << s.pages << "\n";
  out << "written:  " << s.comments;
  if (!s.by_state.empty()) {
    out << " (";
    bool first = true;
    for (const auto& [state, n] : s.by_state) {
      out << (first ? "" : ", ") << state << " " << n;
      first = false;
    }
    out << ")";
  }
  out << "\n";
  out << "already there (earlier run): " << s.already << "\n";
  out << "skipped:  " << s.skipped << "\n";
  out << "repaired: " << s.repaired << "\n";
  for (const auto& [reason, n] : s.reasons) out << "  " << n << " x " << reason << "\n";
  for (const ImportIssue& i : s.issues) {
    out << (i.skipped ? "skipped  " : "repaired ") << i.where << ": " << i.item << ": " << i.reason
        << "\n";
  }
  if (s.skipped + s.repaired > static_cast<std::int64_t>(s.issues.size())) {
    out << "(" << (s.skipped + s.repaired - static_cast<std::int64_t>(s.issues.size()))
        << " more not listed)\n";
  }
  const double rate = s.seconds > 0 ? static_cast<double>(s.comments) / s.seconds : 0;
  out << std::fixed << std::setprecision(2) << "time:     " << s.seconds << " s ("
      << static_cast<long long>(rate) << " per second)\n";
}

}  // namespace amur::transfer
