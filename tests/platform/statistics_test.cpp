// The statistics registry: counters, formulas, queries, reset, dumps.
#include <gtest/gtest.h>

#include <sstream>

#include "platform/statistics.h"

using vp::platform::Statistics;

namespace {

TEST(Statistics, CountersFormulasAndQueries) {
  Statistics s;
  uint64_t cycles = 200, insns = 100, misses = 5, accesses = 50;
  s.add_counter("cpu0.cycles", &cycles, "cycles");
  s.add_counter("cpu0.instructions", &insns);
  s.add_counter("cpu0.l1d.misses", &misses);
  s.add_counter("cpu0.l1d.accesses", &accesses);
  s.add_ratio("cpu0.ipc", "cpu0.instructions", "cpu0.cycles", "instructions per cycle");
  s.add_ratio("cpu0.l1d.miss_rate", "cpu0.l1d.misses", "cpu0.l1d.accesses");
  s.add_formula("cpu1.const", [] { return 7.0; });
  EXPECT_DOUBLE_EQ(s.value("cpu0.ipc"), 0.5);
  EXPECT_DOUBLE_EQ(s.value("cpu0.l1d.miss_rate"), 0.1);
  EXPECT_THROW(s.value("cpu0.nope"), std::out_of_range);

  EXPECT_EQ(s.query().size(), 7u);
  EXPECT_EQ(s.query("l1d").size(), 3u);           // substring
  EXPECT_EQ(s.query("*.miss*").size(), 2u);       // glob
  EXPECT_EQ(s.query("cpu[01].c*").size(), 2u);    // cycles, const
  EXPECT_EQ(s.query("cpu?.ipc").size(), 1u);
  EXPECT_EQ(s.query("*.ipc").front().name, "cpu0.ipc");

  cycles = 400;  // counters read the model's storage
  EXPECT_DOUBLE_EQ(s.value("cpu0.ipc"), 0.25);
  s.reset();
  EXPECT_DOUBLE_EQ(s.value("cpu0.cycles"), 0);
  cycles += 10;
  insns += 5;
  EXPECT_DOUBLE_EQ(s.value("cpu0.ipc"), 0.5);  // ratios follow the reset

  s.remove("cpu0.l1d");
  EXPECT_FALSE(s.has("cpu0.l1d.misses"));
  EXPECT_TRUE(s.has("cpu0.cycles"));
  s.remove("cpu0");
  EXPECT_EQ(s.query().size(), 1u);
}

TEST(Statistics, Glob) {
  EXPECT_TRUE(Statistics::glob_match("*", "a.b"));
  EXPECT_TRUE(Statistics::glob_match("a*b*c", "axxbyyc"));
  EXPECT_FALSE(Statistics::glob_match("a*b*c", "axxbyy"));
  EXPECT_TRUE(Statistics::glob_match("l[0-9]d", "l1d"));
  EXPECT_FALSE(Statistics::glob_match("l[!1]d", "l1d"));
  EXPECT_TRUE(Statistics::glob_match("?", "x"));
  EXPECT_FALSE(Statistics::glob_match("?", ""));
}

TEST(Statistics, Dumps) {
  Statistics s;
  uint64_t c = 3;
  s.add_counter("cpu0.cycles", &c, "cycles, \"all\"");
  s.add_formula("cpu0.half", [&] { return c / 2.0; });
  std::vector<Statistics::Snapshot> snaps{s.snapshot(1000)};
  c = 8;
  snaps.push_back(s.snapshot(2000));

  std::ostringstream json;
  Statistics::write(json, Statistics::Format::kJson, snaps);
  EXPECT_NE(json.str().find("\"time_ps\": 2000"), std::string::npos) << json.str();
  EXPECT_NE(json.str().find("\"cpu0.cycles\": 8"), std::string::npos) << json.str();
  EXPECT_NE(json.str().find("\"cpu0.half\": 1.5"), std::string::npos) << json.str();
  EXPECT_NE(json.str().find("\"intervals\""), std::string::npos);
  EXPECT_NE(json.str().find("cycles, \\\"all\\\""), std::string::npos);

  std::ostringstream csv;
  Statistics::write(csv, Statistics::Format::kCsv, snaps);
  EXPECT_EQ(csv.str(), "time_ps,name,value\n1000,cpu0.cycles,3\n1000,cpu0.half,1.5\n2000,cpu0.cycles,8\n2000,cpu0.half,4\n");

  std::ostringstream text;
  Statistics::write(text, Statistics::Format::kText, {snaps.back()});
  EXPECT_NE(text.str().find("cpu0.cycles"), std::string::npos);
  EXPECT_NE(text.str().find("# cycles"), std::string::npos);

  EXPECT_EQ(Statistics::format_for_path("out/s.json"), Statistics::Format::kJson);
  EXPECT_EQ(Statistics::format_for_path("s.csv"), Statistics::Format::kCsv);
  EXPECT_EQ(Statistics::format_for_path("s.txt"), Statistics::Format::kText);
  EXPECT_EQ(Statistics::parse_format("csv"), Statistics::Format::kCsv);
  EXPECT_THROW(Statistics::parse_format("xml"), std::invalid_argument);
}

}  // namespace

TEST(Statistics, HoldKeepsTheRegionOfInterestUntilReset) {
  Statistics s;
  uint64_t insns = 10, cycles = 20;
  s.add_counter("cpu.insns", &insns);
  s.add_counter("cpu.cycles", &cycles);
  s.add_ratio("cpu.ipc", "cpu.insns", "cpu.cycles");
  s.reset();  // ROI begin
  insns += 30;
  cycles += 60;
  s.hold();   // ROI end
  EXPECT_TRUE(s.held());
  insns += 1000;
  cycles += 1;
  EXPECT_EQ(s.value("cpu.insns"), 30);
  EXPECT_EQ(s.value("cpu.cycles"), 60);
  EXPECT_DOUBLE_EQ(s.value("cpu.ipc"), 0.5) << "formulas are held with their counters";
  s.dump(1234);
  ASSERT_EQ(s.dumps().size(), 1u);
  EXPECT_EQ(s.dumps()[0].time_ps, 1234u);
  s.reset();
  EXPECT_FALSE(s.held());
  EXPECT_EQ(s.value("cpu.insns"), 0);
  insns += 5;
  EXPECT_EQ(s.value("cpu.insns"), 5);
}
