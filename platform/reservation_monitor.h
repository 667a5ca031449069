#pragma once
// The LR/SC reservation sets of every processor of a platform (RISC-V unpriv.
// spec, "Load-Reserved/Store-Conditional Instructions"). The platform owns one
// and hands it to each processor (Processor::set_reservation_monitor); harts
// never see each other. Pure C++: the hart's core and any other engine (an
// interpreter, a binary translator) use it the same way; header-only, so the
// SystemC-free core library needs no platform library.
//
// Cost model. Processors run one at a time (SystemC's cooperative scheduling),
// each for up to a quantum. While a hart runs, nobody else stores, so its LR
// and SC need only its own slot. The moment a hart may let others run (the end
// of its quantum, WFI, a bus access that may wait) it calls publish(): a live
// reservation is then "watched", and every other processor is told (its
// Revoke callback) to stop storing to that page through unchecked host
// pointers (DMI): those stores take the checked path, which calls store() and
// breaks the reservation. Unchecked stores stay free everywhere else.
#include <cstdint>
#include <functional>
#include <unordered_map>
#include <vector>

namespace vp::platform {

class ReservationMonitor {
 public:
  // Reservation set: the naturally aligned 64-byte block holding the address
  // (a cache line: the granule the A extension lets an implementation choose).
  static constexpr unsigned kGranuleBits = 6;
  static constexpr unsigned kPageBits = 12;
  // A store by no processor (a device's DMA, a debugger).
  static constexpr unsigned kNoHart = ~0u;

  // Called on another processor's thread: from now on, stores to this physical
  // page (address >> kPageBits) must call store() (drop unchecked paths to it).
  using Revoke = std::function<void(uint64_t page)>;

  // A processor joins; returns its slot.
  unsigned attach(Revoke revoke);
  void detach(unsigned hart);

  // LR: the hart's reservation is now the granule holding pa.
  void reserve(unsigned hart, uint64_t pa);
  // SC: true if the hart still holds the reservation of an LR to pa itself (an
  // SC elsewhere in the granule fails, as the spec allows: only a constrained
  // LR/SC loop to one address must eventually succeed); the reservation is gone
  // afterwards either way.
  bool store_conditional(unsigned hart, uint64_t pa);
  void clear(unsigned hart);
  bool holds(unsigned hart) const { return hart < slots_.size() && slots_[hart].valid; }
  // The address of the LR whose reservation the hart holds (checkpoints); ~0: none.
  uint64_t reserved_address(unsigned hart) const { return holds(hart) ? slots_[hart].address : ~0ull; }

  // The hart is about to let other processors run: its live reservation (if
  // any) is watched from now on, so that their stores to it break it.
  void publish(unsigned hart);

  // A store of len bytes at pa through the checked path, by `hart` (or
  // kNoHart): breaks every other hart's reservation on those granules.
  void store(unsigned hart, uint64_t pa, uint64_t len);
  // A store by no processor, with its data: store(kNoHart, ...) and every observer.
  using StoreObserver = std::function<void(uint64_t pa, const void* data, uint64_t len)>;
  void device_store(uint64_t pa, const void* data, uint64_t len);
  // Returns an id for remove_observer.
  unsigned add_observer(StoreObserver observer);
  void remove_observer(unsigned id);
  // Whether an observer wants the data of every device store (lock-step checking).
  bool observed() const;
  // How many processors are attached.
  unsigned processors() const;

  // A device that stores through host pointers it keeps (DMI) joins too: its
  // revoke is called, like a processor's, when a reservation in a page becomes
  // watched, and with kAllPages when an observer starts wanting every store;
  // from then on its stores there must go through device_store. Returns an id.
  static constexpr uint64_t kAllPages = ~0ull;
  unsigned attach_device(Revoke revoke);
  void detach_device(unsigned id);
  // Fast checks for the store paths.
  bool watching() const { return published_ != 0; }
  bool page_watched(uint64_t page) const { return published_ && watched_.count(page); }

 private:
  struct Slot {
    bool attached = false;
    bool valid = false;
    bool published = false;
    uint64_t address = 0;  // the LR's physical address
    uint64_t granule = 0;  // address >> kGranuleBits: what other harts' stores break
    Revoke revoke;
  };
  void unpublish(Slot& s);

  std::vector<Slot> slots_;
  std::unordered_map<uint64_t, unsigned> watched_;  // page -> published reservations on it
  unsigned published_ = 0;
  std::vector<StoreObserver> observers_;  // empty slots removed
  std::vector<Revoke> devices_;           // empty slots detached
};

// A component that stores into memory on its own (a DMA engine): the builder
// hands it the platform's monitor, to which it reports those stores
// (device_store). platform/dma.h implements it for devices (DmaReporter).
class DmaInitiator {
 public:
  virtual ~DmaInitiator() = default;
  virtual void set_reservation_monitor(ReservationMonitor& monitor) = 0;
};

inline unsigned ReservationMonitor::attach(Revoke revoke) {
  for (unsigned i = 0; i < slots_.size(); ++i) {
    if (!slots_[i].attached) {
      slots_[i] = Slot{true, false, false, 0, 0, std::move(revoke)};
      return i;
    }
  }
  slots_.push_back(Slot{true, false, false, 0, 0, std::move(revoke)});
  return static_cast<unsigned>(slots_.size() - 1);
}

inline void ReservationMonitor::detach(unsigned hart) {
  if (hart >= slots_.size()) return;
  clear(hart);
  slots_[hart] = Slot{};
}

inline void ReservationMonitor::unpublish(Slot& s) {
  if (!s.published) return;
  s.published = false;
  --published_;
  auto it = watched_.find(s.granule >> (kPageBits - kGranuleBits));
  if (it != watched_.end() && --it->second == 0) watched_.erase(it);
}

inline void ReservationMonitor::reserve(unsigned hart, uint64_t pa) {
  Slot& s = slots_[hart];
  unpublish(s);
  s.valid = true;
  s.address = pa;
  s.granule = pa >> kGranuleBits;
}

inline bool ReservationMonitor::store_conditional(unsigned hart, uint64_t pa) {
  Slot& s = slots_[hart];
  const bool ok = s.valid && s.address == pa;
  clear(hart);
  return ok;
}

inline void ReservationMonitor::clear(unsigned hart) {
  Slot& s = slots_[hart];
  unpublish(s);
  s.valid = false;
}

inline void ReservationMonitor::publish(unsigned hart) {
  Slot& s = slots_[hart];
  if (!s.valid || s.published) return;
  s.published = true;
  ++published_;
  const uint64_t page = s.granule >> (kPageBits - kGranuleBits);
  if (watched_[page]++ != 0) return;  // the others' fast paths are revoked already
  for (unsigned i = 0; i < slots_.size(); ++i)
    if (i != hart && slots_[i].attached && slots_[i].revoke) slots_[i].revoke(page);
  for (const Revoke& d : devices_)
    if (d) d(page);
}

inline void ReservationMonitor::store(unsigned hart, uint64_t pa, uint64_t len) {
  if (len == 0) return;
  const uint64_t first = pa >> kGranuleBits, last = (pa + len - 1) >> kGranuleBits;
  for (unsigned i = 0; i < slots_.size(); ++i) {
    Slot& s = slots_[i];
    if (i != hart && s.valid && s.granule >= first && s.granule <= last) clear(i);
  }
}

inline void ReservationMonitor::device_store(uint64_t pa, const void* data, uint64_t len) {
  store(kNoHart, pa, len);
  for (const auto& o : observers_)
    if (o) o(pa, data, len);
}

inline unsigned ReservationMonitor::add_observer(StoreObserver observer) {
  const bool first = !observed();
  observers_.push_back(std::move(observer));
  if (first)
    for (const Revoke& d : devices_)
      if (d) d(kAllPages);
  return static_cast<unsigned>(observers_.size() - 1);
}

inline bool ReservationMonitor::observed() const {
  for (const auto& o : observers_)
    if (o) return true;
  return false;
}

inline unsigned ReservationMonitor::attach_device(Revoke revoke) {
  devices_.push_back(std::move(revoke));
  return static_cast<unsigned>(devices_.size() - 1);
}

inline void ReservationMonitor::detach_device(unsigned id) {
  if (id < devices_.size()) devices_[id] = nullptr;
}

inline void ReservationMonitor::remove_observer(unsigned id) {
  if (id < observers_.size()) observers_[id] = nullptr;
}

inline unsigned ReservationMonitor::processors() const {
  unsigned n = 0;
  for (const Slot& s : slots_) n += s.attached;
  return n;
}

}  // namespace vp::platform
