#pragma once
// A registry of named statistics that every model can publish into, in the
// spirit of gem5's stats: hierarchical dotted names ("cpu0.l1d.misses"),
// counters (read from the model's own integers, so counting costs the model
// nothing extra) and formulas (computed when read: "cpu0.ipc"). Queried with a
// substring or a glob, dumped as JSON, CSV or text. No SystemC dependency.
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <mutex>
#include <string>
#include <vector>

namespace vp::platform {

class Statistics {
 public:
  enum class Kind { kCounter, kFormula };
  enum class Format { kJson, kCsv, kText };

  struct Value {
    std::string name;
    std::string description;
    Kind kind;
    double value;
  };
  // One dump: all matching values at a point in simulated time.
  struct Snapshot {
    uint64_t time_ps = 0;
    std::vector<Value> values;
  };

  // The process-wide registry (the simulation is one per process too).
  static Statistics& global();

  // A counter read from the model's own storage; it must outlive the entry
  // (remove it, or its prefix, in the model's destructor).
  void add_counter(const std::string& name, const uint64_t* value, const std::string& description = "");
  // A counter computed by a function (e.g. instructions retired from the core).
  void add_counter(const std::string& name, std::function<double()> value,
                   const std::string& description = "");
  // A derived value, computed when read (ratios, rates).
  void add_formula(const std::string& name, std::function<double()> value,
                   const std::string& description = "");
  // numerator / denominator by name, 0 when the denominator is 0 (miss rates, IPC).
  void add_ratio(const std::string& name, const std::string& numerator, const std::string& denominator,
                 const std::string& description = "");
  // Removes every statistic whose name is `prefix` or starts with `prefix.`.
  void remove(const std::string& prefix);
  void clear();

  bool has(const std::string& name) const;
  // Value of one statistic; throws std::out_of_range if there is none.
  double value(const std::string& name) const;
  // Counters read relative to this moment from now on (formulas follow): drops warm-up.
  // Also ends a hold().
  void reset();
  // Every statistic keeps the value it has now until the next reset(): the end
  // of a region of interest, so what runs after it does not count.
  void hold();
  bool held() const { return held_; }
  // Snapshots requested during the run (the guest's dump-stats marker); the
  // runner writes them with its own.
  void dump(uint64_t time_ps);
  std::vector<Snapshot> dumps() const;

  // All statistics matching pattern, sorted by name. An empty pattern matches
  // everything; a pattern with '*', '?' or '[' is a glob over the full name
  // ("cpu0.l1?.miss*", "*.ipc"); anything else matches as a substring.
  std::vector<Value> query(const std::string& pattern = "") const;
  Snapshot snapshot(uint64_t time_ps, const std::string& pattern = "") const;

  // Writes snapshots (the last one is the final state). JSON:
  //   {"time_ps": T, "stats": {name: value, ...}, "descriptions": {...},
  //    "intervals": [{"time_ps": t, "stats": {...}}, ...]}   (intervals only if more than one)
  // CSV: "time_ps,name,value" rows. Text: gem5-style blocks of "name value # description".
  static void write(std::ostream& out, Format format, const std::vector<Snapshot>& snapshots);
  // From a file name's extension (.json, .csv, .txt/.text/.stats); kText if unknown.
  static Format format_for_path(const std::string& path);
  // "json", "csv", "text"/"txt"; throws std::invalid_argument otherwise.
  static Format parse_format(const std::string& name);

  static bool glob_match(const char* pattern, const char* text);

 private:
  struct Entry {
    std::string name;
    std::string description;
    Kind kind;
    std::function<double()> read;
    double base = 0;  // subtracted from counters after reset()
    double held = 0;  // the value while held_
  };
  const Entry* find(const std::string& name) const;
  void add(Entry e);
  double read(const Entry& e) const {
    return held_ ? e.held : e.kind == Kind::kCounter ? e.read() - e.base : e.read();
  }

  mutable std::recursive_mutex mu_;
  std::vector<Entry> entries_;  // sorted by name
  bool held_ = false;
  std::vector<Snapshot> dumps_;
};

}  // namespace vp::platform
