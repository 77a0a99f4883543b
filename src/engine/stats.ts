/**
 * Counters of one VM (SPEC 2.4). One object per VM, plain numbers: the hot loop increments them.
 */
export class VmCounters {
  accesses = 0;
  reads = 0;
  writes = 0;
  hits = 0;
  faults = 0;
  minorFaults = 0;
  majorFaults = 0;
  swapIns = 0;
  /** this VM's dirty pages written to swap */
  swapOuts = 0;
  /** swap-outs this VM's faults waited for (whoever owned the victim): its latency */
  swapOutWaits = 0;
  /** this VM's pages evicted, for any VM's fault */
  evictions = 0;
  /** of those, evicted for another VM's fault */
  stolen = 0;
  /** frames this VM's faults took from other VMs */
  stole = 0;
  resident = 0;
  residentPeak = 0;
  swapSlots = 0;
  swapPeak = 0;
  committed = 0;
  committedPeak = 0;
  /** pages committed by A rows / freed by F rows and RESET */
  allocated = 0;
  freed = 0;
  resets = 0;
  /** accesses to never-allocated pages under --strict-alloc (not replayed) */
  invalid = 0;
  oomKills = 0;
  /** accesses not replayed because the VM had been OOM-killed (the killing access included) */
  oomSkipped = 0;
}
