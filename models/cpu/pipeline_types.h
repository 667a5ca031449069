#pragma once
// Parsing of the hart's pipeline-mode properties into cpu::PipelineConfig
// (called from riscv.hart's registration in cpu_types.cpp), and their docs.
#include <vector>

#include "models/cpu/pipeline_config.h"
#include "platform/properties.h"
#include "platform/registry.h"

namespace vp::platform {

// Reads backend, l1i, l1d, l2, l3, memory_latency, dram, itlb, dtlb, bp,
// latencies, branch_resolve, mispredict_penalty and o3; errors are located.
void parse_pipeline(Properties& p, cpu::PipelineConfig& c);
std::vector<PropertyDoc> pipeline_property_docs();

}  // namespace vp::platform
