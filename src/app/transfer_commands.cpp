#include "app/transfer_commands.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "store/store.hpp"

namespace amur::app {

namespace {

std::unique_ptr<store::Store> OpenMigrated(const Config& config) {
  InitCrypto();
  auto store = store::OpenStore(config.database);
  store->Migrate();
  return store;
}

}  // namespace

int RunImport(const Config& config, const std::string& kind, const std::string& file,
              transfer::ImportOptions options) {
  SystemClock clock;
  std::unique_ptr<store::Store> store;
  try {
    store = OpenMigrated(config);
  } catch (const std::exception& e) {
    std::cerr << "amur import: " << e.what() << "\n";
    return 2;
  }
  if (options.progress == nullptr && ::isatty(STDERR_FILENO)) options.progress = &std::cerr;
  transfer::ImportSummary summary;
  if (kind == "wordpress") {
    summary = transfer::ImportWordPress(*store, clock, file, options);
  } else if (kind == "disqus") {
    summary = transfer::ImportDisqus(*store, clock, file, options);
  } else {
    summary = transfer::ImportAmur(*store, clock, file, options);
  }
  transfer::PrintSummary(summary, std::cout);
  std::cout.flush();
  if (!summary.error.empty()) {
    std::cerr << "amur import: " << summary.error << "\n"
              << "amur import: stopped; the batches committed before this point are kept, "
                 "nothing of the batch in progress; running the same import again resumes\n";
    return 1;
  }
  return 0;
}

int RunExport(const Config& config, const std::string& output) {
  SystemClock clock;
  SodiumRandom random;
  unsigned char bytes[8];
  random.Fill(bytes, sizeof bytes);
  std::string id;
  for (unsigned char b : bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    id += kHex[b >> 4];
    id += kHex[b & 15];
  }
  std::unique_ptr<store::Store> store;
  try {
    store = OpenMigrated(config);
  } catch (const std::exception& e) {
    std::cerr << "amur export: " << e.what() << "\n";
    return 2;
  }
  std::string error;
  std::map<std::string, std::int64_t> counts;
  if (output.empty() || output == "-") {
    counts = transfer::ExportAmur(*store, clock, id, std::cout, &error);
  } else {
    const std::string tmp = output + ".tmp";
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      if (!out) {
        std::cerr << "amur export: cannot write " << tmp << "\n";
        return 1;
      }
      counts = transfer::ExportAmur(*store, clock, id, out, &error);
    }
    std::error_code ec;
    if (error.empty()) std::filesystem::rename(tmp, output, ec);
    if (ec) error = "cannot rename " + tmp + " to " + output + ": " + ec.message();
    if (!error.empty()) std::filesystem::remove(tmp, ec);
  }
  if (!error.empty()) {
    std::cerr << "amur export: " << error << "\n";
    return 1;
  }
  std::cerr << "amur export: " << id << ":";
  for (const auto& [type, n] : counts) std::cerr << " " << type << " " << n << ",";
  std::cerr << " done\n";
  return 0;
}

int RunRemap(const Config& config, const std::string& from, const std::string& to, bool dry_run) {
  SystemClock clock;
  std::unique_ptr<store::Store> store;
  try {
    store = OpenMigrated(config);
  } catch (const std::exception& e) {
    std::cerr << "amur remap: " << e.what() << "\n";
    return 2;
  }
  std::string error;
  const auto changes = transfer::Remap(*store, clock, from, to, dry_run, &error);
  int moved = 0, skipped = 0;
  for (const auto& ch : changes) {
    if (!ch.skipped.empty()) {
      ++skipped;
      std::cout << "skipped " << ch.old_key << ": " << ch.skipped << "\n";
      continue;
    }
    ++moved;
    std::cout << (dry_run ? "would move " : "moved ") << ch.old_key;
    if (ch.new_key != ch.old_key) std::cout << " -> " << ch.new_key;
    if (ch.new_url != ch.old_url) {
      std::cout << " (url " << ch.old_url.value_or("none") << " -> " << ch.new_url.value_or("none")
                << ")";
    }
    std::cout << "\n";
  }
  std::cout << (dry_run ? "dry run: " : "") << moved << " pages "
            << (dry_run ? "would move" : "moved") << ", " << skipped << " skipped\n";
  if (!error.empty()) {
    std::cerr << "amur remap: " << error << " (nothing changed)\n";
    return 1;
  }
  return 0;
}

}  // namespace amur::app
