#include "models/cpu/bbv.h"

#include <algorithm>
#include <stdexcept>

namespace vp::cpu {

BbvWriter::BbvWriter(const std::string& path, uint64_t interval) : path_(path), interval_(interval) {
  if (!interval) throw std::runtime_error("basic-block vectors: the interval must be at least 1 instruction");
  out_.open(path, std::ios::out | std::ios::trunc);
  if (!out_) throw std::runtime_error("basic-block vectors: cannot write '" + path + "'");
  counts_.push_back(0);  // id 0 is unused
}

BbvWriter::~BbvWriter() { finish(); }

void BbvWriter::count(uint64_t pc, uint64_t retired) {
  if (!retired) return;
  uint32_t id = last_id_;
  if (pc != last_pc_) {  // a loop of one block needs no look-up
    auto it = ids_.find(pc);
    if (it == ids_.end()) {
      it = ids_.emplace(pc, static_cast<uint32_t>(counts_.size())).first;
      counts_.push_back(0);
    }
    id = it->second;
    last_pc_ = pc;
    last_id_ = id;
  }
  while (retired) {
    // A block that crosses the interval's end is split: every line sums to the interval.
    const uint64_t take = std::min(retired, interval_ - filled_);
    if (!counts_[id]) touched_.push_back(id);
    counts_[id] += take;
    filled_ += take;
    retired -= take;
    if (filled_ == interval_) emit();
  }
}

void BbvWriter::emit() {
  std::sort(touched_.begin(), touched_.end());
  out_ << 'T';
  for (uint32_t id : touched_) {
    out_ << ':' << id << ':' << counts_[id] << ' ';
    counts_[id] = 0;
  }
  out_ << '\n';
  touched_.clear();
  filled_ = 0;
  ++intervals_;
}

void BbvWriter::finish() {
  if (filled_) emit();
  out_.flush();
}

}  // namespace vp::cpu
