#include "container.h"

#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "program.h"

namespace pvm {

namespace {

constexpr uint8_t kMagic[4] = {'P', 'V', 'M', 0};
constexpr size_t kHeader = 4 + 1 + 8;
constexpr uint32_t kMaxImports = 1024;  // PolkaVM's VM_MAXIMUM_IMPORT_COUNT

enum Section : uint8_t { kEnd = 0, kMemoryConfig = 1, kRoData = 2, kRwData = 3, kImports = 4, kExports = 5, kCode = 6 };

bool fail(std::string& error, const char* fmt, uint64_t a = 0, uint64_t b = 0) {
    char buf[200];
    std::snprintf(buf, sizeof buf, fmt, a, b);
    error = std::string("malformed .polkavm container: ") + buf;
    return false;
}

// A varint inside [pos, end) that must fit in 32 bits.
bool varint32(const uint8_t* p, size_t end, size_t& pos, uint32_t& v) {
    uint64_t x = 0;
    if (!read_varint(p, end, pos, x) || x > 0xFFFFFFFFu) return false;
    v = uint32_t(x);
    return true;
}

}  // namespace

bool is_container(const uint8_t* blob, size_t len) {
    return blob && len >= sizeof kMagic && std::memcmp(blob, kMagic, sizeof kMagic) == 0;
}

bool parse_container(const uint8_t* blob, size_t len, Container& c, std::string& error) {
    if (!is_container(blob, len)) return fail(error, "it does not start with \"PVM\\0\"");
    if (len < kHeader) return fail(error, "header truncated (needs %" PRIu64 " bytes)", kHeader);
    c.version = blob[4];
    switch (c.version) {
        case 0:  // ReviveV1 (64-bit)
        case 2:  // Latest64
            break;
        case 1: return fail(error, "version 1 holds 32-bit code; libpvm runs the 64-bit PVM (versions 0 and 2)");
        case 3:
            return fail(error, "version 3 (JamV1) uses the GP 0.8.0 opcode numbering, which libpvm does not "
                               "implement (versions 0 and 2 use the GP 0.7.2 numbering)");
        default: return fail(error, "unknown version %" PRIu64 " (libpvm reads versions 0 and 2)", c.version);
    }
    uint64_t declared = 0;
    for (unsigned i = 0; i < 8; ++i) declared |= uint64_t(blob[5 + i]) << (8 * i);
    if (declared != len)
        return fail(error, "the header gives a length of %" PRIu64 " bytes, the blob has %" PRIu64, declared, len);

    size_t pos = kHeader;
    int last = 0;  // sections appear in increasing id order, each at most once
    bool have_code = false;
    for (;;) {
        if (pos >= len) return fail(error, "no end-of-file section (id 0)");
        const size_t at = pos;
        const uint8_t id = blob[pos++];
        if (id == kEnd) {
            if (pos != len) return fail(error, "%" PRIu64 " bytes after the end-of-file section", len - pos);
            break;
        }
        uint32_t size = 0;
        if (!varint32(blob, len, pos, size)) return fail(error, "section %" PRIu64 ": truncated length", id);
        if (size > len - pos)
            return fail(error, "section %" PRIu64 " needs %" PRIu64 " bytes past the end of the blob", id, size - (len - pos));
        const size_t end = pos + size;
        if (id >= 128) {  // optional (debug information)
            pos = end;
            continue;
        }
        if (id > kCode) return fail(error, "unknown required section %" PRIu64 " at offset %" PRIu64, id, at);
        if (id <= last) return fail(error, "section %" PRIu64 " out of order (after section %" PRIu64 ")", id, uint64_t(last));
        last = id;
        switch (id) {
            case kMemoryConfig:
                if (!varint32(blob, end, pos, c.ro_data_size) || !varint32(blob, end, pos, c.rw_data_size) ||
                    !varint32(blob, end, pos, c.stack_size))
                    return fail(error, "memory configuration truncated");
                if (pos != end) return fail(error, "memory configuration has %" PRIu64 " extra bytes", end - pos);
                break;
            case kRoData:
            case kRwData: {
                const uint32_t limit = id == kRoData ? c.ro_data_size : c.rw_data_size;
                if (size > limit)
                    return fail(error,
                                id == kRoData ? "read-only data of %" PRIu64 " bytes exceeds ro_data_size %" PRIu64
                                              : "read-write data of %" PRIu64 " bytes exceeds rw_data_size %" PRIu64,
                                size, limit);
                (id == kRoData ? c.ro_data : c.rw_data).assign(blob + pos, blob + end);
                pos = end;
                break;
            }
            case kImports: {
                if (!varint32(blob, end, pos, c.import_count)) return fail(error, "import count truncated");
                if (c.import_count > kMaxImports)
                    return fail(error, "%" PRIu64 " imports (at most %" PRIu64 ")", c.import_count, kMaxImports);
                if (uint64_t(c.import_count) * 4 > end - pos) return fail(error, "import offsets truncated");
                const size_t symbols = pos + size_t(c.import_count) * 4, symbols_len = end - symbols;
                uint32_t prev = 0;
                for (uint32_t i = 0; i < c.import_count; ++i) {
                    const uint8_t* o = blob + pos + 4 * i;
                    const uint32_t off = uint32_t(o[0]) | uint32_t(o[1]) << 8 | uint32_t(o[2]) << 16 | uint32_t(o[3]) << 24;
                    if (off > symbols_len || off < prev)
                        return fail(error, "import %" PRIu64 ": symbol offset %" PRIu64 " out of range", i, off);
                    prev = off;
                }
                pos = end;
                break;
            }
            case kExports: {
                uint32_t count = 0;
                if (!varint32(blob, end, pos, count)) return fail(error, "export count truncated");
                if (count > size) return fail(error, "%" PRIu64 " exports in a section of %" PRIu64 " bytes", count, size);
                c.exports.reserve(count);
                for (uint32_t i = 0; i < count; ++i) {
                    uint32_t pc = 0, name_len = 0;
                    if (!varint32(blob, end, pos, pc) || !varint32(blob, end, pos, name_len) || name_len > end - pos)
                        return fail(error, "export %" PRIu64 " truncated", i);
                    std::string name(reinterpret_cast<const char*>(blob + pos), name_len);
                    if (name.find('\0') != std::string::npos) return fail(error, "export %" PRIu64 ": NUL in its name", i);
                    c.exports.push_back({std::move(name), pc});
                    pos += name_len;
                }
                if (pos != end) return fail(error, "export section has %" PRIu64 " extra bytes", end - pos);
                break;
            }
            case kCode:
                c.code = blob + pos;
                c.code_len = size;
                have_code = true;
                pos = end;
                break;
        }
    }
    if (!have_code) return fail(error, "no code section (id 6)");
    return true;
}

}  // namespace pvm
