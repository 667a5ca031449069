#include "platform/statistics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <stdexcept>

namespace vp::platform {

Statistics& Statistics::global() {
  static Statistics s;
  return s;
}

void Statistics::add(Entry e) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  held_ = false;  // a new (or rebuilt) model: a held region belongs to an earlier simulation
  auto it = std::lower_bound(entries_.begin(), entries_.end(), e.name,
                             [](const Entry& a, const std::string& n) { return a.name < n; });
  if (it != entries_.end() && it->name == e.name)
    *it = std::move(e);  // re-registration (a rebuilt platform) replaces
  else
    entries_.insert(it, std::move(e));
}

void Statistics::add_counter(const std::string& name, const uint64_t* value, const std::string& description) {
  add({name, description, Kind::kCounter, [value] { return static_cast<double>(*value); }, 0});
}

void Statistics::add_counter(const std::string& name, std::function<double()> value,
                             const std::string& description) {
  add({name, description, Kind::kCounter, std::move(value), 0});
}

void Statistics::add_formula(const std::string& name, std::function<double()> value,
                             const std::string& description) {
  add({name, description, Kind::kFormula, std::move(value), 0});
}

void Statistics::add_ratio(const std::string& name, const std::string& numerator, const std::string& denominator,
                           const std::string& description) {
  add_formula(
      name,
      [this, numerator, denominator] {
        const double d = has(denominator) ? value(denominator) : 0;
        return d == 0 ? 0.0 : (has(numerator) ? value(numerator) : 0) / d;
      },
      description);
}

void Statistics::remove(const std::string& prefix) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(),
                                [&](const Entry& e) {
                                  return e.name == prefix ||
                                         (e.name.size() > prefix.size() && e.name.compare(0, prefix.size(), prefix) == 0 &&
                                          e.name[prefix.size()] == '.');
                                }),
                 entries_.end());
}

void Statistics::clear() {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  entries_.clear();
  dumps_.clear();
  held_ = false;
}

const Statistics::Entry* Statistics::find(const std::string& name) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), name,
                             [](const Entry& a, const std::string& n) { return a.name < n; });
  return it != entries_.end() && it->name == name ? &*it : nullptr;
}

bool Statistics::has(const std::string& name) const {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  return find(name) != nullptr;
}

double Statistics::value(const std::string& name) const {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  const Entry* e = find(name);
  if (!e) throw std::out_of_range("no statistic named '" + name + "'");
  return read(*e);
}

void Statistics::reset() {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  held_ = false;
  for (Entry& e : entries_)
    if (e.kind == Kind::kCounter) e.base = e.read();
}

void Statistics::hold() {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  if (held_) return;
  // Formulas read other entries by name: compute every value before holding any.
  std::vector<double> v;
  v.reserve(entries_.size());
  for (const Entry& e : entries_) v.push_back(read(e));
  for (size_t i = 0; i < entries_.size(); ++i) entries_[i].held = v[i];
  held_ = true;
}

void Statistics::dump(uint64_t time_ps) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  dumps_.push_back(snapshot(time_ps));
}

std::vector<Statistics::Snapshot> Statistics::dumps() const {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  return dumps_;
}

bool Statistics::glob_match(const char* p, const char* t) {
  // Iterative glob with backtracking on the last '*'.
  const char *star = nullptr, *retry = nullptr;
  while (*t) {
    if (*p == '*') {
      star = ++p;
      retry = t;
      continue;
    }
    bool ok = false;
    const char* next = p + 1;
    if (*p == '?') {
      ok = true;
    } else if (*p == '[') {
      const char* q = p + 1;
      const bool neg = *q == '!' || *q == '^';
      if (neg) ++q;
      bool in = false;
      for (; *q && *q != ']'; ++q) {
        if (q[1] == '-' && q[2] && q[2] != ']') {
          in |= *t >= q[0] && *t <= q[2];
          q += 2;
        } else {
          in |= *t == *q;
        }
      }
      ok = *q == ']' && in != neg;
      next = *q ? q + 1 : q;
    } else {
      ok = *p && *p == *t;
    }
    if (ok) {
      p = next;
      ++t;
    } else if (star) {
      p = star;
      t = ++retry;
    } else {
      return false;
    }
  }
  while (*p == '*') ++p;
  return *p == 0;
}

std::vector<Statistics::Value> Statistics::query(const std::string& pattern) const {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  const bool glob = pattern.find_first_of("*?[") != std::string::npos;
  std::vector<Value> out;
  for (const Entry& e : entries_) {
    const bool match = pattern.empty() || (glob ? glob_match(pattern.c_str(), e.name.c_str())
                                                : e.name.find(pattern) != std::string::npos);
    if (match) out.push_back({e.name, e.description, e.kind, read(e)});
  }
  return out;
}

Statistics::Snapshot Statistics::snapshot(uint64_t time_ps, const std::string& pattern) const {
  return {time_ps, query(pattern)};
}

namespace {

std::string number(double v) {
  if (!std::isfinite(v)) return "0";
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 9e15)
    std::snprintf(buf, sizeof buf, "%.0f", v);
  else
    std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string json_string(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      o += '\\';
      o += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      o += buf;
    } else {
      o += c;
    }
  }
  return o + "\"";
}

void json_values(std::ostream& out, const std::vector<Statistics::Value>& values, const char* indent) {
  out << "{";
  for (size_t i = 0; i < values.size(); ++i)
    out << (i ? ",\n" : "\n") << indent << "  " << json_string(values[i].name) << ": " << number(values[i].value);
  out << "\n" << indent << "}";
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string o = "\"";
  for (char c : s) o += c == '"' ? std::string("\"\"") : std::string(1, c);
  return o + "\"";
}

}  // namespace

void Statistics::write(std::ostream& out, Format format, const std::vector<Snapshot>& snaps) {
  static const Snapshot kEmpty;
  const Snapshot& last = snaps.empty() ? kEmpty : snaps.back();
  switch (format) {
    case Format::kJson: {
      out << "{\n  \"time_ps\": " << last.time_ps << ",\n  \"stats\": ";
      json_values(out, last.values, "  ");
      out << ",\n  \"descriptions\": {";
      bool first = true;
      for (const Value& v : last.values) {
        if (v.description.empty()) continue;
        out << (first ? "\n" : ",\n") << "    " << json_string(v.name) << ": " << json_string(v.description);
        first = false;
      }
      out << "\n  }";
      if (snaps.size() > 1) {
        out << ",\n  \"intervals\": [";
        for (size_t i = 0; i < snaps.size(); ++i) {
          out << (i ? ",\n" : "\n") << "    {\"time_ps\": " << snaps[i].time_ps << ", \"stats\": ";
          json_values(out, snaps[i].values, "    ");
          out << "}";
        }
        out << "\n  ]";
      }
      out << "\n}\n";
      break;
    }
    case Format::kCsv:
      out << "time_ps,name,value\n";
      for (const Snapshot& s : snaps)
        for (const Value& v : s.values) out << s.time_ps << "," << csv_field(v.name) << "," << number(v.value) << "\n";
      break;
    case Format::kText:
      for (const Snapshot& s : snaps) {
        out << "---------- statistics at " << s.time_ps << " ps ----------\n";
        size_t w = 0;
        for (const Value& v : s.values) w = std::max(w, v.name.size());
        for (const Value& v : s.values) {
          std::string line = v.name;
          line.resize(w + 2, ' ');
          std::string num = number(v.value);
          if (num.size() < 16) num.insert(0, 16 - num.size(), ' ');
          out << line << num;
          if (!v.description.empty()) out << "  # " << v.description;
          out << "\n";
        }
        out << "\n";
      }
      break;
  }
}

Statistics::Format Statistics::format_for_path(const std::string& path) {
  auto ends = [&](const char* ext) {
    const std::string e(ext);
    return path.size() >= e.size() && path.compare(path.size() - e.size(), e.size(), e) == 0;
  };
  if (ends(".json")) return Format::kJson;
  if (ends(".csv")) return Format::kCsv;
  return Format::kText;
}

Statistics::Format Statistics::parse_format(const std::string& name) {
  if (name == "json") return Format::kJson;
  if (name == "csv") return Format::kCsv;
  if (name == "text" || name == "txt") return Format::kText;
  throw std::invalid_argument("unknown statistics format '" + name + "' (expected json, csv or text)");
}

}  // namespace vp::platform
