// CPU accounting for benches on a shared machine: CPU-seconds used by each server this process
// started (the bed's, found among its descendants), by this process, and by everything else on
// the machine (other engineers' builds and tests), over one measured call. Linux /proc only.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const ticksPerSecond = 100; // USER_HZ

/** Descendants of this process whose command matches `names`, by command (e.g. kube-apiserver → pid). */
export function childServers(names: RegExp): Map<string, number> {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid=,comm='])
    .toString()
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/));
  const mine = new Set([process.pid]);
  const found = new Map<string, number>();
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid, comm] of rows) {
      if (!mine.has(Number(ppid)) || mine.has(Number(pid))) continue;
      mine.add(Number(pid));
      grew = true;
      if (comm && names.test(comm)) found.set(comm, Number(pid));
    }
  }
  return found;
}

function processSeconds(pid: number): number {
  try {
    // Fields after "(comm) ": state is 0, utime 11, stime 12.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return Number.NaN;
  }
}

function machineSeconds(): { busy: number; total: number } {
  const cpu = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const total = cpu.reduce((a, b) => a + b, 0);
  const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0); // idle + iowait
  return { busy: (total - idle) / ticksPerSecond, total: total / ticksPerSecond };
}

export interface CpuUse {
  /** CPU-seconds per server. */
  servers: Record<string, number>;
  /** CPU-seconds of this process. */
  self: number;
  /** CPU-seconds of everything else on the machine. */
  others: number;
  /** CPU-seconds the machine had (cores × wall). */
  capacity: number;
}

/** Starts counting; the returned function gives what was used since. */
export function cpuMeter(servers: Map<string, number>): () => CpuUse {
  const start = {
    servers: new Map([...servers].map(([name, pid]) => [name, processSeconds(pid)])),
    self: process.cpuUsage(),
    machine: machineSeconds(),
  };
  return () => {
    const used = Object.fromEntries(
      [...servers].map(([name, pid]) => [name, processSeconds(pid) - (start.servers.get(name) ?? Number.NaN)]),
    );
    const self = process.cpuUsage(start.self);
    const selfSeconds = (self.user + self.system) / 1e6;
    const machine = machineSeconds();
    const busy = machine.busy - start.machine.busy;
    const ours = Object.values(used).reduce((a, b) => a + b, 0) + selfSeconds;
    return { servers: used, self: selfSeconds, others: Math.max(0, busy - ours), capacity: machine.total - start.machine.total };
  };
}
