#include "platform/component_arrays.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>

#include "platform/units.h"

namespace vp::platform {
namespace {

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// What a template may refer to.
struct Scope {
  const std::vector<ArraySpec>& arrays;
  std::optional<uint64_t> index;  // i
};

// Integer expressions: + - * / %, parentheses, decimal or 0x literals, i,
// <array>.count. Small on purpose: enough for indices and addresses.
class Expr {
 public:
  Expr(const std::string& text, const Scope& scope, const SourceLocation& where)
      : s_(text), scope_(scope), where_(where) {}

  int64_t evaluate() {
    const int64_t v = sum();
    skip();
    if (p_ != s_.size()) fail("unexpected '" + s_.substr(p_, 1) + "'");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw ConfigError(where_, "in template '{" + s_ + "}': " + what);
  }
  void skip() {
    while (p_ < s_.size() && (s_[p_] == ' ' || s_[p_] == '\t')) ++p_;
  }
  bool eat(char c) {
    skip();
    if (p_ < s_.size() && s_[p_] == c) return ++p_, true;
    return false;
  }
  int64_t checked(__int128 v) const {
    if (v > INT64_MAX || v < INT64_MIN) fail("value out of range");
    return static_cast<int64_t>(v);
  }
  int64_t sum() {
    int64_t v = product();
    for (;;) {
      if (eat('+')) v = checked(static_cast<__int128>(v) + product());
      else if (eat('-')) v = checked(static_cast<__int128>(v) - product());
      else return v;
    }
  }
  int64_t product() {
    int64_t v = unary();
    for (;;) {
      skip();
      const char op = p_ < s_.size() ? s_[p_] : '\0';
      if (op != '*' && op != '/' && op != '%') return v;
      ++p_;
      const int64_t r = unary();
      if (op == '*') {
        v = checked(static_cast<__int128>(v) * r);
      } else {
        if (r == 0) fail("division by zero");
        if (v == INT64_MIN && r == -1) fail("value out of range");
        v = op == '/' ? v / r : v % r;
      }
    }
  }
  int64_t unary() {
    // Nesting is bounded: a long run of '(' or '-' is an error, not a stack overflow.
    if (++depth_ > kMaxDepth) fail("nested deeper than " + std::to_string(kMaxDepth) + " levels");
    struct Leave {
      unsigned& d;
      ~Leave() { --d; }
    } leave{depth_};
    if (eat('-')) return checked(-static_cast<__int128>(unary()));
    if (eat('(')) {
      const int64_t v = sum();
      if (!eat(')')) fail("missing ')'");
      return v;
    }
    skip();
    const size_t start = p_;
    while (p_ < s_.size() && (ident_char(s_[p_]) || s_[p_] == '.')) ++p_;
    const std::string word = s_.substr(start, p_ - start);
    if (word.empty()) fail(p_ < s_.size() ? "unexpected '" + s_.substr(p_, 1) + "'" : "expression expected");
    if (std::isdigit(static_cast<unsigned char>(word[0]))) {
      auto v = parse_integer(word);
      if (!v || *v > static_cast<uint64_t>(INT64_MAX)) fail("malformed number '" + word + "'");
      return static_cast<int64_t>(*v);
    }
    if (word == "i") {
      if (!scope_.index)
        fail("'i' is defined only in an array's own properties and in bind:/irq: items that name an array "
             "as <name>{...}");
      return static_cast<int64_t>(*scope_.index);
    }
    const size_t dot = word.find('.');
    std::vector<std::string> names;
    for (const auto& a : scope_.arrays) names.push_back(a.name);
    if (dot != std::string::npos && word.substr(dot) == ".count") {
      const std::string array = word.substr(0, dot);
      for (const auto& a : scope_.arrays)
        if (a.name == array) return static_cast<int64_t>(a.count);
      fail("no component array named '" + array + "'" + did_you_mean_hint(array, names) +
           (names.empty() ? " (no component has a count:)" : ""));
    }
    fail("unknown name '" + word + "' (expected i or <array>.count)");
  }

  const std::string& s_;
  const Scope& scope_;
  const SourceLocation& where_;
  size_t p_ = 0;
  static constexpr unsigned kMaxDepth = 64;
  unsigned depth_ = 0;
};

// Replaces each {expression} in text; "{{" and "}}" stand for literal braces.
std::string substitute(const std::string& text, const Scope& scope, const SourceLocation& where) {
  if (text.find_first_of("{}") == std::string::npos) return text;
  std::string out;
  for (size_t p = 0; p < text.size();) {
    if (text.compare(p, 2, "{{") == 0 || text.compare(p, 2, "}}") == 0) {
      out += text[p];
      p += 2;
    } else if (text[p] == '{') {
      const size_t close = text.find('}', p);
      if (close == std::string::npos)
        throw ConfigError(where, "unclosed '{' in '" + text + "' (write {{ for a literal brace)");
      const std::string body = text.substr(p + 1, close - p - 1);
      out += std::to_string(Expr(body, scope, where).evaluate());
      p = close + 1;
    } else {
      out += text[p++];
    }
  }
  return out;
}

void substitute_tree(ConfigNode& n, const Scope& scope, bool keys) {
  if (n.is_scalar()) n.scalar = substitute(n.scalar, scope, n.where);
  for (auto& e : n.map) {
    if (keys) e.key = substitute(e.key, scope, e.key_where);
    substitute_tree(e.value, scope, keys);
  }
  for (auto& s : n.sequence) substitute_tree(s, scope, keys);
}

// The arrays a bind:/irq: text names as <name>{...}; they must agree on a count.
// Returns 0 when it names none (the text is then used once, without i).
uint64_t repeat_count(const std::string& text, const std::vector<ArraySpec>& arrays, const SourceLocation& where) {
  uint64_t count = 0;
  std::string first;
  for (const auto& a : arrays) {
    for (size_t p = text.find(a.name + "{"); p != std::string::npos; p = text.find(a.name + "{", p + 1)) {
      if (p > 0 && ident_char(text[p - 1])) continue;
      if (count && count != a.count)
        throw ConfigError(where, "'" + text + "' names arrays of different sizes: " + first + " (" +
                                     std::to_string(count) + ") and " + a.name + " (" + std::to_string(a.count) + ")");
      count = a.count, first = a.name;
    }
  }
  return count;
}

// Expands one bind:/irq: list.
void expand_items(ConfigNode& list, const std::vector<ArraySpec>& arrays) {
  if (!list.is_sequence()) return;  // reported by the loader
  std::vector<ConfigNode> out;
  // n == 0: once, without i; otherwise once per index.
  auto repeated = [&](const ConfigNode& item, uint64_t n, auto&& emit) {
    for (uint64_t i = 0; i < (n ? n : 1); ++i) {
      ConfigNode copy = item;
      emit(copy, Scope{arrays, n ? std::optional<uint64_t>(i) : std::nullopt});
    }
  };
  for (const ConfigNode& item : list.sequence) {
    if (item.is_scalar()) {
      repeated(item, repeat_count(item.scalar, arrays, item.where), [&](ConfigNode& c, const Scope& s) {
                 substitute_tree(c, s, true);
                 out.push_back(std::move(c));
               });
    } else if (item.is_map() && item.map.size() == 1) {
      const ConfigMapEntry& head = item.map.front();
      const uint64_t n = repeat_count(head.key, arrays, head.key_where);
      if (n || !head.value.is_map()) {
        repeated(item, n, [&](ConfigNode& c, const Scope& s) {
          substitute_tree(c, s, true);
          out.push_back(std::move(c));
        });
        continue;
      }
      // router: { target{i}: address, ... }: each target entry repeats on its own.
      ConfigNode copy = item;
      ConfigMapEntry& router = copy.map.front();
      router.key = substitute(router.key, Scope{arrays, std::nullopt}, router.key_where);
      std::vector<ConfigMapEntry> targets;
      for (const ConfigMapEntry& t : router.value.map) {
        const uint64_t m = repeat_count(t.key, arrays, t.key_where);
        for (uint64_t i = 0; i < (m ? m : 1); ++i) {
          ConfigMapEntry e = t;
          const Scope s{arrays, m ? std::optional<uint64_t>(i) : std::nullopt};
          e.key = substitute(e.key, s, e.key_where);
          substitute_tree(e.value, s, true);
          targets.push_back(std::move(e));
        }
      }
      router.value.map = std::move(targets);
      out.push_back(std::move(copy));
    } else {
      out.push_back(item);  // malformed: the loader says what it expected
    }
  }
  list.sequence = std::move(out);
}

}  // namespace

std::vector<ArraySpec> find_component_arrays(const ConfigNode& tree) {
  std::vector<ArraySpec> arrays;
  const ConfigNode* components = tree.is_map() ? tree.find("components") : nullptr;
  if (!components || !components->is_map()) return arrays;
  for (const auto& e : components->map) {
    const ConfigNode* count = e.value.is_map() ? e.value.find("count") : nullptr;
    if (!count) continue;
    auto n = count->is_scalar() ? parse_integer(count->scalar) : std::nullopt;
    if (!n || *n < 1 || *n > kMaxArrayCount)
      throw ConfigError(count->where, "component '" + e.key + "': count must be an integer from 1 to " +
                                          std::to_string(kMaxArrayCount) +
                                          (count->is_scalar() ? ", found '" + count->scalar + "'" : std::string()));
    const ConfigNode* type = e.value.find("type");
    arrays.push_back({e.key, type && type->is_scalar() ? type->scalar : std::string(), *n, e.key_where});
  }
  return arrays;
}

bool is_array_instance_name(const std::string& name, const std::vector<ArraySpec>& arrays) {
  for (const auto& a : arrays) {
    if (name.size() <= a.name.size() || name.compare(0, a.name.size(), a.name) != 0) continue;
    bool digits = true;
    for (size_t k = a.name.size(); k < name.size(); ++k) digits &= std::isdigit(static_cast<unsigned char>(name[k])) != 0;
    if (digits) return true;
  }
  return false;
}

void expand_component_arrays(ConfigNode& tree, const std::vector<ArraySpec>& arrays) {
  ConfigNode* components = tree.is_map() ? tree.find("components") : nullptr;
  if (components && components->is_map()) {
    std::map<std::string, const ArraySpec*> by_name;
    for (const auto& a : arrays) by_name[a.name] = &a;
    std::vector<ConfigMapEntry> out, overlays;
    std::map<std::string, std::pair<const ArraySpec*, uint64_t>> instances;  // name -> (array, index)
    for (const ConfigMapEntry& e : components->map) {
      auto array = by_name.find(e.key);
      if (array == by_name.end()) {
        if (e.value.is_map() && !e.value.find("type") && is_array_instance_name(e.key, arrays)) {
          overlays.push_back(e);
          continue;
        }
        ConfigMapEntry c = e;
        substitute_tree(c.value, Scope{arrays, std::nullopt}, false);
        out.push_back(std::move(c));
        continue;
      }
      for (uint64_t i = 0; i < array->second->count; ++i) {
        ConfigMapEntry c = e;
        c.key = e.key + std::to_string(i);
        c.value.map.erase(std::find_if(c.value.map.begin(), c.value.map.end(),
                                       [](const ConfigMapEntry& m) { return m.key == "count"; }));
        substitute_tree(c.value, Scope{arrays, i}, false);
        instances[c.key] = {array->second, i};
        out.push_back(std::move(c));
      }
    }
    // A component defined both on its own and as an instance.
    std::map<std::string, SourceLocation> seen;
    for (const auto& c : out) {
      auto [it, added] = seen.emplace(c.key, c.key_where);
      if (!added)
        throw ConfigError(c.key_where, "component '" + c.key + "' is defined twice: here and as an instance of a "
                                           "component array (" + it->second.str() + ")");
    }
    for (ConfigMapEntry& o : overlays) {
      auto inst = instances.find(o.key);
      if (inst == instances.end()) {
        for (const auto& a : arrays)
          if (is_array_instance_name(o.key, {a}))
            throw ConfigError(o.key_where, "component '" + o.key + "' has no type, and array '" + a.name + "' has " +
                                               std::to_string(a.count) + " instances (" + a.name + "0 .. " + a.name +
                                               std::to_string(a.count - 1) + ")");
      }
      substitute_tree(o.value, Scope{arrays, inst->second.second}, false);
      for (auto& c : out)
        if (c.key == o.key) merge_config(c.value, o.value);
    }
    components->map = std::move(out);
  }
  for (const char* section : {"bind", "irq"})
    if (ConfigNode* list = tree.is_map() ? tree.find(section) : nullptr) expand_items(*list, arrays);
}

}  // namespace vp::platform
