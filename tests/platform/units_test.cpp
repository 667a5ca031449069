#include <gtest/gtest.h>

#include "platform/units.h"

using namespace vp::platform;

TEST(Units, Integers) {
  EXPECT_EQ(parse_integer("42"), 42u);
  EXPECT_EQ(parse_integer("0x1000"), 0x1000u);
  EXPECT_EQ(parse_integer("0b101"), 5u);
  EXPECT_EQ(parse_integer("1_000_000"), 1000000u);
  EXPECT_EQ(parse_integer("0xffffffffffffffff"), UINT64_MAX);
  EXPECT_FALSE(parse_integer("0x1ffffffffffffffff"));  // overflow
  EXPECT_FALSE(parse_integer("12abc"));
  EXPECT_FALSE(parse_integer(""));
  EXPECT_FALSE(parse_integer("-1"));
}

TEST(Units, Sizes) {
  EXPECT_EQ(parse_size("256MiB"), 256ull << 20);
  EXPECT_EQ(parse_size("64KiB"), 64ull << 10);
  EXPECT_EQ(parse_size("4GiB"), 4ull << 30);
  EXPECT_EQ(parse_size("4 GiB"), 4ull << 30);
  EXPECT_EQ(parse_size("2MB"), 2000000u);
  EXPECT_EQ(parse_size("0x80000000"), 0x80000000u);
  EXPECT_EQ(parse_size("1.5KiB"), 1536u);
  EXPECT_FALSE(parse_size("1.3B"));
  EXPECT_FALSE(parse_size("12 parsecs"));
  EXPECT_FALSE(parse_size("99999999999TiB"));
}

TEST(Units, FrequenciesAndTimes) {
  EXPECT_EQ(parse_frequency("10MHz"), 10000000u);
  EXPECT_EQ(parse_frequency("3686400"), 3686400u);
  EXPECT_EQ(parse_frequency("1.5GHz"), 1500000000u);
  EXPECT_FALSE(parse_frequency("10MB"));
  EXPECT_EQ(parse_time_ps("10us"), 10000000u);
  EXPECT_EQ(parse_time_ps("1ms"), 1000000000u);
  EXPECT_EQ(parse_time_ps("250ns"), 250000u);
  EXPECT_EQ(parse_time_ps("2s"), 2000000000000u);
  EXPECT_FALSE(parse_time_ps("10"));  // a time needs a unit
  EXPECT_FALSE(parse_time_ps("10 parsecs"));
}

TEST(Units, Formatting) {
  EXPECT_EQ(format_size(256ull << 20), "256MiB");
  EXPECT_EQ(format_size(0x1234), "4660B");
  EXPECT_EQ(format_time_ps(10000000), "10us");
}
