// The gas cost model of the new-gas-cost draft (GP 0.7.1∆, appendix A.9/A.10; the model GP 0.8.0
// adopted): a basic block costs the cycles a small out-of-order core needs to decode, execute and
// retire it, minus 3, at least 1. The core decodes 4 slots per cycle into a 32-entry reorder
// buffer, starts up to 5 instructions per cycle on 4 ALU, 4 load, 4 store, 1 multiply and 1 divide
// units once their source registers are computed, eliminates move_reg in the front end and retires
// in order; the block's terminator waits until everything has retired. Memory accesses use the
// L2-hit latency (25), as the draft's vectors do.
#pragma once

#include <cstdint>

#include "program.h"

namespace pvm {

// Cost of running from insns[index] (an instruction, not an op_gas entry) to the end of its
// basic block. Branch entries need their latency in Insn::d (set by the parser).
uint32_t simulated_block_cost(const Program& p, uint32_t index);

}  // namespace pvm
