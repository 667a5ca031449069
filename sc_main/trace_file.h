#pragma once
// Where an instruction trace goes: a text file, or gzip-compressed when the
// name ends in ".gz" (read it with zcat or zless; about a tenth of the size).
#include <memory>
#include <ostream>
#include <string>

namespace vp {

// Throws std::runtime_error when the file cannot be created.
std::unique_ptr<std::ostream> open_trace_file(const std::string& path);

}  // namespace vp
