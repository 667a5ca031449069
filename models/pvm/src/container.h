// PolkaVM program containers (`.polkavm` files, what polkatool links and polkavm-ffi loads):
//   "PVM\0", a version byte, the blob's total length (u64 LE), then sections [id: u8]
//   [length: varint][payload] in increasing id order, ending with id 0 at the very end:
//     1 memory config: varints ro_data_size, rw_data_size, stack_size (exactly these)
//     2 read-only data (at most ro_data_size bytes)   3 read-write data (at most rw_data_size)
//     4 imports: varint count, count u32 LE symbol offsets, the symbol bytes
//     5 exports: varint count, then per export: varint pc, varint name length, name
//     6 code and jump table: a program blob in the GP A.2 layout (required)
//     128-255: optional (debug information), skipped
// The varints are PolkaVM's, which equal the GP's natural-number encoding below 2^32. Parsing is
// strict: any other shape is an error naming the offending part.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pvm {

struct Container {
    uint8_t version = 0;
    uint32_t ro_data_size = 0, rw_data_size = 0, stack_size = 0;
    std::vector<uint8_t> ro_data, rw_data;
    uint32_t import_count = 0;
    struct Export {
        std::string name;
        uint32_t pc;
    };
    std::vector<Export> exports;
    const uint8_t* code = nullptr;  // section 6's payload (points into the parsed blob)
    size_t code_len = 0;
};

// True when the blob starts with the container magic.
bool is_container(const uint8_t* blob, size_t len);
// Parses a container; false with a message ("malformed .polkavm container: ...") otherwise.
// May throw std::bad_alloc.
bool parse_container(const uint8_t* blob, size_t len, Container& out, std::string& error);

}  // namespace pvm
